import Foundation
import MIME
import Testing
@testable import SuportService
@testable import Tickets
@testable import TicketStore

@Suite struct SearchTests {
    /// Three tickets: the router (311), a node on a rooftop (312, with a file), the treasury's fee (313).
    func desk() throws -> Fixture {
        var policy = dataModelPolicy()
        policy.admins = ["anna"]
        let f = try Fixture(policy: policy)
        _ = try f.file(firstMail)
        _ = try f.file(["From: eva@example.cat", "To: support@example.test", "Subject: El node del terrat no respon", "Message-ID: <e1@example.cat>",
                        "Content-Type: multipart/mixed; boundary=b", "", "--b", "", "Des d'ahir la connexió cau cada hora.", "--b",
                        "Content-Type: application/pdf", "Content-Disposition: attachment; filename=\"informe-antena.pdf\"", "", "%PDF", "--b--", ""])
        _ = try f.file(["From: pau@example.cat", "To: support@example.test", "Subject: Quota de soci", "Message-ID: <p1@example.cat>", "",
                        "La quota del terrat comunitari."])
        return f
    }

    func search(_ f: Fixture, _ words: String, _ adjust: (inout TicketFilter) -> Void = { _ in }) throws -> [Int] {
        var filter = TicketFilter()
        filter.search = words
        adjust(&filter)
        return try f.store.list(filter).map(\.number)
    }

    /// Filing queues its rows instead of writing the index at every commit; a search, or the
    /// scheduler's minute, writes the queue in one transaction, so nothing filed is missed.
    @Test func filingQueuesTheIndexAndASearchOrTheSchedulerWritesIt() throws {
        let f = try desk()
        func queued() throws -> Int { try f.store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM search_pending") ?? 0 } }
        func indexed() throws -> Int { try f.store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM search_index") ?? 0 } }
        #expect(try queued() == 6 && indexed() == 0)  // three tickets' rows and their messages
        #expect(try search(f, "terrat").sorted() == [312, 313])
        #expect(try queued() == 0 && indexed() == 6)
        _ = try f.change(.title("El router nou"), 311)
        _ = try f.file(["From: pau@example.cat", "To: support@example.test", "Subject: Re: [suport#313] Quota", "Message-ID: <p2@example.cat>", "",
                        "Ja he pagat la quota amb transferència."])
        #expect(try queued() == 2)
        _ = try f.desk.runDueWork()
        #expect(try queued() == 0)
        #expect(try search(f, "transferencia") == [313])
        #expect(try search(f, "nou router") == [311])
    }

    @Test func wordsAreFoundWhateverTheirAccentsAndCase() throws {
        let f = try desk()
        #expect(try search(f, "CONNEXIO") == [312])
        #expect(try search(f, "connexió hora") == [312])
        #expect(try search(f, "node terrat") == [312])
        #expect(try search(f, "terrat") .sorted() == [312, 313])
        #expect(try search(f, "antena") == [312], "attachment names")
        #expect(try search(f, "funciona") == [311], "message text")
        #expect(try search(f, "terrat ascensor") == [])
        #expect(throws: StoreError.nothingToSearch("¿?")) { try search(f, "¿?") }
        // FTS5 syntax is quoted away: these are words, not operators.
        #expect(try search(f, "node OR quota") == [])
        #expect(try search(f, "\"terrat\" NEAR") == [])
    }

    @Test func theBestMatchComesFirstAndFiltersApply() throws {
        let f = try desk()
        // 312 says "terrat" in its title and its text; 313 once, in its text.
        #expect(try search(f, "terrat") == [312, 313])
        _ = try f.change(.queue("treasury"), 313)
        #expect(try search(f, "terrat") { $0.queue = "treasury" } == [313])
        #expect(try search(f, "terrat") { $0.sort = [SortTerm(.number, descending: true)] } == [313, 312])
    }

    @Test func aWordEveryTicketHasListsTheNewestFirst() throws {
        let f = try desk()
        for i in 0..<6 {
            _ = try f.file(["From: x\(i)@example.cat", "To: support@example.test", "Subject: terrat \(i)", "Message-ID: <t\(i)@example.cat>", "", "El terrat."])
        }
        // Not ranked past rankedHits: newest first, and a filter still finds its tickets among older hits.
        #expect(try search(f, "terrat") { $0.rankedHits = 2 } == [319, 318, 317, 316, 315, 314, 313, 312])
        _ = try f.change(.queue("treasury"), 312)
        #expect(try search(f, "terrat") { $0.rankedHits = 1; $0.queue = "treasury"; $0.limit = 1 } == [312])
        #expect(try search(f, "terrat") { $0.rankedHits = 1; $0.limit = 3 } == [319, 318, 317])
    }

    @Test func referencesFieldsAndNewWordsAreFound() throws {
        let f = try desk()
        _ = try f.change(.externalRef("PROV-8812"), 311)
        _ = try f.change(.field("node", "Sagrada-Família"), 311)
        _ = try f.change(.title("El router de la Bisbal"), 311)
        #expect(try search(f, "8812") == [311])
        #expect(try search(f, "familia") == [311])
        #expect(try search(f, "bisbal") == [311])
        _ = try f.change(.comment(text: "Cal canviar l'alimentador.", attachments: []), 311)
        #expect(try search(f, "alimentador") == [311], "staff's own words are found too")
    }

    @Test func aMergedTicketsWordsAreFoundUnderTheSurvivor() throws {
        let f = try desk()
        _ = try f.desk.merge(312, into: 311, actor: "anna")
        #expect(try search(f, "connexio").contains(311))
    }

    @Test func wordsThatAreGoneAreNotFound() throws {
        let f = try desk()
        // Redacted.
        let message = try #require(try f.store.history(312).first { $0.message != nil }?.message)
        _ = try f.desk.redact(ticket: 312, message: message, selection: .pattern("connexió cau"), actor: "anna")
        #expect(try search(f, "connexio") == [])
        #expect(try search(f, "node") == [312])
        // Erased: the person's words leave the index.
        _ = try f.desk.erase(person: "pau@example.cat", actor: "anna", dryRun: false)
        #expect(try search(f, "comunitari") == [])
    }

    @Test func anIndexBuiltLaterHoldsWhatWasFiledBefore() throws {
        let f = try desk()
        // As a database from before the index: the table gone and its migration not yet run.
        try f.store.transaction { db in
            try db.execute(sql: "DROP TABLE search_index")
            try db.execute(sql: "DELETE FROM \(db.dialect == .sqlite ? "grdb_migrations" : "schema_migrations") WHERE identifier = '14-search'")
        }
        let reopened = try f.reopen()
        var filter = TicketFilter()
        filter.search = "antena"
        #expect(try reopened.list(filter).map(\.number) == [312])
        filter.search = "quota soci"
        #expect(try reopened.list(filter).map(\.number) == [313])
    }
}
