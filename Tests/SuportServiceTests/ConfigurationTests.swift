import Foundation
import Testing
@testable import SuportService

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
        #expect(!c.policy.lifecycle.allows(.resolved, .stalled))
        #expect(c.policy.legacyTagPatterns.count == 1)
    }

    @Test(arguments: [
        ("instance_id = \"xarxa-1\"", "", "suport.instance_id", "missing"),
        ("hijack_policy = \"comment\"", "hijack_policy = \"ignore\"", "suport.hijack_policy", "must be comment, append or new-ticket"),
        ("staff = [\"marta\"]", "staff = [\"nobody\"]", "queues[1].staff", "no staff member \"nobody\" under [staff]"),
        ("subject = \"quota|cuota", "subject = \"(quota", "routing[1]", "not a valid regular expression: \"(quota|fee|factura|invoice|IBAN|baixa|baja|alta de soci|membership\""),
        ("add_ccs = true", "add_ccs = true\ncolour = \"blue\"", "suport.colour", "unknown key"),
        ("resolved = [\"open\"]", "resolved = [\"reopened\"]", "lifecycle.resolved", "\"reopened\" is not a status"),
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
