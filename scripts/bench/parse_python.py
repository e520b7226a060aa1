#!/usr/bin/env python3
"""The reference for `suport bench parse`: Python's email package (policy.default) doing
the same extraction over the same folder: decoded subject and addresses, the text body
(plain, else HTML), and every attachment decoded with its size.

    scripts/bench/parse_python.py DIR [--rounds N]
"""
import argparse, email, os, resource, sys, time
from email import policy

def extract(raw):
    m = email.message_from_bytes(raw, policy=policy.default)
    n = len(str(m["subject"] or ""))
    for field in ("from", "to", "cc"):
        h = m[field]
        if h is not None:
            n += len(getattr(h, "addresses", ()))
    body = m.get_body(("plain", "html"))
    if body is not None:
        try:
            n += len(body.get_content())
        except (LookupError, ValueError):
            pass
    for part in m.iter_attachments():
        data = part.get_payload(decode=True)
        n += len(data or b"")
    return n

def main():
    p = argparse.ArgumentParser()
    p.add_argument("folder")
    p.add_argument("--rounds", type=int, default=1)
    a = p.parse_args()
    names = sorted(f for f in os.listdir(a.folder) if f.endswith(".eml"))
    corpus = [open(os.path.join(a.folder, f), "rb").read() for f in names]
    total = sum(len(c) for c in corpus)
    start = time.perf_counter()
    sink = 0
    for _ in range(a.rounds):
        for raw in corpus:
            sink += extract(raw)
    seconds = time.perf_counter() - start
    count = len(corpus) * a.rounds
    mb = total * a.rounds / 1048576
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"python: {count} messages, {mb:.1f} MB in {seconds:.3f} s: {count / seconds:.0f} messages/s, "
          f"{mb / seconds:.1f} MB/s, peak RSS {rss:.1f} MB")

if __name__ == "__main__":
    main()
