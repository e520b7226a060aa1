import MIME
import TicketStore

extension MessageReport {
    /// The `suport parse --json` object, attachments named by their SHA-256 as the store names them.
    public static func json(_ message: Message) -> JSONValue {
        json(message) { ContentHash.sha256Hex($0) }
    }
}
