import MIME

/// A report that mail we sent could not be delivered.
public struct Bounce: Sendable, Equatable {
    /// The Message-IDs of the returned message (one of our notifications, we hope).
    public let returnedMessageIDs: [String]
    /// The returned message's subject, which carries our tag; else the report's own subject.
    public let returnedSubject: String
    /// The recipients it failed for, lowercased, each with the reason given.
    public let failed: [Failure]
    /// What kind of report it was, for the history.
    public let kind: String

    public struct Failure: Sendable, Equatable {
        public let recipient: String
        public let reason: String
    }
}

/// Reads bounces: RFC 3464 delivery status notifications, and the reports of MTAs that do
/// not send them (qmail, Exchange, older Postfix and Exim) the way RT and Zammad read them:
/// a bouncing sender, a subject or body that says so, and the returned message's headers,
/// attached or quoted in the body.
public enum Bounces {
    public static func read(_ message: Message) -> Bounce? {
        if let report = message.deliveryReport {
            let failed = report.recipients.filter { $0.action == "failed" }.compactMap { r -> Bounce.Failure? in
                guard let to = r.finalRecipient?.lowercased() else { return nil }
                return Bounce.Failure(recipient: to, reason: "bounced: \(r.status ?? "") \(r.diagnosticCode ?? "")".trimmingSpaces())
            }
            return Bounce(returnedMessageIDs: report.returnedMessageID.map { [$0] } ?? [],
                          returnedSubject: report.returnedHeader?["Subject"] ?? message.subject ?? "", failed: failed,
                          kind: "delivery status notification")
        }
        guard isFromABouncer(message) else { return nil }
        let text = message.text ?? ""
        let lower = text.lowercased()
        let subject = (message.subject ?? "").lowercased()
        let qmail = lower.contains("this is the qmail-send program")
        guard qmail || subjectMarkers.contains(where: subject.contains) || bodyMarkers.contains(where: lower.contains) else { return nil }

        let returned = returnedHeader(message, text: text)
        let reason = diagnostic(in: text) ?? "returned as undeliverable"
        var recipients: [String] = []
        // Our notices go to one recipient each, so the returned To is the delivery that failed;
        // the report's own words are the fallback.
        for a in (returned?.to ?? []) + (returned?.cc ?? []) { recipients.append(a.address.lowercased()) }
        if recipients.isEmpty {
            recipients = message.header.all("X-Failed-Recipients").flatMap {
                String(decoding: $0.unfoldedBytes, as: UTF8.self).split(separator: ",").map { $0.trimmingSpaces().lowercased() }
            }
        }
        if recipients.isEmpty { recipients = addressLines(in: text) }
        var seen: Set<String> = []
        return Bounce(returnedMessageIDs: returned?.messageID.map { [$0] } ?? [],
                      returnedSubject: returned?.subject ?? message.subject ?? "",
                      failed: recipients.filter { $0.contains("@") && seen.insert($0).inserted }.map { Bounce.Failure(recipient: $0, reason: "bounced: \(reason)") },
                      kind: qmail ? "qmail bounce" : "non-delivery report")
    }

    /// Subjects MTAs give their reports (Postfix, Exchange, Exim, Sendmail, Gmail, in the
    /// languages our requestors' servers speak), lowercased.
    static let subjectMarkers = [
        "undelivered mail returned to sender", "undeliverable", "undelivered mail", "delivery status notification",
        "mail delivery failed", "failure notice", "returned mail", "delivery failure", "delivery has failed",
        "message not delivered", "non remis", "no se puede entregar", "no entregado", "no s'ha pogut lliurar",
        "no s'ha lliurat", "unzustellbar", "non recapitabile",
    ]

    /// What the body of a report says when its subject is something else.
    static let bodyMarkers = [
        "delivery has failed to these recipients", "could not be delivered to one or more recipients",
        "this is a permanent error", "message could not be delivered", "i'm afraid i wasn't able to deliver",
    ]

    /// Bounces come from the mail system: MAILER-DAEMON, postmaster, or with an empty return path.
    static func isFromABouncer(_ message: Message) -> Bool {
        if let returnPath = message.header["Return-Path"], returnPath.filter({ !$0.isWhitespace }) == "<>" { return true }
        let from = message.from.first ?? message.sender.first
        let local = (from?.address.lowercased() ?? "").split(separator: "@").first.map(String.init) ?? ""
        let name = from?.name?.lowercased() ?? ""
        return ["mailer-daemon", "mailerdaemon", "mail-daemon", "postmaster", "bounce", "bounces"].contains(local)
            || name.hasPrefix("mail delivery") || name.hasPrefix("microsoft outlook")
    }

    /// The returned message's header: an attached message or header part, else the copy
    /// quoted below the marker line qmail and Exim write.
    static func returnedHeader(_ message: Message, text: String) -> Message? {
        for a in message.attachments {
            if let enclosed = a.message { return enclosed }
            if a.contentType == "text/rfc822-headers" || a.contentType == "message/global-headers" || a.contentType == "message/rfc822" {
                return Message(bytes: a.data + [10, 10])
            }
        }
        let markers = ["--- below this line is a copy of the message.", "------ this is a copy of the message, including all the headers.",
                       "----- original message -----", "----- the header of the original message is following. -----"]
        for marker in markers {
            guard let range = text.range(of: marker, options: .caseInsensitive) else { continue }
            let rest = text[range.upperBound...].drop { $0 == "\n" || $0 == " " || $0 == "-" }
            return Message(bytes: Array(rest.utf8))
        }
        return nil
    }

    /// The first line that reads like an SMTP error (`550 5.1.1 …`, `… said: …`).
    static func diagnostic(in text: String) -> String? {
        for line in text.split(separator: "\n") {
            let l = line.trimmingSpaces()
            if Pattern.named(#"\b[45][0-9][0-9][ -]|\b[45]\.[0-9]{1,3}\.[0-9]{1,3}\b"#)?.matches(l) == true || l.lowercased().contains(" said:") {
                return String(l.prefix(300))
            }
        }
        return nil
    }

    /// Addresses on lines of their own, as qmail and Postfix list failed recipients (`<a@b>:`).
    static func addressLines(in text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            Pattern.named(#"^\s*<([^<>\s@]+@[^<>\s]+)>"#)?.firstCapture(1, in: String(line)).map { $0.lowercased() }
        }
    }
}
