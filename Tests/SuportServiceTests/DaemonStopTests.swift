import Foundation
import ServiceLifecycle
import Synchronization
import Testing
@testable import SuportService

/// `suport serve` as a whole: when one of its services fails, the daemon stops and says why.
@Suite struct DaemonStopTests {
    struct PortTaken: Error, CustomStringConvertible {
        var description: String { "the web desk's port is taken" }
    }

    /// Fails as soon as it starts, as the web desk does when its port is taken.
    struct FailsAtOnce: Service {
        func run() async throws { throw PortTaken() }
    }

    /// The service group cancels the other services when one fails; the scheduler's blocking
    /// loop used to ignore that, so the daemon never returned and the failure was never reported.
    /// Daemon.run runs in a task of its own so that, were it to hang, this test fails instead.
    @Test func aFailingServiceStopsTheDaemonWithItsError() async throws {
        let repo = Installation.repo
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("suport-daemon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var text = try String(contentsOf: repo.appendingPathComponent("config/suport.example.toml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "templates = \"templates\"", with: "templates = \"\(repo.path)/config/templates\"")
            .replacingOccurrences(of: "canned = \"canned\"", with: "canned = \"\(repo.path)/config/canned\"")
        let configuration = try Configuration.parse(text, file: folder.appendingPathComponent("suport.toml").path, environment: nil)

        let outcome = Mutex<String?>(nil)
        let daemon = Task {
            do {
                try await Daemon.run(configuration: configuration, logLevel: "critical") { _, _ in [FailsAtOnce()] }
                outcome.withLock { $0 = "returned without an error" }
            } catch {
                outcome.withLock { $0 = "\(error)" }
            }
        }
        var waited = 0.0
        while outcome.withLock({ $0 }) == nil && waited < 20 {
            try await Task.sleep(for: .milliseconds(100))
            waited += 0.1
        }
        if outcome.withLock({ $0 }) == nil { daemon.cancel() }
        #expect(outcome.withLock { $0 } == "the web desk's port is taken")
    }
}
