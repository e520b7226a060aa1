import CCrypto

/// SHA-256 digests, which name stored raw messages and attachments and key the intake dedupe;
/// and the HMAC that signs requesters' links.
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
        return hex(digest)
    }

    /// The lowercase hex SHA-256 of the pieces one after the other, without joining them.
    public static func sha256Hex(pieces: [ArraySlice<UInt8>]) -> String {
        guard let context = ccrypto_sha256_begin() else { preconditionFailure("OpenSSL SHA-256 failed") }
        for piece in pieces {
            let ok = piece.withUnsafeBufferPointer { ccrypto_sha256_add(context, $0.baseAddress, $0.count) }
            precondition(ok == 1, "OpenSSL SHA-256 failed")
        }
        var digest = [UInt8](repeating: 0, count: 32)
        precondition(ccrypto_sha256_end(context, &digest) == 1, "OpenSSL SHA-256 failed")
        return hex(digest)
    }

    /// HMAC-SHA256 (RFC 2104) of `data` under `key`: the web desk's signed links.
    public static func hmacSHA256(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: 32)
        let ok = key.withUnsafeBufferPointer { k in data.withUnsafeBufferPointer { d in
            ccrypto_hmac_sha256(k.baseAddress, k.count, d.baseAddress, d.count, &mac)
        } }
        precondition(ok == 1, "OpenSSL HMAC-SHA256 failed")
        return mac
    }

    private static func hex(_ digest: [UInt8]) -> String {
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
