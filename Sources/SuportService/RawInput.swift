import Foundation

/// Reading a whole message into memory once, straight into the byte array the parser
/// works on (going through Data would hold two copies of a 50 MB message at once).
public enum RawInput {
    public enum Failure: Error, CustomStringConvertible {
        case cannotOpen(String, Int32)
        case readFailed(String, Int32)

        public var description: String {
            switch self {
            case let .cannotOpen(path, e): return "cannot read \(path): \(String(cString: strerror(e)))"
            case let .readFailed(path, e): return "error reading \(path): \(String(cString: strerror(e)))"
            }
        }
    }

    /// The bytes of a file, or of standard input for "-".
    public static func read(path: String) throws -> [UInt8] {
        let fd = path == "-" ? STDIN_FILENO : open(path, O_RDONLY)
        guard fd >= 0 else { throw Failure.cannotOpen(path, errno) }
        defer { if fd != STDIN_FILENO { close(fd) } }
        var st = stat()
        var capacity = 1 << 16
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { capacity = max(Int(st.st_size) + 1, 1) }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw Failure.readFailed(path, EISDIR) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(capacity)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure.readFailed(path, errno)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }
}
