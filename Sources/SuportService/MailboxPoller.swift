import Foundation
import Logging
import MailTransport
import ServiceLifecycle
import TicketStore

/// Watches one mailbox: on start, every poll interval, and at once when IDLE reports new
/// mail, it files each message it has not filed, in UID order, through the same intake as
/// `suport ingest`, and marks it filed (moves it, or adds a keyword) only after the
/// database commit. A crash between the two re-reads the message, which the store recognises.
///
/// Of several daemons on one database, the one holding the mailbox's lease reads it; the
/// others wait, and take it over once the lease runs out unrenewed.
public final class MailboxPoller: Service, Sendable {
    let desk: Desk
    let settings: MailSettings
    let mailbox: MailboxSettings
    let lease: DaemonLease
    let logger: Logger
    private let worker: BlockingQueue
    /// Fetches the next batch while the current one is filed.
    private let fetcher: DispatchQueue
    private let stop = StopFlag()
    private let outage = OutageLog()
    /// How long one IDLE lasts before it is re-issued (RFC 2177 asks for less than 29 minutes).
    static let idleRenewal: Double = 25 * 60

    let doorbell: Doorbell?

    init(desk: Desk, settings: MailSettings, mailbox: MailboxSettings, lease: DaemonLease, logger: Logger, doorbell: Doorbell? = nil) {
        self.doorbell = doorbell
        self.lease = lease
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
        var holding: Bool? = nil
        let name = DaemonLease.mailbox(mailbox.name)
        while !stop.isSet {
            do {
                let held = try lease.hold(name, on: desk.store)
                if held != holding {
                    logger.info(held ? "mailbox held by this daemon" : "mailbox held by another daemon: waiting for its lease to run out",
                                metadata: ["mailbox": "\(mailbox.name)"])
                    holding = held
                }
                guard held else {
                    connection?.logout()
                    connection = nil
                    stop.sleep(lease.seconds / 3)
                    continue
                }
                if connection == nil {
                    connection = try OAuthTokens.login(mailbox.endpoint, mailbox.tokens) { try IMAPConnection($0) }
                    if settings.mark == .move { try connection?.create(settings.filedFolder) }
                }
                guard let conn = connection else { continue }
                try fileWaiting(conn)
                if outage.recovered() { logger.notice("mailbox reachable again", metadata: ["mailbox": "\(mailbox.name)"]) }
                backoff = 1
                if stop.isSet { break }
                // Woken at least three times a lease, to renew it.
                let wait = min(settings.pollInterval, lease.seconds / 3)
                if settings.useIdle && conn.capabilities.contains("IDLE") {
                    _ = try conn.idle(timeout: min(wait, Self.idleRenewal)) { [stop] in stop.isSet }
                } else {
                    stop.sleep(wait)
                }
            } catch is LeaseLost {
                // Another daemon has the mailbox now: this one files nothing more from it.
                connection?.logout()
                connection = nil
            } catch {
                connection = nil
                DeskMetrics.pollerErrors.increment()
                if outage.failed() {
                    logger.error("mailbox unavailable, retrying with backoff",
                                 metadata: ["mailbox": "\(mailbox.name)", "error": "\(error)"])
                }
                stop.sleep(backoff)
                backoff = min(backoff * 2, 60)
            }
        }
        connection?.logout()
        if holding == true { lease.release(name, on: desk.store) }
        logger.info("mailbox poller stopped", metadata: ["mailbox": "\(mailbox.name)"])
    }

    /// The mailbox's lease ran out before this daemon renewed it (a long stall), and another took it.
    struct LeaseLost: Error {}

