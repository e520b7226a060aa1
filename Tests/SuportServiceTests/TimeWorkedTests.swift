import Foundation
import MIME
import Testing
@testable import SuportService
@testable import Tickets
@testable import TicketStore

@Suite struct TimeWorkedTests {
    @Test(arguments: [("1h30m", 90), ("90m", 90), ("1.5h", 90), ("1,5h", 90), ("2h", 120), ("45", 45), ("1:30", 90), ("2h 15m", 135)])
    func durations(_ text: String, _ minutes: Int) {
        #expect(WorkDuration.minutes(text) == minutes)
    }

    @Test(arguments: ["", "0", "-5", "h", "1x", "1:75", "abc", "1h30"])
    func notDurations(_ text: String) {
        #expect(WorkDuration.minutes(text) == nil)
    }

    @Test func entriesTotalsBillingAndRemoval() throws {
        let f = try Fixture(policy: emailPolicy())
        _ = try f.file(firstMail)
        _ = try f.change(.addTime(TimeEntry(minutes: 90, day: "2026-11-30", note: "diagnosi")), 311, actor: "anna")
        _ = try f.change(.billable(false), 311, actor: "anna")
        _ = try f.change(.addTime(TimeEntry(minutes: 30, day: "2026-12-01")), 311, actor: "pere")
        _ = try f.change(.addTime(TimeEntry(minutes: 15, day: "2026-12-01", billable: true)), 311, actor: "pere")
        let t = try #require(try f.store.ticket(311))
        #expect(t.minutesWorked == 135 && !t.billable)
        let entries = try f.store.timeEntries(ticket: 311, from: nil, to: nil)
        #expect(entries.map { "\($0.staff) \($0.minutes) \($0.billable)" } == ["anna 90 true", "pere 30 false", "pere 15 true"])
        // Only the author (or an admin) removes an entry.
        #expect(throws: DeskError.notYourTimeEntry(entries[0].id, "anna")) { try f.change(.removeTime(entries[0].id), 311, actor: "pere") }
        _ = try f.change(.removeTime(entries[1].id), 311, actor: "pere")
        #expect(try f.store.ticket(311)?.minutesWorked == 105)
        #expect(try f.store.history(311).filter { $0.kind.hasPrefix("time") }.map(\.kind) == ["time-added", "time-added", "time-added", "time-removed"])
        #expect(throws: DeskError.invalidDay("2026-02-30")) { try f.change(.addTime(TimeEntry(minutes: 5, day: "2026-02-30")), 311) }
        // A report counts what was worked on the days asked for.
        let december = TimeTotalsView.totals(try f.store.timeEntries(ticket: nil, from: "2026-12-01", to: "2026-12-31"))
        #expect(december == [("pere", 15, 15)].map { "\($0.0) \($0.1) \($0.2)" })
    }

    @Test func aStaffMemberLogsTimeByEmail() throws {
        let f = try Fixture(policy: emailPolicy())
        _ = try f.file(firstMail)
        _ = try f.staffMail("Temps: 1h30m revisió del node\n\nHem revisat el node.")
        let entry = try #require(try f.store.timeEntries(ticket: 311, from: nil, to: nil).first)
        #expect(entry.staff == "anna" && entry.minutes == 90 && entry.note == "revisió del node" && entry.day == TimeRules.day(Date()))
        let text = try #require(try f.noticeText("correspondence", to: "nuria@example.cat"))
        #expect(!text.contains("Temps"))
    }
}

/// The report's sums, as lines "staff minutes billable".
enum TimeTotalsView {
    static func totals(_ entries: [TimeRecord]) -> [String] {
        TimeReport(entries: entries, tickets: [:]).byStaff.map { "\($0.key) \($0.minutes) \($0.billable)" }
    }
}
