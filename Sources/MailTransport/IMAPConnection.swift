import CCurl
import Foundation

/// One logged-in IMAP connection (RFC 9051, RFC 3501). libcurl connects, secures and logs
/// in (`CURLOPT_CONNECT_ONLY`); from then on we speak IMAP ourselves over
/// `curl_easy_send`/`curl_easy_recv`, because libcurl's own verbs drop literals, set
/// `\Seen` and cannot end IDLE. Every call blocks: use it from one thread or queue only.
public final class IMAPConnection {
    private let curl: CurlHandle
    private let endpoint: Endpoint
    private var socket: curl_socket_t = -1
    private var buffer: [UInt8] = []
    private var position = 0
    private var tagCounter = 0
    private let parser = IMAPResponseParser()
    public private(set) var capabilities: Set<String> = []

    /// Connects and logs in.
    public init(_ endpoint: Endpoint) throws(TransportError) {
        self.endpoint = endpoint
        curl = try CurlHandle()
        // With a token we log in ourselves (`authenticate`): libcurl only connects and secures.
        var connecting = endpoint
        if endpoint.bearer != nil { connecting.username = "" }
        curl.configure(connecting, url: endpoint.url(scheme: endpoint.tls == .implicit ? "imaps" : "imap"))
        curl.set(CURLOPT_CONNECT_ONLY, 1)
        let code = curl_easy_perform(curl.handle)
        guard code == CURLE_OK else { throw curl.error(code, while: "IMAP login to \(endpoint.host):\(endpoint.port)") }
        var s: curl_socket_t = -1
        guard ccurl_getinfo_socket(curl.handle, CURLINFO_ACTIVESOCKET, &s) == CURLE_OK, s >= 0 else {
            throw .closed("no socket after login")
        }
        socket = s
        try readCapabilities()
        if let bearer = endpoint.bearer {
            try authenticate(bearer)
            try readCapabilities()
        }
    }

    private func readCapabilities() throws(TransportError) {
        let caps = try command("CAPABILITY")
        for case .data(let values) in caps.untagged where values.first?.text?.uppercased() == "CAPABILITY" {
            capabilities = Set(values.dropFirst().compactMap { $0.text?.uppercased() })
        }
    }

    /// `AUTHENTICATE XOAUTH2` or `OAUTHBEARER` with the token (RFC 9051 §6.2.2, RFC 7628):
    /// the initial response at once where the server takes it (SASL-IR), else after its `+`.
    /// A refusal comes as a challenge holding the server's reason in JSON, which we answer
    /// (an empty line, or `%x01` for OAUTHBEARER) before the tagged NO; the reason joins the
    /// error, the token never does.
    private func authenticate(_ bearer: Bearer) throws(TransportError) {
        let what = "IMAP AUTHENTICATE \(bearer.saslName) as \(endpoint.username) at \(endpoint.host):\(endpoint.port)"
        guard capabilities.contains("AUTH=\(bearer.saslName)") else {
            throw .authentication("\(what): the server does not offer \(bearer.saslName)")
        }
        let initial = Data(bearer.initialResponse(user: endpoint.username, host: endpoint.host, port: endpoint.port)).base64EncodedString()
        tagCounter += 1
        let tag = "S\(tagCounter)"
        var sentInitial = capabilities.contains("SASL-IR")
        try send(sentInitial ? "\(tag) AUTHENTICATE \(bearer.saslName) \(initial)\r\n" : "\(tag) AUTHENTICATE \(bearer.saslName)\r\n")
        var reason: String? = nil
        while true {
            guard let response = try readResponse() else { throw .cancelled }
            switch response {
            case .continuation(let text):
                if !sentInitial {
                    sentInitial = true
                    try send(initial + "\r\n")
                } else {
                    reason = Self.saslReason(text)
                    try send(bearer.mechanism == .oauthbearer ? "AQ==\r\n" : "\r\n")
                }
            case let .tagged(t, status, code, message) where t == tag:
                guard status == "OK" else {
                    throw .authentication("\(what): \(status) \(code.map { "[\($0)] " } ?? "")\(message)"
                                          + (reason.map { " (the server said: \($0))" } ?? ""))
                }
                return
            case .status(let status, _, let message) where status == "BYE":
                throw .closed("the server said BYE: \(message)")
            default:
                continue
            }
        }
    }

