@testable import MIME

/// A message from lines joined by CRLF, the way they travel.
func message(_ lines: String...) -> Message {
    Message(bytes: Array(lines.joined(separator: "\r\n").utf8))
}

/// A message from exact bytes.
func message(bytes: [UInt8]) -> Message { Message(bytes: bytes) }

extension Message {
    var defectKinds: [Defect.Kind] { defects.map(\.kind) }
}
