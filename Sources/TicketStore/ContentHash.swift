import CCrypto

/// SHA-256 digests, which name stored raw messages and attachments and key the intake dedupe.
public enum ContentHash {
    /// The lowercase hex SHA-256 of `bytes`.
    public static func sha256Hex(_ bytes: some Collection<UInt8>) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        let ok: Int32 = bytes.withContiguousStorageIfAvailable { buffer in
            ccrypto_sha256(buffer.baseAddress, buffer.count, &digest)
        } ?? Array(bytes).withUnsafeBufferPointer { buffer in
            ccrypto_sha256(buffer.baseAddress, buffer.count, &digest)
        }
        precondition(ok == 1, "OpenSSL SHA-256 failed")
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in digest {
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