    /// The reason in a SASL error challenge (base64 JSON: `{"status":"invalid_token",…}`), in words.
    static func saslReason(_ challenge: String) -> String? {
        guard let data = Data(base64Encoded: challenge.trimmingCharacters(in: .whitespaces)),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        let parts = ["status", "scope", "schemes"].compactMap { key in (json[key] as? String).map { "\(key) \($0)" } }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    // MARK: the wire

    private func send(_ text: String) throws(TransportError) {
        var bytes = Array(text.utf8)
        var offset = 0
        let deadline = Date().addingTimeInterval(endpoint.readTimeout)
        while offset < bytes.count {
            var sent = 0
            let code = bytes.withUnsafeMutableBytes { raw in
                curl_easy_send(curl.handle, raw.baseAddress! + offset, raw.count - offset, &sent)
            }
            if code == CURLE_AGAIN {
                try wait(for: Int16(POLLOUT), until: deadline, cancelled: { false })
                continue
            }
            guard code == CURLE_OK else { throw curl.error(code, while: "sending to the IMAP server") }
            offset += sent
        }
        bytes.removeAll()
    }

    /// Waits until the socket is ready; false when `cancelled` said stop.
    @discardableResult
    private func wait(for events: Int16, until deadline: Date, cancelled: () -> Bool) throws(TransportError) -> Bool {
        while true {
            if cancelled() { return false }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw .timeout("the IMAP server said nothing for \(Int(endpoint.readTimeout)) s") }
            var pfd = pollfd(fd: socket, events: events, revents: 0)
            let slice = Int32(min(remaining, 0.5) * 1000)
            let n = poll(&pfd, 1, max(slice, 1))
            if n > 0 { return true }
            if n < 0 && errno != EINTR { throw .closed("poll failed") }
        }
    }

