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

    public static func run(configuration: SuportService.Configuration, sizes: [Int], probe: Int, database: String) throws -> String {
        let desk = try Desk(configuration: configuration.with(databasePath: database))
        var lines: [String] = []
        var filed = try desk.store.counts()["tickets"] ?? 0
        var rng = SplitMix(seed: 2026)
        var perMessage: [Double] = []
        for size in sizes.sorted() {
            while filed < size {
                let batch = (filed..<min(size, filed + 500)).map { Desk.Mail(raw: newTicket($0, &rng)) }
                filed += try desk.file(batch: batch).count
            }
            try age(database: database, through: filed)
            // Filing: half new tickets, half replies to tickets anywhere in the database.
            let probes = (0..<probe).map { i in
                i % 2 == 0 ? newTicket(filed + i, &rng) : reply(to: Int.random(in: 1...filed, using: &rng), &rng)
            }
            // In five rounds, the median kept: one sync to disk per message makes single rounds noisy.
            var rounds: [Double] = []
            let writtenBefore = bytesWritten()
            for slice in probes.chunks(of: probe / 5) {
                rounds.append(try seconds { for raw in slice { _ = try desk.file(Desk.Mail(raw: raw)) } } / Double(slice.count))
            }
            let fileTime = rounds.sorted()[rounds.count / 2]
            let written = Double(bytesWritten() - writtenBefore) / Double(probes.count)
            filed = try desk.store.counts()["tickets"] ?? filed
            perMessage.append(fileTime)
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
            lines.append(String(format: "%7d tickets: filing %.2f ms/message (%.1f KB written); list --queue support --status open (%d bytes) %.1f ms; show N --history %.2f ms",
                                filed, fileTime * 1000, written / 1024, listed, list * 1000, show * 1000))
            lines.append("                 search \"\(rare.search ?? "")\" (\(found) tickets) " + String(format: "%.1f ms", searchRare * 1000)
                + "; search \"terrat\" --limit 50 (most tickets match) " + String(format: "%.1f ms", searchCommon * 1000)
                + "; dashboard " + String(format: "%.1f ms", dashboard * 1000))
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
        if let first = perMessage.first, let last = perMessage.last, perMessage.count > 1 {
            lines.append(String(format: "filing cost ratio, largest to smallest: %.2f", last / first))
        }
        return lines.joined(separator: "\n")
    }

    /// Bytes this process has passed to write(2) so far (`wchar` in /proc/self/io): the WAL
    /// frames and checkpoints, which grow with the pages a commit dirties.
    private static func bytesWritten() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("wchar:") }) else { return 0 }
        return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) ?? 0
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
