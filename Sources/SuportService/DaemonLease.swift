import Foundation
import TicketStore

/// Who this daemon is in the database's leases and outbox claims, and how long they last:
/// a daemon that stops renewing (killed, its host gone) is taken over once they run out.
public struct DaemonLease: Sendable {
    /// Host, process and a random part: a restarted daemon on the same host is someone new,
    /// so it waits out what its killed predecessor held rather than resuming it unseen.
    public let holder: String
    /// How long a lease or a claim lasts unless renewed (`lease_seconds`).
    public let seconds: Double

    public init(seconds: Double, holder: String? = nil) {
        self.seconds = seconds
        self.holder = holder ?? "\(ProcessInfo.processInfo.hostName):\(getpid()):\(String(UInt32.random(in: .min ... .max), radix: 16))"
    }

    /// The mailbox's lease name: one poller at a time reads it.
    static func mailbox(_ name: String) -> String { "mailbox:\(name)" }
    /// The scheduler's: one daemon at a time does the desk's due work.
    static let scheduler = "scheduler"

    /// Takes or renews a lease until `seconds` from now.
    func hold(_ name: String, on store: any Store, for seconds: Double? = nil) throws -> Bool {
        let now = Date()
        return try store.holdLease(name, holder: holder, until: now.addingTimeInterval(seconds ?? self.seconds), now: now)
    }

    /// Gives a lease up on the way out, so another daemon need not wait for it to run out.
    func release(_ name: String, on store: any Store) {
        try? store.releaseLease(name, holder: holder)
    }
}
