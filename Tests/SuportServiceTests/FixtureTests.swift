import Foundation
import MIME
import Testing
@testable import SuportService

/// Every `fixtures/mail/**/X.eml` must read exactly as `X.json` says (`suport parse --json`).
/// Adding a case is adding those two files.
@Suite struct FixtureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/mail")

    static let messages: [String] = {
        let files = (try? FileManager.default.subpathsOfDirectory(atPath: root.path)) ?? []
        return files.filter { $0.hasSuffix(".eml") }.sorted()
    }()

    @Test func thereAreEnoughFixtures() {
        #expect(Self.messages.count >= 60)
        for folder in ["rfc", "legacy", "malformed"] {
            #expect(Self.messages.contains { $0.hasPrefix(folder + "/") }, "no fixtures in \(folder)/")
        }
    }

    @Test(arguments: messages)
    func readsAsExpected(_ path: String) throws {
        let eml = Self.root.appendingPathComponent(path)
        let json = eml.deletingPathExtension().appendingPathExtension("json")
        let bytes = try Data(contentsOf: eml)
        let actual = MessageReport.json(Message(bytes: Array(bytes)))
        guard let expectedData = try? Data(contentsOf: json) else {
            Issue.record("\(json.lastPathComponent) is missing; scripts/fixture-expect drafts it:\n\(actual.rendered())")
            return
        }
        let expected = try JSONValue.parse(expectedData)
        #expect(actual == expected, "\(path) reads differently:\n\(actual.rendered())")
    }
}
