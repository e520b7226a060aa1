import Foundation
import Testing
@testable import Tickets

/// A moment in Madrid time: "2026-12-04 17:00".
func madrid(_ text: String) -> Date { TimeRules.moment(text, in: TimeZone(identifier: "Europe/Madrid")!)! }

let office = BusinessCalendar(name: "office", timeZone: TimeZone(identifier: "Europe/Madrid")!, weekdays: [2, 3, 4, 5, 6],
                              windows: [BusinessCalendar.Window("09:00-14:00")!, BusinessCalendar.Window("15:00-18:00")!],
                              holidays: ["2026-12-08", "2026-12-25"])

@Suite struct BusinessCalendarTests {
    /// (from, business hours to add, expected deadline), all Madrid time.
    static let additions: [(String, Int, String)] = [
        // Within one day, across lunch; a deadline may fall at the end of a stretch.
        ("2026-12-02 10:00", 4 * 60 + 30, "2026-12-02 15:30"),
        ("2026-12-02 10:00", 4 * 60, "2026-12-02 14:00"),
        // Friday afternoon to Monday: the weekend does not count.
        ("2026-12-04 17:00", 2 * 60, "2026-12-07 10:00"),
        // Filed at night: the clock starts when the desk opens.
        ("2026-12-02 22:30", 60, "2026-12-03 10:00"),
        // Monday 7 December + 16 hours: Monday's 8, Tuesday the 8th is a holiday, Wednesday's 8.
        ("2026-12-07 09:00", 16 * 60, "2026-12-09 18:00"),
        // Across the change to winter time (25 October 2026): working hours stay 09–18 local.
        ("2026-10-23 17:00", 2 * 60, "2026-10-26 10:00"),
        // Across the change to summer time (29 March 2026, a Sunday).
        ("2026-03-27 17:30", 60, "2026-03-30 09:30"),
    ]

    @Test(arguments: additions)
    func deadlinesCountOnlyBusinessHours(_ from: String, _ minutes: Int, _ expected: String) {
        #expect(office.adding(minutes * 60, to: madrid(from)) == madrid(expected))
        // And the way back: the business time between the two is what was added.
        #expect(office.seconds(from: madrid(from), to: madrid(expected)) == minutes * 60)
    }

    @Test func roundTheClockIsPlainTime() {
        let c = BusinessCalendar.twentyFourSeven()
        let start = madrid("2026-12-05 23:00")
        #expect(c.adding(3 * 3600, to: start) == start.addingTimeInterval(3 * 3600))
        #expect(c.seconds(from: start, to: start.addingTimeInterval(90_000)) == 90_000)
    }

    @Test func aWeekendIsNoTime() {
        #expect(office.seconds(from: madrid("2026-12-05 08:00"), to: madrid("2026-12-06 20:00")) == 0)
        #expect(office.seconds(from: madrid("2026-12-24 17:00"), to: madrid("2026-12-28 09:30")) == 3600 + 1800)
    }

    @Test func windowsAndMomentsAreRead() {
        #expect(BusinessCalendar.Window("9:00-14:00") == BusinessCalendar.Window(start: 540, end: 840))
        #expect(BusinessCalendar.Window("14:00-09:00") == nil)
        #expect(BusinessCalendar.Window("09:00") == nil)
        #expect(TimeRules.moment("2026-02-30", in: .current) == nil)
        #expect(TimeRules.moment("2026-12-24", in: TimeZone(identifier: "UTC")!) == Date(timeIntervalSince1970: 1_798_156_740))
    }
}

@Suite struct SLAClockTests {
    func policy(_ sla: [SLAPolicy] = [SLAPolicy(name: "std", queue: "support", firstResponseMinutes: 120, resolutionMinutes: 16 * 60, calendar: office)])
        -> DeskPolicy {
        var p = examplePolicy()
        p.slaPolicies = sla
        p.levels = [SupportLevel(name: "L1", staff: ["anna"]), SupportLevel(name: "L2", staff: ["marta"])]
        return p
    }

