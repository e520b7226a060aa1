import Foundation

/// How Suport reads a message, as `suport parse` shows it.
public enum MessageReport {
    /// The `suport parse --json` object: every key always present, null or [] when absent.
    /// `digest` names each attachment's bytes (the store's SHA-256; MIME computes no digests).
    public static func json(_ message: Message, digest: (ArraySlice<UInt8>) -> String) -> JSONValue {
        func addresses(_ list: [Address]) -> JSONValue {
            .array(list.map { .object([("name", .string($0.name)), ("address", .string($0.address))]) })
        }
        return .object([
            ("subject", .string(message.subject)),
            ("from", addresses(message.from)),
            ("to", addresses(message.to)),
            ("cc", addresses(message.cc)),
            ("replyTo", addresses(message.replyTo)),
            ("messageId", .string(message.messageID)),
            ("inReplyTo", .array(message.inReplyTo.map(JSONValue.string))),
            ("references", .array(message.references.map(JSONValue.string))),
            ("date", .string(message.date.map(utcTimestamp))),
            ("text", .string(message.text)),
            ("html", .string(message.html)),
            ("attachments", .array(message.attachments.map { a in
                .object([
                    ("filename", .string(a.filename)),
                    ("contentType", .string(a.contentType)),
                    ("size", .int(a.size)),
                    ("sha256", .string(digest(a.data[...]))),
                    ("inline", .bool(a.isInline)),
                ])
            })),
            ("defects", .array(message.defects.map { .string($0.description) })),
        ])
    }

    /// A readable summary for people.
    public static func summary(_ message: Message) -> String {
        var lines: [String] = []
        func add(_ label: String, _ value: String?) { if let value, !value.isEmpty { lines.append("\(label): \(value)") } }
        add("Subject", message.subject)
        add("From", message.from.map(\.description).joined(separator: ", "))
        add("To", message.to.map(\.description).joined(separator: ", "))
        add("Cc", message.cc.map(\.description).joined(separator: ", "))
        add("Reply-To", message.replyTo.map(\.description).joined(separator: ", "))
        add("Date", message.date.map(utcTimestamp))
        add("Message-ID", message.messageID)
        add("In-Reply-To", message.inReplyTo.joined(separator: " "))
        if let report = message.deliveryReport {
            for r in report.recipients {
                add("Delivery", "\(r.finalRecipient ?? "?") \(r.action ?? "?") \(r.status ?? "")")
            }
        }
        for a in message.attachments {
            lines.append("Attachment: \(a.filename ?? "(no name)") \(a.contentType) \(a.size) bytes\(a.isInline ? " inline" : "")")
        }
        for d in message.defects { lines.append("Defect: \(d)") }
        lines.append("")
        lines.append(message.text ?? "(no text body)")
        return lines.joined(separator: "\n")
    }

    /// "2012-05-03T09:36:43Z".
    public static func utcTimestamp(_ date: Date) -> String {
        var style = Date.ISO8601FormatStyle()
        style.timeZone = TimeZone(identifier: "UTC")!
        return date.formatted(style)
    }
}
