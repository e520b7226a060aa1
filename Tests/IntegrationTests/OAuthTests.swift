import Foundation
import MailTransport
import MIME
import Testing
@testable import SuportService

/// A JWT for `user` signed (HS256) with the key the test Dovecot checks, or with another:
/// `keyFile` names a file holding one, `key` gives one (base64).
func signedToken(_ user: String, seconds: Int = 3600, keyFile: String? = nil, key: String? = nil, servers: MailServers) throws -> String {
    var file = keyFile ?? servers.settings["OAUTH2_KEY_FILE"]!
    if let key {
        file = FileManager.default.temporaryDirectory.appendingPathComponent("key-\(UUID().uuidString)").path
        try key.write(toFile: file, atomically: true, encoding: .utf8)
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", Integration.OAuthTests.helper, "sign", file, user, String(seconds)]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Hosted mailboxes: IMAP and SMTP logins with OAuth 2.0 bearer tokens against the real
/// Dovecot (an `oauth2` passdb validating JWTs locally, `scripts/mail-servers`) and Postfix
/// (SASL through that Dovecot), and token refresh against a token endpoint on loopback over
/// HTTPS with the test CA (`Tests/oauth/token-endpoint.py`).
extension Integration {
    @Suite(.serialized) struct OAuthTests {
        let servers: MailServers
        init() throws { servers = try MailServers.get() }

        static let helper = MailServers.repo.appendingPathComponent("Tests/oauth/token-endpoint.py").path
        static let clientSecret = "the-client-secret-zq81"

        /// A JWT for `user` signed with the key Dovecot checks (or with `key`, a file of another).
        func token(_ user: String, seconds: Int = 3600, key: String? = nil) throws -> String {
            try signedToken(user, seconds: seconds, keyFile: key, servers: servers)
        }

        func bearer(_ e: Endpoint, _ token: String, _ mechanism: Bearer.Mechanism) -> Endpoint {
            var e = e
            e.password = ""
            e.bearer = Bearer(token: token, mechanism: mechanism)
            return e
        }

        /// A key file the servers do not trust.
        func foreignKey() throws -> String {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("oauth-foreign-\(UUID().uuidString).key").path
            try Data("bm90IHRoZSBzZXJ2ZXIncyBrZXksIG5vdCBhdCBhbGwh".utf8).write(to: URL(fileURLWithPath: path))
            return path
        }

        func log(_ name: String) throws -> String {
            (try? String(contentsOfFile: "\(servers.dir)/log/\(name)", encoding: .utf8)) ?? ""
        }

        @Test(arguments: Bearer.Mechanism.allCases)
        func imapLogsInWithASignedToken(_ mechanism: Bearer.Mechanism) throws {
            let before = try log("dovecot.log").components(separatedBy: "method=\(mechanism.rawValue.uppercased())").count
            let conn = try IMAPConnection(bearer(servers.imap("support"), try token("support@example.test"), mechanism))
            _ = try conn.select("INBOX")
            #expect(conn.capabilities.contains("IDLE"))
            conn.logout()
            // Dovecot says which mechanism logged in.
            #expect(eventually { try log("dovecot.log").components(separatedBy: "method=\(mechanism.rawValue.uppercased())").count > before })
        }

        @Test(arguments: Bearer.Mechanism.allCases)
        func smtpSendsWithASignedToken(_ mechanism: Bearer.Mechanism) throws {
            let subject = "oauth smtp \(mechanism.rawValue) \(UUID().uuidString.prefix(8))"
            let smtp = SMTPClient(bearer(servers.submission("anna"), try token("anna@example.test"), mechanism), helo: "suport.example.test")
            let raw = "From: anna@example.test\r\nTo: alice@example.test\r\nSubject: \(subject)\r\nMessage-ID: <\(UUID().uuidString)@example.test>\r\n\r\nhola\r\n"
            #expect(smtp.send(Array(raw.utf8), from: "anna@example.test", to: ["alice@example.test"]) == .sent)
            let got = try servers.waitForMail("alice", criteria: "SUBJECT \"\(subject)\"")
            #expect(got.count == 1)
            // Postfix logs the SASL mechanism of the submission.
            #expect(eventually { try log("postfix.log").contains("sasl_method=\(mechanism.rawValue.uppercased()), sasl_username=anna@example.test") })
        }

        @Test func aWrongOrExpiredTokenIsRefusedClearlyAndNeverShown() throws {
            let forged = try token("support@example.test", key: try foreignKey())
            let expired = try token("support@example.test", seconds: -120)
            for (bad, mechanism) in [(forged, Bearer.Mechanism.oauthbearer), (expired, .xoauth2)] {
                do {
                    _ = try IMAPConnection(bearer(servers.imap("support"), bad, mechanism))
                    Issue.record("a bad token logged in")
                } catch {
                    let words = "\(error)"
                    #expect(words.contains("login refused") && words.contains("AUTHENTICATE \(mechanism.rawValue.uppercased())"), "\(words)")
                    #expect(!words.contains(bad) && !words.contains(String(bad.prefix(20))))
                }
                let smtp = SMTPClient(bearer(servers.submission("anna"), bad, mechanism), helo: "suport.example.test")
                let outcome = smtp.send(Array("Subject: x\r\n\r\nx\r\n".utf8), from: "anna@example.test", to: ["alice@example.test"])
                guard case .unreachable(let words) = outcome else { Issue.record("\(outcome)"); continue }
                #expect(smtp.loginRefused && words.contains("login refused") && !words.contains(String(bad.prefix(20))), "\(words)")
            }
        }

        /// The token endpoint, started for one test; its requests are in `log`.
        final class TokenEndpoint {
            let process = Process()
            let port: Int
            let log: String
            var url: String { "https://127.0.0.1:\(port)/token" }

            init(servers: MailServers) throws {
                port = try freePort()
                log = FileManager.default.temporaryDirectory.appendingPathComponent("token-endpoint-\(UUID().uuidString).log").path
                _ = FileManager.default.createFile(atPath: log, contents: nil)
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["python3", OAuthTests.helper, "serve", String(port), "\(servers.dir)/tls/cert.pem",
                                     "\(servers.dir)/tls/key.pem", servers.settings["OAUTH2_KEY_FILE"]!, log, OAuthTests.clientSecret]
                let out = Pipe()
                process.standardOutput = out
                try process.run()
                _ = out.fileHandleForReading.availableData  // "listening"
            }

            /// SIGKILL: a child of the test runner may inherit SIGTERM blocked.
            func stop() {
                if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
            }

            deinit { stop() }

            var requests: [[String: String]] {
                ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                    (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["form"] as? [String: String]
                }
            }
        }

        func refreshing(_ endpoint: TokenEndpoint, _ refreshToken: String, mechanism: Bearer.Mechanism = .oauthbearer,
                        secret: String = OAuthTests.clientSecret) throws -> (OAuthTokens, String) {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("refresh-\(UUID().uuidString)").path
            try OAuthTokens.replace(file, with: refreshToken + "\n", login: "test")
            let r = OAuthTokens.Refresh(tokenURL: endpoint.url, clientID: "suport-test", clientSecret: secret, refreshTokenFile: file,
                                        scope: "https://outlook.office.com/IMAP.AccessAsUser.All offline_access", caFile: servers.ca)
            return (OAuthTokens(mechanism: mechanism, origin: .refresh(r), login: "mailbox support"), file)
        }

        @Test func aRefreshedTokenLogsInAndARotatedRefreshTokenIsSaved() throws {
            let endpoint = try TokenEndpoint(servers: servers)
            defer { endpoint.stop() }
            let (tokens, file) = try refreshing(endpoint, "support@example.test|rotate|1")
            let conn = try OAuthTokens.login(servers.imap("support"), tokens) { try IMAPConnection($0) }
            conn.logout()
            #expect(tokens.refreshCount == 1)
            #expect(try String(contentsOfFile: file, encoding: .utf8) == "support@example.test|rotate|2\n")
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let asked = try #require(endpoint.requests.first)
            #expect(asked["grant_type"] == "refresh_token" && asked["client_id"] == "suport-test" && asked["scope"]?.contains("IMAP") == true)
            // Held while it lasts: a second login asks the endpoint nothing.
            _ = try tokens.bearer()
            #expect(endpoint.requests.count == 1)
        }

        @Test func aTokenIsRenewedBeforeItExpiresAndOnceAfterARefusal() throws {
            let endpoint = try TokenEndpoint(servers: servers)
            defer { endpoint.stop() }
            let (short, _) = try refreshing(endpoint, "support@example.test|short|1")
            _ = try short.bearer()
            _ = try short.bearer()
            #expect(short.refreshCount == 1, "61 s left is more than the minute's margin")
            _ = try short.bearer(now: Date().addingTimeInterval(5))
            #expect(short.refreshCount == 2, "less than a minute left: renewed")

            // The first token the endpoint gives is refused by the server: one fresh token, and in.
            let (bad, _) = try refreshing(endpoint, "support@example.test|badfirst|1", mechanism: .xoauth2)
            let conn = try OAuthTokens.login(servers.imap("support"), bad) { try IMAPConnection($0) }
            conn.logout()
            #expect(bad.refreshCount == 2)
            #expect(endpoint.requests.filter { $0["refresh_token"]?.contains("badfirst") == true }.count == 2)
        }

        @Test func aRefusedRefreshIsAPermanentErrorThatSaysWhatToFix() throws {
            let endpoint = try TokenEndpoint(servers: servers)
            defer { endpoint.stop() }
            let (tokens, file) = try refreshing(endpoint, "support@example.test|revoked|1")
            do {
                _ = try tokens.bearer()
                Issue.record("a revoked refresh token gave a token")
            } catch let error as OAuthError {
                #expect(error.permanent)
                #expect(error.description.contains("invalid_grant") && error.description.contains(file)
                        && error.description.contains("suport oauth login"), "\(error)")
                #expect(!error.description.contains("|revoked|"))
            }
            let (wrongClient, _) = try refreshing(endpoint, "support@example.test|rotate|1", secret: "not-it")
            #expect { _ = try wrongClient.bearer() } throws: { ($0 as? OAuthError)?.description.contains("invalid_client") == true }
        }

        /// A mailbox's keys for a token the desk refreshes itself at `endpoint`.
        func refreshKeys(_ endpoint: TokenEndpoint, _ refreshFile: String) -> String {
            """
            auth = "oauth2"
            mechanism = "oauthbearer"
            token_url = "\(endpoint.url)"
            client_id = "suport-test"
            client_secret_env = "TEST_OAUTH_CLIENT_SECRET"
            refresh_token_file = "\(refreshFile)"
            token_ca_file = "\(servers.ca)"
            """
        }

        /// The daemon watches a mailbox and sends its notifications with tokens, `check` says
        /// how each logged in, and no token or secret reaches the log at any level.
        @Test func theDaemonWorksWithTokensAndNeverLogsThem() throws {
            // Mail an earlier test left unfiled would be filed here too, and an old answer to Alice found.
            try servers.emptyAll()
            try servers.empty("alice")
            let endpoint = try TokenEndpoint(servers: servers)
            defer { endpoint.stop() }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("oauth-desk-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let refreshFile = folder.appendingPathComponent("support.refresh").path
            try OAuthTokens.replace(refreshFile, with: "support@example.test|rotate|1\n", login: "test")
            let smtpToken = try token("support@example.test")
            let tokenFile = folder.appendingPathComponent("smtp.token").path
            try OAuthTokens.replace(tokenFile, with: smtpToken, login: "test")
            let desk = try DeskUnderTest(servers: servers) { text in
                text.replacingOccurrences(of: """
                    user = "support@example.test"
                    password_env = "TEST_SUPPORT_PASSWORD"
                    """, with: """
                    user = "support@example.test"
                    \(refreshKeys(endpoint, refreshFile))
                    scope = "https://outlook.office.com/IMAP.AccessAsUser.All offline_access"
                    device_url = "https://127.0.0.1:\(endpoint.port)/device"
                    """).replacingOccurrences(of: """
                    user = "support@example.test"
                    password_env = "TEST_SMTP_PASSWORD"
                    """, with: """
                    user = "support@example.test"
                    auth = "oauth2"
                    mechanism = "xoauth2"
                    token_file = "\(tokenFile)"
                    """)
            }
            let environment = ["TEST_OAUTH_CLIENT_SECRET": Self.clientSecret]
            // The first refresh token comes from the device-code flow, as an operator gets it.
            try FileManager.default.removeItem(atPath: refreshFile)
            let login = try desk.cli(["oauth", "login", "support"], actor: nil, environment: environment)
            #expect(login.contains("enter the code WXYZ-1234") && login.contains("saved in \(refreshFile)"), "\(login)")
            #expect(try String(contentsOfFile: refreshFile, encoding: .utf8) == "support@example.test|rotate|1\n")
            #expect(try FileManager.default.attributesOfItem(atPath: refreshFile)[.posixPermissions] as? Int == 0o600)
            #expect(endpoint.requests.filter { $0["grant_type"] == "urn:ietf:params:oauth:grant-type:device_code" }.count == 2)
            let report = try desk.cli(["check"], actor: nil, environment: environment)
            #expect(report.contains("mailbox support") && report.contains("logged in with OAUTHBEARER (token refreshed at the token endpoint)"), "\(report)")
            #expect(report.contains("logged in with XOAUTH2 (token from token_file)"), "\(report)")

            try desk.start(environment: environment, logLevel: "trace")
            defer { desk.stop() }
            try servers.deliver(["From: Alice <alice@example.test>", "To: support@example.test", "Subject: Amb testimonis",
                                 "Message-ID: <oauth-desk-1@example.test>", "", "Hola.", ""].joined(separator: "\r\n"),
                                from: "alice@example.test", to: ["support@example.test"])
            #expect(eventually(timeout: 30) { try desk.ticketCount() == 1 })
            let acknowledged = try servers.waitForMail("alice", criteria: "SUBJECT \"[suport#1]\"", timeout: 30).map { Message(bytes: $0) }
            #expect(!acknowledged.isEmpty)
            desk.stop()
            let log = try String(contentsOf: desk.log, encoding: .utf8)
            #expect(!log.isEmpty)
            let rotated = try String(contentsOfFile: refreshFile, encoding: .utf8)
            for secret in [smtpToken, String(smtpToken.prefix(24)), Self.clientSecret, "eyJhbGciOiAi", "|rotate|", rotated] {
                #expect(!log.contains(secret.trimmingCharacters(in: .newlines)), "the log holds \(secret.prefix(12))…")
            }

            // A token the servers refuse: the log says so, at every level, and never shows it.
            let forged = try token("support@example.test", key: try foreignKey())
            try OAuthTokens.replace(tokenFile, with: forged, login: "test")
            for level in ["trace", "error"] {
                let refused = try DeskUnderTest(servers: servers) { text in
                    text.replacingOccurrences(of: "password_env = \"TEST_SUPPORT_PASSWORD\"", with: """
                        auth = "oauth2"
                        mechanism = "xoauth2"
                        token_file = "\(tokenFile)"
                        """)
                }
                try refused.start(logLevel: level)
                #expect(eventually(timeout: 20) { (try? String(contentsOf: refused.log, encoding: .utf8))?.contains("mailbox unavailable") == true })
                refused.stop()
                let text = try String(contentsOf: refused.log, encoding: .utf8)
                #expect(text.contains("login refused") && text.contains("AUTHENTICATE XOAUTH2"), "\(text.suffix(800))")
                #expect(!text.contains(forged) && !text.contains(String(forged.prefix(24))))
            }

            // A revoked refresh token: the mailbox waits, and the log says what to fix.
            try OAuthTokens.replace(refreshFile, with: "support@example.test|revoked|1\n", login: "test")
            let waiting = try DeskUnderTest(servers: servers) { text in
                text.replacingOccurrences(of: "password_env = \"TEST_SUPPORT_PASSWORD\"", with: """
                    \(refreshKeys(endpoint, refreshFile))
                    """)
            }
            try waiting.start(environment: environment, logLevel: "error")
            #expect(eventually(timeout: 20) { (try? String(contentsOf: waiting.log, encoding: .utf8))?.contains("mailbox unavailable") == true })
            waiting.stop()
            let said = try String(contentsOf: waiting.log, encoding: .utf8)
            #expect(said.contains("invalid_grant") && said.contains(refreshFile) && said.contains("suport oauth login") && !said.contains("|revoked|"),
                    "\(said.suffix(800))")
        }
    }
}
