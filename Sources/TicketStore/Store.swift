import Foundation
import MIME
import Tickets

/// What the desk needs of a storage engine. An engine applies ticket operations as they
/// are and decides nothing: every rule lives in `Tickets`. SQLite (`SQLStore`) is the
/// first engine; another implements this protocol and passes the same tests.
///
/// Calls block: async callers run them off the cooperative pool.
public protocol Store: Sendable {
    /// Runs `body` in one write transaction: what it applies is committed together, or not at
    /// all. Lookups inside see the database as the transaction leaves it.
    func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T
    /// Applies the schema migrations not yet applied; returns their names.
    @discardableResult func migrate() throws -> [String]

    // MARK: intake bookkeeping

    /// Records that a message is about to be read: its raw bytes, and one more attempt for its
    /// key. Returns the attempts so far, this one included, and the error the last one ended
    /// with. Durable against a crash of the process (the point is to count crashes).
    func beginAttempt(_ attempt: IntakeAttempt, now: Date) throws -> AttemptCount
    /// Records why an attempt ended without filing (the error is kept for `suport failed`).
    func endAttempt(_ key: String, error: String) throws
    /// Keeps a message that cannot be filed (its raw bytes are stored already by `beginAttempt`)
    /// and ends its attempts; returns its id for `suport failed`.
    func setAside(_ attempt: IntakeAttempt, mailbox: MailboxKey?, source: String?, subject: String?, sender: String?,
                  error: String, now: Date) throws -> Int64
    /// Messages set aside and not yet filed again, newest first.
    func failedIntake(limit: Int) throws -> [FailedIntake]
    /// One message set aside, with its raw bytes.
    func failedMessage(_ id: Int64) throws -> (FailedIntake, [UInt8])
    /// Records that a message set aside has been filed after all.
    func markRetried(_ id: Int64, ticket: Int?, now: Date) throws
    /// Whether this mailbox UID has been filed or set aside (the poller fetches neither).
    func intake(of key: MailboxKey) throws -> MailboxIntake

    // MARK: reading

