import Foundation
import Logging
import MailTransport
import ServiceLifecycle
import TicketStore

/// Watches one mailbox: on start, every poll interval, and at once when IDLE reports new
/// mail, it files each message it has not filed, in UID order, through the same intake as
/// `suport ingest`, and marks it filed (moves it, or adds a keyword) only after the
/// database commit. A crash between the two re-reads the message, which the store recognises.
public final class MailboxPoller: Service, Sendable {
    let desk: Desk
    let settings: MailSettings
    let mailbox: MailboxSettings
    let logger: Logger
    private let worker: BlockingQueue
    /// Fetches the next batch while the current one is filed.
    private let fetcher: DispatchQueue
    private let stop = StopFlag()
    /// Consecutive filing failures per UID; past `attemptsBeforeSetAside` the message is set aside.
    private let failures = FailureCounter()
    static let attemptsBeforeSetAside = 3
    private let outage = OutageLog()
    /// How long one IDLE lasts before it is re-issued (RFC 2177 asks for less than 29 minutes).
    static let idleRenewal: Double = 25 * 60

    let doorbell: Doorbell?

    init(desk: Desk, settings: MailSettings, mailbox: MailboxSettings, logger: Logger, doorbell: Doorbell? = nil) {
        self.doorbell = doorbell
        self.desk = desk
        self.settings = settings
        self.mailbox = mailbox
        self.logger = logger
        worker = BlockingQueue("suport.imap.\(mailbox.name)")
        fetcher = DispatchQueue(label: "suport.imap.\(mailbox.name).fetch")
    }

    public func run() async throws {
        try await runUntilShutdown(on: worker, stop: stop) { [self] in self.loop() }
    }

    /// The whole life of the poller, on its own queue.
    private func loop() {
        var connection: IMAPConnection? = nil
        var backoff = 1.0
        while !stop.isSet {
            do {
                if connection == nil {
                    connection = try IMAPConnection(mailbox.endpoint)
                    if settings.mark == .move { try connection?.create(settings.filedFolder) }
                }
                guard let conn = connection else { continue }
                try fileWaiting(conn)
                if outage.recovered() { logger.notice("mailbox reachable again", metadata: ["mailbox": "\(mailbox.name)"]) }
                backoff = 1
                if stop.isSet { break }
                if settings.useIdle && conn.capabilities.contains("IDLE") {
                    _ = try conn.idle(timeout: min(settings.pollInterval, Self.idleRenewal)) { [stop] in stop.isSet }
                } else {
                    stop.sleep(settings.pollInterval)
                }
            } catch {
                connection = nil
                if outage.failed() {
                    logger.error("mailbox unavailable, retrying with backoff",
                                 metadata: ["mailbox": "\(mailbox.name)", "error": "\(error)"])
                }
                stop.sleep(backoff)
                backoff = min(backoff * 2, 60)
            }
        }
        connection?.logout()
        logger.info("mailbox poller stopped", metadata: ["mailbox": "\(mailbox.name)"])
    }

    /// Files every message waiting in the folder, a batch at a time, in UID order. While one
    /// batch is filed (the database only), the next is fetched on a queue of its own (the
    /// connection only): a batch is marked filed after its commit and after the next batch's
    /// fetch has finished, so the connection is never used by both at once.
    private func fileWaiting(_ conn: IMAPConnection) throws {
        let selected = try conn.select(mailbox.folder)
        let criteria = settings.mark == .keyword ? "NOT KEYWORD \(MailSettings.keyword)" : "ALL"
        let uids = try conn.uidSearch(criteria)
        let batches = uids.chunks(of: settings.batchSize).map(Array.init)
        guard !batches.isEmpty else { return }
        let connection = Unchecked(conn)
        var current = try load(batches[0], from: conn, uidValidity: selected.uidValidity)
        for k in batches.indices {
            let next = k + 1 < batches.count && !stop.isSet
                ? Prefetch(on: fetcher) { [self] in try load(batches[k + 1], from: connection.value, uidValidity: selected.uidValidity) }
                : nil
            // Until the prefetch is waited for, the connection is its own.
            let done: [UInt32]
            do {
                defer { next?.finish() }
                done = try file(current, uidValidity: selected.uidValidity) { next?.finish(); return conn }
            }
            try markFiled(conn, done)
            guard let next, !stop.isSet else { break }
            current = try next.result()
        }
    }

