import Foundation
import Testing
@testable import MIME

@Suite struct JSONValueTests {
    @Test func rendersInOrderAndParsesBack() throws {
        let value = JSONValue.object([("b", .int(1)), ("a", .array([.string("x\n\"y\"\u{1}"), .null, .bool(true)]))])
        let text = value.rendered()
        #expect(text.firstRange(of: "\"b\"")!.lowerBound < text.firstRange(of: "\"a\"")!.lowerBound)
        #expect(try JSONValue.parse(Data(text.utf8)) == value)
    }

    @Test func objectEqualityIgnoresKeyOrderButNotValues() {
        #expect(JSONValue.object([("a", .int(1)), ("b", .int(2))]) == .object([("b", .int(2)), ("a", .int(1))]))
        #expect(JSONValue.object([("a", .int(1))]) != .object([("a", .int(2))]))
    }
}
