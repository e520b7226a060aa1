import Foundation
import MIME

/// The personal link a requester's notifications carry to their ticket's page: bound to one
/// ticket and one address, signed with the desk's secret, and dead once revoked (every link
/// for that ticket and address issued before the revocation). The signature itself is made
/// by the caller's function (HMAC-SHA256 over the payload), so this stays free of crypto.
public struct RequesterLinks: Sendable {
    /// The desk's address as people reach it, without a trailing slash.
    public let baseURL: String
    private let mac: @Sendable ([UInt8]) -> [UInt8]

    /// The part of the MAC a link carries: 128 bits.
    static let macBytes = 16

    public init(baseURL: String, mac: @escaping @Sendable ([UInt8]) -> [UInt8]) {
        self.baseURL = baseURL
        self.mac = mac
    }

    /// What one link grants.
    public struct Grant: Sendable, Equatable {
        public let ticket: Int
        /// Lowercased.
        public let address: String
        public let issued: Date
    }

    /// `TICKET.ISSUED.ADDRESS.MAC`, the address and MAC in base64url: safe in a path and a mail.
    public func token(ticket: Int, address: String, issued: Date) -> String {
        let payload = "\(ticket).\(Int(issued.timeIntervalSince1970)).\(Self.base64url(Array(address.lowercased().utf8)))"
        return payload + "." + Self.base64url(Array(mac(Array(("suport-link:" + payload).utf8)).prefix(Self.macBytes)))
    }

    /// The page a link opens.
    public func link(ticket: Int, address: String, issued: Date) -> String {
        baseURL + "/r/" + token(ticket: ticket, address: address, issued: issued)
    }

    /// What a token grants, if its signature is ours; revocation and the ticket's people are the caller's to check.
    public func verify(_ token: String) -> Grant? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, let ticket = Int(parts[0]), let seconds = Int(parts[1]),
              let address = Self.unbase64url(String(parts[2])).map({ String(decoding: $0, as: UTF8.self) }),
              let given = Self.unbase64url(String(parts[3])) else { return nil }
        let payload = parts[0...2].joined(separator: ".")
        let expected = Array(mac(Array(("suport-link:" + payload).utf8)).prefix(Self.macBytes))
        guard given.count == expected.count else { return nil }
        var diff: UInt8 = 0
        for i in expected.indices { diff |= expected[i] ^ given[i] }
        guard diff == 0 else { return nil }
        return Grant(ticket: ticket, address: address, issued: Date(timeIntervalSince1970: Double(seconds)))
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func unbase64url(_ text: String) -> [UInt8]? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map(Array.init)
    }
}

extension NotificationComposer {
    /// The operation that sends a requester their single-use link to their tickets: one
    /// notice in the outbox, on no ticket.
    public func loginLinkOperation(to address: String, link: String, minutes: Int, language: Language, at date: Date) throws -> TicketOperation {
        let message = loginLink(to: address, link: link, minutes: minutes, language: language, date: date)
        var op = TicketOperation(before: nil, actor: .system, at: date)
        op.notices = [Notice(template: .loginLink, recipient: address, sender: message.from.address, messageID: message.messageID,
                             bytes: try message.render(), cause: nil)]
        return op
    }

    /// The mail with a requester's single-use link to their tickets: from the default queue,
    /// in their language, marked automatic (RFC 3834) so nothing answers it.
    func loginLink(to address: String, link: String, minutes: Int, language: Language, date: Date) -> OutgoingMessage {
        let queue = policy.queue(named: policy.defaultQueue) ?? policy.queues.first
        let name = queue.map { policy.displayName(ofQueue: $0.name, in: language) } ?? ""
        let (subject, body) = templates.render(.loginLink, language: language,
                                               context: ["link": link, "minutes": String(minutes), "queue": name, "recipient_name": address])
        let from = Address(name: name, address: queue?.replyAddress ?? "")
        var message = OutgoingMessage(from: from, to: [Address(address: address)], subject: subject,
                                      messageID: OutgoingMessage.newMessageID(domain: policy.messageIDDomain), text: body)
        message.date = date
        message.autoSubmitted = "auto-generated"
        message.extraHeaders = [(policy.loopHeader, policy.instanceID)]
        return message
    }
}
