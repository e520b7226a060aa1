import Foundation
import SuportService
import Tickets
import TicketStore
import GRDB

/// What filing and listing cost as the database grows: `suport bench growth` prints, for each
/// size, the time to file one message (its own transaction, as the MTA pipe does; the median
/// of five rounds) and the time `list --queue support --status open`, `show N`, `search` and
/// `dashboard` take in process, and at the largest size the knowledge base beside it (10,000 articles). The tickets up to
/// each size are filed through the real intake, in batches, then aged. A figure, not a test.
public enum GrowthBenchmark {
    /// Spreads the statuses of tickets up to `through` the way a desk that has run for years
    /// looks (10 % open, 5 % new, stalled and rejected each, the rest resolved), in one
    /// statement on the database file, with no history: only what listing and the dashboard read. The
    /// benchmark's own door into the database; nothing else writes tickets this way.
    static func age(database: String, through number: Int) throws {
        let queue = try DatabaseQueue(path: database)
        try queue.write { db in
            try db.execute(sql: """
                UPDATE tickets SET status = CASE number % 20 WHEN 0 THEN 'open' WHEN 1 THEN 'open' WHEN 2 THEN 'new'
                    WHEN 3 THEN 'stalled' WHEN 4 THEN 'rejected' ELSE 'resolved' END,
                    -- A finished ticket's clock counts no more (what SLARules.settle leaves).
                    sla_warn_at = CASE WHEN number % 20 >= 4 THEN NULL ELSE sla_warn_at END,
                    sla_breach_at = CASE WHEN number % 20 >= 4 THEN NULL ELSE sla_breach_at END
                WHERE number <= ?
                """, arguments: [number])
        }
    }

    /// With `[database]` in the configuration, each size is also copied (`suport db copy`) into
    /// a new PostgreSQL database on that server, and messages of the same kinds and the same
    /// queries run there: the PostgreSQL column, from the same tickets.
    public static func run(configuration: SuportService.Configuration, sizes: [Int], probe: Int, database: String) throws -> String {
        let sqlite = configuration.with(databasePath: database)
        let desk = try Desk(configuration: sqlite)
        var lines: [String] = []
        var filed = try desk.store.counts()["tickets"] ?? 0
        var rng = SplitMix(seed: 2026)
        var perMessage: [String: [Double]] = [:]
        for size in sizes.sorted() {
            while filed < size {
                let batch = (filed..<min(size, filed + 500)).map { Desk.Mail(raw: newTicket($0, &rng)) }
                filed += try desk.file(batch: batch).count
            }
            try age(database: database, through: filed)
            // Filing: half new tickets, half replies to tickets anywhere in the database.
            func probes(from first: Int) -> [[UInt8]] {
                (0..<probe).map { i in i % 2 == 0 ? newTicket(first + i, &rng) : reply(to: Int.random(in: 1...first, using: &rng), &rng) }
            }
            let seed = rng.next()
            var queries = SplitMix(seed: seed)
            let (line, fileTime) = try measure(desk, probes: probes(from: filed), filedBefore: filed, &queries)
            perMessage["SQLite", default: []].append(fileTime)
            lines.append((configuration.postgres == nil ? "" : "SQLite: ") + line)
            if let server = configuration.postgres {
                // The same desk, with the messages SQLite just filed, copied as an operator moves one;
                // then other messages of the same kinds and the same queries. Measured after SQLite,
                // so the server's work after a bulk load does not share the disk with SQLite's.
                var pg = server
                pg.database = "growth_\(size)_" + UUID().uuidString.prefix(8).lowercased()
                try SQLStore.createDatabase(pg.database, on: server)
                var report: CopyReport?
                let cost = try Cost.of { report = try SQLStore(path: database).copy(to: SQLStore(postgres: pg)) }
                let copied = try desk.store.counts()["tickets"] ?? filed
                lines.append(String(format: "%7d tickets copied to PostgreSQL (suport db copy: %d rows, %d messages and files verified) in %.1f s",
                                    copied, report?.written ?? 0, report?.blobsVerified ?? 0, cost.wall))
                var queries = SplitMix(seed: seed)
                let (line, fileTime) = try measure(try Desk(configuration: sqlite.with(postgres: pg)), probes: probes(from: copied + probe),
                                                   filedBefore: copied, &queries)
                perMessage["PostgreSQL", default: []].append(fileTime)
                lines.append("PostgreSQL: " + line)
            }
            filed = try desk.store.counts()["tickets"] ?? filed
        }
        // The knowledge base beside the largest desk: 10,000 articles, each naming a node, searched
        // for a node and a common word (issue 19: under 50 ms), and a new ticket's suggestions.
        let articles = 10_000
        let started = Date()
        for i in 0..<articles {
            _ = try desk.store.addArticle(Article(id: 0, title: "\(subjects[i % subjects.count]) (n\(i % 2000))", problem: body(&rng),
                                                  solution: (0..<4).map { _ in Self.lines[Int.random(in: 0..<Self.lines.count, using: &rng)] }.joined(separator: "\n"),
                                                  tags: ["n\(i % 2000)"], queue: i % 3 == 0 ? nil : "support", language: .ca, isPublic: i % 2 == 0,
                                                  author: "anna", created: started, updated: started, version: 1))
        }
        var kbFound = 0
        let node = "n\(Int.random(in: 0..<2000, using: &rng))"
        let kbRare = try median(10) { kbFound = try desk.store.searchArticles("\(node) terrat", limit: 20).count }
        let kbCommon = try median(10) { _ = try desk.store.searchArticles("terrat", limit: 20) }
        var suggested = 0
        let sample = try desk.store.list(TicketFilter()).first
        let kbSuggest = try median(10) { if let t = sample { suggested = try desk.suggestions(for: t).count } }
        lines.append("      \(articles) articles: kb search \"\(node) terrat\" (\(kbFound)) " + String(format: "%.1f ms", kbRare * 1000)
            + "; kb search \"terrat\" (20 of most) " + String(format: "%.1f ms", kbCommon * 1000)
            + "; suggestions for a ticket (\(suggested)) " + String(format: "%.1f ms", kbSuggest * 1000))
        for name in ["SQLite", "PostgreSQL"] {
            guard let times = perMessage[name], let first = times.first, let last = times.last, times.count > 1 else { continue }
            lines.append(String(format: "filing cost ratio, largest to smallest%@: %.2f", perMessage.count > 1 ? " (\(name))" : "", last / first))
        }
        return lines.joined(separator: "\n")
    }

