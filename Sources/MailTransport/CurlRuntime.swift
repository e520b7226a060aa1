import CCurl

/// What the linked libcurl can do, read once at start-up.
public enum CurlRuntime {
    /// The libcurl version string, e.g. "7.88.1".
    public static var version: String {
        guard let info = ccurl_version_info_now(), let v = info.pointee.version else { return "unknown" }
        return String(cString: v)
    }

    /// The URL schemes this libcurl was built with ("imap", "imaps", "smtp", …).
    public static var protocols: Set<String> {
        guard let info = ccurl_version_info_now(), var p = info.pointee.protocols else { return [] }
        var result: Set<String> = []
        while let name = p.pointee {
            result.insert(String(cString: name))
            p += 1
        }
        return result
    }

    /// The protocols Suport needs; a libcurl without them cannot run the daemon.
    public static let required: Set<String> = ["imap", "imaps", "smtp", "smtps"]
}
