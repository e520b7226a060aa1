import Foundation
import MIME
import Testing
@testable import Tickets

@Suite struct RedactionTests {
    let redaction = Redaction()
    func masked(_ text: String) -> String { redaction.mask(text) { _ in false } }

    @Test(arguments: [
        ("IBAN: ES91 2100 0418 4502 0005 1332, gràcies", "IBAN: ES91 **** **** **** **** 1332, gràcies"),
        ("es9121000418450200051332", "ES91 **** **** **** **** 1332"),
        ("GB82 WEST 1234 5698 7654 32", "GB82 **** **** **** **54 32"),
        ("La targeta 4242 4242 4242 4242 caduca", "La targeta **** **** **** 4242 caduca"),
        ("card 4111-1111-1111-1111.", "card **** **** **** 1111."),
        ("El meu DNI és 12345678Z", "El meu DNI és *****678Z"),
        ("NIE X1234567L", "NIE *****567L"),
        ("password: hunter2 i prou", "password: ******** i prou"),
        ("La contrasenya:Secret123", "La contrasenya:********"),
        ("contraseña = abc", "contraseña = ********"),
    ])
    func masksWhatIsReal(_ text: String, _ expected: String) {
        #expect(masked(text) == expected)
    }

    /// Look-alikes that fail their check stay as written.
    @Test(arguments: [
        "ES91 2100 0418 4502 0005 1333",  // IBAN with a bad checksum
        "4242 4242 4242 4241",  // fails Luhn
        "12345678A",  // wrong DNI letter
        "X1234567A",  // wrong NIE letter
        "Tel. 600 123 456",  // too short for a card
        "La meva paraula de pas és llarga",  // no "password:" label
    ])
    func leavesLookAlikes(_ text: String) {
        #expect(masked(text) == text)
    }

    @Test func checksums() {
        #expect(RedactionRule.ibanIsValid("ES9121000418450200051332"))
        #expect(!RedactionRule.ibanIsValid("ES9121000418450200051333"))
        #expect(RedactionRule.luhnIsValid("79927398713") == false)  // too short for a card
        #expect(RedactionRule.luhnIsValid("4111111111111111"))
        #expect(RedactionRule.dniIsValid("12345678Z") && RedactionRule.dniIsValid("Y1234567X") && !RedactionRule.dniIsValid("Y1234567Z"))
    }

    /// The same new-ticket notice: support's staff read the IBAN masked, treasury's clear.
    @Test func treasuryReadsIBANsAndSupportDoesNot() throws {
        var policy = examplePolicy()
        policy.redaction.rules = RedactionRule.shipped.map { rule in
            var r = rule
            if r.name == "iban" { r.allowedQueues = ["treasury"] }
            return r
        }
        var sources: [Language: [TemplateName: String]] = [:]
        for l in Language.allCases { for n in TemplateName.allCases { sources[l, default: [:]][n] = "{{% CONTENT_TYPE: TEXT}}\n{{title}}\n\n{{text}}\n" } }
        let composer = NotificationComposer(policy: policy, templates: try NotificationTemplates(sources: sources))
        var context = NotificationContext()
        context.text = "Canvieu el meu compte a ES91 2100 0418 4502 0005 1332. Contrasenya: gat123"
        let ticket = ticket(42, queue: "support", requestors: ["nuria@example.cat"])
        func text(to address: String, _ template: TemplateName) -> String {
            let planned = PlannedNotification(template: template, recipient: Address(address: address), language: .ca,
                                              autoSubmitted: nil, toRequestor: false)
            return composer.compose(planned, ticket: ticket, context: context, thread: []).text
        }
        #expect(text(to: "anna@example.test", .newTicket).contains("ES91 **** **** **** **** 1332"))
        #expect(text(to: "marta@example.test", .newTicket).contains("ES91 2100 0418 4502 0005 1332"))
        // Passwords are nobody's to read by mail; requestors read the masked form too.
        #expect(text(to: "marta@example.test", .newTicket).contains("Contrasenya: ********"))
        #expect(text(to: "nuria@example.cat", .correspondence).contains("ES91 **** **** **** **** 1332"))
        // The acknowledgement does not quote the message unless the installation asks it to.
        #expect(!text(to: "nuria@example.cat", .acknowledgement).contains("compte"))
    }
}
