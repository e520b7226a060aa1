import Foundation
import Testing
@testable import SuportService
import Tickets

@Suite struct ConfigurationTests {
    let example = try! String(contentsOf: Installation.repo.appendingPathComponent("config/suport.example.toml"), encoding: .utf8)

    @Test func exampleLoadsEveryKey() throws {
        let c = try Configuration.parse(example, file: "/etc/suport/suport.toml")
        #expect(c.databasePath == "/etc/suport/suport.sqlite")
        #expect(c.templatesPath == "/etc/suport/templates")
        #expect(c.policy.queues.map(\.name) == ["support", "treasury"])
        #expect(c.policy.staff("pere")?.address == "pere@example.test")
        #expect(c.policy.routing.count == 3)
        #expect(c.policy.hijackPolicy == .comment)
        #expect(c.policy.maxAttachments == 100 && c.policy.maxNestingDepth == 20 && c.policy.maxMessageBytes == 26_214_400)
        #expect(!c.policy.lifecycle.allows(.resolved, .stalled))
        #expect(c.policy.legacyTagPatterns.count == 1)
        #expect(c.policy.reopenOnReply == .unlessThanks && c.policy.unmatchedAutoMail == .file)
        #expect(c.policy.forwardAttachmentBytes == 10_485_760 && c.policy.notify.conversation)
        #expect(c.policy.queue(named: "treasury")?.approval == true && c.policy.queue(named: "treasury")?.approvalDays == 7)
        #expect(c.policy.queue(named: "support")?.approval == false)
        #expect(c.policy.redaction.rules.map(\.name) == ["iban", "card", "dni", "password"])
        #expect(c.policy.redaction.rules.first?.allowedQueues == ["treasury"] && !c.policy.notify.quoteInAcknowledgement)
        // The data model.
        #expect(c.policy.defaultCalendar.name == "office" && c.policy.defaultCalendar.timeZone.identifier == "Europe/Madrid")
        #expect(c.policy.defaultCalendar.windows == [BusinessCalendar.Window(start: 540, end: 840), BusinessCalendar.Window(start: 900, end: 1080)])
        #expect(c.policy.slaPolicies.map(\.name) == ["incident", "support", "treasury"])
        #expect(c.policy.slaPolicies[0].types == ["incident"] && c.policy.slaPolicies[0].firstResponseMinutes == 120
                && c.policy.slaPolicies[0].resolutionMinutes == 960 && c.policy.slaPolicies[0].escalateOnRed)
        #expect(c.policy.levels.map(\.name) == ["L1", "L2"] && c.policy.assetKinds.contains("telescope"))
        #expect(c.policy.queue(named: "support")?.types.first == "incident" && c.policy.queue(named: "support")?.autoCloseDays == 14)
        #expect(c.policy.queue(named: "support")?.fields == [CustomField(name: "node", kind: .text),
                                                              CustomField(name: "link", kind: .choice(["fibre", "wifi", "5ghz"]))])
        #expect(c.policy.views["overdue"] == "--sla red --sort due" && c.policy.undoSeconds == 300)
    }

    @Test func redactionRulesOfTheInstallationsOwn() throws {
        let text = example + "\n[[redaction]]\nname = \"member\"\npattern = \"SOCI-[0-9]{6}\"\nreplacement = \"SOCI-******\"\n"
        let rules = try Configuration.parse(text, file: "c.toml").policy.redaction.rules
        #expect(rules.last?.mask("el SOCI-123456 paga") == "el SOCI-****** paga")
    }

    @Test func replyPatternsReplaceTheShippedOnesPerLanguage() throws {
        let text = example + "\n[replies.ca]\nthanks = [\"visca\"]\n"
        let c = try Configuration.parse(text, file: "c.toml")
        #expect(c.policy.replyPatterns.thanks[.ca] == ["visca"])
        #expect(c.policy.replyPatterns.thanks[.es] == ReplyPatterns.shippedThanks[.es])
        #expect(c.policy.replyPatterns.onlyThanks("Visca!") && !c.policy.replyPatterns.onlyThanks("Moltes gràcies"))
    }

    @Test(arguments: [
        ("instance_id = \"xarxa-1\"", "", "suport.instance_id", "missing"),
        ("hijack_policy = \"comment\"", "hijack_policy = \"ignore\"", "suport.hijack_policy", "must be comment, append or new-ticket"),
        ("staff = [\"marta\"]", "staff = [\"nobody\"]", "queues[1].staff", "no staff member \"nobody\" under [staff]"),
        ("subject = \"quota|cuota", "subject = \"(quota", "routing[1]", "not a valid regular expression: \"(quota|fee|factura|invoice|IBAN|baixa|baja|alta de soci|membership\""),
        ("add_ccs = true", "add_ccs = true\ncolour = \"blue\"", "suport.colour", "unknown key"),
        ("resolved = [\"open\"]", "resolved = [\"reopened\"]", "lifecycle.resolved", "\"reopened\" is not a status"),
        ("max_nesting_depth = 20", "max_nesting_depth = 0", "suport.max_nesting_depth", "must be between 1 and 100, not 0"),
        ("max_attachments = 100", "max_attachments = -1", "suport.max_attachments", "must be between 0 and 100000, not -1"),
        ("reopen_on_reply = \"unless-thanks\"", "reopen_on_reply = \"sometimes\"", "suport.reopen_on_reply", "must be always, unless-thanks or never"),
        ("auto_mail = \"file\"", "auto_mail = \"bin\"", "suport.auto_mail", "must be file or drop"),
        ("approval_days = 7", "approval_days = 0", "queues[1].approval_days", "must be between 1 and 365, not 0"),
        ("keep_resolved_months = 72", "keep_resolved_months = 0", "queues[1].keep_resolved_months", "must be between 1 and 1200, not 0"),
        ("purge = \"messages\"", "purge = \"all\"", "queues[1].purge", "must be messages or ticket"),
        ("name = \"card\"", "name = \"passport\"", "redaction[1].name", "no shipped rule \"passport\" (iban, card, dni, password): give a pattern"),
        ("name = \"dni\"\nallowed_queues = [\"treasury\"]", "name = \"dni\"\nallowed_queues = [\"bank\"]", "redaction[2].allowed_queues", "no queue named bank"),
        ("# [replies.ca]\n# thanks = [", "[replies.ca]\nthanks = [\"(gràcies\"]\n# thanks = [", "replies.ca.thanks[0]", "not a valid regular expression"),
        ("time_zone = \"Europe/Madrid\"", "time_zone = \"Europe/Sants\"", "calendars.office.time_zone", "\"Europe/Sants\" is not a time zone (e.g. Europe/Madrid)"),
        ("hours = [\"09:00-14:00\", ", "hours = [\"14:00-09:00\", ", "calendars.office.hours", "\"14:00-09:00\" is not a stretch of the day (write \"09:00-14:00\")"),
        ("days = [\"mon\", \"tue\"", "days = [\"dilluns\", \"tue\"", "calendars.office.days", "\"dilluns\" is not a weekday (mon … sun)"),
        ("first_response = \"2h\"", "first_response = \"soon\"", "sla[0].first_response", "\"soon\" is not a duration (write 4h, 1h30m, 90m)"),
        ("resolution = \"24h\"\ncalendar = \"office\"", "resolution = \"24h\"\ncalendar = \"night\"", "sla[2].calendar", "no calendar \"night\" under [calendars] (or \"24x7\")"),
        ("types = [\"incident\"]", "types = [\"outage\"]", "sla[0].types", "the support queue has no type \"outage\""),
        ("staff = [\"anna\", \"pere\"]\n\n[[levels]]", "staff = [\"anna\", \"ghost\"]\n\n[[levels]]", "levels[0].staff", "no staff member \"ghost\" under [staff]"),
        ("kind = \"choice\"", "kind = \"colour\"", "queues[0].fields[1].kind", "must be text, number, date or choice, not \"colour\""),
        ("auto_close_days = 14", "auto_close_days = 0", "queues[0].auto_close_days", "must be between 1 and 365, not 0"),
        ("undo_minutes = 5", "undo_minutes = 90", "notifications.undo_minutes", "must be between 0 and 60, not 90"),
    ])
    func errorsNameTheKey(_ find: String, _ replace: String, _ key: String, _ problem: String) {
        let text = example.replacingOccurrences(of: find, with: replace)
        #expect(throws: ConfigError.self) { try Configuration.parse(text, file: "c.toml") }
        do {
            _ = try Configuration.parse(text, file: "c.toml")
        } catch {
            #expect(error.key == key)
            #expect(error.problem == problem)
        }
    }

    @Test func tomlSyntaxErrorsGiveTheLine() {
        do {
            _ = try Configuration.parse("[suport]\ninstance_id = \n", file: "c.toml")
            Issue.record("parsed")
        } catch {
            #expect(error.line == 2)
            #expect(error.description.hasPrefix("c.toml:2: "))
        }
    }
}

