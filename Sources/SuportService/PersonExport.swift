import Foundation
import MIME
import Tickets
import TicketStore

/// A person's data (GDPR Art. 15) as a folder to hand over: `index.json` (their tickets, the
/// messages they sent, the history that names them, the notifications sent to them), and
/// every message, file and notification as it is stored, byte for byte.
public enum PersonExport {
    /// Writes into `folder` (created, and empty before), returning how many files it wrote.
    @discardableResult
    public static func write(_ address: String, store: any Store, tag: SubjectTag, to folder: String) throws -> Int {
        let data = try store.personData(address)
        let root = URL(fileURLWithPath: folder)
        let fm = FileManager.default
        if fm.fileExists(atPath: folder), !(try fm.contentsOfDirectory(atPath: folder)).isEmpty {
            throw ConfigError(file: folder, key: nil, line: nil, problem: "the folder is not empty: give a new one")
        }
        for sub in ["messages", "attachments", "notifications"] {
            try fm.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true,
                                   attributes: [.posixPermissions: 0o700])
        }
        var files = 0
        func put(_ bytes: [UInt8], _ path: String) throws {
            try AttachmentExport.write(bytes, to: root.appendingPathComponent(path).path)
            files += 1
        }
        for m in data.messages {
            if let raw = try store.rawMessage(m.id) { try put(raw, "messages/\(m.id).eml") }
        }
        for a in data.attachments {
            guard let ticket = a.ticket, let (_, bytes) = try? store.attachment(a.id, ofTicket: ticket) else { continue }
            try put(bytes, "attachments/\(a.id)-\(AttachmentExport.safeName(a.filename, fallback: "attachment"))")
        }
        for n in data.notifications {
            let bytes = try store.outboxMessage(n.id)
            if !bytes.isEmpty { try put(bytes, "notifications/\(n.id).eml") }
        }
        let index = JSONValue.object([
            ("address", .string(address.lowercased())),
            ("exported", .string(MessageReport.utcTimestamp(Date()))),
            ("tickets", .array(data.tickets.map { Views.json($0, tag: tag) })),
            ("messages", .array(data.messages.map { m in
                .object([("id", .int(Int(m.id))), ("ticket", m.ticket.map { .int($0) } ?? .null), ("direction", .string(m.direction)),
                         ("messageId", .string(m.messageID)), ("subject", .string(m.subject)),
                         ("received", .string(MessageReport.utcTimestamp(m.received))), ("file", .string("messages/\(m.id).eml"))])
            })),
            ("attachments", .array(data.attachments.map(Views.json))),
            ("history", .array(data.history.map(Views.json))),
            ("notifications", .array(data.notifications.map(Views.json))),
        ])
        try put(Array(index.rendered().utf8), "index.json")
        return files
    }
}
