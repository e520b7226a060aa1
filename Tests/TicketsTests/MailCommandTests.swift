import Foundation
import MIME
import Testing
@testable import Tickets

@Suite struct MailCommandTests {
    /// Each command and each alias, as a staff member writes it at the top of a reply.
    @Test(arguments: [
        ("Status: resolved", TicketChange.status(.resolved)),
        ("status: RESOLVED", .status(.resolved)),
        ("Estat: resolta", .status(.resolved)),
        ("Estado: resuelta", .status(.resolved)),
        ("Estat: en espera", .status(.stalled)),
        ("Queue: treasury", .queue("treasury")),
        ("Cua: Treasury", .queue("treasury")),
        ("Cola: treasury", .queue("treasury")),
        ("Owner: pere", .owner("pere")),
        ("Owner: me", .owner("anna")),
        ("Responsable: jo", .owner("anna")),
        ("Responsable: yo", .owner("anna")),
        ("Owner: nobody", .owner(nil)),
        ("Responsable: ningú", .owner(nil)),
        ("Priority: 7", .priority(7)),
        ("Prioritat: 3", .priority(3)),
        ("Prioridad: 10", .priority(10)),
        ("Title: El router de la Bisbal", .title("El router de la Bisbal")),
        ("Títol: Nou títol", .title("Nou títol")),
        ("Título: Nuevo", .title("Nuevo")),
        ("Requestor: +jordi@example.cat", .addRequestor(Address(address: "jordi@example.cat"))),
        ("Sol·licitant: -jordi@example.cat", .removeRequestor("jordi@example.cat")),
        ("Solicitante: +Jordi <jordi@example.cat>", .addRequestor(Address(name: "Jordi", address: "jordi@example.cat"))),
        ("Cc: +eva@example.cat", .addCc(Address(address: "eva@example.cat"))),
        ("CC: -eva@example.cat", .removeCc("eva@example.cat")),
        ("Watch", .watch("anna")),
        ("Vigila", .watch("anna")),
        ("Unwatch", .unwatch("anna")),
        ("Deixa de vigilar", .unwatch("anna")),
        ("Time: 1h30m", .addTime(TimeEntry(minutes: 90, day: TimeRules.day(Date())))),
        ("Temps: 45m revisió", .addTime(TimeEntry(minutes: 45, day: TimeRules.day(Date()), note: "revisió"))),
        ("Tiempo: 2h", .addTime(TimeEntry(minutes: 120, day: TimeRules.day(Date())))),
        ("Owner: +pere", .addOwner("pere")),
        ("Responsable: -jo", .removeOwner("anna")),
        ("Type: incident", .type("incident")),
        ("Tipus: cap", .type(nil)),
        ("Tipo: problema", .type("problema")),
        ("Due: 2026-12-24 13:00", .due(TimeRules.moment("2026-12-24 13:00", in: .current))),
        ("Termini: 2026-12-24", .due(TimeRules.moment("2026-12-24", in: .current))),
        ("Plazo: none", .due(nil)),
        ("Ref: PROV-8812", .externalRef("PROV-8812")),
        ("Referència: -", .externalRef(nil)),
        ("Waiting: supplier", .waitingFor(.supplier)),
        ("Esperant: sol·licitant", .waitingFor(.requester)),
        ("Esperando: proveedor", .waitingFor(.supplier)),
        ("Waiting for: nothing", .waitingFor(nil)),
        ("Escalate", .escalate(nil)),
        ("Escala", .escalate(nil)),
        ("Nivell: L2", .escalate("L2")),
        ("Field: node = terrat-sants", .field("node", "terrat-sants")),
        ("Camp: node =", .field("node", nil)),
    ])
    func readsEachCommand(_ line: String, _ change: TicketChange) {
        let read = MailCommands.read("\(line)\n\nBon dia,\nJa està.", actor: "anna")
        #expect(read.lines.map(\.change) == [.success(change)], "\(line)")
        #expect(read.rest == "Bon dia,\nJa està.")
    }

    @Test func theBlockEndsAtTheFirstLineThatIsNoCommand() {
        let read = MailCommands.read("\n  Status: resolved\nOwner: me\nHola Núria,\nStatus: open\n", actor: "anna")
        #expect(read.lines.map(\.text) == ["Status: resolved", "Owner: me"])
        #expect(read.rest == "Hola Núria,\nStatus: open\n")
    }

    @Test func aFormsCRLFLinesAreReadAsLines() {
        let read = MailCommands.read("Waiting: requester\r\nAprova\r\n\r\nHola,\r\nfet.", actor: "marta")
        #expect(read.lines.map(\.change) == [.success(.waitingFor(.requester)), .success(.review(approved: true, note: nil))])
        #expect(read.rest == "Hola,\nfet.")
        #expect(MailCommands.read("Send back: falta la foto", actor: "marta").lines.map(\.change)
                == [.success(.review(approved: false, note: "falta la foto"))])
    }

    @Test func textWithoutCommandsIsLeftAsItIs() {
        let text = "Hola: us escric perquè...\nStatus: resolved"
        let read = MailCommands.read(text, actor: "anna")
        #expect(read.lines.isEmpty && read.rest == text)
    }

    @Test(arguments: [
        ("Status: acabat", DeskError.unknownStatus("acabat")),
        ("Priority: alta", .notANumber("alta")),
        ("Temps: molt", .notANumber("molt")),
        ("Cc: eva@example.cat", .invalidAddress("eva@example.cat (write +address to add, -address to remove)")),
        ("Termini: demà", .invalidMoment("demà")),
        ("Waiting: Godot", .unknownWaiting("Godot")),
        ("Field: node terrat", .invalidField("node terrat", "write Field: name = value")),
    ])
    func unreadableCommandsAreFailures(_ line: String, _ error: DeskError) {
        #expect(MailCommands.read(line, actor: "anna").lines.map(\.change) == [.failure(error)])
    }
}

@Suite struct ReplyPatternTests {
    let patterns = ReplyPatterns()

    @Test(arguments: [
        "Moltes gràcies!", "Gràcies", "Hola Anna,\n\nJa funciona, moltes gràcies!\n\nNúria", "Muchas gracias.", "¡Gracias!",
        "Ya funciona", "Thanks!", "Thank you so much", "It works now, thanks\n\nBest regards,\nJordi Vila",
        "Perfecte!\n\nEl dl., 1 de des. 2026, Anna va escriure:\n> Hem reiniciat el router.\n> Salutacions",
        "Thanks!\n-- \nJordi Vila\nXarxa del Poble\n+34 600 000 000", "Moltes gràcies, ja va!\n\nMontse", "Ya va bien, gracias",
    ])
    func thanksOnly(_ text: String) {
        #expect(patterns.onlyThanks(text), "\(text)")
    }

    @Test(arguments: [
        "Gràcies, però encara no funciona", "Gràcies, però no", "Thanks, but it still fails after the restart", "Hola", "No funciona",
        "Moltes gràcies!\nTinc una altra pregunta sobre la quota.", "", String(repeating: "gràcies ", count: 80),
    ])
    func notOnlyThanks(_ text: String) {
        #expect(!patterns.onlyThanks(text), "\(text)")
    }

    @Test func approvalAcceptsApprovalWordsAndThanks() {
        #expect(patterns.approves("D'acord"))
        #expect(patterns.approves("Conforme, gracias"))
        #expect(patterns.approves("OK"))
        #expect(patterns.approves("Gràcies!"))
        #expect(!patterns.approves("No, encara falla"))
        #expect(!patterns.onlyThanks("D'acord"))
    }
}
