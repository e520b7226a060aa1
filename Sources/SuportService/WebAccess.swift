import Foundation
import HummingbirdBcrypt
import MIME
import Tickets
import TicketStore

/// Why a web login or session was refused, in words a person can act on.
public enum AccessError: Error, Equatable, CustomStringConvertible {
    /// Wrong handle or password: never says which.
    case refused
    /// Too many failures lately, from this account or this address.
    case tooManyAttempts(minutes: Int)
    case weakPassword(minimum: Int)

    public var description: String {
        switch self {
        case .refused: return "the handle or the password is not right"
        case .tooManyAttempts(let m): return "too many failed logins: try again in \(m) minutes"
        case .weakPassword(let n): return "a password needs at least \(n) characters"
        }
    }
}

/// A staff member's session, as a request finds it.
public struct StaffSession: Sendable {
    public let session: WebSession
    public let staff: Staff
}

/// The rules of signing in: how long passwords are, how many failures are let through.
public enum AccessRules {
    public static let minimumPassword = 10
    /// Failures counted over this many seconds.
    public static let failureWindow: Double = 15 * 60
    /// Failures per account, and per address, within the window before logins are refused.
    public static let failuresPerAccount = 5
    public static let failuresPerAddress = 20
    /// bcrypt's cost: about a quarter of a second per login on this machine.
    static let cost: UInt8 = 12

    /// A new random token: 32 bytes, as base64url without padding (a cookie or a form field).
    public static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// What the store keeps of a token: its SHA-256, so a copy of the database opens no session.
    public static func storedID(_ token: String) -> String { ContentHash.sha256Hex(Array(token.utf8)) }

    /// Compares two secrets in time that does not depend on where they differ.
    public static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    /// Keeps the timing of a login for an unknown handle like that of a known one.
    static let decoy = Bcrypt.hash("not a password of anyone's", cost: cost)
}

extension Desk {
    /// Sets a staff member's web password (bcrypt); ends their sessions. Blocks for bcrypt's cost.
    public func setPassword(_ password: String, handle: String, now: Date = Date()) throws {
        guard let staff = policy.staff(handle) else { throw DeskError.unknownStaff(handle) }
        guard password.count >= AccessRules.minimumPassword else { throw AccessError.weakPassword(minimum: AccessRules.minimumPassword) }
        try store.setPasswordHash(Bcrypt.hash(password, cost: AccessRules.cost), handle: staff.id, now: now)
    }

    /// Signs a staff member in: returns the session's cookie token and the session. Refused
    /// alike for an unknown handle and a wrong password; after too many failures from the
    /// account or the address, refused without looking at the password.
    public func login(handle: String, password: String, from address: String, sessionSeconds: Double,
                      now: Date = Date()) throws -> (token: String, session: StaffSession) {
        let staff = policy.staff(handle)
        let accountKey = "staff:" + (staff?.id ?? handle.lowercased())
        let addressKey = "address:" + address
        let since = now.addingTimeInterval(-AccessRules.failureWindow)
        if try store.attempts(key: accountKey, since: since) >= AccessRules.failuresPerAccount
            || store.attempts(key: addressKey, since: since) >= AccessRules.failuresPerAddress {
            throw AccessError.tooManyAttempts(minutes: Int(AccessRules.failureWindow / 60))
        }
        let hash = try staff.flatMap { try store.passwordHash(handle: $0.id) }
        let matches = Bcrypt.verify(password, hash: hash ?? AccessRules.decoy)
        guard let staff, hash != nil, matches else {
            try store.recordAttempt(keys: [accountKey, addressKey], now: now)
            throw AccessError.refused
        }
        try store.clearAttempts(key: accountKey)
        let (token, session) = try openSession(.staff, subject: staff.id, ticket: nil, seconds: sessionSeconds, now: now)
        return (token, StaffSession(session: session, staff: staff))
    }

    /// Keeps a new session and returns its cookie token (the store keeps only the token's digest).
    func openSession(_ kind: WebSession.Kind, subject: String, ticket: Int?, seconds: Double, now: Date) throws -> (String, WebSession) {
        let token = AccessRules.token()
        let session = WebSession(id: AccessRules.storedID(token), kind: kind, subject: subject, ticket: ticket,
                                 csrf: AccessRules.token(), created: now, expires: now.addingTimeInterval(seconds))
        try store.saveSession(session)
        return (token, session)
    }

    /// The staff session a cookie token opens, if it is current and its staff member still is one.
    public func staffSession(token: String, now: Date = Date()) throws -> StaffSession? {
        guard let session = try store.session(id: AccessRules.storedID(token), now: now), session.kind == .staff,
              let staff = policy.staff(session.subject) else { return nil }
        return StaffSession(session: session, staff: staff)
    }

