import Foundation
import MIME

/// The command lines a staff member may begin a reply or comment with (`Status: resolved`,
/// `Cua: treasury`, `Watch`), read into desk changes. Keys and values are case-insensitive,
/// with Catalan and Spanish aliases. The block ends at the first line that is not a command;
/// the rest is the text that goes on to the requestors.
public struct MailCommands: Sendable, Equatable {
    /// One command line as written, and the change it asks for or why it cannot be read.
    public struct Line: Sendable, Equatable {
        public let text: String
        public let change: Result<TicketChange, DeskError>
    }

    public let lines: [Line]
    /// The text after the command block.
    public let rest: String

    /// Reads the command block at the top of `text`; `actor` is the handle `Owner: me` names.
    public static func read(_ text: String, actor: String, day: String = TimeRules.day(Date()), zone: TimeZone = .current) -> MailCommands {
        // A browser's form sends CRLF, one Character in Swift: lines are split on LF alone.
        let text = text.contains("\r\n") ? text.replacingOccurrences(of: "\r\n", with: "\n") : text
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        while let first = lines.first, first.allSatisfy(\.isWhitespace) { lines = lines.dropFirst() }
        var commands: [Line] = []
        while let first = lines.first, let change = command(first.trimmingSpaces(), actor: actor, day: day, zone: zone) {
            commands.append(Line(text: first.trimmingSpaces(), change: change))
            lines = lines.dropFirst()
        }
        guard !commands.isEmpty else { return MailCommands(lines: [], rest: text) }
        while let first = lines.first, first.allSatisfy(\.isWhitespace) { lines = lines.dropFirst() }
        return MailCommands(lines: commands, rest: lines.joined(separator: "\n"))
    }

    /// Whether a line asks to finish the ticket (resolve or reject it).
    public var finishes: Bool {
        lines.contains { if case .success(.status(let s)) = $0.change { s.isInactive } else { false } }
    }

    /// Applies the lines one by one against the ticket as the earlier ones left it, each
    /// meeting the CLI's rules; a line that fails changes nothing and is returned with why.
    /// `blocker` is what keeps the ticket from being finished, as from the CLI.
    public func apply(to op: inout TicketOperation, by staff: Staff, policy: DeskPolicy, blocker: DeskError?,
                      via: String = "by email") -> [(line: Line, error: DeskError)] {
        var failures: [(line: Line, error: DeskError)] = []
        for line in lines {
            do throws(DeskError) {
                let change = try line.change.get()
                // After `Queue: treasury`, only treasury's staff (or an admin) may go on.
                if let ticket = op.after {
                    _ = try Authorization.staff(staff.id, on: ticket, policy: policy)
                    try Authorization.check(change, on: ticket, policy: policy)
                    if case .status(let s) = change, s.isInactive, let blocker { throw blocker }
                }
                try ChangeRules.apply(change, to: &op, by: staff, comment: "\(via): \(line.text)", policy: policy)
            } catch {
                failures.append((line, error))
            }
        }
        return failures
    }

    enum Key { case status, queue, owner, priority, title, requestor, cc, time, type, due, reference, waiting, level, field }

    /// Keys and their aliases, lowercased.
    static let keys: [String: Key] = [
        "status": .status, "estat": .status, "estado": .status,
        "queue": .queue, "cua": .queue, "cola": .queue,
        "owner": .owner, "responsable": .owner, "propietari": .owner, "propietario": .owner,
        "priority": .priority, "prioritat": .priority, "prioridad": .priority,
        "title": .title, "títol": .title, "titol": .title, "título": .title, "titulo": .title,
        "requestor": .requestor, "requester": .requestor, "sol·licitant": .requestor, "sol.licitant": .requestor,
        "solicitant": .requestor, "solicitante": .requestor,
        "cc": .cc,
        "time": .time, "temps": .time, "tiempo": .time,
        "type": .type, "tipus": .type, "tipo": .type,
        "due": .due, "termini": .due, "plazo": .due, "venciment": .due, "vencimiento": .due,
        "reference": .reference, "ref": .reference, "referència": .reference, "referencia": .reference,
        "waiting": .waiting, "waiting for": .waiting, "esperant": .waiting, "esperando": .waiting, "espera": .waiting,
        "level": .level, "nivell": .level, "nivel": .level,
        "field": .field, "camp": .field, "campo": .field,
    ]
    static let escalateWords: Set<String> = ["escalate", "escala", "escalar", "escalada"]
    /// What clears a field: `Type: none`, `Termini: cap`.
    static let noneWords: Set<String> = ["none", "nothing", "-", "cap", "ningun", "ninguno", "ninguna", "res", "nada"]
    /// An admin's verdict on a closed task: `Approve`, or `Send back: why`.
    static let approveWords: Set<String> = ["approve", "approved", "aprova", "aprovat", "aprovada", "vist i plau", "aprobar", "aprueba",
                                            "aprobado", "aprobada", "visto bueno"]
    static let sendBackWords: Set<String> = ["send back", "sent back", "retorna", "retorna-la", "torna-la", "devuelve", "devolver", "devuélvela"]
    static let watchWords: Set<String> = ["watch", "vigila", "vigilar", "segueix", "seguir"]
    static let unwatchWords: Set<String> = ["unwatch", "no vigilis", "deixa de vigilar", "deja de vigilar", "dejar de seguir", "deixa de seguir"]

