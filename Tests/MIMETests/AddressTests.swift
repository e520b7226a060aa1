import Testing
@testable import MIME

/// RFC 5322 §3.4 addresses, §4.4 obsolete forms, RFC 6532 UTF-8.
@Suite struct AddressTests {
    func parse(_ s: String) -> [Address] { AddressParser.parse(s, log: nil) }

    @Test func plainAndNamed() {
        #expect(parse("jordi@example.cat") == [Address(address: "jordi@example.cat")])
        #expect(parse("Jordi Puig <jordi@example.cat>") == [Address(name: "Jordi Puig", address: "jordi@example.cat")])
    }

    @Test func quotedNameWithComma() {
        #expect(parse("\"Puig, Jordi\" <jordi@example.cat>, ana@example.es")
                == [Address(name: "Puig, Jordi", address: "jordi@example.cat"), Address(address: "ana@example.es")])
    }

    @Test func encodedNames() {
        #expect(parse("=?utf-8?q?N=C3=BAria_Ferr=C3=A0?= <nuria@example.cat>") == [Address(name: "Núria Ferrà", address: "nuria@example.cat")])
        #expect(parse("\"=?iso-8859-1?q?Jos=E9?=\" <jose@example.es>") == [Address(name: "José", address: "jose@example.es")])
        #expect(parse("=?utf-8?q?Garc=C3=ADa=2C_Ana?= <ana@example.es>") == [Address(name: "García, Ana", address: "ana@example.es")])
    }

    @Test func commentAsName() {
        #expect(parse("ana@example.es (Ana García)") == [Address(name: "Ana García", address: "ana@example.es")])
    }

    @Test func groupsAreFlattened() {
        #expect(parse("Board: a@x.example, \"B\" <b@x.example>;, c@y.example")
                == [Address(address: "a@x.example"), Address(name: "B", address: "b@x.example"), Address(address: "c@y.example")])
        #expect(parse("undisclosed-recipients:;") == [])
    }

    @Test func obsoleteRoute() {
        #expect(parse("<@relay.example,@other.example:user@final.example>") == [Address(address: "user@final.example")])
    }

    @Test func missingAngleBrackets() {
        #expect(parse("Jane Doe jane@example.org") == [Address(name: "Jane Doe", address: "jane@example.org")])
    }

    @Test func spacesAroundAtSign() {
        #expect(parse("john . doe @ example.org").first?.address.contains("@example.org") == true)
    }

    @Test func utf8Address() {
        #expect(parse("Jörg <jörg@bücher.example>") == [Address(name: "Jörg", address: "jörg@bücher.example")])
    }

    @Test func nestedComments() {
        #expect(parse("a@b.example (one (two) three)").first?.name == "one (two) three")
    }

    @Test func emptyAndGarbage() {
        #expect(parse("") == [])
        #expect(parse(" , ,") == [])
    }

    @Test func fromHeaderAcrossFoldedLines() {
        let m = message("To: \"A\" <a@x.example>,", " \"B\" <b@x.example>", "Cc: c@x.example", "Cc: d@x.example", "", "")
        #expect(m.to.map(\.address) == ["a@x.example", "b@x.example"])
        #expect(m.cc.map(\.address) == ["c@x.example", "d@x.example"])
    }
}
