import Foundation
import MIME
import Testing
@testable import SuportService
@testable import Tickets
@testable import TicketStore
import GRDB

@Suite struct PersonExportTests {
    /// Núria opened two tickets (one with a photo) and is a Cc on the one Jordi opened.
    @Test func anExportHoldsExactlyTheirData() throws {
        let f = try Fixture(policy: emailPolicy())
        _ = try f.file(firstMail)
        _ = try f.file(["From: nuria@example.cat", "To: support@example.test", "Subject: El wifi", "Message-ID: <n2@example.cat>", "", "Tampoc va."])
        _ = try f.file(["From: jordi@example.cat", "To: support@example.test", "Subject: La fibra", "Message-ID: <j1@example.cat>", "",
                        "El meu secret: res."])
        _ = try f.change(.addCc(Address(address: "nuria@example.cat")), 313)
        let folder = f.folder.appendingPathComponent("export-nuria").path
        let files = try PersonExport.write("Nuria@Example.cat", store: f.store, tag: f.policy.tag, to: folder)

        let index = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: folder + "/index.json")))
        guard case .object(let fields) = index else { Issue.record("\(index)"); return }
        func array(_ key: String) -> [JSONValue] { if case .array(let a)? = fields.first(where: { $0.0 == key })?.1 { return a } else { return [] } }
        func ints(_ key: String, _ field: String) -> [Int] {
            array(key).compactMap { if case .object(let o) = $0, case .int(let n)? = o.first(where: { $0.0 == field })?.1 { return n } else { return nil } }
        }
        #expect(ints("tickets", "number") == [311, 312, 313])
        #expect(array("messages").count == 2)
        #expect(array("attachments").count == 1)
        // The acknowledgements of her two tickets, and nothing addressed to Jordi.
        #expect(array("notifications").count == 2)
        #expect(array("history").count == 3)  // her two "create"s and her being added as a Cc

        let names = try FileManager.default.subpathsOfDirectory(atPath: folder).filter { !$0.hasSuffix("/") && $0.contains(".") }.sorted()
        #expect(names.filter { $0.hasPrefix("messages/") }.count == 2 && names.filter { $0.hasPrefix("notifications/") }.count == 2)
        #expect(names.contains { $0.hasPrefix("attachments/") && $0.hasSuffix("foto.png") })
        #expect(files == names.count)
        // Her messages byte for byte; nothing of Jordi's words.
        for name in names where name.hasPrefix("messages/") {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
            #expect(Message(bytes: Array(bytes)).from.first?.address == "nuria@example.cat")
        }
        for name in names {
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)), as: UTF8.self)
            #expect(!text.contains("El meu secret"), "\(name)")
        }
        // A folder that holds something already is refused.
        #expect(throws: ConfigError.self) { try PersonExport.write("nuria@example.cat", store: f.store, tag: f.policy.tag, to: folder) }
    }
}

@Suite struct PersonEraseTests {
    /// Every value of every row of every table that holds the text, in any case (raw blobs included).
    func traces(of needle: String, in f: Fixture) throws -> [String] {
        let reader = try f.reopen()
        return try reader.read { db in
            var found: [String] = []
            let tables = db.dialect == .sqlite ? "SELECT name FROM sqlite_master WHERE type = 'table'"
                : "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()"
            for table in try String.fetchAll(db, sql: tables) {
                for row in try SQLRow.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") {
                    for (column, value) in zip(row.columns.names, row.values) {
                        let bytes: [UInt8]
                        switch value {
                        case .text(let s): bytes = Array(s.utf8)
                        case .blob(let b): bytes = b
                        default: continue
                        }
                        if String(decoding: bytes, as: UTF8.self).lowercased().contains(needle) { found.append("\(table).\(column)") }
                    }
                }
            }
            return found
        }
    }

    @Test func anErasureLeavesNoTraceAndOthersMessagesSurvive() throws {
        let f = try Fixture(policy: emailPolicy { $0.admins = ["anna"] })
        _ = try f.file(firstMail)
        _ = try f.change(.addCc(Address(address: "jordi@example.cat")), 311)
        _ = try f.file(["From: jordi@example.cat", "To: support@example.test", "Cc: Núria <NURIA@example.cat>",
                        "Subject: Re: [suport#311] El router", "Message-ID: <j2@example.cat>",
                        "Content-Type: multipart/mixed; boundary=j", "", "--j", "", "Com diu la nuria@example.cat, no funciona.", "--j",
                        "Content-Type: text/plain; name=veins.txt", "Content-Disposition: attachment; filename=veins.txt", "",
                        "Veïns afectats: nuria@example.cat, jordi@example.cat", "--j--", ""])
        _ = try f.change(.reply(text: "Hi anem demà.", attachments: []), 311)
        #expect(!(try traces(of: "nuria@example.cat", in: f)).isEmpty)

        let (_, dry) = try f.desk.erase(person: "nuria@example.cat", actor: "anna", dryRun: true)
        #expect(dry.tickets == [311] && dry.messagesStubbed == 1 && dry.attachmentsDeleted == 1, "\(dry)")
        #expect(!(try traces(of: "nuria@example.cat", in: f)).isEmpty)
        #expect(throws: DeskError.self) { try f.desk.erase(person: "nuria@example.cat", actor: "pere", dryRun: false) }

        let (erasure, report) = try f.desk.erase(person: "nuria@example.cat", actor: "anna", dryRun: false)
        #expect(report.messagesStubbed == 1 && report.otherMessagesScrubbed >= 1 && report.notificationsEmptied >= 2)
        #expect(try traces(of: "nuria@example.cat", in: f) == [])
        // Jordi's message survives, naming the pseudonym instead; the ticket and its history stay.
        let t = try #require(try f.store.ticket(311))
        #expect(t.requestors.isEmpty && t.ccs.map(\.address) == ["jordi@example.cat"])
        let jordis = try f.store.history(311).compactMap(\.message).compactMap { try f.store.messageText($0) }
        #expect(jordis.contains { $0.contains("Com diu la \(erasure.pseudonym), no funciona.") })
        #expect(try f.store.history(311).last?.kind == "person-erased")
        // Her photo is gone; Jordi's list of neighbours is still read back, naming the pseudonym.
        let files = try f.store.attachments(311)
        #expect(files.map(\.filename) == ["veins.txt"])
        let (_, list) = try f.store.attachment(try #require(files.first).id, ofTicket: 311)
        #expect(String(decoding: list, as: UTF8.self).contains("\(erasure.pseudonym), jordi@example.cat"))
    }
}

