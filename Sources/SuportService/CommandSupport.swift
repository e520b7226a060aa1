import Foundation
import Tickets
import TicketStore

/// Prints one clear line on standard error, as every command (and the MTA pipe) says what went wrong.
public func complain(_ message: String) {
    FileHandle.standardError.write(Data("suport: \(message)\n".utf8))
}

/// Small pieces the command line needs that a test may need too.
public enum StatusList {
    /// "open,new" → [.open, .new], naming a status that does not exist.
    public static func parse(_ list: String?) throws -> [Status] {
        guard let list else { return [] }
        return try list.split(separator: ",").map { word in
            let w = word.trimmingCharacters(in: .whitespaces).lowercased()
            guard let s = Status(rawValue: w) else { throw CommandError.unknownStatus(w) }
            return s
        }
    }
}

public enum CommandError: Error, CustomStringConvertible {
    case unknownStatus(String)
    /// A list option that does not read: what it takes.
    case invalidOption(String)

    public var description: String {
        switch self {
        case .unknownStatus(let s): return "no status \(s.debugDescription): use new, open, stalled, resolved or rejected"
        case .invalidOption(let why): return why
        }
    }
}

/// Which tickets a list asks for, as a person writes it (the CLI's options, later a web
/// form's fields): turned into the store's filter with every name checked against the
/// configuration, so each caller reads a list the same way.
public struct ListQuery: Sendable {
    public var queue: String?
    public var status: String?
    /// A staff handle or address; `me` is the actor.
    public var owner: String?
    public var unowned = false
    public var requestor: String?
    public var search: String?
    public var auto = false
    /// `N` or `A-B`.
    public var priority: String?
    public var type: String?
    public var organisation: String?
    public var asset: String?
    public var waiting: String?
    public var level: String?
    public var sla: String?
    /// `NAME=VALUE` each.
    public var fields: [String] = []
    public var externalRef: String?
    /// `due,-priority,field.node`.
    public var sort: String?
    public var limit: Int?
    /// Tickets skipped first: the page further on.
    public var offset = 0

    public init() {}

    /// The option names `suport list` takes, as a web form's fields name them too.
    public static let optionNames = ["queue", "status", "owner", "unowned", "requestor", "search", "auto", "priority", "type", "org",
                                     "asset", "waiting", "level", "sla", "field", "ref", "sort", "limit"]

    /// Sets one option by its `suport list` name; a flag takes nil (or any value but "false").
    /// Returns false for a name that is no list option.
    @discardableResult
    public mutating func set(_ name: String, _ value: String?) -> Bool {
        let flag = value.map { $0.lowercased() != "false" } ?? true
        switch name {
        case "queue": queue = value
        case "status": status = value
        case "owner": owner = value
        case "unowned": unowned = flag
        case "requestor": requestor = value
        case "search": search = value
        case "auto": auto = flag
        case "priority": priority = value
        case "type": type = value
        case "org": organisation = value
        case "asset": asset = value
        case "waiting": waiting = value
        case "level": level = value
        case "sla": sla = value
        case "field": if let value { fields.append(value) }
        case "ref": externalRef = value
        case "sort": sort = value
        case "limit": limit = value.flatMap { Int($0) }
        default: return false
        }
        return true
    }