    /// One ticket.
    func ticket(_ number: Int) throws -> TicketRecord?
    /// Tickets matching the filter, newest first.
    func list(_ filter: TicketFilter) throws -> [TicketRecord]
    /// A ticket's history, oldest first.
    func history(_ number: Int) throws -> [HistoryEntry]
    /// Entries that belong to no ticket: messages dropped as our own mail coming back.
    func droppedMessages(limit: Int) throws -> [HistoryEntry]
    /// The text of a stored message.
    func messageText(_ id: Int64) throws -> String?
    /// The raw bytes of a stored message, exactly as received (or as composed, for staff's own).
    func rawMessage(_ id: Int64) throws -> [UInt8]?
    /// A ticket's attachments.
    func attachments(_ number: Int) throws -> [AttachmentRecord]
    /// One attachment of a ticket and its bytes.
    func attachment(_ id: Int64, ofTicket number: Int) throws -> (AttachmentRecord, [UInt8])
    /// Resolved tickets waiting for their requestors' approval, oldest resolution first.
    func pendingApprovals() throws -> [TicketRecord]
    /// Open tickets whose clock has turned yellow or red by `now`: where the scheduler looks for reminders.
    func slaCandidates(now: Date) throws -> [TicketRecord]
    /// Open tickets waiting for someone, not changed since that time: where auto-close looks.
    func waiting(for: WaitingFor, updatedBefore: Date) throws -> [TicketRecord]
    /// Finished tickets resolved before this time whose messages have not been purged since.
    func retentionCandidates(resolvedBefore: Date) throws -> [TicketRecord]
    /// Gives the pages that purges freed back to the file system.
    func reclaimSpace() throws
    /// Carries out a person's erasure in one transaction; with `dryRun`, only counts what it would change.
    func erase(_ erasure: Erasure, dryRun: Bool) throws -> ErasureReport
    /// Records that someone read a ticket (the access record; not a change to the ticket).
    func recordAccess(ticket: Int, actor: String, via: String, at: Date) throws
    /// Who read a ticket, oldest first.
    func accessLog(ticket: Int) throws -> [AccessEntry]
    /// Forgets readings older than this; returns how many.
    @discardableResult func forgetAccess(before: Date) throws -> Int
    /// A ticket's links from its side: both ways for tickets, and its URLs.
    func links(_ ticket: Int) throws -> [TicketLink]
    /// Time entries of every ticket (or one), on days from `from` to `to` (`YYYY-MM-DD`, inclusive), oldest first.
    func timeEntries(ticket: Int?, from: String?, to: String?) throws -> [TimeRecord]
    /// The organisation an address belongs to: by membership, else by its mail domain.
    func organisation(of address: String) throws -> String?
    /// Creates or updates an organisation, its domains and its members as given.
    func saveOrganisation(_ organisation: Organisation, now: Date) throws
    /// Every organisation, by name.
    func organisations() throws -> [Organisation]
    /// One organisation, its name matched case-insensitively.
    func organisation(named name: String) throws -> Organisation?
    /// Creates or updates an asset.
    func saveAsset(_ asset: Asset, now: Date) throws
    /// Assets, all or one organisation's, by name.
    func assets(organisation: String?) throws -> [Asset]
    /// One asset, its name matched case-insensitively.
    func asset(named name: String) throws -> Asset?
    /// The desk at a glance at `now`; hours count from `monthStart` (`YYYY-MM-DD`).
    func dashboard(now: Date, monthStart: String) throws -> Dashboard
    /// Sets the language a person reads (nil: forget it, to be learned again); `by` is the staff handle.
    func setLanguage(_ language: Language?, of address: String, by: String, now: Date) throws
    /// The language a person reads and who set it ("learned" when it came from their mail).
    func language(of address: String) throws -> (language: Language, setBy: String)?
    /// Saves a named view: `suport list` arguments, replacing one of the same name.
    func saveView(name: String, arguments: [String], by: String?, now: Date) throws
    /// Saved views by name, with their arguments.
    func views() throws -> [(name: String, arguments: [String])]
    /// Forgets a saved view; returns whether there was one.
    @discardableResult func removeView(name: String) throws -> Bool
    /// Sets a staff member's password hash (bcrypt, made by the caller).
    func setPasswordHash(_ hash: String, handle: String, now: Date) throws
    /// A staff member's password hash, if one was set.
    func passwordHash(handle: String) throws -> String?
    /// Keeps a new web session.
    func saveSession(_ session: WebSession) throws
    /// A session by its id (the SHA-256 of its cookie), if it has not expired by `now`.
    func session(id: String, now: Date) throws -> WebSession?
    /// Ends one session; and every session that expired before `now`.
    func endSession(id: String, now: Date) throws
    /// Counts one attempt under each key (a failed login per account and address; a web form per address and IP), for rate limits.
    func recordAttempt(keys: [String], now: Date) throws
    /// Attempts under a key since a time.
    func attempts(key: String, since: Date) throws -> Int
    /// Forgets a key's attempts (after a login that worked).
    func clearAttempts(key: String) throws
    /// Revokes the links a requester (lowercased address) was sent for a ticket, up to `now`.
    func revokeLinks(ticket: Int, address: String, now: Date) throws
    /// When a requester's links to a ticket were last revoked.
    func linksRevoked(ticket: Int, address: String) throws -> Date?
    /// Keeps a requester's login link (by its token's SHA-256) until it expires.
    func saveLoginLink(id: String, address: String, expires: Date) throws
    /// Uses a login link once: its address if it is current and unused (it is used up then).
    func useLoginLink(id: String, now: Date) throws -> String?
    /// Writes the full-text index for what was filed since the last flush (a search does it first by itself).
    func flushSearchIndex() throws
    /// Keeps a new article (its id is ignored) as version 1; returns it with its id.
    func addArticle(_ article: Article) throws -> Article
    /// Keeps an edited article, the version it replaces staying in its history.
    func updateArticle(_ article: Article) throws
    /// One article as it is now.
    func article(_ id: Int64) throws -> Article?
    /// Articles, all or one queue's (and the whole desk's), newest change first.
    func articles(queue: String?) throws -> [Article]
    /// Every version of an article, the first first.
    func articleVersions(_ id: Int64) throws -> [Article]
    /// Articles with every word (accents and case folded, as the start of a word), best first.
    func searchArticles(_ words: String, limit: Int) throws -> [Article]
    /// Whether any article is published: most desks have few or none, and a suggestion asks
    /// this before it reads a ticket's words.
    func hasPublishedArticles() throws -> Bool
    /// Published articles of a queue (or the whole desk's) with any of these folded words, best first: suggestions' candidates.
    func articlesMatchingAny(_ words: [String], queue: String?, limit: Int) throws -> [Article]
    /// Everything held about one address, case-insensitively.
    func personData(_ address: String) throws -> PersonData
    /// Row counts: tickets, messages, blobs, attachments, history, intake keys, outbox by state.
    func counts() throws -> [String: Int]

    // MARK: the outbox: its delivery states are the only writes besides `apply`

