import Foundation
import ServiceLifecycle
import Synchronization

/// Runs blocking work (libcurl, SQLite) on a serial dispatch queue of its own, never on
/// the two threads of Swift's cooperative pool, and awaits the result.
struct BlockingQueue: Sendable {
    let queue: DispatchQueue

    init(_ label: String) { queue = DispatchQueue(label: label) }

    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result(catching: body)) }
        }
    }
}

/// Runs a service's blocking loop on its queue until graceful shutdown sets `stop`,
/// which the loop checks between units of work. Cancellation sets it too: when another
/// service of the group fails (the web desk's port taken), the group cancels the rest
/// instead of shutting them down, and a loop that ignored it kept the daemon running,
/// deaf to SIGTERM, with the failure never reported.
func runUntilShutdown(on worker: BlockingQueue, stop: StopFlag, _ loop: @escaping @Sendable () -> Void) async throws {
    try await withTaskCancellationHandler {
        try await withGracefulShutdownHandler {
            try await worker.run(loop)
        } onGracefulShutdown: {
            stop.set()
        }
    } onCancel: {
        stop.set()
    }
}

/// A flag set once, read from any thread: "stop after the message in hand".
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }

    /// Sleeps in short slices so a stop is noticed within a fifth of a second.
    func sleep(_ seconds: Double) {
        let end = Date().addingTimeInterval(seconds)
        while !isSet && Date() < end { Thread.sleep(forTimeInterval: min(0.2, max(0, end.timeIntervalSinceNow))) }
    }
}

/// Logs a failure once per outage, not once per retry, and says when it is over.
final class OutageLog: @unchecked Sendable {
    private var down = false
    private let lock = NSLock()

    /// True the first time in an outage.
    func failed() -> Bool {
        lock.lock(); defer { lock.unlock() }
        if down { return false }
        down = true
        return true
    }

    /// True when this ends an outage.
    func recovered() -> Bool {
        lock.lock(); defer { lock.unlock() }
        let was = down
        down = false
        return was
    }
}

/// Lets the pollers wake the outbox dispatcher as soon as they queue notifications, instead
/// of it finding them at its next look.
final class Doorbell: @unchecked Sendable {
    private let condition = NSCondition()
    private var rung = false

    func ring() {
        condition.lock()
        rung = true
        condition.signal()
        condition.unlock()
    }

    /// Waits until rung, `seconds` pass, or `stop` is set (checked every 0.2 s).
    func wait(_ seconds: Double, stop: StopFlag) {
        let end = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while !rung && !stop.isSet && Date() < end {
            _ = condition.wait(until: min(end, Date().addingTimeInterval(0.2)))
        }
        rung = false
    }
}

/// Work started on another queue, whose result is waited for once.
final class Prefetch<T>: @unchecked Sendable {  // `outcome` is written before `done` is signalled and read after
    private var outcome: Result<T, any Error>?
    private let done = DispatchSemaphore(value: 0)
    private var finished = false

    init(on queue: DispatchQueue, _ body: @escaping @Sendable () throws -> T) {
        queue.async {
            self.outcome = Result(catching: body)
            self.done.signal()
        }
    }

    /// Waits until the work is over (at once after the first time). Call from one thread.
    func finish() {
        guard !finished else { return }
        done.wait()
        finished = true
    }

    /// The work's result, or its error.
    func result() throws -> T {
        finish()
        guard let outcome else { preconditionFailure("a finished prefetch has an outcome") }
        return try outcome.get()
    }
}

/// A value handed to another queue that the sender promises not to touch meanwhile.
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
