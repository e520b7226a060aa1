#!/usr/bin/env python3
"""Request Tracker 5 (Debian's) beside Suport, filing the same messages on the same machine.

A throwaway RT instance lives in a temporary folder: its SQLite database, its var, Mason
and session folders, a site configuration pointed to by RT_SITE_CONFIG (and an empty
RT_SITE_CONFIG_DIR, so the system's debconf settings are not read), outgoing mail appended to
an mbox file there instead of sent. Its standalone server listens on loopback; `rt-mailgate`
runs once per message, as an MTA pipe runs it. Suport runs `suport-ingest` (the pipe's own
executable, beside `suport`) once per message
against its own fresh database, and `suport bench ingest` in one process. The products
alternate round by round. Each round checks that every message was filed once, then the
medians and the ratios are printed. Everything is removed at the end.

    rt_side_by_side.py SUPORT_BINARY SUPORT_CONFIG CORPUS_DIR [--count N] [--rounds R]
"""
import argparse, os, shutil, socket, sqlite3, statistics, subprocess, sys, tempfile, time, urllib.request

RT_SERVER = "/usr/share/request-tracker5/libexec/rt-server"
RT_SETUP = "/usr/sbin/rt-setup-database-5"
RT_MAILGATE = "/usr/bin/rt-mailgate"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RT:
    """One throwaway RT instance: configured, its database initialised once and copied fresh per round."""

    def __init__(self, root):
        self.root = root
        self.port = free_port()
        self.db = os.path.join(root, "rt.sqlite")
        self.pristine = os.path.join(root, "rt.sqlite.pristine")
        for d in ("var", "mason", "sessions", "site.d"):
            os.makedirs(os.path.join(root, d))
        self.config = os.path.join(root, "RT_SiteConfig.pm")
        q = lambda s: "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"
        with open(self.config, "w") as f:
            f.write(f"""
Set($rtname, 'suport-bench');
Set($Organization, 'bench.invalid');
Set($Timezone, 'UTC');
Set($DatabaseType, 'SQLite');
Set($DatabaseName, {q(self.db)});
Set($WebDomain, '127.0.0.1');
Set($WebPort, {self.port});
Set($WebPath, '');
Set($WebBaseURL, 'http://127.0.0.1:{self.port}');
Set($CorrespondAddress, 'support@example.test');
Set($CommentAddress, 'support-comment@example.test');
Set($MailCommand, 'mbox');
Set($LogToSyslog, undef);
Set($LogToSTDERR, 'error');
Set($LogToFile, undef);
$RT::VarPath = {q(os.path.join(root, "var"))};
$RT::MasonDataDir = {q(os.path.join(root, "mason"))};
$RT::MasonSessionDir = {q(os.path.join(root, "sessions"))};
1;
""")
        self.env = dict(os.environ, RT_SITE_CONFIG=self.config, RT_SITE_CONFIG_DIR=os.path.join(root, "site.d"))
        data = os.path.join(root, "queues.pl")
        with open(data, "w") as f:
            # Anyone may open and answer tickets by mail in both queues, as Suport's requesters do.
            f.write("""
@Queues = ({ Name => 'support', CorrespondAddress => 'support@example.test' },
           { Name => 'treasury', CorrespondAddress => 'treasury@example.test' });
@ACL = map { my $q = $_; map { { GroupDomain => 'SystemInternal', GroupType => 'Everyone', Right => $_, Queue => $q } }
             qw(CreateTicket ReplyToTicket CommentOnTicket SeeQueue) } qw(support treasury);
1;
""")
        self.run([RT_SETUP, "--action", "init"])
        self.run([RT_SETUP, "--action", "insert", "--datafile", data])
        shutil.copyfile(self.db, self.pristine)
        self.server = None

    def run(self, argv):
        out = subprocess.run(argv, env=self.env, input=b"", capture_output=True)
        if out.returncode != 0:
            sys.exit(f"bench-rt: {' '.join(argv)} failed:\n{out.stdout.decode(errors='replace')}{out.stderr.decode(errors='replace')}")

    def start(self):
        """A fresh copy of the initialised database, and the standalone server on it."""
        shutil.copyfile(self.pristine, self.db)
        self.log = open(os.path.join(self.root, "server.log"), "ab")
        self.server = subprocess.Popen([RT_SERVER, "--port", str(self.port)], env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.server.poll() is not None:
                sys.exit(f"bench-rt: RT's server ended at start; see {self.root}/server.log")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=5).read()
                return
            except OSError:
                time.sleep(0.5)
        sys.exit("bench-rt: RT's server did not answer within 120 s")

    def stop(self):
        if self.server:
            self.server.terminate()
            try:
                self.server.wait(20)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
            self.server = None

    def file(self, path):
        with open(path, "rb") as f:
            out = subprocess.run([RT_MAILGATE, "--queue", "support", "--action", "correspond",
                                  "--url", f"http://127.0.0.1:{self.port}/"], stdin=f, capture_output=True, env=self.env)
        if out.returncode != 0:
            sys.exit(f"bench-rt: rt-mailgate failed on {path}: {out.stderr.decode(errors='replace')[-2000:]}")

    def filed(self):
        """(messages filed, tickets): each message is a ticket's Create or a Correspond transaction."""
        with sqlite3.connect(self.db) as c:
            messages = c.execute("SELECT COUNT(*) FROM Transactions WHERE ObjectType = 'RT::Ticket' AND Type IN ('Create', 'Correspond')").fetchone()[0]
            tickets = c.execute("SELECT COUNT(*) FROM Tickets WHERE id = EffectiveId").fetchone()[0]
        return messages, tickets


