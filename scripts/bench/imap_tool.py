#!/usr/bin/env python3
"""Helpers for scripts/bench-imap, standard library only.

    imap_tool.py deliver DIR      every .eml of DIR into support@example.test's INBOX over LMTP
    imap_tool.py floor            seconds for one UID FETCH 1:* BODY.PEEK[] of the whole INBOX
    imap_tool.py wait-empty T0    waits until the INBOX is empty; prints seconds since T0 (epoch)

Ports and the CA come from the variables scripts/mail-servers prints.
"""
import imaplib, os, smtplib, ssl, sys, time

def imap():
    ctx = ssl.create_default_context(cafile=os.environ["MAIL_CA"])
    conn = imaplib.IMAP4_SSL("127.0.0.1", int(os.environ["IMAPS_PORT"]), ssl_context=ctx)
    conn.login("support@example.test", "support-pw")
    return conn

def deliver(folder):
    paths = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".eml"))
    lmtp = smtplib.LMTP("127.0.0.1", int(os.environ["LMTP_PORT"]))
    for p in paths:
        with open(p, "rb") as f:
            lmtp.sendmail("bench@customer.test", ["support@example.test"], f.read())
    lmtp.quit()
    print(f"delivered {len(paths)} messages")

def floor():
    conn = imap()
    conn.select("INBOX", readonly=True)
    start = time.perf_counter()
    typ, data = conn.uid("FETCH", "1:*", "(BODY.PEEK[])")
    seconds = time.perf_counter() - start
    size = sum(len(d[1]) for d in data if isinstance(d, tuple))
    count = sum(1 for d in data if isinstance(d, tuple))
    conn.logout()
    print(f"floor: one UID FETCH 1:* BODY.PEEK[] of {count} messages, {size / 1048576:.1f} MB: {seconds:.2f} s")

def wait_empty(t0):
    conn = imap()
    while True:
        typ, data = conn.status("INBOX", "(MESSAGES)")
        if int(data[0].split()[-1].strip(b")")) == 0:
            break
        time.sleep(0.05)
    conn.logout()
    print(f"{time.time() - t0:.2f}")

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "deliver": deliver(sys.argv[2])
    elif cmd == "floor": floor()
    elif cmd == "wait-empty": wait_empty(float(sys.argv[2]))
    else: sys.exit(__doc__)