    /// A saved view's arguments (`--owner me --sla red`), read as `suport list` reads them.
    public init(arguments: [String]) throws {
        var i = 0
        while i < arguments.count {
            let word = arguments[i]
            guard word.hasPrefix("--") else { throw CommandError.invalidOption("a view holds list options, not \(word.debugDescription)") }
            var name = String(word.dropFirst(2)), value: String?
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            } else if !["unowned", "auto"].contains(name) {
                guard i + 1 < arguments.count else { throw CommandError.invalidOption("--\(name) needs a value") }
                i += 1
                value = arguments[i]
            }
            guard set(name, value) else { throw CommandError.invalidOption("no list option --\(name)") }
            i += 1
        }
    }

    /// This query, with a saved view's filling in what this one leaves out.
    public func over(_ base: ListQuery) -> ListQuery {
        var m = self
        m.queue = queue ?? base.queue
        m.status = status ?? base.status
        m.owner = owner ?? base.owner
        m.unowned = unowned || base.unowned
        m.requestor = requestor ?? base.requestor
        m.search = search ?? base.search
        m.auto = auto || base.auto
        m.priority = priority ?? base.priority
        m.type = type ?? base.type
        m.organisation = organisation ?? base.organisation
        m.asset = asset ?? base.asset
        m.waiting = waiting ?? base.waiting
        m.level = level ?? base.level
        m.sla = sla ?? base.sla
        m.fields = base.fields + fields
        m.externalRef = externalRef ?? base.externalRef
        m.sort = sort ?? base.sort
        m.limit = limit ?? base.limit
        return m
    }

    /// The store's filter; every name is checked against the configuration first.
    public func filter(policy: DeskPolicy, actor: String?) throws -> TicketFilter {
        var f = TicketFilter()
        if let queue, policy.queue(named: queue) == nil { throw DeskError.unknownQueue(queue) }
        f.queue = queue
        f.statuses = try StatusList.parse(status)
        if let owner {
            let who = owner.lowercased() == "me" ? (actor ?? "") : owner
            guard let staff = policy.staff(who) else { throw DeskError.unknownStaff(who) }
            f.owner = staff.id
        }
        f.unowned = unowned
        f.requestor = requestor
        f.search = search
        f.auto = auto
        if let priority {
            let bounds = priority.split(separator: "-").compactMap { Int($0) }
            guard (1...2).contains(bounds.count), let a = bounds.first, let b = bounds.last, a <= b else {
                throw CommandError.invalidOption("--priority takes N or A-B, as in 5-10")
            }
            f.priority = a...b
        }
        if let sort {
            let numeric = Set(policy.queues.flatMap(\.fields).filter { $0.kind == .number }.map(\.name))
            guard let keys = SortKey.parse(sort, numericFields: numeric) else {
                throw CommandError.invalidOption("--sort takes \(SortKey.allCases.map(\.rawValue).joined(separator: ", ")) or field.NAME, comma-separated, '-' for descending")
            }
            f.sort = keys
        }
        f.type = type
        f.organisation = organisation
        f.asset = asset
        if let waiting {
            guard let w = WaitingFor.named(waiting) else { throw DeskError.unknownWaiting(waiting) }
            f.waitingFor = w
        }
        if let level {
            guard let l = policy.level(named: level) else { throw DeskError.unknownLevel(level, levels: policy.levels.map(\.name)) }
            f.level = l.name
            f.firstLevel = policy.levels.first?.name
        }
        if let sla {
            guard let state = SLAState(rawValue: sla.lowercased()) else { throw CommandError.invalidOption("--sla takes green, yellow or red") }
            f.sla = state
        }
        f.fields = try fields.map { pair in
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else { throw CommandError.invalidOption("--field takes NAME=VALUE") }
            return (String(pair[..<eq]), String(pair[pair.index(after: eq)...]))
        }
        f.externalRef = externalRef
        f.limit = limit ?? 500
        f.offset = max(0, offset)
        return f
    }
}

/// A media type from a file name, for attachments sent from the CLI.
public enum MediaTypes {
    static let byExtension = ["pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
                              "gif": "image/gif", "txt": "text/plain", "csv": "text/csv", "zip": "application/zip",
                              "html": "text/html", "json": "application/json", "log": "text/plain", "eml": "message/rfc822"]

    public static func guess(_ path: String) -> String {
        byExtension[URL(fileURLWithPath: path).pathExtension.lowercased()] ?? "application/octet-stream"
    }
}

extension Desk {
    /// A saved view's `suport list` arguments: the database's, else the configuration's `[views]`.
    public func savedView(_ name: String) throws -> [String] {
        if let saved = try store.views().first(where: { $0.name == name }) { return saved.arguments }
        if let configured = policy.views[name] { return configured.split(whereSeparator: \.isWhitespace).map(String.init) }
        throw CommandError.invalidOption("no view \(name.debugDescription) (suport view list)")
    }
}

/// The change "set FIELD VALUE" asks for (`value` nil: unset), as the CLI and the web desk
/// name fields: a field of every ticket by name, else a custom field of the ticket's queue.
public enum FieldChange {
    public static func parse(_ field: String, _ value: String?, policy: DeskPolicy) throws -> TicketChange {
        switch field.lowercased() {
        case "type": return .type(value)
        case "due":
            guard let value else { return .due(nil) }
            guard let date = TimeRules.moment(value, in: policy.displayZone) else { throw DeskError.invalidMoment(value) }
            return .due(date)
        case "reference", "ref", "external-ref": return .externalRef(value)
        case "waiting", "waiting-for":
            guard let value, !["nobody", "none", "-"].contains(value.lowercased()) else { return .waitingFor(nil) }
            guard let w = WaitingFor.named(value) else { throw DeskError.unknownWaiting(value) }
            return .waitingFor(w)
        case "org", "organisation", "organization": return .organisation(value)
        case "asset":
            guard let value else { throw CommandError.invalidOption("name the asset to take off: unset N asset NAME") }
            return .addAsset(value)
        default:
            let name = field.hasPrefix("field.") ? String(field.dropFirst(6)) : field
            return .field(name, value)
        }
    }
}
