import Foundation
import HummingbirdBcrypt
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
        if try store.loginFailures(key: accountKey, since: since) >= AccessRules.failuresPerAccount
            || store.loginFailures(key: addressKey, since: since) >= AccessRules.failuresPerAddress {
            throw AccessError.tooManyAttempts(minutes: Int(AccessRules.failureWindow / 60))
        }
        let hash = try staff.flatMap { try store.passwordHash(handle: $0.id) }
        let matches = Bcrypt.verify(password, hash: hash ?? AccessRules.decoy)
        guard let staff, hash != nil, matches else {
            try store.recordLoginFailure(keys: [accountKey, addressKey], now: now)
            throw AccessError.refused
        }
        try store.clearLoginFailures(key: accountKey)
        let token = AccessRules.token()
        let session = WebSession(id: AccessRules.storedID(token), kind: .staff, subject: staff.id, ticket: nil,
                                 csrf: AccessRules.token(), created: now, expires: now.addingTimeInterval(sessionSeconds))
        try store.saveSession(session)
        return (token, StaffSession(session: session, staff: staff))
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
