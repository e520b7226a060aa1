import Foundation
import GRDB
import SuportService
import TicketStore

/// Files every message of a folder through the real intake path into a fresh database, in
/// one process, without network: what `suport bench ingest` prints. A figure, not a test.
///
/// Two passes, each into a fresh database: one transaction per message (what `suport ingest`
/// from the MTA pipe does), and batches of `batch` messages in one transaction each (what the
/// daemon does with an IMAP batch). Each message is read from disk just before it is filed,
/// so the peak RSS printed is what filing needs, not the size of the folder. The peak is the
/// process's so far: the second pass's figure covers both.
///
/// Beside each pass, in the same run and on the same disk, the storage floor: the same
/// messages' bytes read and written durably, nothing else (`StorageFloor`).
public enum IngestBenchmark {
    public static func run(configuration: SuportService.Configuration, folder: String, batch: Int = 20) throws -> String {
        let paths = try ParseBenchmark.corpusPaths(folder)
        var bytes = 0
        for path in paths { bytes += (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
        var lines: [String] = []
        let before = ParseBenchmark.peakRSS()
        for size in [1, batch] {
            let floor = try StorageFloor.run(paths: paths, batch: size)
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("suport-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            // With [database] configured, each pass files into a new PostgreSQL database there.
            var fresh = configuration.with(databasePath: scratch.appendingPathComponent("bench.sqlite").path)
            if let server = configuration.postgres {
                var pg = server
                pg.database = "bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
                try SQLStore.createDatabase(pg.database, on: server)
                fresh = fresh.with(postgres: pg)
            }
            let desk = try Desk(configuration: fresh)
            var notifications = 0
            // A batch of one is one transaction per message, as `suport ingest` files.
            let cost = try Cost.of {
                for group in paths.chunks(of: size) {
                    let batch = try group.map { Desk.Mail(raw: try RawInput.read(path: $0)) }
                    notifications += try desk.file(batch: batch).reduce(0) { $0 + (try $1.get()).notifications }
                }
            }
            let tickets = try desk.store.counts()["tickets"] ?? 0
            let mode = (size == 1 ? "one transaction per message" : "batches of \(size)") + (configuration.postgres == nil ? "" : ", PostgreSQL")
            let peak = ParseBenchmark.peakRSS()
            lines.append(String(format: "suport (%@): %d messages, %.1f MB filed in %.3f s: %.0f messages/s, %.1f MB/s (%d tickets, %d notifications), peak RSS %.1f MB (%.1f MB above the %.1f MB before filing)",
                                mode, paths.count, Double(bytes) / 1_048_576, cost.wall, Double(paths.count) / cost.wall,
                                Double(bytes) / 1_048_576 / cost.wall, tickets, notifications, Double(peak) / 1_048_576,
                                Double(peak - before) / 1_048_576, Double(before) / 1_048_576))
            lines.append(String(format: "floor (%@): %.3f s: %.0f messages/s, %.2f ms CPU and %.0f KB written a message; suport: %.2f ms CPU and %.0f KB written a message, %.2f times the floor's time",
                                mode, floor.wall, Double(paths.count) / floor.wall, floor.cpu * 1000 / Double(paths.count),
                                Double(floor.written) / 1024 / Double(paths.count), cost.cpu * 1000 / Double(paths.count),
                                Double(cost.written) / 1024 / Double(paths.count), cost.wall / floor.wall))
        }
        return lines.joined(separator: "\n")
    }
}

/// The least any desk must do to keep mail: each message's bytes read from disk and inserted
/// as one blob into SQLite (WAL, `synchronous = FULL`), committed per message or per batch.
enum StorageFloor {
    /// What storing every file at `paths` into a fresh database costs, `batch` per transaction.
    static func run(paths: [String], batch: Int) throws -> Cost {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("suport-floor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var config = GRDB.Configuration()
        config.journalMode = .wal
        let queue = try DatabaseQueue(path: scratch.appendingPathComponent("floor.sqlite").path, configuration: config)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "CREATE TABLE raw (id INTEGER PRIMARY KEY, bytes BLOB NOT NULL)")
        }
        return try Cost.of {
            for group in paths.chunks(of: batch) {
                try queue.writeWithoutTransaction { db in
                    try db.inTransaction(.immediate) {
                        for path in group {
                            try db.execute(sql: "INSERT INTO raw (bytes) VALUES (?)", arguments: [Data(try RawInput.read(path: path))])
                        }
                        return .commit
                    }
                }
            }
        }
    }
}
