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
        hijackPolicy: hijack,
        verification: SenderVerification(trustedAuthservIDs: ["mx.example.test"], trustedReceivingHosts: ["mx.example.test"]))
}

/// What the receiving MTA writes for mail that passed DMARC for example.test.
let dmarcPass = "Authentication-Results: mx.example.test; dkim=pass header.d=example.test; dmarc=pass header.from=example.test"
/// Dovecot's record of the local delivery, above the MTA's own.
let lmtp = "Received: from mx.example.test ([127.0.0.1]) by mail.example.test with LMTP id x; Tue, 1 Dec 2026 10:00:00 +0000"
/// Postfix's record of an authenticated submission (smtpd_sasl_authenticated_header = yes).
func submitted(_ who: String) -> String {
    "Received: from client.example.test (localhost [127.0.0.1])\r\n\t(Authenticated sender: \(who))\r\n\tby mx.example.test (Postfix) with ESMTPSA id 4AB;\r\n\tTue, 1 Dec 2026 10:00:00 +0000"
}

/// A ticket as the store would return it.
func ticket(_ number: Int, queue: String = "support", status: Status = .open, owner: String? = nil, requestors: [String],
            ccs: [String] = []) -> TicketRecord {
    let at = Date(timeIntervalSince1970: 1_790_000_000)
    return TicketRecord(number: number, title: "El router", queue: queue, status: status, owner: owner, priority: 0,
                        requestors: requestors.map { Address(address: $0) }, ccs: ccs.map { Address(address: $0) },
                        created: at, updated: at, resolved: nil)
}

/// An in-memory stand-in for the store's answers.
struct FakeLookup: TicketLookup {
    var tickets: [TicketRecord] = []
    /// Message-ID → ticket number.
    var threads: [String: Int] = [:]
    var acks: [String: Int] = [:]

    func ticket(number: Int) -> TicketRecord? { tickets.first { $0.number == number } }
    func ticket(referencing messageIDs: [String]) -> TicketRecord? {
        for id in messageIDs { if let n = threads[id] { return ticket(number: n) } }
        return nil
    }
    func acknowledgements(to address: String, since: Date) -> Int { acks[address.lowercased()] ?? 0 }
    func nextTicketNumber() -> Int { (tickets.map(\.number).max() ?? 0) + 1 }
    func thread(ticket: Int) -> [String] { threads.filter { $0.value == ticket }.map(\.key).sorted() }
    func links(ticket: Int) -> [StoredLink] { [] }
    func organisation(of address: String) -> String? { address.hasSuffix("@example.cat") ? "Guifi Sants" : nil }
}

let ticket42 = ticket(42, owner: "anna", requestors: ["nuria@example.cat"], ccs: ["jordi@example.cat"])

func mail(_ headers: [String], body: String = "Hola") -> Message {
    Message(bytes: Array((headers + ["", body]).joined(separator: "\r\n").utf8))
}
