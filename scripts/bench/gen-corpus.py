#!/usr/bin/env python3
"""Writes a deterministic folder of realistic support mail for benchmarks.

    scripts/bench/gen-corpus.py OUT_DIR [--count N] [--seed S] [--max-attachment BYTES]

The mix: plain requests and replies (some with [suport#n] tags and In-Reply-To),
HTML-only and multipart/alternative mail, Catalan/Spanish text in ISO-8859-1,
Windows-1252 and UTF-8 (quoted-printable, base64, 8bit), and attachments from
10 KB to 5 MB. The same seed always gives the same bytes.
"""
import argparse, base64, os, quopri, random

CA = ["Bon dia,", "El node del terrat no respon des d'ahir.", "He reiniciat l'equip però continua igual.",
      "La quota de sòcia s'ha cobrat dues vegades.", "Gràcies per l'ajuda.", "És urgent: demà tenim una reunió.",
      "La connexió va molt lenta a la plaça de l'Església."]
ES = ["Hola:", "La cuota de socio se ha cobrado dos veces.", "¿Podéis revisar el router del tejado?",
      "Adjunto el justificante de la transferencia.", "Un saludo cordial.", "El año pasado pagué 30 €."]
EN = ["Hello,", "The mount controller refuses our VPN connection.", "Please check the dome before dawn.",
      "Our observing slot starts at 23:30 UTC.", "Thanks in advance.", "Best regards,"]

def paragraph(rng, lang, lines):
    return "\n".join(rng.choice(lang) for _ in range(lines)) + "\n"

def header(rng, i, subject_raw, content_type, cte=None, extra=()):
    who = rng.choice(["Núria Ferrà <nuria%d@example.cat>", "Javier Núñez <javier%d@example.es>",
                      "Helen Marsh <helen%d@university.example>", "montse%d@example.cat"]) % (i % 97)
    h = [f"From: {encode_name(who)}", "To: Suport <support@example.test>", f"Subject: {subject_raw}",
         f"Date: Mon, {1 + i % 28} Nov 2026 {i % 24:02d}:{i % 60:02d}:00 +0100",
         f"Message-ID: <bench-{i}-{rng.randrange(10**9)}@example.org>", "MIME-Version: 1.0"]
    h += list(extra)
    h.append(f"Content-Type: {content_type}")
    if cte:
        h.append(f"Content-Transfer-Encoding: {cte}")
    return "\r\n".join(h) + "\r\n\r\n"

def encode_name(addr):
    if "<" not in addr:
        return addr
    name, rest = addr.split(" <", 1)
    if all(ord(c) < 128 for c in name):
        return addr
    return "=?utf-8?b?" + base64.b64encode(name.encode()).decode() + "?= <" + rest

def subject(rng, i):
    s = rng.choice(["El node no respon", "Cuota de socio duplicada", "Remote access fails", "Factura d'octubre",
                    "Canvi de dades bancàries", "Dome 2 shutter stuck"])
    if rng.random() < 0.4:
        s = f"Re: [suport#{rng.randrange(1, 5000)}] " + s
    if any(ord(c) > 127 for c in s):
        return "=?utf-8?q?" + quopri.encodestring(s.encode(), header=True).decode().replace("=\n", "") + "?="
    return s

def b64(data):
    e = base64.b64encode(data).decode()
    return "\r\n".join(e[i:i + 76] for i in range(0, len(e), 76)) + "\r\n"

def crlf(s):
    return s.replace("\r\n", "\n").replace("\n", "\r\n")

def message(rng, i, max_attachment):
    kind = rng.random()
    subj = subject(rng, i)
    extra = []
    if subj.startswith("Re:") or "suport" in subj:
        extra.append(f"In-Reply-To: <suport-{rng.randrange(5000)}@example.test>")
    lang = rng.choice([CA, ES, EN])
    text = paragraph(rng, lang, rng.randrange(3, 40))
    if kind < 0.45:  # plain text in a legacy or UTF-8 charset
        cs = rng.choice(["utf-8", "iso-8859-1", "windows-1252"])
        body = crlf(text).encode(cs, errors="replace")
        cte = rng.choice(["8bit", "quoted-printable", "base64"])
        enc = body if cte == "8bit" else quopri.encodestring(text.encode(cs, errors="replace")).replace(b"\n", b"\r\n") if cte == "quoted-printable" else b64(body).encode()
        return header(rng, i, subj, f"text/plain; charset={cs}", cte, extra).encode() + enc
    if kind < 0.65:  # HTML only, Outlook style
        html = "<html><head><style>p{margin:0}</style></head><body>" + "".join(
            f"<p>{l}</p>" for l in text.splitlines()) + '<p><a href="https://example.org/x">enllaç</a></p></body></html>'
        return header(rng, i, subj, "text/html; charset=windows-1252", "quoted-printable", extra).encode() + \
            quopri.encodestring(html.encode("cp1252", errors="replace")).replace(b"\n", b"\r\n")
    if kind < 0.80:  # alternative
        b = f"alt-{i}"
        html = "<div>" + "<br>".join(text.splitlines()) + "</div>"
        return header(rng, i, subj, f'multipart/alternative; boundary="{b}"', None, extra).encode() + crlf(
            f"--{b}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{text}\n"
            f"--{b}\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{html}\n--{b}--\n").encode()
    # attachments: mostly 10 KB - 500 KB, a few up to the maximum
    b = f"mix-{i}"
    size = rng.randrange(10_000, 500_000) if rng.random() < 0.85 else rng.randrange(1_000_000, max_attachment + 1)
    data = rng.randbytes(size)
    name = rng.choice(["comprovant.pdf", "captura.png", "factura d'octubre.pdf", "log.txt"])
    out = header(rng, i, subj, f'multipart/mixed; boundary="{b}"', None, extra).encode()
    out += crlf(f"--{b}\nContent-Type: text/plain; charset=utf-8\n\n{text}\n--{b}\n"
                f'Content-Type: application/octet-stream; name="{name}"\n'
                f'Content-Disposition: attachment; filename="{name}"\nContent-Transfer-Encoding: base64\n\n').encode()
    out += b64(data).encode() + f"--{b}--\r\n".encode()
    return out

def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--max-attachment", type=int, default=5_000_000)
    a = p.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    total = 0
    for i in range(a.count):
        data = message(rng, i, a.max_attachment)
        total += len(data)
        with open(os.path.join(a.out, f"{i:06d}.eml"), "wb") as f:
            f.write(data)
    print(f"gen-corpus: {a.count} messages, {total / 1048576:.1f} MB in {a.out} (seed {a.seed})")

if __name__ == "__main__":
    main()
