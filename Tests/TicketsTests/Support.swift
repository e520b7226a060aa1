import Foundation
import MIME
@testable import Tickets

/// The policy of the example configuration, in code.
func examplePolicy(hijack: HijackPolicy = .comment) -> DeskPolicy {
    let anna = Staff(id: "anna", name: "Anna Soler", address: "anna@example.test")
    let pere = Staff(id: "pere", name: "Pere Vila", address: "pere@example.test")
    let marta = Staff(id: "marta", name: "Marta Puig", address: "marta@example.test")
    return DeskPolicy(
        instanceID: "xarxa-1", legacyTagPatterns: ["\\[rt\\.example\\.test #(\\d+)\\]"], messageIDDomain: "example.test",
        queues: [Queue(name: "support", addresses: ["support@example.test"], commentAddress: "support-comment@example.test",
                       staff: [anna, pere], language: .ca),
                 Queue(name: "treasury", addresses: ["treasury@example.test"], commentAddress: "treasury-comment@example.test",
                       staff: [marta], language: .es)],
        defaultQueue: "support",
        routing: [RoutingRule(queue: "treasury", recipient: "treasury@example.test"),
                  RoutingRule(queue: "treasury", subject: "quota|cuota|IBAN"),
                  RoutingRule(queue: "treasury", body: "cuota de socio"),
                  RoutingRule(queue: "treasury", sender: "@bank.example")],
        hijackPolicy: hijack)
}

/// An in-memory stand-in for the store's answers.
struct FakeLookup: IntakeLookup {
    var tickets: [TicketFacts] = []
    /// Message-ID → ticket number.
    var threads: [String: Int] = [:]
    var acks: [String: Int] = [:]

    func ticket(number: Int) -> TicketFacts? { tickets.first { $0.number == number } }
    func ticket(referencing messageIDs: [String]) -> TicketFacts? {
        for id in messageIDs { if let n = threads[id] { return ticket(number: n) } }
        return nil
    }
    func acknowledgements(to address: String, since: Date) -> Int { acks[address.lowercased()] ?? 0 }
}

let ticket42 = TicketFacts(number: 42, queue: "support", status: .open, owner: "anna", requestors: ["nuria@example.cat"],
                           ccs: ["jordi@example.cat"])

func mail(_ headers: [String], body: String = "Hola") -> Message {
    Message(bytes: Array((headers + ["", body]).joined(separator: "\r\n").utf8))
}
