import Foundation
import SuportService
import MIME

/// Shows that hostile shapes parse in time linear in their size: each shape is timed
/// at 1, 2 and 4 times a base size; linear work doubles with the size. A figure, not a test.
public enum HostileBenchmark {
    /// One hostile message shape, built at a given scale.
    public struct Shape: Sendable {
        public let name: String
        public let build: @Sendable (Int) -> [UInt8]
    }

    public static let shapes: [Shape] = [
        Shape(name: "deep nesting") { n in
            var s = "Content-Type: multipart/mixed; boundary=b0\r\n\r\n"
            for i in 0..<n { s += "--b\(i)\r\nContent-Type: multipart/mixed; boundary=b\(i + 1)\r\n\r\n" }
            return Array(s.utf8)
        },
        Shape(name: "thousands of parts") { n in
            var s = "Content-Type: multipart/mixed; boundary=p\r\n\r\n"
            for i in 0..<n { s += "--p\r\nContent-Type: text/plain\r\n\r\npart \(i)\r\n" }
            return Array((s + "--p--\r\n").utf8)
        },
        Shape(name: "megabyte header line") { n in
            Array(("Subject: " + String(repeating: "a", count: n * 100) + "\r\n\r\nbody").utf8)
        },
        Shape(name: "many header fields") { n in
            Array((String(repeating: "X-Field: value\r\n", count: n * 5) + "\r\nbody").utf8)
        },
        Shape(name: "unterminated encoded words") { n in
            Array(("Subject: " + String(repeating: "=?utf-8?q?abc", count: n * 8) + "\r\n\r\n").utf8)
        },
        Shape(name: "spaced encoded words") { n in
            // Whitespace inside words that never end: each looks ahead a bounded way, once.
            Array(("Subject: " + String(repeating: "=?utf-8?q?a b c d e f ", count: n * 4) + "\r\n\r\n").utf8)
        },
        Shape(name: "junk header lines") { n in
            // Lines that are no fields among fields, and a run of them that ends in the body.
            Array(("From: a@b.example\r\n" + String(repeating: "junk line\r\nX-Field: v\r\n", count: n * 2)
                + String(repeating: "more junk\r\n", count: n * 2) + "\r\nbody").utf8)
        },
        Shape(name: "encoded multipart, no parts") { n in
            Array(("Content-Type: multipart/mixed; boundary=q\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + String(repeating: "caf=C3=A9 i m=C3=A9s\r\n", count: n * 2) + "--q--\r\n").utf8)
        },
        Shape(name: "long address list") { n in
            Array(("To: " + (0..<n).map { "\"N, \($0)\" <a\($0)@x.example>" }.joined(separator: ", ") + "\r\n\r\n").utf8)
        },
        Shape(name: "long References") { n in
            Array(("References: " + (0..<n).map { "<r\($0)@x.example>" }.joined(separator: " ") + "\r\n\r\n").utf8)
        },
        Shape(name: "nested HTML links") { n in
            Array(("Content-Type: text/html\r\n\r\n" + String(repeating: "<a href=\"x\">", count: n) + "t"
                + String(repeating: "</a>", count: n)).utf8)
        },
    ]

    /// Times every shape at `base`, 2×base and 4×base, printing bytes, milliseconds and the growth.
    public static func run(base: Int) -> String {
        var lines: [String] = []
        for shape in shapes {
            var results: [(Int, Double)] = []
            for factor in [1, 2, 4] {
                let bytes = shape.build(base * factor)
                var best = Double.infinity
                for _ in 0..<3 {
                    best = min(best, seconds { _ = Message(bytes: bytes).defects.count } * 1000)
                }
                results.append((bytes.count, best))
            }
            let growth = results[2].1 / max(results[0].1, 0.001)
            let figures = results.map { String(format: "%9d B %8.2f ms", $0.0, $0.1) }.joined(separator: " |")
            lines.append(shape.name.padding(toLength: 28, withPad: " ", startingAt: 0) + figures
                + String(format: "   4x size -> %.1fx time", growth))
        }
        return lines.joined(separator: "\n")
    }
}