    /// A batch's UIDs already filed (a crash came between commit and marking), and the rest fetched.
    private func load(_ batch: [UInt32], from conn: IMAPConnection, uidValidity: UInt32) throws -> (done: [UInt32], fetched: [IMAPConnection.Fetched]) {
        var done: [UInt32] = []
        var toFetch: [UInt32] = []
        for uid in batch {
            if try desk.store.isFiled(MailboxKey(mailbox: mailbox.name, uidValidity: uidValidity, uid: uid)) { done.append(uid) } else { toFetch.append(uid) }
        }
        return (done, try conn.fetch(toFetch))
    }

    /// Files a fetched batch; returns the UIDs to mark filed. `connection` hands over the IMAP
    /// connection for the rare paths that need it (setting a message aside, marking before a throw).
    private func file(_ batch: (done: [UInt32], fetched: [IMAPConnection.Fetched]), uidValidity: UInt32,
                      connection: () -> IMAPConnection) throws -> [UInt32] {
        var done = batch.done
        let fetched = batch.fetched
        func key(_ uid: UInt32) -> MailboxKey { MailboxKey(mailbox: mailbox.name, uidValidity: uidValidity, uid: uid) }
        // The whole batch in one transaction, one sync to disk; if it fails, one by one below
        // to find the message at fault.
        if fetched.count > 1, let outcomes = try? desk.ingest(batch: fetched.map { ($0.body, key($0.uid)) }) {
            for (message, outcome) in zip(fetched, outcomes) { logFiled(message.uid, outcome) }
            if outcomes.contains(where: { $0.notifications > 0 }) { doorbell?.ring() }
            return done + fetched.map(\.uid)
        }
        for message in fetched {
            // The message in hand is always finished, even when a stop was asked for meanwhile.
            let key = key(message.uid)
            let outcome: FilingOutcome
            do {
                outcome = try desk.ingest(message.body, mailbox: key)
                failures.reset(key)
                if outcome.notifications > 0 { doorbell?.ring() }
            } catch {
                // One message that always fails must not block the mailbox: after a few tries
                // it is kept raw in the database and moved aside, and `suport failed` lists it.
                let conn = connection()
                guard failures.count(key) >= Self.attemptsBeforeSetAside else {
                    try markFiled(conn, done)
                    throw error
                }
                let id = try desk.store.recordFailure(raw: message.body, mailbox: key, error: "\(error)")
                try conn.create(Self.failedFolder)
                try conn.move([message.uid], to: Self.failedFolder)
                failures.reset(key)
                logger.error("could not be filed: kept and moved to \(Self.failedFolder)",
                             metadata: ["mailbox": "\(mailbox.name)", "uid": "\(message.uid)", "failed": "\(id)", "error": "\(error)"])
                continue
            }
            logFiled(message.uid, outcome)
            done.append(message.uid)
            if stop.isSet { break }
        }
        return done
    }

    private func logFiled(_ uid: UInt32, _ outcome: FilingOutcome) {
        logger.info("filed", metadata: ["mailbox": "\(mailbox.name)", "uid": "\(uid)",
                                        "ticket": "\(outcome.ticket.map { desk.policy.tag.tag(for: $0) } ?? "-")",
                                        "decision": "\(outcome.summary(tag: desk.policy.tag))"])
    }

    /// Where messages that cannot be filed are moved, once their raw bytes are stored.
    static let failedFolder = "Suport/Failed"

    private func markFiled(_ conn: IMAPConnection, _ uids: [UInt32]) throws {
        guard !uids.isEmpty else { return }
        switch settings.mark {
        case .move: try conn.move(uids, to: settings.filedFolder)
        case .keyword: try conn.addFlags(uids, MailSettings.keyword)
        }
    }
}

/// Counts failed attempts per message, across poll cycles.
final class FailureCounter: @unchecked Sendable {
    private var counts: [String: Int] = [:]
    private let lock = NSLock()

    /// Records one more failure and returns the count so far.
    func count(_ key: MailboxKey) -> Int {
        lock.lock(); defer { lock.unlock() }
        let k = "\(key.mailbox):\(key.uidValidity):\(key.uid)"
        counts[k, default: 0] += 1
        return counts[k] ?? 0
    }

    func reset(_ key: MailboxKey) {
        lock.lock(); defer { lock.unlock() }
        counts["\(key.mailbox):\(key.uidValidity):\(key.uid)"] = nil
    }
}
