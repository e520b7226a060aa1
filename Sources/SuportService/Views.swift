import Foundation
import MIME
import Tickets
import TicketStore

/// How tickets, history and the outbox are shown: aligned tables for people, JSON for scripts.
public enum Views {
    public static func time(_ d: Date) -> String { MessageReport.utcTimestamp(d) }

    public static func json(_ t: TicketRecord, tag: SubjectTag, now: Date = Date()) -> JSONValue {
        .object([
            ("number", .int(t.number)), ("tag", .string(tag.tag(for: t.number))), ("title", .string(t.title)),
            ("queue", .string(t.queue)), ("status", .string(t.status.rawValue)), ("owner", .string(t.owner)),
            ("priority", .int(t.priority)),
            ("requestors", .array(t.requestors.map { .object([("name", .string($0.name)), ("address", .string($0.address))]) })),
            ("ccs", .array(t.ccs.map { .object([("name", .string($0.name)), ("address", .string($0.address))]) })),
            ("watchers", .array(t.watchers.map { .string($0.address) })), ("auto", .bool(t.autoFiled)),
            ("approval", .string(t.approval?.rawValue)), ("billable", .bool(t.billable)), ("minutesWorked", .int(t.minutesWorked)),
            ("type", .string(t.type)), ("owners", .array(t.owners.map { .string($0) })), ("due", .string(t.effectiveDue.map(time))),
            ("dueSetByStaff", .bool(t.due != nil)), ("sla", .string(t.sla.state(at: now).map(\.rawValue))),
            ("slaPolicy", .string(t.sla.policy)), ("slaPaused", .bool(t.sla.pausedSince != nil && !t.status.isInactive)),
            ("firstResponseDue", .string(t.sla.responseDue.map(time))), ("firstResponse", .string(t.sla.firstResponse.map(time))),
            ("externalRef", .string(t.externalRef)), ("waitingFor", .string(t.waitingFor?.rawValue)), ("level", .string(t.level)),
            ("organisation", .string(t.organisation)), ("assets", .array(t.assets.map { .string($0) })),
            ("fields", .object(t.fields.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("mergedInto", t.mergedInto.map { .int($0) } ?? .null),
            ("created", .string(time(t.created))), ("updated", .string(time(t.updated))), ("resolved", .string(t.resolved.map(time))),
        ])
    }

    /// The SLA column: the colour, "paused" while the clock is stopped, "-" without a deadline.
    public static func slaCell(_ t: TicketRecord, now: Date) -> String {
        if t.status.isInactive { return "-" }
        let state = t.sla.state(at: now)?.rawValue
        if t.sla.pausedSince != nil, t.due == nil, t.sla.policy != nil { return state.map { "\($0), paused" } ?? "paused" }
        return state ?? "-"
    }

    /// A deadline in a list: its day and time in the zone deadlines are read in.
    static func dueCell(_ date: Date?, zone: TimeZone) -> String {
        guard let date else { return "-" }
        return String(TimeRules.stamp(date, in: zone).prefix(16))
    }

    public static func json(_ h: HistoryEntry) -> JSONValue {
        .object([
            ("id", .int(Int(h.id))), ("at", .string(time(h.at))), ("actor", .string(h.actor)), ("kind", .string(h.kind)),
            ("old", .string(h.oldValue)), ("new", .string(h.newValue)), ("message", h.message.map { .int(Int($0)) } ?? .null),
            ("note", .string(h.note)),
        ])
    }

    public static func json(_ t: TimeRecord) -> JSONValue {
        .object([
            ("id", .int(Int(t.id))), ("ticket", .int(t.ticket)), ("day", .string(t.day)), ("staff", .string(t.staff)),
            ("minutes", .int(t.minutes)), ("billable", .bool(t.billable)), ("note", .string(t.note)),
        ])
    }

    public static func json(_ a: AttachmentRecord) -> JSONValue {
        .object([
            ("id", .int(Int(a.id))), ("filename", .string(a.filename)), ("contentType", .string(a.contentType)),
            ("size", .int(a.size)), ("inline", .bool(a.isInline)), ("sha256", .string(a.sha256)),
        ])
    }

    public static func json(_ o: OutboxEntry) -> JSONValue {
        .object([
            ("id", .int(Int(o.id))), ("ticket", o.ticket.map { .int($0) } ?? .null), ("template", .string(o.template)),
            ("recipient", .string(o.recipient)), ("messageId", .string(o.messageID)), ("state", .string(o.state.rawValue)),
            ("attempts", .int(o.attempts)), ("nextAttempt", .string(time(o.nextAttempt))), ("lastError", .string(o.lastError)),
            ("created", .string(time(o.created))), ("sent", .string(o.sent.map(time))),
            ("author", .string(o.author)), ("heldUntil", .string(o.heldUntil.map(time))),
            ("claimedBy", .string(o.claimedBy)), ("claimedUntil", .string(o.claimedUntil.map(time))),
        ])
    }

    public static func json(_ f: FailedIntake) -> JSONValue {
        .object([
            ("id", .int(Int(f.id))), ("mailbox", .string(f.mailbox)), ("uidValidity", .int(Int(f.uidValidity))), ("uid", .int(Int(f.uid))),
            ("size", .int(f.size)), ("sender", .string(f.sender)), ("subject", .string(f.subject)), ("error", .string(f.error)),
            ("failed", .string(time(f.failed))), ("sha256", .string(f.sha256)),
        ])
    }

    /// Columns padded to their widest cell; the last column is not padded.
    public static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0.indices.contains(i) ? $0[i].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }

    public static func list(_ tickets: [TicketRecord], tag: SubjectTag, zone: TimeZone = .current, now: Date = Date()) -> String {
        if tickets.isEmpty { return "No tickets." }
        return table(["TICKET", "QUEUE", "STATUS", "OWNER", "REQUESTOR", "PRI", "SLA", "DUE", "TITLE"], tickets.map {
            [tag.tag(for: $0.number), $0.queue, $0.status.rawValue, $0.owners.isEmpty ? "-" : $0.owners.joined(separator: ","),
             $0.requestors.first?.address ?? "-", String($0.priority), slaCell($0, now: now), dueCell($0.effectiveDue, zone: zone), $0.title]
        })
    }

    public static func show(_ t: TicketRecord, tag: SubjectTag, attachments: [AttachmentRecord], zone: TimeZone = .current,
                            now: Date = Date()) -> String {
        var lines = [
            "\(tag.tag(for: t.number)) \(t.title)",
            "Queue:      \(t.queue)",
            "Status:     \(t.status.rawValue)",
            "Owner:      \(t.owner ?? "nobody")\(t.coOwners.isEmpty ? "" : " (with \(t.coOwners.joined(separator: ", ")))")",
            "Priority:   \(t.priority)",
            "Requestors: \(t.requestors.map(\.description).joined(separator: ", "))",
        ]
        if let v = t.type { lines.append("Type:       \(v)") }
        if let v = t.organisation { lines.append("Org:        \(v)") }
        if !t.assets.isEmpty { lines.append("Assets:     \(t.assets.joined(separator: ", "))") }
        if let v = t.externalRef { lines.append("Reference:  \(v)") }
        if let v = t.waitingFor { lines.append("Waiting:    for \(v.rawValue)") }
        if let v = t.level { lines.append("Level:      \(v)") }
        if let due = t.effectiveDue {
            lines.append("Due:        \(TimeRules.stamp(due, in: zone))\(t.due == nil ? " (SLA \(t.sla.policy ?? ""))" : " (set by staff)")")
        }
        if let r = t.sla.responseDue { lines.append("Answer by:  \(TimeRules.stamp(r, in: zone)) (first response)") }
        if t.sla.policy != nil || t.due != nil { lines.append("SLA:        \(slaCell(t, now: now))") }
        for (name, value) in t.fields.sorted(by: { $0.key < $1.key }) { lines.append("\((name + ":").padding(toLength: 11, withPad: " ", startingAt: 0)) \(value)") }
        if !t.ccs.isEmpty { lines.append("Ccs:        \(t.ccs.map(\.description).joined(separator: ", "))") }
        if !t.watchers.isEmpty { lines.append("Watchers:   \(t.watchers.map(\.description).joined(separator: ", "))") }
        if let a = t.approval { lines.append("Approval:   \(a.rawValue)") }
        if let m = t.mergedInto { lines.append("Merged:     into \(tag.tag(for: m)) (mail to this number joins it)") }
        if t.autoFiled { lines.append("Auto:       auto-generated mail, filed without telling anyone") }
        if t.minutesWorked > 0 || !t.billable {
            lines.append("Time:       \(WorkDuration.text(t.minutesWorked)) worked\(t.billable ? "" : ", not billable")")
        }
        lines.append("Created:    \(time(t.created))")
        lines.append("Updated:    \(time(t.updated))")
        if let r = t.resolved { lines.append("Resolved:   \(time(r))") }
        for a in attachments {
            lines.append("Attachment: \(a.id) \(a.filename ?? "(no name)") \(a.contentType) \(a.size) bytes")
        }
        return lines.joined(separator: "\n")
    }

    public static func history(_ entries: [HistoryEntry], text: (Int64) -> String?) -> String {
        entries.map { h in
            var line = "\(time(h.at))  \(h.actor)  \(h.kind)"
            if h.oldValue != nil || h.newValue != nil { line += ": \(h.oldValue ?? "-") → \(h.newValue ?? "-")" }
            if let note = h.note { line += "  (\(note))" }
            if let m = h.message { line += "  [message \(m)]" }
            if let m = h.message, let body = text(m), !body.isEmpty {
                line += "\n" + body.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
            }
            return line
        }.joined(separator: "\n")
    }

    public static func outbox(_ entries: [OutboxEntry], tag: SubjectTag) -> String {
        if entries.isEmpty { return "The outbox is empty." }
        let now = Date()
        return table(["ID", "TICKET", "STATE", "TRIES", "TEMPLATE", "RECIPIENT", "ERROR"], entries.map {
            let held = $0.state == .pending && ($0.heldUntil.map { $0 > now } ?? false)
            // In a daemon's hands: which one, for an operator running several.
            let claimed = $0.state == .pending && ($0.claimedUntil.map { $0 > now } ?? false)
            let state = held ? "held" : claimed ? "sending" : $0.state.rawValue
            let note = held ? "until \(time($0.heldUntil!)), by \($0.author ?? "?")"
                : claimed ? "claimed by \($0.claimedBy ?? "?") until \(time($0.claimedUntil!))" : $0.lastError ?? ""
            return [String($0.id), $0.ticket.map { tag.tag(for: $0) } ?? "-", state, String($0.attempts), $0.template, $0.recipient, note]
        })
    }
}
