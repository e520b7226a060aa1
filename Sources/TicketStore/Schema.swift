import GRDB

/// The database schema, as numbered migrations applied in order on open and by `suport db migrate`.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("1-tickets") { db in
            try db.execute(sql: """
                CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE tickets (
                    number INTEGER PRIMARY KEY,
                    title TEXT NOT NULL,
                    queue TEXT NOT NULL,
                    status TEXT NOT NULL,
                    owner TEXT,
                    priority INTEGER NOT NULL DEFAULT 0,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    resolved_at REAL
                );
                CREATE INDEX tickets_queue_status ON tickets(queue, status, number);
                CREATE INDEX tickets_owner ON tickets(owner);
                CREATE TABLE ticket_people (
                    ticket INTEGER NOT NULL REFERENCES tickets(number),
                    role TEXT NOT NULL CHECK (role IN ('requestor', 'cc')),
                    address TEXT NOT NULL,
                    name TEXT,
                    PRIMARY KEY (ticket, role, address)
                );
                CREATE INDEX ticket_people_address ON ticket_people(address);
                -- Raw messages and attachments, stored once each by content.
                CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, bytes BLOB NOT NULL);
                CREATE TABLE messages (
                    id INTEGER PRIMARY KEY,
                    ticket INTEGER REFERENCES tickets(number),
                    direction TEXT NOT NULL CHECK (direction IN ('in', 'out', 'note')),
                    message_id TEXT,
                    raw_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
                    subject TEXT,
                    sender TEXT,
                    text TEXT,
                    defects TEXT NOT NULL DEFAULT '',
                    mailbox TEXT,
                    received_at REAL NOT NULL
                );
                CREATE INDEX messages_message_id ON messages(message_id);
                CREATE INDEX messages_ticket ON messages(ticket);
                CREATE TABLE attachments (
                    id INTEGER PRIMARY KEY,
                    message INTEGER NOT NULL REFERENCES messages(id),
                    ticket INTEGER REFERENCES tickets(number),
                    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
                    filename TEXT,
                    content_type TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    inline INTEGER NOT NULL
                );
                CREATE INDEX attachments_ticket ON attachments(ticket);
                CREATE TABLE history (
                    id INTEGER PRIMARY KEY,
                    ticket INTEGER REFERENCES tickets(number),
                    at REAL NOT NULL,
                    actor TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    old_value TEXT,
                    new_value TEXT,
                    message INTEGER REFERENCES messages(id),
                    note TEXT
                );
                CREATE INDEX history_ticket ON history(ticket, id);
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY,
                    ticket INTEGER REFERENCES tickets(number),
                    history INTEGER REFERENCES history(id),
                    template TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    sender TEXT NOT NULL,
                    message_id TEXT NOT NULL,
                    raw BLOB NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL NOT NULL,
                    last_error TEXT,
                    created_at REAL NOT NULL,
                    sent_at REAL
                );
                CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
                CREATE INDEX outbox_message_id ON outbox(message_id);
                CREATE INDEX outbox_recipient ON outbox(recipient, template, created_at);
                -- What has been filed: mailbox + UIDVALIDITY + UID, and Message-ID + raw sha256.
                CREATE TABLE intake_keys (key TEXT PRIMARY KEY, message INTEGER REFERENCES messages(id), filed_at REAL NOT NULL);
                """)
        }
        migrator.registerMigration("2-failed-intake") { db in
            try db.execute(sql: """
                -- Messages that could not be filed: kept raw, moved aside on the server, listed by `suport failed`.
                CREATE TABLE failed_intake (
                    id INTEGER PRIMARY KEY,
                    mailbox TEXT NOT NULL,
                    uid_validity INTEGER NOT NULL,
                    uid INTEGER NOT NULL,
                    raw_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
                    size INTEGER NOT NULL,
                    subject TEXT,
                    sender TEXT,
                    error TEXT NOT NULL,
                    failed_at REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration("3-growth-indexes") { db in
            try db.execute(sql: """
                -- Found by `suport bench growth`: without these, filing scanned the whole outbox twice
                -- (a ticket's thread, and the acknowledgement cap, whose NOCASE comparison cannot use a
                -- BINARY index), so its cost grew with the database.
                CREATE INDEX outbox_ticket ON outbox(ticket, created_at);
                CREATE INDEX outbox_acknowledgements ON outbox(recipient COLLATE NOCASE, created_at) WHERE template = 'acknowledgement';
                DROP INDEX outbox_recipient;
                """)
        }
        migrator.registerMigration("4-blob-parts") { db in
            try db.execute(sql: """
                -- Blobs larger than one part are stored in parts of 1 MiB (blobs.bytes then empty), so
                -- neither Suport nor SQLite ever holds a second whole copy of a 50 MB message.
                ALTER TABLE blobs ADD COLUMN parts INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE blob_parts (
                    id INTEGER PRIMARY KEY,
                    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
                    part INTEGER NOT NULL,
                    bytes BLOB NOT NULL,
                    UNIQUE (sha256, part)
                );
                """)
        }
        migrator.registerMigration("5-attachments-in-their-message") { db in
            try db.execute(sql: """
                -- Attachments are read back from their message's raw bytes (which are stored anyway)
                -- instead of being stored a second time, decoded: `position` is the attachment's place
                -- among the message's attachments and `sha256` checks it. Rows from before keep their blob.
                CREATE TABLE attachments_new (
                    id INTEGER PRIMARY KEY,
                    message INTEGER NOT NULL REFERENCES messages(id),
                    ticket INTEGER REFERENCES tickets(number),
                    sha256 TEXT NOT NULL,
                    filename TEXT,
                    content_type TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    inline INTEGER NOT NULL,
                    position INTEGER
                );
                INSERT INTO attachments_new (id, message, ticket, sha256, filename, content_type, size, inline)
                    SELECT id, message, ticket, sha256, filename, content_type, size, inline FROM attachments;
                DROP TABLE attachments;
                ALTER TABLE attachments_new RENAME TO attachments;
                CREATE INDEX attachments_ticket ON attachments(ticket);
                """)
        }
        migrator.registerMigration("6-intake-attempts") { db in
            try db.execute(sql: """
                -- Every message is counted here before it is parsed, and its row removed when it is filed:
                -- a message that crashes the daemon is recognised on the next start and, after
                -- filing_attempts, set aside in failed_intake instead of being read again. WITHOUT ROWID:
                -- one b-tree, so counting and removing a row each rewrite one page, not two.
                CREATE TABLE intake_attempts (
                    key TEXT PRIMARY KEY,
                    raw_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
                    attempts INTEGER NOT NULL,
                    first_at REAL NOT NULL,
                    last_at REAL NOT NULL,
                    last_error TEXT
                ) WITHOUT ROWID;
                -- `suport failed retry` files a message set aside: when, and on which ticket.
                ALTER TABLE failed_intake ADD COLUMN retried_at REAL;
                ALTER TABLE failed_intake ADD COLUMN ticket INTEGER;
                """)
        }
        migrator.registerMigration("7-working-by-email") { db in
            try db.execute(sql: """
                -- Watchers: staff who follow a ticket (RT's AdminCc). The role CHECK changes, so the
                -- table is rebuilt, keeping its rows in their order.
                CREATE TABLE ticket_people_new (
                    ticket INTEGER NOT NULL REFERENCES tickets(number),
                    role TEXT NOT NULL CHECK (role IN ('requestor', 'cc', 'watcher')),
                    address TEXT NOT NULL,
                    name TEXT,
                    PRIMARY KEY (ticket, role, address)
                );
                INSERT INTO ticket_people_new (ticket, role, address, name)
                    SELECT ticket, role, address, name FROM ticket_people ORDER BY rowid;
                DROP TABLE ticket_people;
                ALTER TABLE ticket_people_new RENAME TO ticket_people;
                CREATE INDEX ticket_people_address ON ticket_people(address);
                -- Auto-generated mail that joined no ticket, filed without telling anyone (list --auto).
                ALTER TABLE tickets ADD COLUMN auto INTEGER NOT NULL DEFAULT 0;
                -- A resolution waiting for the requestors' confirmation: pending, approved, expired.
                ALTER TABLE tickets ADD COLUMN approval TEXT;
                CREATE INDEX tickets_approval ON tickets(approval) WHERE approval = 'pending';
                """)
        }
        migrator.registerMigration("8-retention") { db in
            try db.execute(sql: """
                -- Retention: when a finished ticket's messages were purged, and the lookups a purge
                -- needs to find its due tickets and the blobs nothing refers to any more.
                ALTER TABLE tickets ADD COLUMN purged_at REAL;
                CREATE INDEX tickets_finished ON tickets(resolved_at) WHERE status IN ('resolved', 'rejected');
                CREATE INDEX messages_raw ON messages(raw_sha256);
                CREATE INDEX attachments_sha ON attachments(sha256);
                """)
        }
        migrator.registerMigration("9-access-record") { db in
            try db.execute(sql: """
                -- Who read a ticket, when and how (GDPR accountability), kept access_log_days.
                CREATE TABLE access_log (
                    id INTEGER PRIMARY KEY,
                    ticket INTEGER NOT NULL,
                    at REAL NOT NULL,
                    actor TEXT NOT NULL,
                    via TEXT NOT NULL
                );
                CREATE INDEX access_log_ticket ON access_log(ticket, at);
                CREATE INDEX access_log_at ON access_log(at);
                """)
        }
        migrator.registerMigration("10-time-worked") { db in
            try db.execute(sql: """
                -- Time worked: entries by staff member and day, billable or not; the ticket keeps its
                -- total and whether its time is billed.
                ALTER TABLE tickets ADD COLUMN billable INTEGER NOT NULL DEFAULT 1;
                ALTER TABLE tickets ADD COLUMN minutes_worked INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE time_entries (
                    id INTEGER PRIMARY KEY,
                    ticket INTEGER NOT NULL REFERENCES tickets(number),
                    staff TEXT NOT NULL,
                    minutes INTEGER NOT NULL CHECK (minutes > 0),
                    day TEXT NOT NULL,
                    billable INTEGER NOT NULL,
                    note TEXT,
                    created_at REAL NOT NULL
                );
                CREATE INDEX time_entries_ticket ON time_entries(ticket);
                CREATE INDEX time_entries_day ON time_entries(day);
                """)
        }
        migrator.registerMigration("11-links") { db in
            try db.execute(sql: """
                -- Links between tickets, one row each (parent-of, depends-on, relates-to), or to a URL (refers-to).
                CREATE TABLE links (
                    id INTEGER PRIMARY KEY,
                    from_ticket INTEGER NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('relates-to', 'parent-of', 'depends-on', 'refers-to')),
                    to_ticket INTEGER,
                    url TEXT,
                    UNIQUE (from_ticket, kind, to_ticket, url)
                );
                CREATE INDEX links_to ON links(to_ticket);
                """)
        }
        migrator.registerMigration("12-merges") { db in
            try db.execute(sql: """
                -- A merged ticket points at the one it was merged into.
                ALTER TABLE tickets ADD COLUMN merged_into INTEGER;
                """)
        }
        migrator.registerMigration("13-data-model") { db in
            // One statement at a time: GRDB runs a multi-statement string as one, and ALTERs are many.
            let columns = [
                "type TEXT", "co_owners TEXT NOT NULL DEFAULT ''", "due_at REAL", "external_ref TEXT", "waiting_for TEXT", "level TEXT",
                "fields TEXT NOT NULL DEFAULT '{}'", "organisation TEXT", "assets TEXT NOT NULL DEFAULT ''",
                // The SLA clock (Tickets.SLAClock): what lists filter on and the scheduler reads.
                "sla_policy TEXT", "sla_paused_seconds INTEGER NOT NULL DEFAULT 0", "sla_paused_since REAL", "first_response_at REAL",
                "response_due REAL", "response_warn REAL", "resolution_due REAL", "resolution_warn REAL", "sla_warn_at REAL",
                "sla_breach_at REAL", "sla_reminded TEXT NOT NULL DEFAULT ''",
            ]
            for column in columns { try db.execute(sql: "ALTER TABLE tickets ADD COLUMN \(column)") }
            try db.execute(sql: """
                CREATE INDEX tickets_sla ON tickets(sla_warn_at) WHERE sla_warn_at IS NOT NULL;
                CREATE INDEX tickets_organisation ON tickets(organisation) WHERE organisation IS NOT NULL;
                CREATE INDEX tickets_external_ref ON tickets(external_ref) WHERE external_ref IS NOT NULL;
                -- Clients: organisations, the mail domains and the people that belong to them.
                CREATE TABLE organisations (name TEXT PRIMARY KEY COLLATE NOCASE, contact TEXT, notes TEXT, created_at REAL NOT NULL);
                CREATE TABLE organisation_domains (domain TEXT PRIMARY KEY, organisation TEXT NOT NULL REFERENCES organisations(name));
                CREATE TABLE organisation_members (address TEXT PRIMARY KEY, organisation TEXT NOT NULL REFERENCES organisations(name));
                -- Assets: the things the desk supports (a ticket names them in tickets.assets, tab-separated).
                CREATE TABLE assets (
                    name TEXT PRIMARY KEY COLLATE NOCASE,
                    kind TEXT NOT NULL,
                    organisation TEXT REFERENCES organisations(name),
                    location TEXT,
                    notes TEXT,
                    created_at REAL NOT NULL
                );
                -- What the dashboard counts without reading every ticket.
                CREATE INDEX tickets_waiting ON tickets(queue, waiting_for) WHERE waiting_for IS NOT NULL;
                CREATE INDEX tickets_aside ON tickets(queue, status) WHERE auto = 1 OR merged_into IS NOT NULL;
                CREATE INDEX tickets_open_work ON tickets(queue, status, owner, auto, waiting_for, updated_at, number)
                    WHERE status IN ('new', 'open');
                -- Saved views: named `suport list` options (a JSON array of arguments).
                CREATE TABLE saved_views (name TEXT PRIMARY KEY, arguments TEXT NOT NULL, created_by TEXT, created_at REAL NOT NULL);
                """)
        }
        migrator.registerMigration("14-search") { db in
            try db.execute(sql: """
                -- Full-text search: a row per ticket (rowid -number) and per stored message (rowid: its id),
                -- accents and case folded (Catalan and Spanish text), ranked by bm25.
                CREATE VIRTUAL TABLE search_index USING fts5(ticket UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2');
                INSERT INTO search_index (rowid, ticket, body)
                    SELECT -number, number, title || char(10) || COALESCE(external_ref, '') FROM tickets;
                INSERT INTO search_index (rowid, ticket, body)
                    SELECT m.id, m.ticket, COALESCE(m.subject, '') || char(10) || COALESCE(m.text, '') || char(10)
                        || COALESCE((SELECT group_concat(a.filename, char(10)) FROM attachments a WHERE a.message = m.id), '')
                    FROM messages m WHERE m.ticket IS NOT NULL;
                """)
        }
        migrator.registerMigration("15-undo-window") { db in
            try db.execute(sql: """
                -- Staff correspondence waits an undo window: who wrote it, until when it is held, and a
                -- state for what its author withdrew. The state CHECK changes, so the table is rebuilt.
                CREATE TABLE outbox_new (
                    id INTEGER PRIMARY KEY,
                    ticket INTEGER REFERENCES tickets(number),
                    history INTEGER REFERENCES history(id),
                    template TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    sender TEXT NOT NULL,
                    message_id TEXT NOT NULL,
                    raw BLOB NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'withdrawn')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL NOT NULL,
                    last_error TEXT,
                    created_at REAL NOT NULL,
                    sent_at REAL,
                    author TEXT,
                    held_until REAL
                );
                INSERT INTO outbox_new (id, ticket, history, template, recipient, sender, message_id, raw, state, attempts, next_attempt_at,
                                        last_error, created_at, sent_at)
                    SELECT id, ticket, history, template, recipient, sender, message_id, raw, state, attempts, next_attempt_at,
                           last_error, created_at, sent_at FROM outbox;
                DROP TABLE outbox;
                ALTER TABLE outbox_new RENAME TO outbox;
                CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
                CREATE INDEX outbox_message_id ON outbox(message_id);
                CREATE INDEX outbox_ticket ON outbox(ticket, created_at);
                CREATE INDEX outbox_acknowledgements ON outbox(recipient COLLATE NOCASE, created_at) WHERE template = 'acknowledgement';
                CREATE INDEX outbox_history ON outbox(history);
                """)
        }
        migrator.registerMigration("16-people-languages") { db in
            try db.execute(sql: """
                -- The language each person reads: learned from their first message, or set by staff.
                CREATE TABLE people (address TEXT PRIMARY KEY, language TEXT NOT NULL, set_by TEXT NOT NULL, updated_at REAL NOT NULL);
                """)
        }
        migrator.registerMigration("17-web-access") { db in
            // Staff passwords (bcrypt) live here, never in the TOML.
            try db.execute(sql: "CREATE TABLE staff_passwords (handle TEXT PRIMARY KEY, hash TEXT NOT NULL, set_at REAL NOT NULL)")
            // A session is kept by the SHA-256 of its cookie: a copy of the database opens none.
            try db.execute(sql: """
                CREATE TABLE web_sessions (id TEXT PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL, ticket INTEGER,
                    csrf TEXT NOT NULL, created_at REAL NOT NULL, expires_at REAL NOT NULL)
                """)
            try db.execute(sql: "CREATE INDEX web_sessions_expiry ON web_sessions (expires_at)")
            // Failed logins per account and address, and web forms per address and IP: the rate limits.
            try db.execute(sql: "CREATE TABLE web_attempts (key TEXT NOT NULL, at REAL NOT NULL)")
            try db.execute(sql: "CREATE INDEX web_attempts_key ON web_attempts (key, at)")
        }
        migrator.registerMigration("18-requester-links") { db in
            // A requester's links to a ticket issued before this time open nothing.
            try db.execute(sql: """
                CREATE TABLE link_revocations (ticket INTEGER NOT NULL, address TEXT NOT NULL, revoked_at REAL NOT NULL,
                    PRIMARY KEY (ticket, address))
                """)
            // A requester's single-use link to all their tickets, by the SHA-256 of its token.
            try db.execute(sql: "CREATE TABLE login_links (id TEXT PRIMARY KEY, address TEXT NOT NULL, expires_at REAL NOT NULL, used_at REAL)")
        }
        migrator.registerMigration("19-search-queue-and-sort-indexes") { db in
            // Rows of search_index to write at the next flush (SearchIndex.swift says why).
            try db.execute(sql: "CREATE TABLE search_pending (rowid INTEGER PRIMARY KEY, ticket INTEGER NOT NULL)")
            // The web list by priority, a page at a time without sorting every ticket (priority
            // seldom changes; an index on updated_at would be rewritten by every message filed).
            try db.execute(sql: "CREATE INDEX tickets_priority ON tickets (priority, number)")
        }
        migrator.registerMigration("20-knowledge-base") { db in
            // Articles as they are now, every version as it was, and their own full-text index
            // (written with them: articles change seldom), folded as the tickets' is.
            try db.execute(sql: """
                CREATE TABLE kb_articles (id INTEGER PRIMARY KEY, title TEXT NOT NULL, problem TEXT NOT NULL, solution TEXT NOT NULL,
                    tags TEXT NOT NULL, queue TEXT, language TEXT NOT NULL, public INTEGER NOT NULL, author TEXT NOT NULL,
                    created_at REAL NOT NULL, updated_at REAL NOT NULL, version INTEGER NOT NULL, draft INTEGER NOT NULL DEFAULT 0,
                    source_ticket INTEGER)
                """)
            try db.execute(sql: """
                CREATE TABLE kb_versions (article INTEGER NOT NULL REFERENCES kb_articles(id), version INTEGER NOT NULL, title TEXT NOT NULL,
                    problem TEXT NOT NULL, solution TEXT NOT NULL, tags TEXT NOT NULL, queue TEXT, language TEXT NOT NULL,
                    public INTEGER NOT NULL, author TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (article, version))
                """)
            try db.execute(sql: "CREATE VIRTUAL TABLE kb_index USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2')")
        }
        migrator.registerMigration("21-leases") { db in
            // Several daemons on one database: a named lease (a mailbox, the scheduler) is held by
            // one daemon until it expires unless renewed, and a notification is claimed by the
            // daemon sending it (Leases.swift).
            try db.execute(sql: "CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at REAL NOT NULL)")
            try db.execute(sql: "ALTER TABLE outbox ADD COLUMN claimed_by TEXT")
            try db.execute(sql: "ALTER TABLE outbox ADD COLUMN claimed_until REAL")
        }
        migrator.registerMigration("22-no-outbox-history-index") { db in
            // Every notification wrote a page of it; the one reader (a held reply's other
            // notifications) finds them among its ticket's by `outbox_ticket`.
            try db.execute(sql: "DROP INDEX outbox_history")
        }
        return migrator
    }
}
