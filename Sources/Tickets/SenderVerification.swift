import MIME

/// Whether mail from a staff address was really sent by that staff member. Anyone can write
/// a staff address in `From:`; only headers the receiving servers wrote can prove it.
///
/// Two proofs are accepted, both configured by the operator:
/// - an `Authentication-Results` header (RFC 8601) whose authserv-id is trusted, saying
///   `dmarc=pass` for the From domain, or `dkim=pass` with `header.d` the From domain. The
///   receiving MTA removes any header that claims its authserv-id (RFC 8601 §5), so headers
///   with other ids are ignored.
/// - an authenticated submission recorded by the receiving MTA: the first `Received` header
///   that is not a local delivery (LMTP) was written by a trusted host, says the message came
///   `with ESMTPSA`/`ESMTPA` (RFC 3848) and names the sender it authenticated (Postfix with
///   `smtpd_sasl_authenticated_header = yes` writes `(Authenticated sender: anna@…)`).
///   Headers below it were written before our servers saw the message and prove nothing.
public struct SenderVerification: Sendable, Equatable {
    /// authserv-ids whose Authentication-Results are believed, lowercased.
    public var trustedAuthservIDs: [String]
    /// Hosts whose Received headers are believed (the `by` of the MTA that took the mail), lowercased.
    public var trustedReceivingHosts: [String]

    public init(trustedAuthservIDs: [String] = [], trustedReceivingHosts: [String] = []) {
        self.trustedAuthservIDs = trustedAuthservIDs.map { $0.lowercased() }
        self.trustedReceivingHosts = trustedReceivingHosts.map { $0.lowercased() }
    }

    /// How the message proves it comes from `address`, or nil when nothing does.
    public func proof(_ message: Message, from address: String) -> String? {
        let address = address.lowercased()
        guard let at = address.lastIndex(of: "@") else { return nil }
        let domain = String(address[address.index(after: at)...])
        for field in message.header.all("Authentication-Results") {
            let value = String(decoding: field.unfoldedBytes, as: UTF8.self)
            if let proof = authenticationResults(value, domain: domain) { return proof }
        }
        return authenticatedSubmission(message.header.all("Received"), address: address)
    }

    /// RFC 8601 §2.2: `authserv-id [version] *( ";" method "=" result *propspec )`.
    func authenticationResults(_ value: String, domain: String) -> String? {
        let parts = Self.withoutComments(value).split(separator: ";").map { String($0).trimmingSpaces() }
        guard let id = parts.first?.split(separator: " ").first.map({ String($0).lowercased() }),
              trustedAuthservIDs.contains(id) else { return nil }
        for result in parts.dropFirst() {
            let words = result.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { String($0).lowercased() }
            guard let head = words.first, let eq = head.firstIndex(of: "=") else { continue }
            let method = head[..<eq].split(separator: "/").first.map(String.init) ?? ""
            let outcome = String(head[head.index(after: eq)...])
            var properties: [String: String] = [:]
            for w in words.dropFirst() {
                if let e = w.firstIndex(of: "=") { properties[String(w[..<e])] = String(w[w.index(after: e)...]) }
            }
            guard outcome == "pass" else { continue }
            if method == "dmarc", properties["header.from"].map({ $0 == domain }) ?? true {
                return "Authentication-Results from \(id): dmarc=pass"
            }
            if method == "dkim", properties["header.d"] == domain {
                return "Authentication-Results from \(id): dkim=pass for \(domain)"
            }
        }
        return nil
    }

    /// RFC 5321 §4.4 trace fields, read from the top: local deliveries are skipped, and the
    /// first other one is the receiving MTA's record of where the message came from.
    func authenticatedSubmission(_ fields: [HeaderField], address: String) -> String? {
        for field in fields {
            let value = String(decoding: field.unfoldedBytes, as: UTF8.self)
            let words = Self.withoutComments(value).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ";" }).map { String($0).lowercased() }
            func after(_ word: String) -> String? { words.firstIndex(of: word).flatMap { $0 + 1 < words.count ? words[$0 + 1] : nil } }
            let with = after("with") ?? ""
            if with.hasPrefix("lmtp") || with == "local" { continue }
            guard let by = after("by"), trustedReceivingHosts.contains(by) else { return nil }
            guard with == "esmtpsa" || with == "esmtpa" else { return nil }
            let lower = value.lowercased()
            guard let r = lower.range(of: "authenticated sender:") else { return nil }
            let name = lower[r.upperBound...].drop(while: { $0 == " " }).prefix { !" )\t;".contains($0) }
            return name == address ? "authenticated submission recorded by \(by)" : nil
        }
        return nil
    }

    /// The text with RFC 5322 comments blanked out (the authenticated sender, which Postfix
    /// writes in a comment, is read from the whole value).
    static func withoutComments(_ s: String) -> String {
        var out = ""
        var depth = 0
        for c in s {
            if c == "(" { depth += 1; out.append(" "); continue }
            if c == ")" { depth = max(0, depth - 1); out.append(" "); continue }
            if depth == 0 { out.append(c) }
        }
        return out
    }
}
