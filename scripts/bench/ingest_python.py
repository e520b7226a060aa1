#!/usr/bin/env python3
"""The reference for `suport bench ingest`: the same filing work with Python's standard
library only (email with policy.default, sqlite3 in WAL mode), one transaction per message:
dedupe by Message-ID + SHA-256, new ticket or reply by the [suport#n] tag, the raw message,
the text, each attachment once by SHA-256, a history row and the outbox rows (an
acknowledgement and a note to each of two staff for a new ticket, one note for a reply).

    scripts/bench/ingest_python.py DIR
"""
import email, hashlib, os, re, resource, sqlite3, sys, tempfile, time
from email import policy

TAG = re.compile(r"\[suport\s*#(\d+)\]", re.I)

def setup(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript("""
        CREATE TABLE tickets (number INTEGER PRIMARY KEY, title TEXT, status TEXT, created REAL);
        CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, size INTEGER, bytes BLOB);
        CREATE TABLE messages (id INTEGER PRIMARY KEY, ticket INTEGER, message_id TEXT, raw_sha256 TEXT, subject TEXT, text TEXT);
        CREATE TABLE attachments (id INTEGER PRIMARY KEY, message INTEGER, sha256 TEXT, filename TEXT, size INTEGER);
        CREATE TABLE history (id INTEGER PRIMARY KEY, ticket INTEGER, kind TEXT, message INTEGER);
        CREATE TABLE outbox (id INTEGER PRIMARY KEY, ticket INTEGER, recipient TEXT, raw BLOB);
        CREATE TABLE intake_keys (key TEXT PRIMARY KEY);
    """)
    return db

def file_message(db, raw):
    sha = hashlib.sha256(raw).hexdigest()
    m = email.message_from_bytes(raw, policy=policy.default)
    mid = str(m["message-id"] or "-").strip()
    key = "msg:%s:%s" % (mid, sha)
    db.execute("BEGIN IMMEDIATE")
    if db.execute("SELECT 1 FROM intake_keys WHERE key=?", (key,)).fetchone():
        db.execute("COMMIT")
        return 0
    subject = str(m["subject"] or "")
    body = m.get_body(("plain", "html"))
    try:
        text = body.get_content() if body is not None else None
    except (LookupError, ValueError):
        text = None
    tag = TAG.search(subject)
    ticket = None
    if tag and db.execute("SELECT 1 FROM tickets WHERE number=?", (int(tag.group(1)),)).fetchone():
        ticket = int(tag.group(1))
    new = ticket is None
    if new:
        cur = db.execute("INSERT INTO tickets (title, status, created) VALUES (?, 'new', ?)", (subject, time.time()))
        ticket = cur.lastrowid
    db.execute("INSERT OR IGNORE INTO blobs VALUES (?, ?, ?)", (sha, len(raw), raw))
    cur = db.execute("INSERT INTO messages (ticket, message_id, raw_sha256, subject, text) VALUES (?, ?, ?, ?, ?)",
                     (ticket, mid, sha, subject, text))
    message = cur.lastrowid
    for part in m.iter_attachments():
        data = part.get_payload(decode=True) or b""
        asha = hashlib.sha256(data).hexdigest()
        db.execute("INSERT OR IGNORE INTO blobs VALUES (?, ?, ?)", (asha, len(data), data))
        db.execute("INSERT INTO attachments (message, sha256, filename, size) VALUES (?, ?, ?, ?)",
                   (message, asha, part.get_filename(), len(data)))
    db.execute("INSERT INTO history (ticket, kind, message) VALUES (?, ?, ?)", (ticket, "create" if new else "correspondence", message))
    recipients = ["requestor", "anna", "pere"] if new else ["anna"]
    for r in recipients:
        note = ("[suport#%d] %s\r\n\r\n%s" % (ticket, subject, (text or "")[:2000])).encode()
        db.execute("INSERT INTO outbox (ticket, recipient, raw) VALUES (?, ?, ?)", (ticket, r, note))
    db.execute("INSERT INTO intake_keys VALUES (?)", (key,))
    db.execute("COMMIT")
    return len(recipients)

def main():
    folder = sys.argv[1]
    # Each message is read just before it is filed, as Suport's benchmark does.
    paths = [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.endswith(".eml")]
    total = sum(os.path.getsize(p) for p in paths)
    with tempfile.TemporaryDirectory() as tmp:
        db = setup(os.path.join(tmp, "bench.sqlite"))
        start = time.perf_counter()
        notes = 0
        for p in paths:
            with open(p, "rb") as f:
                notes += file_message(db, f.read())
        seconds = time.perf_counter() - start
        tickets = db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mb = total / 1048576
    print("python: %d messages, %.1f MB filed in %.3f s: %.0f messages/s, %.1f MB/s (%d tickets, %d notifications), peak RSS %.1f MB"
          % (len(paths), mb, seconds, len(paths) / seconds, mb / seconds, tickets, notes, rss))

if __name__ == "__main__":
    main()
