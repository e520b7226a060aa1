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
        self.holder = holder ?? "\(Self.machine):\(getpid()):\(String(UInt32.random(in: .min ... .max), radix: 16))"
    }

    /// This machine: its host name and the start of its machine id (two hosts may share a name).
    static let machine: String = {
        let id = (try? String(contentsOfFile: "/etc/machine-id", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return ProcessInfo.processInfo.hostName + (id.isEmpty ? "" : "." + id.prefix(8))
    }()

    /// What daemons of this machine that are gone held (killed, crashed), given up at once:
    /// a daemon restarted here does not wait out its own predecessor's leases and claims.
    /// Another machine's are left to run out, since whether they live cannot be seen from here.
    func releaseTheDead(on store: any Store) throws -> [String] {
        func deadHere(_ holder: String) -> Bool {
            let parts = holder.split(separator: ":")
            guard parts.count == 3, parts[0] == Self.machine, let pid = Int32(parts[1]), pid != getpid() else { return false }
            return kill(pid, 0) != 0 && errno == ESRCH
        }
        var released: Set<String> = []
        for lease in try store.leases() where deadHere(lease.holder) {
            try store.releaseLease(lease.name, holder: lease.holder)
            released.insert(lease.holder)
        }
        for holder in try store.claimHolders() where deadHere(holder) {
            try store.releaseClaims(holder: holder)
            released.insert(holder)
        }
        return released.sorted()
    }

    /// The mailbox's lease name: one poller at a time reads it.
    static func mailbox(_ name: String) -> String { "mailbox:\(name)" }
    /// The scheduler's: one daemon at a time does the desk's due work.
    static let scheduler = "scheduler"

    /// Takes or renews a lease until `seconds` from now.
    func hold(_ name: String, on store: any Store, for seconds: Double? = nil) throws -> Bool {
        let now = try store.databaseTime()
        return try store.holdLease(name, holder: holder, until: now.addingTimeInterval(seconds ?? self.seconds), now: now)
    }

    /// Gives a lease up on the way out, so another daemon need not wait for it to run out.
    func release(_ name: String, on store: any Store) {
        try? store.releaseLease(name, holder: holder)
    }
}
