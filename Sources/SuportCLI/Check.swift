import ArgumentParser
import Foundation
import SuportService

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the configuration, each mailbox and the SMTP server.")

    @Option(help: "The configuration file (default: $SUPORT_CONFIG, else config/suport.toml).") var config: String?

    func run() throws {
        let path = Configuration.path(config)
        do {
            let (report, ok) = Daemon.check(configuration: try Configuration.load(path: path, secrets: true))
            print(report)
            if !ok { throw ExitCode(1) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            complain("\(error)")
            throw ExitCode(78)
        }
    }
}
