import ArgumentParser
import Foundation
import SuportService

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Check the configuration, each mailbox and the SMTP server.")

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

struct OAuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "oauth", abstract: "OAuth 2.0 logins of hosted mailboxes.",
                                                    subcommands: [OAuthLogin.self])
}

struct OAuthLogin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Obtain a login's first refresh token with the device-code flow (RFC 8628) and save it to its refresh_token_file.",
        discussion: "LOGIN is a mailbox's name ([[imap.mailboxes]] name) or smtp; the login needs auth = \"oauth2\", token_url, client_id, refresh_token_file and device_url.")

    @Option(help: "The configuration file (default: $SUPORT_CONFIG, else config/suport.toml).") var config: String?
    @Argument(help: "A mailbox's name, or smtp.") var login: String

    func run() throws {
        let configuration: Configuration
        do {
            configuration = try Configuration.load(path: Configuration.path(config), secrets: true)
        } catch {
            complain("\(error)")
            throw ExitCode(78)
        }
        let tokens = login == "smtp" ? configuration.mail.smtpTokens : configuration.mail.mailboxes.first { $0.name == login }?.tokens
        guard let tokens else {
            complain("no OAuth login \(login.debugDescription): give a mailbox's name or smtp, with auth = \"oauth2\"")
            throw ExitCode(1)
        }
        do {
            let file = try tokens.deviceLogin { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
            print("The refresh token is saved in \(file). suport check tries the login.")
        } catch {
            complain("\(error)")
            throw ExitCode(1)
        }
    }
}
