import Foundation

/// Files every message of a folder through the real intake path into a fresh database, in
/// one process, without network: what `suport bench ingest` prints. A figure, not a test.
public enum IngestBenchmark {
    public static func run(configuration: Configuration, folder: String) throws -> String {
        let corpus = try ParseBenchmark.loadCorpus(folder)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("suport-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let desk = try Desk(configuration: configuration.with(databasePath: scratch.appendingPathComponent("bench.sqlite").path))
        var notifications = 0
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            for raw in corpus { notifications += try desk.ingest(raw).notifications }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let bytes = corpus.reduce(0) { $0 + $1.count }
        let tickets = try desk.store.counts()["tickets"] ?? 0
        return String(format: "suport: %d messages, %.1f MB filed in %.3f s: %.0f messages/s, %.1f MB/s (%d tickets, %d notifications), peak RSS %.1f MB",
                      corpus.count, Double(bytes) / 1_048_576, seconds, Double(corpus.count) / seconds, Double(bytes) / 1_048_576 / seconds,
                      tickets, notifications, Double(ParseBenchmark.peakRSS()) / 1_048_576)
    }
}

extension Configuration {
    /// The same configuration with another database (benchmarks, tests).
    public func with(databasePath: String) -> Configuration {
        Configuration(file: file, policy: policy, databasePath: databasePath, templatesPath: templatesPath,
                      firstTicketNumber: firstTicketNumber, mail: mail)
    }
}