    /// Files `probes` one transaction each (five rounds, the median kept: one sync to disk per
    /// message makes single rounds noisy), then times list, show, search and the dashboard.
    /// Returns the report's lines and the median filing time.
    private static func measure(_ desk: Desk, probes: [[UInt8]], filedBefore: Int, _ rng: inout SplitMix) throws -> (String, Double) {
        var rounds: [Double] = []
        var written = 0
        for slice in probes.chunks(of: max(1, probes.count / 5)) {
            let cost = try Cost.of { for raw in slice { _ = try desk.file(Desk.Mail(raw: raw)) } }
            rounds.append(cost.wall / Double(slice.count))
            written += cost.written
        }
        let fileTime = rounds.sorted()[rounds.count / 2]
        let filed = try desk.store.counts()["tickets"] ?? filedBefore
        var filter = TicketFilter()
        filter.queue = "support"
        filter.statuses = [.open]
        var listed = 0
        let list = try median(10) { listed = Views.list(try desk.store.list(filter), tag: desk.policy.tag).count }
        let show = try median(10) {
            let n = Int.random(in: 1...filed, using: &rng)
            if let t = try desk.store.ticket(n) {
                _ = Views.show(t, tag: desk.policy.tag, attachments: try desk.store.attachments(n))
                _ = Views.history(try desk.store.history(n)) { try? desk.store.messageText($0) ?? nil }
            }
        }
        // Search: a node's name and a common word (a few dozen tickets), and a word nearly every ticket has.
        var rare = TicketFilter()
        rare.search = "n\(Int.random(in: 0..<2000, using: &rng)) terrat"
        var found = 0
        let searchRare = try median(10) { found = try desk.store.list(rare).count }
        var common = TicketFilter()
        common.search = "terrat"
        common.limit = 50
        let searchCommon = try median(10) { _ = try desk.store.list(common) }
        let dashboard = try median(10) { _ = Views.dashboard(try desk.dashboard(), tag: desk.policy.tag) }
        // Bytes written are the SQLite file's (WAL frames and checkpoints); PostgreSQL writes in its own processes.
        let writes = (desk.store as? SQLStore)?.dialect == .sqlite ? String(format: " (%.1f KB written)", Double(written) / 1024 / Double(probes.count)) : ""
        let line = String(format: "%7d tickets: filing %.2f ms/message%@; list --queue support --status open (%d bytes) %.1f ms; show N --history %.2f ms",
                          filedBefore, fileTime * 1000, writes, listed, list * 1000, show * 1000)
            + "\n                 search \"\(rare.search ?? "")\" (\(found) tickets) " + String(format: "%.1f ms", searchRare * 1000)
            + "; search \"terrat\" --limit 50 (most tickets match) " + String(format: "%.1f ms", searchCommon * 1000)
            + "; dashboard " + String(format: "%.1f ms", dashboard * 1000)
        return (line, fileTime)
    }

    private static func median(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<runs { times.append(try seconds(body)) }
        return times.sorted()[runs / 2]
    }

    /// The requestor of ticket `n` (ticket numbers start at 1): 5,000 people write in turn.
    private static func requestor(_ n: Int) -> String { "r\((n - 1) % 5_000)@customer.test" }

    private static let subjects = ["El node no respon", "Remote access fails", "Dome 2 shutter stuck", "La connexió va lenta",
                                   "Quota de sòcia cobrada dues vegades", "Canvi de compte bancari (IBAN)"]
    private static let lines = ["Bon dia,", "El node del terrat no respon des d'ahir.", "He reiniciat l'equip però continua igual.",
                                "Our observing slot starts at 23:30 UTC.", "Please check the dome before dawn.", "Gràcies per l'ajuda."]

    /// Twelve of the lines above, and the name of one of 2,000 nodes (what a search looks for).
    private static func body(_ rng: inout SplitMix) -> String {
        ((0..<12).map { _ in lines[Int.random(in: 0..<lines.count, using: &rng)] } + ["Node: n\(Int.random(in: 0..<2000, using: &rng))"])
            .joined(separator: "\r\n")
    }

    /// The message that becomes ticket `index + 1`.
    private static func newTicket(_ index: Int, _ rng: inout SplitMix) -> [UInt8] {
        let subject = subjects[Int.random(in: 0..<subjects.count, using: &rng)]
        return Array("""
            From: \(requestor(index + 1))\r
            To: support@example.test\r
            Subject: \(subject)\r
            Message-ID: <growth-\(index)-\(rng.next())@customer.test>\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            \(body(&rng))\r

            """.utf8)
    }

    private static func reply(to n: Int, _ rng: inout SplitMix) -> [UInt8] {
        Array("""
            From: \(requestor(n))\r
            To: support@example.test\r
            Subject: Re: [suport#\(n)] seguiment\r
            Message-ID: <growth-reply-\(rng.next())@customer.test>\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            \(body(&rng))\r

            """.utf8)
    }
}