@Suite struct MailSettingsTests {
    let example = try! String(contentsOf: Installation.repo.appendingPathComponent("config/suport.example.toml"), encoding: .utf8)

    func with(_ extra: String, env: [String: String]? = ["PW": "s3cret-value"]) throws(ConfigError) -> Configuration {
        try Configuration.parse(example + "\n" + extra, file: "/etc/suport/suport.toml", environment: env)
    }

    @Test func plaintextIsRefusedOffLoopback() {
        let imap = "[imap]\nhost = \"mail.example.org\"\nport = 143\ntls = \"none\"\n[[imap.mailboxes]]\nname = \"support\"\nuser = \"s\"\npassword_env = \"PW\"\n"
        do {
            _ = try with(imap)
            Issue.record("accepted tls = none for a remote server")
        } catch {
            #expect(error.key == "imap.tls")
            #expect(error.problem.contains("only allowed for a server on this machine"))
        }
        #expect((try? with(imap.replacingOccurrences(of: "mail.example.org", with: "127.0.0.1"))) != nil)
    }

    @Test func secretsComeFromTheEnvironmentOrAFileAndNeverShow() throws {
        let smtp = "[smtp]\nhost = \"127.0.0.1\"\nport = 587\ntls = \"starttls\"\nuser = \"s\"\npassword_env = \"PW\"\n"
        #expect(try with(smtp).mail.smtp?.password == "s3cret-value")
        // The admin CLI loads the file without secrets at all.
        #expect(try with(smtp, env: nil).mail.smtp?.password == "")
        do {
            _ = try with(smtp, env: [:])
            Issue.record("a missing secret was accepted")
        } catch {
            #expect(error.description.contains("PW is not set"))
        }
        let noSource = smtp.replacingOccurrences(of: "password_env = \"PW\"\n", with: "")
        do {
            _ = try with(noSource)
            Issue.record("a login without a password source was accepted")
        } catch {
            #expect(!error.description.contains("s3cret-value"))
            #expect(error.problem.contains("password_env or password_file"))
        }
        let durations = smtp + "retry_base_seconds = 1\noutbox_interval = 0.5\ngive_up_after_hours = 2\n"
        let mail = try with(durations).mail
        #expect(mail.retryBase == 1 && mail.outboxInterval == 0.5 && mail.giveUpAfter == 7200)
    }

