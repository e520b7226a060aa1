import Foundation

/// Writing an attachment to disk where the user said, never where its name says.
public enum AttachmentExport {
    public enum Failure: Error, CustomStringConvertible {
        case cannotWrite(String, Int32)

        public var description: String {
            switch self {
            case let .cannotWrite(path, e): return "cannot write \(path): \(String(cString: strerror(e)))"
            }
        }
    }

    /// A file name safe to create inside a folder: no folders, no control characters, no
    /// leading dots, at most 200 bytes; `fallback` when nothing usable is left.
    public static func safeName(_ name: String?, fallback: String) -> String {
        let last = (name ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var cleaned = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value) }
            .map(Character.init))
        while cleaned.hasPrefix(".") || cleaned.hasPrefix(" ") { cleaned.removeFirst() }
        while cleaned.utf8.count > 200 { cleaned.removeLast() }
        return cleaned.isEmpty ? fallback : cleaned
    }

    /// Where the bytes go: `output` itself, or inside it when it is an existing folder.
    public static func destination(output: String, name: String?, fallback: String) -> String {
        var isDir: ObjCBool = false
        if output.hasSuffix("/") || (FileManager.default.fileExists(atPath: output, isDirectory: &isDir) && isDir.boolValue) {
            return URL(fileURLWithPath: output).appendingPathComponent(safeName(name, fallback: fallback)).path
        }
        return output
    }

    /// Writes without following a symbolic link at the destination.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw Failure.cannotWrite(path, errno) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure.cannotWrite(path, errno)
            }
            offset += n
        }
    }
}
