"""The MTA pipe's cost a message: `suport ingest` and `suport-ingest` run one after the other,
alternating which goes first, each with a small new message (its own Message-ID), against the
same existing database. CPU is user + system time of the child alone (getrusage), so neither
Python nor the harness is counted. Prints the median, quartiles and page faults of each, and
`list --limit 1` (a command's fixed cost) beside them."""
import argparse, re, resource, statistics, subprocess, uuid

a = argparse.ArgumentParser()
a.add_argument("bin_dir"); a.add_argument("config"); a.add_argument("message")
a.add_argument("--runs", type=int, default=60)
args = a.parse_args()
raw = open(args.message, "rb").read()
assert re.search(rb"(?im)^Message-ID:", raw), "the message needs a Message-ID line, replaced each run"
commands = {
    "suport ingest": [f"{args.bin_dir}/suport", "ingest", "--config", args.config],
    "suport-ingest": [f"{args.bin_dir}/suport-ingest", "--config", args.config],
    "suport list --limit 1": [f"{args.bin_dir}/suport", "list", "--limit", "1", "--actor", "anna", "--config", args.config],
}
cpu = {k: [] for k in commands}
faults = {k: [] for k in commands}
order = list(commands)
for i in range(args.runs):
    for name in (order if i % 2 == 0 else order[::-1]):
        stdin = re.sub(rb"(?im)^Message-ID:.*$", f"Message-ID: <{uuid.uuid4()}@bench>".encode(), raw, count=1) if "ingest" in name else b""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        p = subprocess.run(commands[name], input=stdin, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if p.returncode != 0:
            raise SystemExit(f"bench-pipe: {name} exited {p.returncode}: {p.stderr.decode(errors='replace')}")
        cpu[name].append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
        faults[name].append(after.ru_minflt - before.ru_minflt)
for name in commands:
    q = statistics.quantiles(cpu[name], n=4)
    print(f"{name:22} CPU median {statistics.median(cpu[name]):.1f} ms (quartiles {q[0]:.1f}–{q[2]:.1f}), "
          f"{statistics.median(faults[name]):.0f} page faults, {len(cpu[name])} runs")