def suport_pipe(binary, config, paths, scratch):
    """`suport-ingest` per message into a fresh database; returns (seconds, messages filed, tickets)."""
    pipe = os.path.join(os.path.dirname(binary), "suport-ingest")
    db = os.path.join(scratch, "pipe.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    cfg = os.path.join(scratch, "pipe.toml")
    with open(config) as f, open(cfg, "w") as out:
        for line in f:
            out.write(f'database = "{db}"\n' if line.startswith("database = ") else line)
    t0 = time.perf_counter()
    for p in paths:
        with open(p, "rb") as f:
            out = subprocess.run([pipe, "--config", cfg], stdin=f, capture_output=True)
        if out.returncode != 0:
            sys.exit(f"bench-rt: suport-ingest failed on {p}: {out.stderr.decode(errors='replace')[-2000:]}")
    took = time.perf_counter() - t0
    with sqlite3.connect(db) as c:
        messages = c.execute("SELECT COUNT(*) FROM messages WHERE direction = 'in'").fetchone()[0]
        tickets = c.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
    return took, messages, tickets


def suport_in_process(binary, config, folder):
    """`suport bench ingest`'s one-transaction-per-message rate."""
    out = subprocess.run([binary, "bench", "ingest", "--config", config, folder], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"bench-rt: suport bench ingest failed: {out.stderr[-2000:]}")
    line = next(l for l in out.stdout.splitlines() if l.startswith("suport (one transaction per message)"))
    count = int(line.split(": ")[1].split(" messages")[0])
    rate = float(line.split(" messages/s")[0].rsplit(" ", 1)[1])
    return rate, count


def main():
    a = argparse.ArgumentParser()
    a.add_argument("binary"); a.add_argument("config"); a.add_argument("corpus")
    a.add_argument("--count", type=int, default=1000)
    a.add_argument("--rounds", type=int, default=3)
    args = a.parse_args()
    paths = sorted(os.path.join(args.corpus, n) for n in os.listdir(args.corpus) if n.endswith(".eml"))[:args.count]
    n = len(paths)
    root = tempfile.mkdtemp(prefix="suport-bench-rt-")
    subset = os.path.join(root, "corpus")
    os.makedirs(subset)
    for p in paths:
        os.symlink(os.path.abspath(p), os.path.join(subset, os.path.basename(p)))
    rt = None
    try:
        print(f"bench-rt: {n} messages, {args.rounds} rounds, RT and Suport alternating; setting up RT in {root}", flush=True)
        rt = RT(root)
        rates = {"rt": [], "pipe": [], "process": []}
        for r in range(args.rounds):
            order = ["rt", "suport"] if r % 2 == 0 else ["suport", "rt"]
            for product in order:
                if product == "rt":
                    rt.start()
                    t0 = time.perf_counter()
                    for p in paths:
                        rt.file(p)
                    took = time.perf_counter() - t0
                    rt.stop()
                    messages, tickets = rt.filed()
                    if messages != n:
                        sys.exit(f"bench-rt: RT filed {messages} of {n} messages")
                    rates["rt"].append(n / took)
                    print(f"round {r + 1}: rt-mailgate per message: {n / took:.2f} messages/s ({tickets} tickets)", flush=True)
                else:
                    took, messages, tickets = suport_pipe(args.binary, args.config, paths, root)
                    if messages != n:
                        sys.exit(f"bench-rt: suport-ingest filed {messages} of {n} messages")
                    rates["pipe"].append(n / took)
                    rate, count = suport_in_process(args.binary, args.config, subset)
                    if count != n:
                        sys.exit(f"bench-rt: suport bench ingest read {count} of {n} messages")
                    rates["process"].append(rate)
                    print(f"round {r + 1}: suport-ingest per message: {n / took:.2f} messages/s ({tickets} tickets); "
                          f"suport bench ingest: {rate:.0f} messages/s", flush=True)
        m = {k: statistics.median(v) for k, v in rates.items()}
        print(f"median: RT {m['rt']:.2f} messages/s; suport-ingest {m['pipe']:.1f} ({m['pipe'] / m['rt']:.1f} times RT, target 50); "
              f"suport bench ingest {m['process']:.0f} ({m['process'] / m['rt']:.0f} times RT, target 200)")
    finally:
        if rt:
            rt.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