    /// A new ticket filed at `at`, with its clock settled.
    func filed(_ at: Date, policy p: DeskPolicy) -> TicketRecord {
        var op = TicketOperation(before: nil, actor: .system, at: at)
        op.after = TicketRecord(number: 7, title: "x", queue: "support", status: .new, owner: nil, priority: 0,
                                requestors: [], ccs: [], created: at, updated: at, resolved: nil)
        SLARules.settle(&op, policy: p)
        return op.after!
    }

    func change(_ t: TicketRecord, at: Date, policy p: DeskPolicy, _ body: (inout TicketRecord) -> Void) -> TicketRecord {
        var op = TicketOperation(before: t, actor: .system, at: at)
        body(&op.after!)
        SLARules.settle(&op, policy: p)
        return op.after!
    }

    @Test func deadlinesAndColoursFollowTheCalendar() {
        let p = policy()
        let t = filed(madrid("2026-12-04 16:00"), policy: p)
        #expect(t.sla.policy == "std")
        #expect(t.sla.responseDue == madrid("2026-12-04 18:00"))
        #expect(t.sla.responseWarn == madrid("2026-12-04 17:30"))
        // 16 business hours from Friday 16:00: 2 on Friday, 8 on Monday, Tuesday is a holiday, 6 on Wednesday.
        #expect(t.sla.resolutionDue == madrid("2026-12-09 16:00"))
        #expect(t.sla.state(at: madrid("2026-12-04 17:00")) == .green)
        #expect(t.sla.state(at: madrid("2026-12-04 17:45")) == .yellow)
        #expect(t.sla.state(at: madrid("2026-12-07 09:00")) == .red)
    }

    @Test func waitingForTheRequesterStopsTheClock() {
        let p = policy()
        var t = filed(madrid("2026-12-02 09:00"), policy: p)
        // Answered at 10:00, then waiting for the requester from 11:00 …
        var op = TicketOperation(before: t, actor: .system, at: madrid("2026-12-02 10:00"))
        op.events.append((.correspondenceOut, nil))
        SLARules.settle(&op, policy: p)
        t = op.after!
        #expect(t.sla.firstResponse == madrid("2026-12-02 10:00") && t.sla.responseDue == nil)
        t = change(t, at: madrid("2026-12-02 11:00"), policy: p) { $0.waitingFor = .requester }
        #expect(t.sla.pausedSince == madrid("2026-12-02 11:00"))
        #expect(t.sla.state(at: madrid("2026-12-10 11:00")) == nil, "a stopped clock reaches no colour")
        // … until the next day at 12:00: 6 + 3 business hours stopped, and the deadline moves by as much.
        t = change(t, at: madrid("2026-12-03 12:00"), policy: p) { $0.waitingFor = nil }
        #expect(t.sla.pausedSeconds == 9 * 3600 && t.sla.pausedSince == nil)
        #expect(t.sla.resolutionDue == office.adding((16 + 9) * 3600, to: madrid("2026-12-02 09:00")))
        #expect(t.sla.resolutionDue == madrid("2026-12-07 10:00"))
    }

    @Test func aColourReachedStaysWhileTheClockIsStopped() {
        let p = policy()
        var t = filed(madrid("2026-12-02 09:00"), policy: p)
        t = change(t, at: madrid("2026-12-02 12:00"), policy: p) { $0.status = .stalled }
        #expect(t.sla.state(at: madrid("2026-12-20 12:00")) == .red, "the first answer was late before it stalled")
        var answered = TicketOperation(before: filed(madrid("2026-12-02 09:00"), policy: p), actor: .system, at: madrid("2026-12-02 09:30"))
        answered.events.append((.correspondenceOut, nil))
        SLARules.settle(&answered, policy: p)
        let calm = change(answered.after!, at: madrid("2026-12-02 10:00"), policy: p) { $0.status = .stalled }
        #expect(calm.sla.state(at: madrid("2026-12-20 12:00")) == nil)
    }

