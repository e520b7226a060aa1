import Foundation
import Logging
import ServiceLifecycle

/// Runs the desk's work that falls due with time (`Desk.runDueWork`) once a minute. What is
/// due is computed from the database each time, so a restart neither loses nor repeats it.
/// Of several daemons on one database, the one holding the scheduler's lease does it.
public final class Scheduler: Service, Sendable {
    let desk: Desk
    let lease: DaemonLease
    let logger: Logger
    let interval: Double
    private let worker = BlockingQueue("suport.scheduler")
    private let stop = StopFlag()

    init(desk: Desk, lease: DaemonLease, logger: Logger, interval: Double = 60) {
        self.desk = desk
        self.lease = lease
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        try await runUntilShutdown(on: worker, stop: stop) { [self] in
            var leading = false
            while !stop.isSet {
                do {
                    // Held across two ticks, so the leader keeps it while it lives.
                    let held = try lease.hold(DaemonLease.scheduler, on: desk.store, for: max(lease.seconds, 2 * interval))
                    if held != leading {
                        logger.info(held ? "scheduler: this daemon does the due work" : "scheduler: another daemon does the due work")
                        leading = held
                    }
                    if held {
                        let changed = try desk.runDueWork()
                        if changed > 0 { logger.info("due work done", metadata: ["tickets": "\(changed)"]) }
                    }
                } catch {
                    logger.error("due work failed", metadata: ["error": "\(error)"])
                }
                stop.sleep(interval)
            }
            if leading { lease.release(DaemonLease.scheduler, on: desk.store) }
        }
    }
}
