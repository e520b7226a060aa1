import Foundation
import MIME
import Testing
@testable import SuportService
@testable import Tickets
@testable import TicketStore
import StoreTestSupport

/// `suport db copy`: a desk moved from its SQLite file to PostgreSQL answers the same, and an
/// interrupted copy resumes. Runs where the suite has a PostgreSQL server (SUPORT_TEST_POSTGRES).
@Suite(.enabled(if: TestEngine.isPostgres, "needs SUPORT_TEST_POSTGRES (scripts/test sets it)"))
struct CopyTests {
    /// A desk on SQLite with a bit of everything: tickets, attachments, comments, time, a link, an article.
    func sqliteDesk() throws -> (Desk, SQLStore, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("suport-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let store = try SQLStore(path: folder.appendingPathComponent("source.sqlite").path, firstTicketNumber: 311)
        var policy = dataModelPolicy()
        policy.admins = ["anna"]
        let desk = Desk(policy: policy, templates: try Fixture.plainTemplates(), store: store)
        _ = try desk.file(Desk.Mail(raw: Array(firstMail.joined(separator: "\r\n").utf8)))
        _ = try desk.file(Desk.Mail(raw: Array(["From: eva@example.cat", "To: support@example.test", "Subject: El node del terrat no respon",
                                                "Message-ID: <e1@example.cat>", "", "Des d'ahir la connexió cau cada hora."].joined(separator: "\r\n").utf8)))
        _ = try desk.change(.comment(text: "Revisar l'antena", attachments: []), ticket: 312, actor: "anna", comment: nil, now: Date())
        _ = try desk.change(.status(.open), ticket: 311, actor: "anna", comment: nil, now: Date())
        _ = try desk.addArticle(title: "El node no respon", problem: "El node del terrat no respon.", solution: "Reiniciar la font.",
                                tags: ["node"], queue: "support", language: nil, isPublic: true, actor: "anna")
        return (desk, store, folder)
    }

    @Test func aDeskMovedToPostgresAnswersTheSameAndACopyResumes() throws {
        let (_, source, folder) = try sqliteDesk()
        let (target, reopen) = try TestEngine.store(folder: folder, firstTicketNumber: 311)
        // A row a page, so every table is paged past its first row; interrupted after the first
        // message: what was copied stays, the rest is missing.
        struct Interrupted: Error {}
        #expect(throws: Interrupted.self) {
            _ = try source.copy(to: target, rowsPerPage: 1) { table, _ in if table == "messages" { throw Interrupted() } }
        }
        #expect(try target.ticket(311) != nil)
        #expect(try target.counts()["messages"] == 1)
        let report = try source.copy(to: target, rowsPerPage: 1)
        let blobs = try source.counts()["blobs"]
        #expect(report.written > 0)
        #expect(report.blobsVerified == blobs)
        #expect(report.tables.first { $0.name == "tickets" }?.rows == 2)
        // Run again, nothing is written twice.
        #expect(try source.copy(to: target).written == 0)

        let moved = try reopen()
        #expect(moved.dialect == .postgres)
        #expect(try moved.list(TicketFilter()).map(\.number) == source.list(TicketFilter()).map(\.number))
        for n in [311, 312] {
            #expect(try moved.ticket(n) == source.ticket(n))
            #expect(try moved.history(n).map(\.kind) == source.history(n).map(\.kind))
            for entry in try source.history(n) where entry.message != nil {
                #expect(try moved.rawMessage(entry.message!) == source.rawMessage(entry.message!))
            }
        }
        let attachment = try #require(try source.attachments(311).first)
        #expect(try moved.attachment(attachment.id, ofTicket: 311).1 == source.attachment(attachment.id, ofTicket: 311).1)
        #expect(try moved.outbox().map(\.messageID) == source.outbox().map(\.messageID))
        // The index was built in the target: search finds what it found in the source.
        var search = TicketFilter()
        search.search = "antena"
        #expect(try moved.list(search).map(\.number) == [312])
        #expect(try moved.searchArticles("terrat", limit: 5).map(\.title) == ["El node no respon"])
        // New rows carry on after the copied ids.
        let desk = Desk(policy: dataModelPolicy(), templates: try Fixture.plainTemplates(), store: moved)
        let filed = try desk.file(Desk.Mail(raw: Array(["From: pau@example.cat", "To: support@example.test", "Subject: Quota",
                                                        "Message-ID: <p1@example.cat>", "", "Hola."].joined(separator: "\r\n").utf8)))
        #expect(filed.ticket == 313)
        #expect(try moved.history(313).count == 1)
    }

    @Test func aTargetHoldingAnotherDeskIsRefused() throws {
        let (_, source, folder) = try sqliteDesk()
        let (target, _) = try TestEngine.store(folder: folder, firstTicketNumber: 900)
        let other = Desk(policy: dataModelPolicy(), templates: try Fixture.plainTemplates(), store: target)
        _ = try other.file(Desk.Mail(raw: Array(["From: x@example.cat", "Subject: another desk", "", "x"].joined(separator: "\r\n").utf8)))
        #expect(throws: CopyError.self) { _ = try source.copy(to: target) }
    }
}
