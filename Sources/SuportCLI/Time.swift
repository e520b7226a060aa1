import ArgumentParser
import Foundation
import MIME
import SuportService
import Tickets
import TicketStore

struct TimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "time", abstract: "Time worked on a ticket: add DURATION (1h30m, 90m, 1.5h, 1:30), list, remove ID (your own).",
        usage: "suport time N add DURATION [--date D] [--billable|--not-billable] [-m NOTE]\n       suport time N list [--json]\n       suport time N remove ID")
    @OptionGroup var options: DeskOptions
    @Argument(help: "The ticket number.") var number: Int
    @Argument(help: "add, list or remove.") var action: String
    @Argument(help: "The duration (add) or the entry's id (remove).") var value: String?
    @Option(help: "The day worked, YYYY-MM-DD (default: today).") var date: String?
    @Flag(help: "Billed (default: as the ticket is).") var billable = false
    @Flag(name: .customLong("not-billable"), help: "Not billed.") var notBillable = false
    @Option(name: .shortAndLong, help: "A note.") var message: String?
    @Flag(help: "Print JSON (list).") var json = false

    func run() throws {
        switch action {
        case "add":
            guard let value, let minutes = WorkDuration.minutes(value) else {
                throw ValidationError("\((value ?? "").debugDescription) is not a duration (1h30m, 90m, 1.5h)")
            }
            guard !(billable && notBillable) else { throw ValidationError("--billable or --not-billable, not both") }
            let flag: Bool? = billable ? true : notBillable ? false : nil
            try perform(options, number) { _ in
                .addTime(TimeEntry(minutes: minutes, day: date ?? TimeRules.day(Date()), billable: flag, note: message))
            }
        case "remove":
            guard let value, let id = Int64(value) else { throw ValidationError("give the entry's id (suport time N list)") }
            try perform(options, number) { _ in .removeTime(id) }
        case "list":
            try options.run { desk in
                guard let ticket = try desk.store.ticket(number) else { throw DeskError.unknownTicket(number) }
                let entries = try desk.store.timeEntries(ticket: number, from: nil, to: nil)
                if json {
                    print(JSONValue.array(entries.map(Views.json)).rendered())
                } else {
                    print(entries.isEmpty ? "No time recorded." : Views.table(["ID", "DAY", "STAFF", "TIME", "BILLABLE", "NOTE"], entries.map {
                        [String($0.id), $0.day, $0.staff, WorkDuration.text($0.minutes), $0.billable ? "yes" : "no", $0.note ?? ""]
                    }))
                    print("Total: \(WorkDuration.text(ticket.minutesWorked)) (the ticket is \(ticket.billable ? "billable" : "not billable"))")
                }
            }
        default:
            throw ValidationError("add, list or remove, not \(action.debugDescription)")
        }
    }
}

struct Billable: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "billable", abstract: "Whether a ticket's time is billed: yes or no.")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Argument var value: String
    func run() throws {
        guard let b = ["yes": true, "no": false, "si": true, "sí": true][value.lowercased()] else { throw ValidationError("say yes or no") }
        try perform(options, number) { _ in .billable(b) }
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Reports.", subcommands: [TimeReport.self])
}

struct TimeReport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "time",
                                                    abstract: "Time worked between two days, by staff member and billable flag, ready for invoicing.")
    @OptionGroup var options: DeskOptions
    @Option(help: "The first day, YYYY-MM-DD.") var from: String
    @Option(help: "The last day, YYYY-MM-DD.") var to: String
    @Option(help: "Only this staff member.") var staff: String?
    @Option(help: "Only tickets of this queue.") var queue: String?
    @Option(help: "Only tickets of this organisation.") var org: String?
    @Option(help: "Only tickets about this asset.") var asset: String?
    @Flag(help: "Print CSV.") var csv = false
    @Flag(help: "Print JSON.") var json = false
    func run() throws {
        try options.run { desk in
            let report = try desk.timeReport(from: from, to: to, staff: staff, queue: queue, organisation: org, asset: asset)
            func totals(_ name: String, _ list: [SuportService.TimeReport.Total]) -> JSONValue {
                .array(list.map { .object([(name, .string($0.key)), ("minutes", .int($0.minutes)), ("billableMinutes", .int($0.billable))]) })
            }
            if json {
                print(JSONValue.object([
                    ("from", .string(from)), ("to", .string(to)), ("minutes", .int(report.total)),
                    ("billableMinutes", .int(report.billable)), ("byStaff", totals("staff", report.byStaff)),
                    ("byOrganisation", totals("organisation", report.byOrganisation)), ("byAsset", totals("asset", report.byAsset)),
                    ("entries", .array(report.entries.map(Views.json))),
                ]).rendered())
            } else if csv {
                print("day,ticket,queue,organisation,assets,staff,minutes,billable,note")
                func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
                for e in report.entries {
                    let t = report.tickets[e.ticket]
                    print([e.day, String(e.ticket), report.queue(of: e), quoted(t?.organisation ?? ""), quoted(t?.assets.joined(separator: ";") ?? ""),
                           e.staff, String(e.minutes), e.billable ? "yes" : "no", quoted(e.note ?? "")].joined(separator: ","))
                }
            } else {
                func rows(_ list: [SuportService.TimeReport.Total]) -> [[String]] {
                    list.map { [$0.key, WorkDuration.text($0.minutes), WorkDuration.text($0.billable), WorkDuration.text($0.minutes - $0.billable)] }
                }
                let total = ["total", WorkDuration.text(report.total), WorkDuration.text(report.billable), WorkDuration.text(report.total - report.billable)]
                print(Views.table(["STAFF", "TIME", "BILLABLE", "NOT BILLABLE"], rows(report.byStaff) + [total]))
                if report.byOrganisation.contains(where: { $0.key != "-" }) {
                    print("")
                    print(Views.table(["ORGANISATION", "TIME", "BILLABLE", "NOT BILLABLE"], rows(report.byOrganisation)))
                }
                if report.byAsset.contains(where: { $0.key != "-" }) {
                    print("")
                    print(Views.table(["ASSET", "TIME", "BILLABLE", "NOT BILLABLE"], rows(report.byAsset)))
                }
            }
        }
    }
}