    /// Ends the session a cookie token opened (and forgets expired ones).
    public func logout(token: String, now: Date = Date()) throws {
        try store.endSession(id: AccessRules.storedID(token), now: now)
    }
}

/// A requester's session: opened by the personal link of one ticket, or by a login link for
/// all of theirs (`ticket` nil).
public struct RequesterSession: Sendable {
    public let session: WebSession
    /// Lowercased.
    public var address: String { session.subject }
    public var ticket: Int? { session.ticket }
}

/// Why a requester's link opens nothing (one answer for all: a guess learns nothing).
public struct LinkRefused: Error, CustomStringConvertible {
    public var description: String { "this link does not open a ticket: it is not ours, was revoked, or you are no longer on the ticket" }
}

extension Desk {
    /// Opens a session from a requester's personal link: signed by us, not revoked, for a
    /// ticket the address is still on. Returns the session's cookie token.
    public func openRequesterLink(_ link: String, sessionSeconds: Double, now: Date = Date()) throws -> (token: String, session: RequesterSession) {
        guard let links = composer.links, let grant = links.verify(link) else { throw LinkRefused() }
        if let revoked = try store.linksRevoked(ticket: grant.ticket, address: grant.address), grant.issued <= revoked { throw LinkRefused() }
        guard let ticket = try store.ticket(grant.ticket), ticket.isOnTicket(grant.address) else { throw LinkRefused() }
        let (token, session) = try openSession(.requester, subject: grant.address, ticket: ticket.number, seconds: sessionSeconds, now: now)
        return (token, RequesterSession(session: session))
    }

    /// The requester session a cookie token opens, if current.
    public func requesterSession(token: String, now: Date = Date()) throws -> RequesterSession? {
        guard let session = try store.session(id: AccessRules.storedID(token), now: now), session.kind == .requester else { return nil }
        return RequesterSession(session: session)
    }

    /// The ticket a requester session may see: the one its link was for (or, from a login
    /// link, any), and only while the address is on it. Another number answers nil.
    public func requesterTicket(_ number: Int, for s: RequesterSession) throws -> TicketRecord? {
        if let only = s.ticket, only != number { return nil }
        guard let ticket = try store.ticket(number), ticket.number == number, ticket.isOnTicket(s.address) else { return nil }
        return ticket
    }

    /// Revokes a requester's links to a ticket (every requester's when `address` is nil), by
    /// staff of its queue; the sessions they opened end.
    public func revokeLinks(ticket number: Int, address: String?, actor: String?, now: Date = Date()) throws -> [String] {
        guard let ticket = try store.ticket(number) else { throw DeskError.unknownTicket(number) }
        _ = try Authorization.staff(actor, on: ticket, policy: policy)
        let people = address.map { [$0.lowercased()] } ?? (ticket.requestors + ticket.ccs).map { $0.address.lowercased() }
        for a in people { try store.revokeLinks(ticket: number, address: a, now: now) }
        return people
    }

    /// A requester writes on their ticket's page: the words become a message from them to
    /// the queue and are filed as mail is (the same rules for reopening, approval and who is
    /// told), so the raw message is kept like any other.
    public func requesterWrites(ticket number: Int, from s: RequesterSession, text: String, files: [OutgoingAttachment],
                                now: Date = Date()) throws -> FilingOutcome {
        guard let ticket = try requesterTicket(number, for: s) else { throw DeskError.unknownTicket(number) }
        guard !text.allSatisfy(\.isWhitespace) || !files.isEmpty else { throw DeskError.emptyText }
        let person = (ticket.requestors + ticket.ccs).first { $0.address.lowercased() == s.address } ?? Address(address: s.address)
        let queue = policy.queue(named: ticket.queue)
        var message = OutgoingMessage(from: person, to: [Address(address: queue?.addresses.first ?? "")],
                                      subject: "Re: \(policy.tag.tag(for: ticket.number)) \(ticket.title)",
                                      messageID: OutgoingMessage.newMessageID(domain: policy.messageIDDomain), text: text)
        // A person wrote it: not automatic mail, and without our loop header (it is not our own mail coming back).
        message.autoSubmitted = nil
        message.attachments = files
        message.date = now
        message.extraHeaders = [("X-Suport-Source", "web")]
        return try file(Mail(raw: try message.render(), source: "web"), now: now)
    }
}

/// Why a web form was not taken, in words for the page.
public enum FormRefused: Error, Equatable, CustomStringConvertible {
    case invalidAddress
    case missing(String)
    case tooMany(minutes: Int)

    public var description: String {
        switch self {
        case .invalidAddress: return "that is not an email address we can answer"
        case .missing(let what): return "please fill in \(what)"
        case .tooMany(let m): return "too many requests from here: please try again in \(m) minutes, or write to us by mail"
        }
    }
}

