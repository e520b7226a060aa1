"""Which b-trees one filing writes: files one message with COMMAND (e.g. `.build/release/suport-ingest`)
into DATABASE (the configuration CONFIG names it) and prints, per transaction in the WAL, how
many frames each table or index took, named by SQLite's dbstat. A connection is held open
meanwhile, as a daemon holds it, and the log emptied first, so every frame is this filing's.
  python3 scripts/bench/wal_frames.py DATABASE CONFIG MESSAGE COMMAND
The message needs a Message-ID line; it is replaced by a new one each run."""
import collections, re, sqlite3, struct, subprocess, sys, uuid

database, config, message, command = sys.argv[1:5]
held = sqlite3.connect(database)
held.execute("PRAGMA wal_checkpoint(TRUNCATE)")
held.execute("SELECT 1 FROM sqlite_master").fetchall()
raw = re.sub(rb"(?im)^Message-ID:.*$", f"Message-ID: <{uuid.uuid4()}@wal-frames>".encode(), open(message, "rb").read(), count=1)
run = subprocess.run(command.split() + ["--config", config], input=raw, capture_output=True)
if run.returncode != 0:
    sys.exit(f"wal_frames: {command} exited {run.returncode}: {run.stderr.decode(errors='replace')}")
log = open(database + "-wal", "rb").read()
page_size = struct.unpack(">I", log[8:12])[0]
owner = {page: f"{name} ({kind})" for name, page, kind in held.execute("SELECT name, pageno, pagetype FROM dbstat")}
transactions, pages, offset = [], [], 32
while offset + 24 + page_size <= len(log):
    page, commit = struct.unpack(">II", log[offset:offset + 8])
    pages.append(page)
    offset += 24 + page_size
    if commit:
        transactions.append(pages)
        pages = []
print(f"{sum(map(len, transactions))} frames in {len(transactions)} transactions, {len(log)} bytes of log")
for number, frames in enumerate(transactions, 1):
    names = collections.Counter("the header" if p == 1 else owner.get(p, "ptrmap or free") for p in frames)
    print(f"transaction {number}: {len(frames)} frames: " + ", ".join(f"{name} {n}" for name, n in names.most_common()))