    @Test func thePolicyIsChosenByTypeAndPriority() {
        let urgent = SLAPolicy(name: "urgent", queue: "support", types: ["incident"], priorities: 8...10, firstResponseMinutes: 30,
                               resolutionMinutes: 240, calendar: .twentyFourSeven())
        let std = SLAPolicy(name: "std", queue: "support", firstResponseMinutes: 480, resolutionMinutes: nil, calendar: office)
        let p = policy([urgent, std])
        var t = filed(madrid("2026-12-05 03:00"), policy: p)
        #expect(t.sla.policy == "std" && t.sla.resolutionDue == nil)
        t = change(t, at: madrid("2026-12-05 03:10"), policy: p) { $0.type = "incident"; $0.priority = 9 }
        #expect(t.sla.policy == "urgent")
        #expect(t.sla.responseDue == madrid("2026-12-05 03:30") && t.sla.resolutionDue == madrid("2026-12-05 07:00"))
    }

    @Test func aDueDateStaffSetIsKeptAsItIs() {
        let p = policy()
        let t = change(filed(madrid("2026-12-02 09:00"), policy: p), at: madrid("2026-12-02 09:05"), policy: p) {
            $0.due = madrid("2026-12-03 18:00")
        }
        #expect(t.effectiveDue == madrid("2026-12-03 18:00") && t.sla.resolutionDue == madrid("2026-12-03 18:00"))
        // Yellow at three quarters of the 16 business hours between: 12 hours after filing.
        #expect(t.sla.resolutionWarn == madrid("2026-12-03 13:00"))
    }

    @Test func remindersComeOncePerDeadlineRedBeforeYellow() {
        var p = policy()
        p.slaPolicies = [SLAPolicy(name: "std", queue: "support", firstResponseMinutes: 120, resolutionMinutes: 16 * 60, calendar: office,
                                   escalateOnRed: true)]
        let t = filed(madrid("2026-12-02 09:00"), policy: p)
        #expect(SLARules.reminder(for: t, policy: p, now: madrid("2026-12-02 10:00"))?.history == nil)
        let yellow = SLARules.reminder(for: t, policy: p, now: madrid("2026-12-02 10:40"))
        #expect(yellow?.history.map(\.kind) == ["sla-yellow"])
        let afterYellow = yellow!.after!
        #expect(SLARules.reminder(for: afterYellow, policy: p, now: madrid("2026-12-02 10:50"))?.history == nil, "once")
        let red = SLARules.reminder(for: afterYellow, policy: p, now: madrid("2026-12-02 11:30"))
        #expect(red?.history.map(\.kind) == ["sla-red", "level"])
        #expect(red?.after?.level == "L2")
        // A ticket nobody looked at for days gets the red reminder only, not a late yellow one.
        let late = SLARules.reminder(for: t, policy: p, now: madrid("2026-12-03 09:00"))
        #expect(late?.history.first?.kind == "sla-red" && late?.after?.sla.reminded == ["response-red", "response-yellow"])
    }
}

@Suite struct CivilDayTests {
    @Test(arguments: [("1970-01-01", 0), ("2026-12-25", 20_812), ("2000-02-29", 11_016), ("1969-12-31", -1)])
    func daysSince1970(_ text: String, _ days: Int) {
        #expect(BusinessCalendar.days(text) == days)
        #expect(BusinessCalendar.dayText(days) == text)
    }

    @Test func stampsAreLocalTime() {
        #expect(TimeRules.stamp(madrid("2026-07-01 09:05"), in: TimeZone(identifier: "Europe/Madrid")!) == "2026-07-01 09:05 Europe/Madrid")
        let utc = TimeZone(identifier: "UTC")!
        #expect(TimeRules.stamp(Date(timeIntervalSince1970: -60), in: utc) == "1969-12-31 23:59 " + utc.identifier)
    }
}
