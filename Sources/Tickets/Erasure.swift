import Foundation
import MIME

/// A person's erasure (GDPR Art. 17): their address replaced everywhere by a pseudonym that
/// names nobody, the messages they sent replaced by a stub, their files and the words of the
/// notifications sent to them deleted. Decided here; the store carries it out in one
/// transaction.
public struct Erasure: Sendable, Equatable {
    /// The address erased, lowercased.
    public let address: String
    /// What stands in its place: `erased-<random>@erased.invalid` (RFC 2606's reserved TLD).
    public let pseudonym: String
    /// Who asked for it (a staff handle), for the history.
    public let actor: String
    public let at: Date

    public init(address: String, actor: String, at: Date, pseudonym: String? = nil) {
        self.address = address.lowercased()
        self.pseudonym = pseudonym ?? "erased-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))@erased.invalid"
        self.actor = actor
        self.at = at
    }

    /// The raw message that replaces one the person sent: it says what happened, and nothing else.
    public func stub(for messageID: Int64) -> [UInt8] {
        Array(("From: \(pseudonym)\r\nSubject: (erased)\r\nX-Suport-Erased: \(MessageReport.utcTimestamp(at))\r\n\r\n"
            + "This message was erased at its sender's request (GDPR Art. 17).\r\n").utf8)
    }

    /// `text` with every occurrence of the address, in any case, replaced by the pseudonym.
    public func scrub(_ text: String) -> String {
        guard let range = text.range(of: address, options: .caseInsensitive) else { return text }
        var out = text
        out.replaceSubrange(range, with: pseudonym)
        return scrub(out)
    }

    /// The same on bytes: ASCII case folded, every occurrence replaced.
    public func scrub(_ bytes: [UInt8]) -> [UInt8] {
        let needle = Array(address.utf8)
        guard firstMatch(of: needle, in: bytes, from: 0) != nil else { return bytes }
        let replacement = Array(pseudonym.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while let at = firstMatch(of: needle, in: bytes, from: i) {
            out += bytes[i..<at]
            out += replacement
            i = at + needle.count
        }
        out += bytes[i...]
        return out
    }

    /// Whether the bytes hold the address, in any case.
    public func occurs(in bytes: [UInt8]) -> Bool { firstMatch(of: Array(address.utf8), in: bytes, from: 0) != nil }

    /// Where the (lowercase) needle next occurs from `start`, ASCII case folded.
    private func firstMatch(of needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
        for i in start...(bytes.count - needle.count) where Self.lower(bytes[i]) == first {
            if zip(bytes[i..<(i + needle.count)], needle).allSatisfy({ Self.lower($0) == $1 }) { return i }
        }
        return nil
    }

    private static func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }
}

/// What an erasure changed.
public struct ErasureReport: Sendable, Equatable {
    public var tickets: [Int] = []
    public var messagesStubbed = 0
    public var attachmentsDeleted = 0
    public var notificationsEmptied = 0
    public var otherMessagesScrubbed = 0
    public var historyEntries = 0

    public init() {}
}