    /// Outbox rows, newest first, optionally in one state or of one ticket.
    func outbox(state: OutboxEntry.State?, ticket: Int?, limit: Int) throws -> [OutboxEntry]
    /// The composed bytes of a notification, exactly as they are (or were) sent.
    func outboxMessage(_ id: Int64) throws -> [UInt8]
    /// Pending notifications whose time has come, oldest first, with their bytes.
    func dueNotifications(now: Date, limit: Int) throws -> [(OutboxEntry, [UInt8])]
    /// Puts a failed or waiting notification back to be sent at once.
    func retry(_ id: Int64, now: Date) throws
    /// Records a successful send.
    func markSent(_ id: Int64, now: Date) throws
    /// Records a failed attempt: tried again at `retryAt`, or given up on when it is nil.
    func markFailed(_ id: Int64, error: String, retryAt: Date?, now: Date) throws

    // MARK: several daemons on one database (Leases.swift)

    /// The time by the database's clock: leases and claims are measured in it, so daemons on
    /// hosts whose clocks differ agree on when one ran out (SQLite's is this host's).
    func databaseTime() throws -> Date
    /// Takes or renews a named lease (a mailbox, the scheduler) for `holder` until `until`:
    /// true when it was nobody's, had run out by `now`, or was the holder's already.
    func holdLease(_ name: String, holder: String, until: Date, now: Date) throws -> Bool
    /// Gives a lease up (a daemon stopping), if the holder still has it.
    func releaseLease(_ name: String, holder: String) throws
    /// Every lease as it stands, by name.
    func leases() throws -> [Lease]
    /// Claims due notifications for `holder` until `until`, oldest first, with their bytes:
    /// pending, due by `now`, and claimed by nobody else (or their claim ran out).
    func claimNotifications(holder: String, now: Date, until: Date, limit: Int) throws -> [(OutboxEntry, [UInt8])]
    /// Renews the claim on one notification just before it is sent: false when it is no
    /// longer the holder's to send (its claim ran out, or it is no longer pending).
    func renewClaim(_ id: Int64, holder: String, until: Date, now: Date) throws -> Bool
    /// Gives up the holder's claims on notifications it has not sent (a daemon stopping).
    func releaseClaims(holder: String) throws
    /// Every holder of a claim on a notification not yet sent.
    func claimHolders() throws -> [String]
}

/// Inside one write transaction: intake's lookups, and the one writer of tickets.
public protocol StoreTransaction: TicketLookup {
    /// Whether any article is published.
    func hasPublishedArticles() throws -> Bool
    /// Published articles of a queue (or the whole desk's) with any of these folded words, best first.
    func articlesMatchingAny(_ words: [String], queue: String?, limit: Int) throws -> [Article]
    /// A ticket's time entries, oldest first.
    func timeEntries(ticket: Int) throws -> [TimeRecord]
    /// A stored message of a ticket: its raw bytes, their SHA-256 and its text.
    func storedMessage(_ id: Int64, ticket: Int) throws -> (raw: [UInt8], sha256: String, text: String?)?
    /// The languages these people read, as learned or set (lowercased addresses).
    func languages(of addresses: [String]) throws -> [String: Language]
    /// A staff reply's notifications as held in the outbox, found by any one of them.
    func heldReply(outbox id: Int64) throws -> HeldReply?
    /// The message already filed under any of these dedupe keys, if one is.
    func filedMessage(keys: [String]) throws -> FiledMessage?
    /// Writes one operation as it is: the ticket row and its people, the kept message and its
    /// attachment records, the history, the outbox rows, failed deliveries, dedupe keys, and the
    /// end of its intake attempts. Returns the kept message's id.
    @discardableResult func apply(_ operation: TicketOperation) throws -> Int64?
}

extension Store {
    public func failedIntake() throws -> [FailedIntake] { try failedIntake(limit: 200) }
    public func droppedMessages() throws -> [HistoryEntry] { try droppedMessages(limit: 100) }
    public func outbox(state: OutboxEntry.State? = nil, ticket: Int? = nil) throws -> [OutboxEntry] {
        try outbox(state: state, ticket: ticket, limit: 200)
    }
    public func dueNotifications(now: Date = Date()) throws -> [(OutboxEntry, [UInt8])] { try dueNotifications(now: now, limit: 50) }
    public func retry(_ id: Int64) throws { try retry(id, now: Date()) }
    public func markSent(_ id: Int64) throws { try markSent(id, now: Date()) }
    public func markFailed(_ id: Int64, error: String, retryAt: Date?) throws { try markFailed(id, error: error, retryAt: retryAt, now: Date()) }
}
