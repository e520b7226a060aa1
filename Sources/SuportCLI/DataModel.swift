import ArgumentParser
import Foundation
import MIME
import SuportService
import Tickets
import TicketStore

struct SetField: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set a field of a ticket: type, due (YYYY-MM-DD [HH:MM]), reference, waiting (requester, supplier, support), org, asset, or a custom field of its queue.")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Argument var field: String
    @Argument var value: String
    @Option(help: "A note kept with the change.") var comment: String?
    func run() throws { try perform(options, number, comment: comment) { desk in try FieldChange.parse(field, value, policy: desk.policy) } }
}

struct UnsetField: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unset", abstract: "Clear a field of a ticket (as suport set names it); an asset is named: unset N asset NAME.")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Argument var field: String
    @Argument var value: String?
    func run() throws {
        try perform(options, number) { desk in
            if field.lowercased() == "asset" {
                guard let value else { throw ValidationError("name the asset: suport unset N asset NAME") }
                return .removeAsset(value)
            }
            return try FieldChange.parse(field, nil, policy: desk.policy)
        }
    }
}

struct Escalate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "escalate", abstract: "Raise a ticket one support level, or to --to LEVEL; the new level is told.")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Option(help: "The level, as [[levels]] names it.") var to: String?
    @Option(help: "A note kept with the change, and told to the level.") var comment: String?
    func run() throws { try perform(options, number, comment: comment) { _ in .escalate(to) } }
}

// MARK: organisations and assets

struct Org: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "org", abstract: "Organisations: the desk's clients.",
                                                    subcommands: [OrgAdd.self, OrgList.self, OrgShow.self, OrgMembers.self])
}

struct OrgAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an organisation, or update one (domains are added).")
    @OptionGroup var options: DeskOptions
    @Argument var name: String
    @Option(name: .customLong("domain"), help: "A mail domain whose people belong to it (repeatable).") var domains: [String] = []
    @Option(help: "Contact details.") var contact: String?
    @Option(help: "Internal notes, for staff.") var notes: String?
    func run() throws {
        try options.run { desk in
            _ = try Authorization.admin(options.actorName, policy: desk.policy)
            var org = try desk.store.organisation(named: name) ?? Organisation(name: try ClientRules.name(name))
            for d in domains {
                let clean = try ClientRules.domain(d)
                if !org.domains.contains(clean) { org.domains.append(clean) }
            }
            if let contact { org.contact = contact }
            if let notes { org.notes = notes }
            try desk.store.saveOrganisation(org, now: Date())
            print("\(org.name): \(org.domains.isEmpty ? "no domains" : org.domains.joined(separator: ", ")), \(org.members.count) member\(org.members.count == 1 ? "" : "s")")
        }
    }
}

struct OrgList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List organisations.")
    @OptionGroup var options: DeskOptions
    @Flag(help: "Print JSON.") var json = false
    func run() throws {
        try options.run { desk in
            let orgs = try desk.store.organisations()
            if json { print(JSONValue.array(orgs.map(Views.json)).rendered()); return }
            print(orgs.isEmpty ? "No organisations." : Views.table(["ORGANISATION", "DOMAINS", "MEMBERS", "CONTACT"], orgs.map {
                [$0.name, $0.domains.joined(separator: ","), String($0.members.count), $0.contact ?? ""]
            }))
        }
    }
}

struct OrgShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an organisation: contact, notes, people, assets and tickets.")
    @OptionGroup var options: DeskOptions
    @Argument var name: String
    @Flag(help: "Print JSON.") var json = false
    func run() throws {
        try options.run { desk in
            guard let org = try desk.store.organisation(named: name) else { throw DeskError.unknownOrganisation(name) }
            var filter = TicketFilter()
            filter.organisation = org.name
            let assets = try desk.store.assets(organisation: org.name)
            printRecord(Views.json(org), adding: [("assets", .array(assets.map(Views.json)))], lines: [
                org.name,
                org.contact.map { "Contact:  \($0)" }, org.notes.map { "Notes:    \($0)" },
                "Domains:  \(org.domains.isEmpty ? "-" : org.domains.joined(separator: ", "))",
                "Members:  \(org.members.isEmpty ? "-" : org.members.joined(separator: ", "))",
                "Assets:   \(assets.isEmpty ? "-" : assets.map(\.name).joined(separator: ", "))",
            ].compactMap { $0 }, tickets: try desk.store.list(filter), desk: desk, json: json)
        }
    }
}

/// A record and the tickets about it: its JSON with the tickets (and `adding`) in it, or its
/// lines, a blank line and the tickets' table.
func printRecord(_ record: JSONValue, adding: [(String, JSONValue)] = [], lines: [String], tickets: [TicketRecord], desk: Desk, json: Bool) {
    if json, case .object(let pairs) = record {
        print(JSONValue.object(pairs + adding + [("tickets", .array(tickets.map { Views.json($0, tag: desk.policy.tag) }))]).rendered())
        return
    }
    print((lines + [""]).joined(separator: "\n"))
    print(Views.list(tickets, tag: desk.policy.tag, zone: desk.policy.displayZone))
}

