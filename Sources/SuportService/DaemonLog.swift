import Foundation
import MIME
import Logging

/// The daemon's logs: one line per event on standard error, as text or JSON. Values that
/// reach a log line are never secrets: passwords live only in `Endpoint`, which is never logged.
public enum DaemonLog {
    public static func makeLogger(level: String, json: Bool) -> Logger {
        var logger = Logger(label: "suport") { label in
            json ? JSONLogHandler(label: label) as any LogHandler : StreamLogHandler.standardError(label: label)
        }
        logger.logLevel = Logger.Level(rawValue: level) ?? .info
        return logger
    }
}

/// One JSON object per line: time, level, message and metadata.
struct JSONLogHandler: LogHandler {
    let label: String
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var pairs: [(String, JSONValue)] = [("time", .string(MessageReport.utcTimestamp(Date()))), ("level", .string(event.level.rawValue)),
                                            ("message", .string(event.message.description))]
        for (k, v) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }).sorted(by: { $0.key < $1.key }) {
            pairs.append((k, .string("\(v)")))
        }
        let line = JSONValue.object(pairs).rendered().split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ")
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
