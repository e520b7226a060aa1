import Foundation
import Tickets
import TicketStore

/// Small pieces the command line needs that a test may need too.
public enum StatusList {
    /// "open,new" → [.open, .new], naming a status that does not exist.
    public static func parse(_ list: String?) throws -> [Status] {
        guard let list else { return [] }
        return try list.split(separator: ",").map { word in
            let w = word.trimmingCharacters(in: .whitespaces).lowercased()
            guard let s = Status(rawValue: w) else { throw CommandError.unknownStatus(w) }
            return s
        }
    }
}

public enum CommandError: Error, CustomStringConvertible {
    case unknownStatus(String)

    public var description: String {
        switch self {
        case .unknownStatus(let s): return "no status \(s.debugDescription): use new, open, stalled, resolved or rejected"
        }
    }
}

/// A media type from a file name, for attachments sent from the CLI.
public enum MediaTypes {
    static let byExtension = ["pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
                              "gif": "image/gif", "txt": "text/plain", "csv": "text/csv", "zip": "application/zip",
                              "html": "text/html", "json": "application/json", "log": "text/plain", "eml": "message/rfc822"]

    public static func guess(_ path: String) -> String {
        byExtension[URL(fileURLWithPath: path).pathExtension.lowercased()] ?? "application/octet-stream"
    }
}