    /// Reads more bytes into the buffer.
    private func fill(until deadline: Date, cancelled: () -> Bool = { false }) throws(TransportError) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var received = 0
            let code = chunk.withUnsafeMutableBytes { curl_easy_recv(curl.handle, $0.baseAddress, $0.count, &received) }
            if code == CURLE_AGAIN {
                guard try wait(for: Int16(POLLIN), until: deadline, cancelled: cancelled) else { return false }
                continue
            }
            guard code == CURLE_OK else { throw curl.error(code, while: "reading from the IMAP server") }
            guard received > 0 else { throw .closed("the IMAP server closed the connection") }
            if position > 0 && position == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                position = 0
            } else if position > 1 << 20 {
                buffer.removeFirst(position)
                position = 0
            }
            buffer.append(contentsOf: chunk[0..<received])
            return true
        }
    }

    /// The next response, or nil when `cancelled` interrupted the wait.
    private func readResponse(cancelled: () -> Bool = { false }) throws(TransportError) -> IMAPResponse? {
        let deadline = Date().addingTimeInterval(endpoint.readTimeout)
        while true {
            do {
                if let (response, next) = try parser.next(buffer, from: position) {
                    position = next
                    return response
                }
            } catch {
                throw .refused("unreadable response from the IMAP server (\(error))")
            }
            guard try fill(until: deadline, cancelled: cancelled) else { return nil }
        }
    }

    public struct Reply: Sendable {
        public let untagged: [IMAPResponse]
        public let code: String?
        public let text: String
    }

    /// The server reported new mail (an untagged EXISTS) in the answer to some command after
    /// the mailbox was selected: mail that arrived while we were busy, which an IDLE begun
    /// now would not report again.
    private var existsSinceSelect = false

    /// Sends one tagged command and collects the responses up to its completion.
    @discardableResult
    public func command(_ text: String) throws(TransportError) -> Reply {
        tagCounter += 1
        let tag = "S\(tagCounter)"
        try send("\(tag) \(text)\r\n")
        var untagged: [IMAPResponse] = []
        while true {
            guard let response = try readResponse() else { throw .cancelled }
            switch response {
            case let .tagged(t, status, code, message) where t == tag:
                guard status == "OK" else {
                    let verb = text.split(separator: " ").prefix(2).joined(separator: " ")
                    throw .refused("\(verb): \(status) \(code.map { "[\($0)] " } ?? "")\(message)")
                }
                let selecting = text.hasPrefix("SELECT ") || text.hasPrefix("EXAMINE ")
                existsSinceSelect = !selecting && (existsSinceSelect || untagged.contains(where: Self.isExists))
                return Reply(untagged: untagged, code: code, text: message)
            case .status(let status, _, let message) where status == "BYE":
                throw .closed("the server said BYE: \(message)")
            default:
                untagged.append(response)
            }
        }
    }

    // MARK: verbs

    /// RFC 9051 §6.3.2 quoted string for a mailbox name.
    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    public struct Selected: Sendable, Equatable {
        public let uidValidity: UInt32
        public let uidNext: UInt32?
        public let exists: Int
    }

    public func select(_ mailbox: String) throws(TransportError) -> Selected {
        let reply = try command("SELECT \(Self.quote(mailbox))")
        var validity: UInt32? = nil, next: UInt32? = nil, exists = 0
        for r in reply.untagged {
            switch r {
            case .status(_, let code?, _):
                let parts = code.split(separator: " ")
                if parts.first?.uppercased() == "UIDVALIDITY", parts.count > 1 { validity = UInt32(parts[1]) }
                if parts.first?.uppercased() == "UIDNEXT", parts.count > 1 { next = UInt32(parts[1]) }
            case .data(let v) where v.count == 2 && v[1].text?.uppercased() == "EXISTS":
                if case .number(let n) = v[0] { exists = Int(n) }
            default: break
            }
        }
        guard let validity else { throw .refused("SELECT \(mailbox) gave no UIDVALIDITY") }
        return Selected(uidValidity: validity, uidNext: next, exists: exists)
    }

    /// UIDs matching a search, ascending.
    public func uidSearch(_ criteria: String) throws(TransportError) -> [UInt32] {
        let reply = try command("UID SEARCH \(criteria)")
        var uids: [UInt32] = []
        for case .data(let v) in reply.untagged where v.first?.text?.uppercased() == "SEARCH" {
            for case .number(let n) in v.dropFirst() { uids.append(UInt32(truncatingIfNeeded: n)) }
        }
        return uids.sorted()
    }

    public struct Fetched: Sendable {
        public let uid: UInt32
        public let flags: [String]
        public let size: Int
        public let body: [UInt8]
    }

    /// `UID FETCH uids (UID FLAGS RFC822.SIZE BODY.PEEK[])`: whole messages, without setting \Seen.
    public func fetch(_ uids: [UInt32]) throws(TransportError) -> [Fetched] {
        guard !uids.isEmpty else { return [] }
        let reply = try command("UID FETCH \(uids.map(String.init).joined(separator: ",")) (UID FLAGS RFC822.SIZE BODY.PEEK[])")
        var out: [Fetched] = []
        for case .data(let v) in reply.untagged where v.count >= 3 && v[1].text?.uppercased() == "FETCH" {
            guard case .list(let items) = v[2] else { continue }
            var uid: UInt32? = nil, flags: [String] = [], size = 0, body: [UInt8]? = nil
            var k = 0
            while k + 1 < items.count {
                let key = items[k].text?.uppercased() ?? ""
                let value = items[k + 1]
                switch key {
                case "UID": if case .number(let n) = value { uid = UInt32(truncatingIfNeeded: n) }
                case "FLAGS": if case .list(let f) = value { flags = f.compactMap(\.text) }
                case "RFC822.SIZE": if case .number(let n) = value { size = Int(n) }
                case "BODY[]": if case .string(let b) = value { body = b } else if case .null = value { body = [] }
                default: break
                }
                k += 2
            }
            if let uid, let body { out.append(Fetched(uid: uid, flags: flags, size: size, body: body)) }
        }
        return out.sorted { $0.uid < $1.uid }
    }

    public func addFlags(_ uids: [UInt32], _ flags: String) throws(TransportError) {
        guard !uids.isEmpty else { return }
        try command("UID STORE \(uids.map(String.init).joined(separator: ",")) +FLAGS.SILENT (\(flags))")
    }

    /// Creates a mailbox; one that already exists is fine.
    public func create(_ mailbox: String) throws(TransportError) {
        do {
            try command("CREATE \(Self.quote(mailbox))")
        } catch .refused(let text) where text.uppercased().contains("ALREADYEXISTS") || text.lowercased().contains("already exists") {
            return
        }
    }

    /// RFC 6851 UID MOVE, or COPY + \Deleted where MOVE is missing, then RFC 4315 UID EXPUNGE
    /// of exactly these messages. Without UIDPLUS nothing is expunged: a plain EXPUNGE would
    /// also remove any other \Deleted mail in the folder, which is not ours to remove. The
    /// copies stay flagged \Deleted, and the poller does not look at deleted mail.
    public func move(_ uids: [UInt32], to mailbox: String) throws(TransportError) {
        for text in Self.moveCommands(uids, to: mailbox, capabilities: capabilities) { try command(text) }
    }

    /// The commands `move` sends for these capabilities.
    static func moveCommands(_ uids: [UInt32], to mailbox: String, capabilities: Set<String>) -> [String] {
        guard !uids.isEmpty else { return [] }
        let set = uids.map(String.init).joined(separator: ",")
        if capabilities.contains("MOVE") { return ["UID MOVE \(set) \(quote(mailbox))"] }
        return ["UID COPY \(set) \(quote(mailbox))", "UID STORE \(set) +FLAGS.SILENT (\\Deleted)"]
            + (capabilities.contains("UIDPLUS") ? ["UID EXPUNGE \(set)"] : [])
    }

    /// RFC 2177 IDLE: waits until the server reports new mail, `timeout` passes, or
    /// `cancelled` returns true; then ends IDLE with DONE. True when new mail was reported.
    public func idle(timeout: Double, cancelled: () -> Bool) throws(TransportError) -> Bool {
        // Mail that arrived while we were filing was announced already: look at it first.
        if existsSinceSelect {
            existsSinceSelect = false
            return true
        }
        tagCounter += 1
        let tag = "S\(tagCounter)"
        try send("\(tag) IDLE\r\n")
        guard case .continuation? = try readResponse() else { throw .refused("IDLE was not accepted") }
        let end = Date().addingTimeInterval(timeout)
        var newMail = false
        while !newMail && Date() < end && !cancelled() {
            let stop = { cancelled() || Date() >= end }
            guard let response = try readResponse(cancelled: stop) else { break }
            if case .data(let v) = response, v.count >= 2, ["EXISTS", "RECENT"].contains(v[1].text?.uppercased() ?? "") {
                newMail = true
            }
            if case .status("BYE", _, let text) = response { throw .closed("the server said BYE: \(text)") }
        }
        try send("DONE\r\n")
        while true {
            guard let response = try readResponse() else { throw .cancelled }
            if case .tagged(tag, let status, _, let text) = response {
                guard status == "OK" else { throw .refused("IDLE: \(status) \(text)") }
                return newMail
            }
            if case .data(let v) = response, v.count >= 2, v[1].text?.uppercased() == "EXISTS" { newMail = true }
        }
    }

    /// `* N EXISTS`: the mailbox's size, sent when it changes.
    static func isExists(_ response: IMAPResponse) -> Bool {
        if case .data(let v) = response, v.count == 2, v[1].text?.uppercased() == "EXISTS" { return true }
        return false
    }

    public func logout() {
        _ = try? command("LOGOUT")
    }
}
