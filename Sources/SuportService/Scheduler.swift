import Foundation
import Logging
import ServiceLifecycle

/// Runs the desk's work that falls due with time (`Desk.runDueWork`) once a minute. What is
/// due is computed from the database each time, so a restart neither loses nor repeats it.
public final class Scheduler: Service, Sendable {
    let desk: Desk
    let logger: Logger
    let interval: Double
    private let worker = BlockingQueue("suport.scheduler")
    private let stop = StopFlag()

    init(desk: Desk, logger: Logger, interval: Double = 60) {
        self.desk = desk
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        try await runUntilShutdown(on: worker, stop: stop) { [self] in
            while !stop.isSet {
                do {
                    let changed = try desk.runDueWork()
                    if changed > 0 { logger.info("due work done", metadata: ["tickets": "\(changed)"]) }
                } catch {
                    logger.error("due work failed", metadata: ["error": "\(error)"])
                }
                stop.sleep(interval)
            }
        }
    }
}
