import Foundation
import SuportService
import MIME

/// Measures the MIME parser over a folder of messages: what `suport bench parse` prints.
public enum ParseBenchmark {
    public struct Result: Sendable {
        public let messages: Int
        public let bytes: Int
        public let seconds: Double
        public let peakRSSBytes: Int

        public var messagesPerSecond: Double { Double(messages) / seconds }
        public var megabytesPerSecond: Double { Double(bytes) / 1_048_576 / seconds }
        public var report: String {
            String(format: "suport: %d messages, %.1f MB in %.3f s: %.0f messages/s, %.1f MB/s, peak RSS %.1f MB",
                   messages, Double(bytes) / 1_048_576, seconds, messagesPerSecond, megabytesPerSecond,
                   Double(peakRSSBytes) / 1_048_576)
        }
    }

    /// Loads every `.eml` under `folder`, then parses them all `rounds` times, extracting
    /// what a ticket needs (subject, addresses, text, attachments).
    public static func run(folder: String, rounds: Int) throws -> Result {
        let corpus = try loadCorpus(folder)
        var checksum = 0
        let seconds = seconds {
            for _ in 0..<max(1, rounds) {
                for bytes in corpus {
                    let m = Message(bytes: bytes)
                    checksum &+= (m.subject?.utf8.count ?? 0) + m.from.count + m.to.count + (m.text?.utf8.count ?? 0)
                    for a in m.attachments { checksum &+= a.size }
                }
            }
        }
        if checksum == 42 { print("") }  // keep the work observable
        let total = corpus.reduce(0) { $0 + $1.count }
        return Result(messages: corpus.count * max(1, rounds), bytes: total * max(1, rounds), seconds: seconds,
                      peakRSSBytes: peakRSS())
    }

    /// Every `.eml` under `folder`, in name order, read into memory before timing starts.
    static func loadCorpus(_ folder: String) throws -> [[UInt8]] {
        try corpusPaths(folder).map { try RawInput.read(path: $0) }
    }

    /// The paths of every `.eml` under `folder`, in name order.
    static func corpusPaths(_ folder: String) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: folder).filter { $0.hasSuffix(".eml") }.sorted().map { folder + "/" + $0 }
    }

    /// Peak resident set size of this process (getrusage reports kilobytes on Linux).
    public static func peakRSS() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}
