import Foundation
import MIME
import Testing
@testable import SuportService
@testable import Tickets
@testable import TicketStore
import StoreTestSupport

@Suite struct RetentionTests {
    /// Support keeps finished tickets' messages one month; the request carries 3 MB.
    func resolvedLongAgo(wholeTicket: Bool = false) throws -> (Fixture, Date, [String]) {
        let policy = emailPolicy { p in
            p.queues[0] = Queue(name: "support", addresses: ["support@example.test"], commentAddress: "support-comment@example.test",
                                staff: p.queues[0].staff, language: .ca, keepResolvedMonths: 1, purgeWholeTicket: wholeTicket)
            p.routing = [RoutingRule(queue: "treasury", recipient: "treasury@example.test")]
        }
        let f = try Fixture(policy: policy)
        let t0 = Date(timeIntervalSince1970: 1_790_000_000)
        let big = String(repeating: "Registre de l'inversor, línia per línia.\r\n", count: 75_000)
        let request = ["From: Núria <nuria@example.cat>", "To: support@example.test", "Subject: El router", "Message-ID: <big@example.cat>",
                       "Content-Type: multipart/mixed; boundary=b", "", "--b", "", "No funciona.", "--b",
                       "Content-Type: text/plain; name=registre.txt", "Content-Disposition: attachment; filename=registre.txt", "", big, "--b--", ""]
        _ = try f.file(request, at: t0)
        _ = try f.change(.reply(text: "Ho mirem.", attachments: []), 311, at: t0.addingTimeInterval(60))
        _ = try f.change(.status(.resolved), 311, at: t0.addingTimeInterval(120))
        // A ticket of the treasury queue, which keeps everything, resolved as long ago.
        _ = try f.file(["From: lucia@example.es", "To: treasury@example.test", "Subject: Quota", "Message-ID: <q@example.es>", "", "Hola."], at: t0)
        _ = try f.change(.status(.resolved), 312, actor: "marta", at: t0.addingTimeInterval(120))
        return (f, t0, request)
    }

    func fileSize(_ f: Fixture) -> Int {
        ["t.sqlite", "t.sqlite-wal"].reduce(0) { sum, name in
            sum + ((try? FileManager.default.attributesOfItem(atPath: f.folder.appendingPathComponent(name).path)[.size] as? Int) ?? 0)
        }
    }

    @Test func messagesGoAtTheirAgeTheTicketAndItsHistoryStayAndTheFileShrinks() throws {
        let (f, t0, request) = try resolvedLongAgo()
        #expect(try f.desk.dueForPurge(now: t0.addingTimeInterval(20 * 86_400)).isEmpty)
        #expect(try f.desk.runDueWork(now: t0.addingTimeInterval(20 * 86_400)) == 0)
        try f.store.reclaimSpace()
        let before = fileSize(f)
        let blobsBefore = try f.store.counts()["blobs"] ?? 0
        #expect(try f.desk.dueForPurge(now: t0.addingTimeInterval(32 * 86_400)).map(\.number) == [311])
        #expect(try f.desk.runDueWork(now: t0.addingTimeInterval(32 * 86_400)) == 1)

        let t = try #require(try f.store.ticket(311))
        #expect(t.status == .resolved && t.title == "El router" && t.purged != nil)
        #expect(try f.store.attachments(311).isEmpty)
        let history = try f.store.history(311)
        #expect(history.last?.kind == "purged" && history.allSatisfy { $0.message == nil })
        #expect(try f.store.outbox(state: nil, ticket: 311, limit: 100).allSatisfy { (try? f.store.outboxMessage($0.id))?.isEmpty == true })
        #expect((try f.store.counts()["blobs"] ?? 0) < blobsBefore)
        // Treasury keeps everything.
        #expect(try f.store.history(312).contains { $0.message != nil })
        // The file gives the 3 MB back.
        // (PostgreSQL keeps freed pages for reuse rather than shrinking its files.)
        if !TestEngine.isPostgres { #expect(fileSize(f) < before - 2_000_000, "\(before) → \(fileSize(f))") }
        // Once is enough, and mail filed long ago is still not filed twice.
        #expect(try f.desk.runDueWork(now: t0.addingTimeInterval(40 * 86_400)) == 0)
        #expect(try f.file(request, at: t0.addingTimeInterval(41 * 86_400)).action == .duplicate)
    }

    /// The mode is fixed when SQLite first writes the file: asked for after WAL mode, it was
    /// silently ignored, and every purge rewrote the whole file with VACUUM.
    @Test(.enabled(if: !TestEngine.isPostgres, "SQLite's auto-vacuum mode and WAL file; PostgreSQL has neither (scripts/test runs this in its SQLite pass)"))
    func aNewDatabaseGivesFreedPagesBackWithoutRewritingTheFile() throws {
        let f = try Fixture()
        #expect(try f.store.read { try Int.fetchOne($0, sql: "PRAGMA auto_vacuum") } == 2)
        // Opening it again (as every command does) keeps the mode, and writes nothing: the
        // daemon holds it open here, so the log is not new, and asking for the mode on an
        // existing file once wrote a commit at every open (every CLI command failed on a full disk).
        let wal = f.folder.appendingPathComponent("t.sqlite-wal").path
        let before = try FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int
        #expect((before ?? 0) > 0)
        #expect(try f.reopen().read { try Int.fetchOne($0, sql: "PRAGMA auto_vacuum") } == 2)
        #expect(try FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int == before)
    }

    @Test func aQueueCanHaveTheWholeTicketGo() throws {
        let (f, t0, _) = try resolvedLongAgo(wholeTicket: true)
        #expect(try f.desk.runDueWork(now: t0.addingTimeInterval(32 * 86_400)) == 1)
        #expect(try f.store.ticket(311) == nil)
        #expect(try f.store.ticket(312) != nil)
        #expect(try f.store.droppedMessages().contains { $0.kind == "purged" && $0.newValue == "#311" })
    }

    @Test func aReopenedTicketIsNotPurged() throws {
        let (f, t0, _) = try resolvedLongAgo()
        _ = try f.personMail("nuria@example.cat", "Torna a fallar.", at: t0.addingTimeInterval(10 * 86_400))
        #expect(try f.store.ticket(311)?.status == .open)
        #expect(try f.desk.runDueWork(now: t0.addingTimeInterval(32 * 86_400)) == 0)
    }
}

@Suite struct AccessRecordTests {
    @Test func readingsAreKeptForTheirDaysThenForgotten() throws {
        let f = try Fixture(policy: emailPolicy { $0.accessLogDays = 30 })
        _ = try f.file(firstMail)
        let t0 = Date(timeIntervalSince1970: 1_790_000_000)
        try f.desk.recordAccess(ticket: 311, actor: "anna@example.test", via: "cli", now: t0)
        try f.desk.recordAccess(ticket: 311, actor: "pere", via: "web", now: t0.addingTimeInterval(20 * 86_400))
        #expect(try f.store.accessLog(ticket: 311).map { "\($0.actor) \($0.via)" } == ["anna cli", "pere web"])
        _ = try f.desk.runDueWork(now: t0.addingTimeInterval(40 * 86_400))
        #expect(try f.store.accessLog(ticket: 311).map(\.actor) == ["pere"])
    }

    @Test func noDaysNoRecord() throws {
        let f = try Fixture(policy: emailPolicy { $0.accessLogDays = 0 })
        _ = try f.file(firstMail)
        try f.desk.recordAccess(ticket: 311, actor: "anna", via: "cli")
        #expect(try f.store.accessLog(ticket: 311).isEmpty)
    }
}