    @Test func anOAuthLoginNamesItsMechanismAndOneTokenSource() throws {
        let mailbox = "[imap]\nhost = \"outlook.office365.com\"\nport = 993\n[[imap.mailboxes]]\nname = \"support\"\nuser = \"s@example.org\"\n"
        let refresh = mailbox + "auth = \"oauth2\"\nmechanism = \"xoauth2\"\ntoken_url = \"https://login.example.com/token\"\n"
            + "client_id = \"app-1\"\nclient_secret_env = \"PW\"\nrefresh_token_file = \"support.refresh\"\n"
        let built = try with(refresh).mail.mailboxes[0]
        #expect(built.endpoint.password == "" && built.tokens?.mechanism == .xoauth2)
        guard case .refresh(let r)? = built.tokens?.origin else { Issue.record("no refresh origin"); return }
        #expect(r.clientSecret == "s3cret-value" && r.refreshTokenFile == "/etc/suport/support.refresh" && r.clientID == "app-1")
        // The admin CLI needs no token.
        #expect(try with(refresh, env: nil).mail.mailboxes[0].tokens == nil)
        let cases: [(String, String, String)] = [
            (refresh.replacingOccurrences(of: "mechanism = \"xoauth2\"\n", with: ""), "imap.mailboxes[0].mechanism", "xoauth2"),
            (refresh.replacingOccurrences(of: "https://", with: "http://"), "imap.mailboxes[0].token_url", "https://"),
            (refresh + "token_file = \"t\"\n", "imap.mailboxes[0]", "one of token_file, token_command or token_url"),
            (refresh.replacingOccurrences(of: "client_id = \"app-1\"\n", with: ""), "imap.mailboxes[0].client_id", "client id"),
            (refresh.replacingOccurrences(of: "auth = \"oauth2\"", with: "auth = \"kerberos\""), "imap.mailboxes[0].auth", "password or oauth2"),
            ("[smtp]\nhost = \"smtp.office365.com\"\nport = 587\ntls = \"starttls\"\nauth = \"oauth2\"\nmechanism = \"xoauth2\"\ntoken_command = \"x\"\n",
             "smtp.user", "the account"),
        ]
        for (text, key, words) in cases {
            do {
                _ = try with(text)
                Issue.record("accepted: \(key)")
            } catch {
                #expect(error.key == key && error.problem.contains(words), "\(error)")
            }
        }
        // A public client (device code) has no secret; a command's token needs no password.
        let public_ = refresh.replacingOccurrences(of: "client_secret_env = \"PW\"\n", with: "")
        guard case .refresh(let p)? = try with(public_).mail.mailboxes[0].tokens?.origin else { Issue.record("no origin"); return }
        #expect(p.clientSecret.isEmpty)
        let smtp = "[smtp]\nhost = \"smtp.gmail.com\"\nport = 465\nuser = \"s@example.org\"\nauth = \"oauth2\"\nmechanism = \"oauthbearer\"\ntoken_command = \"get-token\"\n"
        let mail = try with(smtp).mail
        #expect(mail.smtp?.password == "" && mail.smtpTokens?.mechanism == .oauthbearer)
    }
}
