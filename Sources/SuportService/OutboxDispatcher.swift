import Foundation
import Logging
import MailTransport
import ServiceLifecycle
import TicketStore

/// Sends due notifications over SMTP and records each outcome. A transient failure is
/// retried after 1, 2, 4 … minutes (capped at an hour) until the give-up time, when it is
/// recorded on the ticket; a permanent one at once. Every try reuses the notification's
/// bytes, so its Message-ID never changes.
///
/// Each notification is claimed before it is sent, and its claim renewed just before the
/// SMTP transaction, so a second daemon on the same database never sends it too; a daemon
/// that dies holding claims leaves them to run out. A copy is possible only in the window
/// design.md documents: accepted by the server, "sent" not yet committed.
public final class OutboxDispatcher: Service, Sendable {
    let desk: Desk
    let settings: MailSettings
    let endpoint: Endpoint
    let lease: DaemonLease
    let logger: Logger
    private let worker: BlockingQueue
    private let stop = StopFlag()
    private let outage = OutageLog()

    let doorbell: Doorbell

    init(desk: Desk, settings: MailSettings, endpoint: Endpoint, lease: DaemonLease, logger: Logger, doorbell: Doorbell) {
        self.doorbell = doorbell
        self.lease = lease
        self.desk = desk
        self.settings = settings
        self.endpoint = endpoint
        self.logger = logger
        worker = BlockingQueue("suport.smtp")
    }

    public func run() async throws {
        try await runUntilShutdown(on: worker, stop: stop) { [self] in self.loop() }
    }

    /// The delay before try number `attempt + 1`.
    static func delay(afterAttempt attempt: Int, base: Double, maximum: Double) -> Double {
        min(base * pow(2, Double(max(0, attempt))), maximum)
    }

    /// How long the claim on the notification being sent lasts: past the lease by the
    /// longest an SMTP transaction may take, so it cannot run out while the server answers.
    var sendingClaim: Double { lease.seconds + endpoint.connectTimeout + endpoint.readTimeout }

    private func loop() {
        var smtp = SMTPClient(endpoint, helo: settings.helo)
        defer { try? desk.store.releaseClaims(holder: lease.holder) }
        while !stop.isSet {
            do {
                let now = try desk.store.databaseTime()
                let due = try desk.store.claimNotifications(holder: lease.holder, now: now, until: now.addingTimeInterval(lease.seconds),
                                                            limit: 50)
                if due.isEmpty {
                    doorbell.wait(settings.outboxInterval, stop: stop)
                    continue
                }
                // With OAuth, the client logs in with the token held now (a new one, a new client).
                if let tokens = settings.smtpTokens {
                    let bearer = try tokens.bearer()
                    if smtp.bearerToken != bearer.token {
                        var e = endpoint
                        e.bearer = bearer
                        smtp = SMTPClient(e, helo: settings.helo)
                    }
                }
                for (entry, bytes) in due {
                    if stop.isSet { break }
                    // A batch that took longer than its claim leaves the rest to whoever claims them next.
                    let t = try desk.store.databaseTime()
                    guard try desk.store.renewClaim(entry.id, holder: lease.holder, until: t.addingTimeInterval(sendingClaim), now: t) else {
                        continue
                    }
                    // A server that cannot be reached now cannot take the next one either: wait
                    // instead of trying (and recording) every due notification against it.
                    guard try deliver(entry, bytes, smtp) else {
                        stop.sleep(settings.retryBase)
                        break
                    }
                }
            } catch {
                DeskMetrics.dispatcherErrors.increment()
                if outage.failed() { logger.error("outbox unavailable", metadata: ["error": "\(error)"]) }
                // A token an operator must fix is not asked for again every few seconds.
                stop.sleep((error as? OAuthError)?.permanent == true ? 60 : 5)
            }
        }
        logger.info("outbox dispatcher stopped")
    }

    /// Offers one notification and records the outcome; false when the server could not be reached.
    private func deliver(_ entry: OutboxEntry, _ bytes: [UInt8], _ smtp: SMTPClient) throws -> Bool {
        let meta: Logger.Metadata = ["outbox": "\(entry.id)", "ticket": "\(entry.ticket.map { desk.policy.tag.tag(for: $0) } ?? "-")",
                                     "template": "\(entry.template)", "recipient": "\(entry.recipient)"]
        let now = Date()
        var outcome = smtp.send(bytes, from: entry.sender, to: [entry.recipient])
        // A refused token is renewed and tried once more before anything is recorded.
        if case .unreachable = outcome, smtp.loginRefused, let tokens = settings.smtpTokens {
            var e = endpoint
            e.bearer = try tokens.renewed()
            outcome = SMTPClient(e, helo: settings.helo).send(bytes, from: entry.sender, to: [entry.recipient])
        }
        switch outcome {
        case .sent:
            try desk.store.markSent(entry.id, now: now)
            DeskMetrics.sent.increment()
            if outage.recovered() { logger.notice("SMTP server reachable again") }
            logger.info("sent", metadata: meta)
        case .permanentFailure(let error):
            try desk.store.markFailed(entry.id, error: error, retryAt: nil, now: now)
            DeskMetrics.failed.increment()
            logger.warning("notification refused, not retried", metadata: meta.merging(["error": "\(error)"]) { $1 })
        case .transientFailure(let error), .unreachable(let error):
            let givingUp = now.timeIntervalSince(entry.created) >= settings.giveUpAfter
            let retryAt = givingUp ? nil : now.addingTimeInterval(Self.delay(afterAttempt: entry.attempts, base: settings.retryBase,
                                                                             maximum: settings.retryMaximum))
            try desk.store.markFailed(entry.id, error: error, retryAt: retryAt, now: now)
            DeskMetrics.failed.increment()
            if givingUp {
                logger.warning("notification given up", metadata: meta.merging(["error": "\(error)"]) { $1 })
            } else if outage.failed() {
                logger.error("SMTP delivery failing, retrying with backoff", metadata: meta.merging(["error": "\(error)"]) { $1 })
            }
        }
        if case .unreachable = outcome { return false }
        return true
    }
}