@Suite struct RedactTests {
    /// A request with bank details in quoted-printable text, an HTML alternative, and a file.
    static let request = ["From: nuria@example.cat", "To: support@example.test", "Subject: Domiciliaci=?utf-8?q?=C3=B3?=",
                          "Message-ID: <iban@example.cat>", "Content-Type: multipart/mixed; boundary=m", "", "--m",
                          "Content-Type: multipart/alternative; boundary=a", "", "--a", "Content-Type: text/plain; charset=utf-8",
                          "Content-Transfer-Encoding: quoted-printable", "", "Bon dia,", "el meu compte =C3=A9s ES91 2100 0418 4502 0005 1332.",
                          "Gr=C3=A0cies", "--a", "Content-Type: text/html; charset=utf-8", "",
                          "<p>el meu compte és ES91 2100 0418 4502 0005 1332.</p>", "--a--", "--m",
                          "Content-Type: application/pdf", "Content-Disposition: attachment; filename=rebut.pdf", "Content-Transfer-Encoding: base64", "",
                          "JVBERi0xLjQKJSByZWJ1dAo=", "--m--", ""]

    func filed() throws -> (Fixture, Int64) {
        let f = try Fixture(policy: emailPolicy())
        _ = try f.file(Self.request)
        let id = try #require(try f.store.history(311).first?.message)
        return (f, id)
    }

    @Test func aPatternIsRedactedInTheTextAndTheRawBytesAndTheFileStillVerifies() throws {
        let (f, id) = try filed()
        let original = try #require(try f.store.rawMessage(id))
        _ = try f.desk.redact(ticket: 311, message: id, selection: .pattern(#"ES\d{2}( ?\d{4}){5}"#), actor: "anna")
        #expect(try f.store.messageText(id) == "Bon dia,\nel meu compte és [redacted].\nGràcies")
        let raw = try #require(try f.store.rawMessage(id))
        #expect(!String(decoding: raw, as: UTF8.self).contains("2100"))
        let reread = Message(bytes: raw)
        #expect(reread.text?.hasPrefix("Bon dia,\nel meu compte és [redacted].\nGràcies") == true && reread.html?.contains("[redacted]") == true, "\(reread.text ?? "")")
        #expect(reread.subject == "Domiciliació" && reread.from.first?.address == "nuria@example.cat")
        // The file is read back from the rewritten message, its checksum intact.
        let file = try #require(try f.store.attachments(311).first)
        let (_, bytes) = try f.store.attachment(file.id, ofTicket: 311)
        #expect(bytes == Array("%PDF-1.4\n% rebut\n".utf8))
        // The history says who and the original's digest, never the content.
        let entry = try #require(try f.store.history(311).last)
        #expect(entry.kind == "redacted" && entry.actor == "anna" && entry.note?.contains(ContentHash.sha256Hex(original)) == true)
        #expect(!(entry.note ?? "").contains("2100"))
        #expect(!String(decoding: try f.store.rawMessage(id) ?? [], as: UTF8.self).contains("ES91 2100"))
    }

    @Test func linesAreRedactedWhereverTheirWordsAppear() throws {
        let (f, id) = try filed()
        _ = try f.desk.redact(ticket: 311, message: id, selection: .lines(2...2), actor: "anna")
        #expect(try f.store.messageText(id) == "Bon dia,\n[redacted]\nGràcies")
    }

    @Test func onlyStaffOfTheQueueRedactAndNothingMatchedIsAnError() throws {
        let (f, id) = try filed()
        #expect(throws: DeskError.self) { try f.desk.redact(ticket: 311, message: id, selection: .pattern("2100"), actor: "marta") }
        #expect(throws: DeskError.nothingToRedact) { try f.desk.redact(ticket: 311, message: id, selection: .pattern("XYZ"), actor: "anna") }
        #expect(throws: DeskError.noSuchMessage(9999)) { try f.desk.redact(ticket: 311, message: 9999, selection: .pattern("2100"), actor: "anna") }
    }
}
