import Foundation
import MIME

/// A client of the desk: a member organisation, a company, an observatory's customer.
/// Its people belong to it by membership or by their mail domain.
public struct Organisation: Sendable, Equatable {
    public let name: String
    public var contact: String?
    /// Internal notes, for staff only.
    public var notes: String?
    /// Mail domains whose people belong to it (`example.cat` also covers `mail.example.cat`).
    public var domains: [String]
    /// Addresses that belong to it whatever their domain.
    public var members: [String]

    public init(name: String, contact: String? = nil, notes: String? = nil, domains: [String] = [], members: [String] = []) {
        self.name = name
        self.contact = contact
        self.notes = notes
        self.domains = domains
        self.members = members
    }
}

/// A thing the desk supports: a telescope, a network node, a product.
public struct Asset: Sendable, Equatable {
    public let name: String
    /// One of `[suport] asset_kinds`.
    public let kind: String
    public var organisation: String?
    /// Where it is (the observatory's "area", a node's rooftop).
    public var location: String?
    public var notes: String?

    public init(name: String, kind: String, organisation: String? = nil, location: String? = nil, notes: String? = nil) {
        self.name = name
        self.kind = kind
        self.organisation = organisation
        self.location = location
        self.notes = notes
    }
}

/// The rules for clients' records: names, domains and kinds that can be kept.
public enum ClientRules {
    /// A name for an organisation or asset: one line, not empty, at most 100 characters.
    public static func name(_ text: String) throws(DeskError) -> String {
        let clean = HeaderEncoding.sanitize(text.replacingOccurrences(of: "\t", with: " "))
        guard !clean.isEmpty, clean.count <= 100 else { throw .invalidField("name", "needs one line of 1–100 characters") }
        return clean
    }

    /// A mail domain, lowercased, without a leading `@`.
    public static func domain(_ text: String) throws(DeskError) -> String {
        let d = text.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "@ "))
        guard d.contains("."), OutgoingMessage.isValidAddress("x@\(d)") else { throw .invalidField("domain", "\(text.debugDescription) is not a mail domain") }
        return d
    }

    /// An asset kind from the configured list.
    public static func kind(_ text: String, policy: DeskPolicy) throws(DeskError) -> String {
        guard let k = policy.assetKinds.first(where: { $0.lowercased() == text.lowercased() }) else {
            throw .invalidField("kind", policy.assetKinds.isEmpty ? "no asset kinds are configured ([suport] asset_kinds)"
                                                                  : "\(text.debugDescription) is not one of \(policy.assetKinds.joined(separator: ", "))")
        }
        return k
    }

    /// The domains an address's organisation is looked up by, most specific first:
    /// `a@mail.example.cat` → `mail.example.cat`, `example.cat`.
    public static func domains(of address: String) -> [String] {
        guard let at = address.lastIndex(of: "@") else { return [] }
        let labels = address[address.index(after: at)...].lowercased().split(separator: ".")
        guard labels.count >= 2 else { return [] }
        return (0...(labels.count - 2)).map { labels[$0...].joined(separator: ".") }
    }
}
