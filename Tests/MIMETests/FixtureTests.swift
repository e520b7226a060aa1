import Foundation
import MIME
import Testing
@testable import MIME
import CCrypto

/// Every `fixtures/mail/**/X.eml` must read exactly as `X.json` says (`suport parse --json`),
/// with its lines ending in CRLF as on the wire and in LF as in a Unix mbox or the MTA pipe.
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
        for folder in ["rfc", "legacy", "malformed", "thirdparty"] {
            #expect(Self.messages.contains { $0.hasPrefix(folder + "/") }, "no fixtures in \(folder)/")
        }
    }

    enum LineEnds: String, CaseIterable, Sendable { case crlf, lf }

    /// The same bytes with every line ending made CRLF, or LF.
    static func withLineEnds(_ bytes: [UInt8], _ ends: LineEnds) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 20)
        for (i, b) in bytes.enumerated() where b != 13 || (i + 1 < bytes.count && bytes[i + 1] != 10) {
            if b == 10 && ends == .crlf { out.append(13) }
            out.append(b)
        }
        return out
    }

    /// SHA-256 in hex, as the store names attachments in `suport parse --json`.
    static func sha256(_ bytes: ArraySlice<UInt8>) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        _ = Array(bytes).withUnsafeBufferPointer { ccrypto_sha256($0.baseAddress, $0.count, &digest) }
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    /// Fixtures about line ends themselves: read only as they are.
    static let aboutLineEnds: Set<String> = ["malformed/bare-cr.eml", "malformed/mixed-line-endings.eml"]

    /// The report without the attachments' sizes and digests: a text attachment's bytes are
    /// its lines, so they change with the line ends; everything else must not.
    static func withoutAttachmentBytes(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let pairs):
            return .object(pairs.filter { $0.0 != "size" && $0.0 != "sha256" }.map { ($0.0, withoutAttachmentBytes($0.1)) })
        case .array(let items): return .array(items.map(withoutAttachmentBytes))
        default: return value
        }
    }

    @Test(arguments: messages, LineEnds.allCases)
    func readsAsExpected(_ path: String, _ ends: LineEnds) throws {
        let eml = Self.root.appendingPathComponent(path)
        let json = eml.deletingPathExtension().appendingPathExtension("json")
        let original = Array(try Data(contentsOf: eml))
        let bytes = Self.aboutLineEnds.contains(path) ? original : Self.withLineEnds(original, ends)
        var actual = MessageReport.json(Message(bytes: bytes), digest: Self.sha256)
        guard let expectedData = try? Data(contentsOf: json) else {
            Issue.record("\(json.lastPathComponent) is missing; scripts/fixture-expect drafts it:\n\(actual.rendered())")
            return
        }
        var expected = try JSONValue.parse(expectedData)
        if bytes != original {
            actual = Self.withoutAttachmentBytes(actual)
            expected = Self.withoutAttachmentBytes(expected)
        }
        #expect(actual == expected, "\(path) with \(ends.rawValue) line ends reads differently:\n\(actual.rendered())")
    }
}
