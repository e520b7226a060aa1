import Foundation
import Hummingbird
import SuportService
import Tickets

/// What a form on the ticket page asks the desk to do.
enum StaffAction: Sendable {
    case change(TicketChange, comment: String?, force: Bool = false)
    /// A canned answer's text, as sent or as edited: its command lines apply with it.
    case canned(name: String, text: String)
    case task(owner: String, due: Date?, title: String?, text: String)
    case draftArticle
    case merge(into: Int)
    case withdraw(outbox: Int64)
    case revokeLinks
}

/// A form that does not say what it asks, in words for the page.
struct FormProblem: Error, CustomStringConvertible {
    let description: String
}

extension WebDesk {
    /// Reads one ticket form (`POST /tickets/N/ACTION`) into the desk call it asks for. The
    /// names match the CLI's: `set` takes the fields `suport set` takes.
    static func action(_ name: String, _ form: Form, policy: DeskPolicy) throws -> StaffAction {
        let comment = form["comment"]
        func value(_ key: String = "value") throws -> String {
            guard let v = form[key] else { throw FormProblem(description: "the form left \(key) empty") }
            return v
        }
        switch name {
        case "reply":
            if let name = form["canned"] { return .canned(name: name, text: form.raw("text") ?? "") }
            return .change(.reply(text: form.raw("text") ?? "", attachments: form.files), comment: nil)
        case "comment": return .change(.comment(text: form.raw("text") ?? "", attachments: form.files), comment: nil)
        case "status":
            let v = try value()
            guard let status = Status(rawValue: v) else { throw CommandError.unknownStatus(v) }
            return .change(.status(status), comment: comment, force: form["force"] == "yes")
        case "queue": return .change(.queue(try value()), comment: comment)
        case "owner": return .change(.owner(form["value"]), comment: comment)
        case "add-owner": return .change(.addOwner(try value()), comment: comment)
        case "remove-owner": return .change(.removeOwner(try value()), comment: comment)
        case "title": return .change(.title(try value()), comment: comment)
        case "priority":
            guard let p = Int(try value()) else { throw FormProblem(description: "a priority is a number from 0 to 10") }
            return .change(.priority(p), comment: comment)
        case "set":
            return .change(try FieldChange.parse(try value("field"), form["value"], policy: policy), comment: comment)
        case "time":
            let text = try value("duration")
            guard let minutes = WorkDuration.minutes(text) else { throw FormProblem(description: "\(text.debugDescription) is not a duration (1h30m, 90m, 1.5h)") }
            let billable: Bool? = switch form["billable"] { case "yes": true; case "no": false; default: nil }
            return .change(.addTime(TimeEntry(minutes: minutes, day: form["day"] ?? TimeRules.day(Date(), in: policy.displayZone),
                                              billable: billable, note: form["note"])), comment: nil)
        case "link", "unlink":
            let kindName = try value("kind")
            guard let kind = LinkKind(rawValue: kindName) else { throw FormProblem(description: "no link kind \(kindName.debugDescription)") }
            guard let other = ticketNumber(try value("other")) else { throw FormProblem(description: "name the other ticket by its number") }
            return .change(name == "link" ? .link(kind, other) : .unlink(kind, other), comment: comment)
        case "merge":
            guard let into = ticketNumber(try value("into")) else { throw FormProblem(description: "name the ticket to merge into by its number") }
            return .merge(into: into)
        case "withdraw":
            guard let id = Int64(try value("outbox")) else { throw FormProblem(description: "no such held reply") }
            return .withdraw(outbox: id)
        case "revoke-links": return .revokeLinks
        case "task":
            let due = try form["due"].map { text in
                guard let date = TimeRules.moment(text, in: policy.displayZone) else { throw DeskError.invalidMoment(text) }
                return date
            }
            return .task(owner: try value("owner"), due: due, title: form["title"], text: form.raw("text") ?? "")
        case "approve": return .change(.review(approved: true, note: form["note"]), comment: nil)
        case "send-back": return .change(.review(approved: false, note: try value("note")), comment: nil)
        case "draft-article": return .draftArticle
        default:
            throw FormProblem(description: "no action \(name.debugDescription)")
        }
    }

    /// A ticket as a person types it: `12`, `#12` or `suport#12`.
    static func ticketNumber(_ text: String) -> Int? {
        Int(text.split(separator: "#").last.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " []")) } ?? "")
    }

    /// A ticket form: the session and its token checked, the action read, the desk asked.
    /// Success goes back to the ticket page (303); a refusal shows it again with the desk's words.
    func staffAction(_ request: Request, number: Int, action name: String) async throws -> Response {
        var reading = request
        let form = try await Form.read(&reading, limit: settings.maxUploadBytes + 64 * 1024)
        guard let token = request.cookies[Self.sessionCookie]?.value else { return .redirect(to: "/login") }
        let desk = self.desk
        return try await blocking { () -> Response in
            guard let s = try desk.staffSession(token: token) else { return .redirect(to: "/login") }
            guard let sent = form["csrf"], AccessRules.same(sent, s.session.csrf) else { return forbidden(request) }
            // A ticket this person may not see answers as one that does not exist.
            guard try visibleTicket(number, s) != nil else { return notFound(request) }
            do {
                let outcome: ChangeOutcome
                switch try Self.action(name, form, policy: desk.policy) {
                case let .change(change, comment, force):
                    outcome = try desk.change(change, ticket: number, actor: s.staff.id, comment: comment, force: force)
                case let .canned(name, text):
                    // The files are the form's, as for any reply.
                    outcome = try desk.reply(ticket: number, text: text, attachments: form.files, via: "canned answer \(name)", actor: s.staff.id)
                case let .task(owner, due, title, text):
                    let task = try desk.addTask(parent: number, owner: owner, due: due, title: title, text: text, actor: s.staff.id)
                    return .redirect(to: "/tickets/\(task.number)?saved=task")
                case .draftArticle:
                    let draft = try desk.draftArticle(fromTicket: number, actor: s.staff.id)
                    return .redirect(to: "/articles/\(draft.id)?saved=draft")
                case .merge(let into):
                    outcome = try desk.merge(number, into: into, actor: s.staff.id)
                case .withdraw(let id):
                    outcome = try desk.withdrawHeld(outbox: id, actor: s.staff.id)
                case .revokeLinks:
                    _ = try desk.revokeLinks(ticket: number, address: nil, actor: s.staff.id)
                    return .redirect(to: "/tickets/\(number)?saved=\(Self.encode(name))")
                }
                logger.info("web change", metadata: ["staff": "\(s.staff.id)", "ticket": "\(number)", "action": "\(name)",
                                                     "notifications": "\(outcome.notifications)"])
                // After a move out of the staff member's queues, the ticket is no longer theirs to see.
                let after = outcome.ticket.mergedInto ?? outcome.ticket.number
                let visible = desk.policy.isStaff(s.staff.id, ofQueue: outcome.ticket.queue)
                return .redirect(to: visible ? "/tickets/\(after)?saved=\(Self.encode(name))" : "/?moved=\(number)")
            } catch {
                return try ticketPage(request, number: number, staff: s, problem: "\(error)", status: .unprocessableContent)
            }
        }
    }
}
