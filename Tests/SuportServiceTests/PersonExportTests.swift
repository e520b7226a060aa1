import Foundation
import MIME
import Testing
@testable import SuportService
@testable import Tickets
@testable import TicketStore

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