    /// Status names as people write them: ours, and the Catalan and Spanish adjectives.
    static let statusNames: [String: Status] = [
        "new": .new, "nou": .new, "nova": .new, "nuevo": .new, "nueva": .new,
        "open": .open, "obert": .open, "oberta": .open, "abierto": .open, "abierta": .open,
        "stalled": .stalled, "en espera": .stalled, "aturat": .stalled, "aturada": .stalled, "parado": .stalled, "parada": .stalled,
        "resolved": .resolved, "resolt": .resolved, "resolta": .resolved, "resuelto": .resolved, "resuelta": .resolved,
        "rejected": .rejected, "rebutjat": .rejected, "rebutjada": .rejected, "rechazado": .rejected, "rechazada": .rejected,
    ]

    /// The change one line asks for, a failure for a command that cannot be read, or nil
    /// when the line is not a command at all.
    static func command(_ line: String, actor: String, day: String, zone: TimeZone) -> Result<TicketChange, DeskError>? {
        let lower = line.lowercased()
        let word = lower.trimmingCharacters(in: [".", ":", " "])
        if watchWords.contains(word) { return .success(.watch(actor)) }
        if escalateWords.contains(word) { return .success(.escalate(nil)) }
        if unwatchWords.contains(word) { return .success(.unwatch(actor)) }
        if approveWords.contains(word) { return .success(.review(approved: true, note: nil)) }
        if sendBackWords.contains(word) { return .success(.review(approved: false, note: nil)) }
        if let colon = line.firstIndex(of: ":"), sendBackWords.contains(line[..<colon].trimmingSpaces().lowercased()) {
            let why = line[line.index(after: colon)...].trimmingSpaces()
            return .success(.review(approved: false, note: why.isEmpty ? nil : why))
        }
        guard let colon = line.firstIndex(of: ":"), let key = keys[line[..<colon].trimmingSpaces().lowercased()] else { return nil }
        let value = line[line.index(after: colon)...].trimmingSpaces()
        let folded = value.lowercased()
        switch key {
        case .status:
            guard let status = statusNames[folded] else { return .failure(.unknownStatus(value)) }
            return .success(.status(status))
        case .queue:
            return .success(.queue(folded))
        case .owner:
            // `Owner: +pere` shares the work, `Owner: -pere` takes them off.
            if let sign = value.first, sign == "+" || sign == "-" {
                var who = value.dropFirst().trimmingSpaces().lowercased()
                if ["me", "jo", "yo"].contains(who) { who = actor }
                return .success(sign == "+" ? .addOwner(who) : .removeOwner(who))
            }
            if ["me", "jo", "yo"].contains(folded) { return .success(.owner(actor)) }
            if ["nobody", "none", "ningú", "ningu", "nadie", "ninguno"].contains(folded) { return .success(.owner(nil)) }
            return .success(.owner(folded))
        case .priority:
            guard let p = Int(value) else { return .failure(.notANumber(value)) }
            return .success(.priority(p))
        case .title:
            return .success(.title(value))
        case .time:
            // `Time: 1h30m`, optionally with a note after the duration.
            let duration = value.prefix { !$0.isWhitespace }
            guard let minutes = WorkDuration.minutes(String(duration)) else { return .failure(.notANumber(String(duration))) }
            let note = value.dropFirst(duration.count).trimmingSpaces()
            return .success(.addTime(TimeEntry(minutes: minutes, day: day, note: note.isEmpty ? nil : note)))
        case .type:
            return .success(.type(noneWords.contains(folded) ? nil : value))
        case .due:
            if noneWords.contains(folded) { return .success(.due(nil)) }
            guard let date = TimeRules.moment(value, in: zone) else { return .failure(.invalidMoment(value)) }
            return .success(.due(date))
        case .reference:
            return .success(.externalRef(noneWords.contains(folded) ? nil : value))
        case .waiting:
            if noneWords.contains(folded) { return .success(.waitingFor(nil)) }
            guard let w = WaitingFor.named(value) else { return .failure(.unknownWaiting(value)) }
            return .success(.waitingFor(w))
        case .level:
            return .success(.escalate(value))
        case .field:
            // `Field: node = terrat`; nothing after the '=' clears it.
            guard let eq = value.firstIndex(of: "=") else { return .failure(.invalidField(value, "write Field: name = value")) }
            let name = value[..<eq].trimmingSpaces()
            let v = value[value.index(after: eq)...].trimmingSpaces()
            return .success(.field(name, v.isEmpty ? nil : v))
        case .requestor, .cc:
            guard let sign = value.first, sign == "+" || sign == "-" else {
                return .failure(.invalidAddress("\(value) (write +address to add, -address to remove)"))
            }
            let rest = value.dropFirst().trimmingSpaces()
            if sign == "-" { return .success(key == .requestor ? .removeRequestor(rest) : .removeCc(rest)) }
            guard let address = Address.parseList(rest).first else { return .failure(.invalidAddress(rest)) }
            return .success(key == .requestor ? .addRequestor(address) : .addCc(address))
        }
    }
}