extension AccessRules {
    /// Public forms (a new request, a login link) per address and per IP within an hour.
    public static let formsPerAddress = 5
    public static let formsPerIP = 20
    public static let formWindow: Double = 3600

    /// Counts one public form under its address and IP, refusing it past either limit.
    static func admitForm(_ kind: String, address: String, ip: String, store: any Store, now: Date) throws {
        let keys = ["\(kind)-address:\(address)", "\(kind)-ip:\(ip)"]
        let since = now.addingTimeInterval(-formWindow)
        if try store.attempts(key: keys[0], since: since) >= formsPerAddress || store.attempts(key: keys[1], since: since) >= formsPerIP {
            throw FormRefused.tooMany(minutes: Int(formWindow / 60))
        }
        try store.recordAttempt(keys: keys, now: now)
    }

    /// One line of a header a person typed: no line breaks or other control characters.
    public static func oneLine(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
            .trimmingCharacters(in: .whitespaces)
    }
}

extension Desk {
    /// A request from the web desk's public form: written as the mail the person would have
    /// sent to the queue's address and filed as mail is (routing, acknowledgement, its loop
    /// cap), after the per-address and per-IP limits.
    public func webIntake(name: String, address: String, subject: String, text: String, files: [OutgoingAttachment], queue: String?,
                          ip: String, now: Date = Date()) throws -> FilingOutcome {
        let who = AccessRules.oneLine(address).lowercased()
        guard OutgoingMessage.isValidAddress(who), !policy.isOurs(who) else { throw FormRefused.invalidAddress }
        let title = AccessRules.oneLine(subject)
        guard !title.isEmpty else { throw FormRefused.missing("the subject") }
        guard !text.allSatisfy(\.isWhitespace) else { throw FormRefused.missing("your message") }
        let target = queue.flatMap(policy.queue(named:)) ?? policy.queue(named: policy.defaultQueue)
        try AccessRules.admitForm("intake", address: who, ip: ip, store: store, now: now)
        let person = AccessRules.oneLine(name)
        var message = OutgoingMessage(from: Address(name: person.isEmpty ? nil : person, address: who),
                                      to: [Address(address: target?.addresses.first ?? "")], subject: title,
                                      messageID: OutgoingMessage.newMessageID(domain: policy.messageIDDomain), text: text)
        message.autoSubmitted = nil
        message.attachments = files
        message.date = now
        message.extraHeaders = [("X-Suport-Source", "web form from \(AccessRules.oneLine(ip))")]
        return try file(Mail(raw: try message.render(), source: "web"), now: now)
    }
}

extension AccessRules {
    /// How long a requester's login link works.
    public static let loginLinkMinutes = 30
}

extension Desk {
    /// A requester asks for a link to their tickets: when the address has any, a single-use
    /// link that expires goes to it by mail (through the outbox). The answer is the same
    /// either way, so the form tells nobody whose address has tickets.
    public func sendLoginLink(to given: String, baseURL: String, ip: String, now: Date = Date()) throws {
        let address = AccessRules.oneLine(given).lowercased()
        guard OutgoingMessage.isValidAddress(address), !policy.isOurs(address) else { throw FormRefused.invalidAddress }
        try AccessRules.admitForm("login-link", address: address, ip: ip, store: store, now: now)
        var filter = TicketFilter()
        filter.requestor = address
        filter.limit = 1
        guard try !store.list(filter).isEmpty else { return }
        let token = AccessRules.token()
        try store.saveLoginLink(id: AccessRules.storedID(token), address: address,
                                expires: now.addingTimeInterval(Double(AccessRules.loginLinkMinutes * 60)))
        let language = try store.language(of: address)?.language ?? policy.queue(named: policy.defaultQueue)?.language ?? .en
        let op = try composer.loginLinkOperation(to: address, link: baseURL + "/access/" + token, minutes: AccessRules.loginLinkMinutes,
                                                 language: language, at: now)
        _ = try store.write { try $0.apply(op) }
    }

    /// Opens a requester session for every ticket of theirs from a login link, once.
    public func openLoginLink(_ token: String, sessionSeconds: Double, now: Date = Date()) throws -> (token: String, session: RequesterSession) {
        guard let address = try store.useLoginLink(id: AccessRules.storedID(token), now: now) else { throw LinkRefused() }
        let (cookie, session) = try openSession(.requester, subject: address, ticket: nil, seconds: sessionSeconds, now: now)
        return (cookie, RequesterSession(session: session))
    }

    /// The tickets a requester session may list: the one its link was for, or all where the address is a requestor.
    public func requesterTickets(_ s: RequesterSession) throws -> [TicketRecord] {
        if let only = s.ticket { return try requesterTicket(only, for: s).map { [$0] } ?? [] }
        var filter = TicketFilter()
        filter.requestor = s.address
        filter.limit = 200
        return try store.list(filter)
    }
}