    /// Files every message waiting in the folder, a batch at a time, in UID order. While one
    /// batch is filed (the database only), the next is fetched on a queue of its own (the
    /// connection only): a batch is marked filed after its commit and after the next batch's
    /// fetch has finished, so the connection is never used by both at once.
    private func fileWaiting(_ conn: IMAPConnection) throws {
        let selected = try conn.select(mailbox.folder)
        // Mail already moved is flagged \Deleted where the server could not expunge only ours.
        let criteria = settings.mark == .keyword ? "NOT KEYWORD \(MailSettings.keyword)" : "UNDELETED"
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
            // A long backlog renews the lease between batches.
            guard try lease.hold(DaemonLease.mailbox(mailbox.name), on: desk.store) else { throw LeaseLost() }
        }
    }

    /// A batch as found: the UIDs already filed or set aside (a crash came between the commit
    /// and the move), and the rest fetched.
    private func load(_ batch: [UInt32], from conn: IMAPConnection, uidValidity: UInt32) throws -> Loaded {
        var loaded = Loaded()
        var toFetch: [UInt32] = []
        for uid in batch {
            switch try desk.store.intake(of: MailboxKey(mailbox: mailbox.name, uidValidity: uidValidity, uid: uid)) {
            case .filed: loaded.done.append(uid)
            case .setAside(let id): loaded.aside.append((uid, id))
            case .new: toFetch.append(uid)
            }
        }
        loaded.fetched = try conn.fetch(toFetch)
        return loaded
    }

    struct Loaded {
        var done: [UInt32] = []
        /// UIDs with the failed message each was kept as.
        var aside: [(uid: UInt32, failed: Int64)] = []
        var fetched: [IMAPConnection.Fetched] = []
    }

    /// Files a fetched batch; returns the UIDs to mark filed. `connection` hands over the IMAP
    /// connection for the rare paths that need it (setting a message aside, marking before a throw).
    /// The message in hand is always finished, even when a stop was asked for meanwhile.
    private func file(_ batch: Loaded, uidValidity: UInt32, connection: () -> IMAPConnection) throws -> [UInt32] {
        var done = batch.done
        // A message set aside is not read again: it may be what crashed the daemon.
        for (uid, id) in batch.aside { try moveAside(uid, failed: id, connection()) }
        let mails = batch.fetched.map { Desk.Mail(raw: $0.body, mailbox: MailboxKey(mailbox: mailbox.name, uidValidity: uidValidity, uid: $0.uid)) }
        let results = try desk.file(batch: mails)
        var failure: (any Error)? = nil
        var notified = false
        for (message, result) in zip(batch.fetched, results) {
            switch result {
            case .success(let outcome):
                if case .setAside(let id) = outcome.action {
                    DeskMetrics.setAside.increment()
                    CrashHook.beforeMovingAside()
                    try moveAside(message.uid, failed: id, connection())
                    continue
                }
                logFiled(message.uid, outcome)
                notified = notified || outcome.notifications > 0
                done.append(message.uid)
            case .failure(let error):
                failure = failure ?? error
            }
        }
        if notified { doorbell?.ring() }
        if let failure {
            // The message is tried again on the next round; its attempts are counted.
            try markFiled(connection(), done)
            throw failure
        }
        return done
    }

    private func logFiled(_ uid: UInt32, _ outcome: FilingOutcome) {
        logger.info("filed", metadata: ["mailbox": "\(mailbox.name)", "uid": "\(uid)",
                                        "ticket": "\(outcome.ticket.map { desk.policy.tag.tag(for: $0) } ?? "-")",
                                        "decision": "\(outcome.summary(tag: desk.policy.tag))"])
    }

    /// One message that never files must not block the mailbox: it is kept raw in the
    /// database (`suport failed` lists it) and moved out of the watched folder.
    private func moveAside(_ uid: UInt32, failed id: Int64, _ conn: IMAPConnection) throws {
        try conn.create(Self.failedFolder)
        try conn.move([uid], to: Self.failedFolder)
        logger.error("could not be filed: kept and moved to \(Self.failedFolder)",
                     metadata: ["mailbox": "\(mailbox.name)", "uid": "\(uid)", "failed": "\(id)"])
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