struct OrgMembers: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "members", abstract: "List an organisation's people, or add and remove them.")
    @OptionGroup var options: DeskOptions
    @Argument var name: String
    @Option(help: "Add this address (it leaves any other organisation).") var add: [String] = []
    @Option(help: "Remove this address.") var remove: [String] = []
    func run() throws {
        try options.run { desk in
            guard var org = try desk.store.organisation(named: name) else { throw DeskError.unknownOrganisation(name) }
            if !add.isEmpty || !remove.isEmpty {
                _ = try Authorization.admin(options.actorName, policy: desk.policy)
                for a in add {
                    guard OutgoingMessage.isValidAddress(a) else { throw DeskError.invalidAddress(a) }
                    if !org.members.contains(a.lowercased()) { org.members.append(a.lowercased()) }
                }
                org.members.removeAll { remove.map { $0.lowercased() }.contains($0) }
                try desk.store.saveOrganisation(org, now: Date())
            }
            print(org.members.isEmpty ? "No members (people may still belong by domain: \(org.domains.joined(separator: ", ")))." : org.members.joined(separator: "\n"))
        }
    }
}

struct AssetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "asset", abstract: "Assets: the things the desk supports.",
                                                    subcommands: [AssetAdd.self, AssetList.self, AssetShow.self])
}

struct AssetAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an asset, or update one.")
    @OptionGroup var options: DeskOptions
    @Argument var name: String
    @Option(help: "Its kind, one of [suport] asset_kinds.") var kind: String
    @Option(help: "The organisation it belongs to.") var org: String?
    @Option(help: "Where it is.") var location: String?
    @Option(help: "Notes, for staff.") var notes: String?
    func run() throws {
        try options.run { desk in
            _ = try Authorization.admin(options.actorName, policy: desk.policy)
            let owner = try org.map { (o: String) throws -> String in
                guard let found = try desk.store.organisation(named: o) else { throw DeskError.unknownOrganisation(o) }
                return found.name
            }
            let existing = try desk.store.asset(named: name)
            let assetName = try existing?.name ?? ClientRules.name(name)
            let asset = Asset(name: assetName, kind: try ClientRules.kind(kind, policy: desk.policy),
                              organisation: owner ?? existing?.organisation, location: location ?? existing?.location, notes: notes ?? existing?.notes)
            try desk.store.saveAsset(asset, now: Date())
            print("\(asset.name): \(asset.kind)\(asset.organisation.map { ", \($0)" } ?? "")\(asset.location.map { ", \($0)" } ?? "")")
        }
    }
}

struct AssetList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List assets.")
    @OptionGroup var options: DeskOptions
    @Option(help: "Only this organisation's.") var org: String?
    @Flag(help: "Print JSON.") var json = false
    func run() throws {
        try options.run { desk in
            let assets = try desk.store.assets(organisation: org)
            if json { print(JSONValue.array(assets.map(Views.json)).rendered()); return }
            print(assets.isEmpty ? "No assets." : Views.table(["ASSET", "KIND", "ORGANISATION", "LOCATION"], assets.map {
                [$0.name, $0.kind, $0.organisation ?? "-", $0.location ?? "-"]
            }))
        }
    }
}

struct AssetShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an asset and its tickets.")
    @OptionGroup var options: DeskOptions
    @Argument var name: String
    @Flag(help: "Print JSON.") var json = false
    func run() throws {
        try options.run { desk in
            guard let asset = try desk.store.asset(named: name) else { throw DeskError.unknownAsset(name) }
            var filter = TicketFilter()
            filter.asset = asset.name
            printRecord(Views.json(asset), lines: [
                "\(asset.name) (\(asset.kind))", asset.organisation.map { "Org:       \($0)" },
                asset.location.map { "Location:  \($0)" }, asset.notes.map { "Notes:     \($0)" },
            ].compactMap { $0 }, tickets: try desk.store.list(filter), desk: desk, json: json)
        }
    }
}

struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Per queue: tickets by status, unowned new ones, SLA yellow and red, who they wait for, the oldest waiting for us, this month's hours.")
    @OptionGroup var options: DeskOptions
    @Flag(help: "Print JSON.") var json = false
    func run() throws {
        try options.run { desk in
            let d = try desk.dashboard()
            print(json ? Views.json(d).rendered() : Views.dashboard(d, tag: desk.policy.tag))
        }
    }
}

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find tickets by the words of their titles, messages, attachment names, references and custom fields, best first.",
        discussion: "Accents and case do not matter; every word must be there, as the start of a word. Every list filter applies too.")
    @OptionGroup var options: DeskOptions
    @Argument(help: "The words, as in \"node terrat\".") var query: String
    @OptionGroup var filter: ListFilterOptions
    @Flag(help: "Print JSON.") var json = false
    func run() throws {
        var words = filter.query
        words.search = query
        try options.run { desk in
            printTickets(try desk.store.list(try words.filter(policy: desk.policy, actor: options.actorName)), desk: desk, json: json)
        }
    }
}
