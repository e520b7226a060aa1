import Testing
@testable import Tickets

@Suite struct SubjectTagTests {
    let tag = SubjectTag()

    @Test(arguments: [
        ("[suport#310] Problema amb el router", 310),
        ("Re: [suport#310] Problema", 310),
        ("RE: AW: Fwd: suport#7 hola", 7),
        ("Resp: suport #12", 12),
        ("RV: [SUPORT#99]", 99),
        ("quota [Suport #5] pendent", 5),
        ("(suport#8)", 8),
        ("suport#9: no brackets", 9),
    ])
    func findsTheTicketNumber(_ subject: String, _ number: Int) {
        #expect(tag.ticketNumber(in: subject) == number)
    }

    @Test(arguments: ["Hola", "suport#", "mysuport#3", "suport#0", "[suport#abc]", "",
                      "[xarxa-suport#1] another desk", "[suport#1x]", "[suport#12ab] x", "a.suport#3", "suport#3_4"])
    func ignoresWhatIsNotATag(_ subject: String) {
        #expect(tag.ticketNumber(in: subject) == nil)
    }

    @Test func customPrefix() {
        let rt = SubjectTag(prefix: "rt.example")
        #expect(rt.tag(for: 311) == "[rt.example#311]")
        #expect(rt.ticketNumber(in: "Re: [rt.example#311]") == 311)
        #expect(rt.ticketNumber(in: "[suport#311]") == nil)
    }
}
