import Foundation
import Testing
import SuportCLI

/// The command line is a library: its commands run in this process, with their exit statuses.
@Suite(.serialized) struct InProcessCLITests {
    @Test func commandsRunInProcessWithTheirExitStatus() throws {
        let i = try Installation()
        #expect(SuportCLI.run(["check-config", "--config", i.config]) == 0)
        let bad = try Installation { $0.replacingOccurrences(of: "language = \"es\"", with: "language = \"fr\"") }
        #expect(SuportCLI.run(["check-config", "--config", bad.config]) == 78)
        // A change by someone who is not staff is refused, whatever the command.
        #expect(SuportCLI.run(["priority", "1", "3", "--config", i.config, "--actor", "ghost"]) == 1)
        #expect(SuportCLI.run(["no-such-command"]) != 0)
    }
}
