"""The leak guard over a generated site: time, and what it finds and wrongly finds.

    .venv/bin/python bench/bench_guard.py [--pages 5000] [--rounds 2]

Writes, in a temporary folder, N small story pages shaped like the theme's
(turns with ISO timestamps, JSON-LD with datePublished, Open Graph times, an
SVG icon, prices, versions, a pager) and one Atom feed with an entry per page
(adjacent <published>/<updated> timestamps, escaped HTML content). One page in
fifty has a planted leak, in turn an e-mail address, a phone number, a card
number and a redacted full name, each in a text node, an attribute or the
feed; every page also says "will" and "rose" while "Will" and "Rose" are
redacted names, so the common-word rule is exercised on every page.

``scan_output`` is timed twice: without a key (addresses, phones, cards), and
with a key and 500 name digests as a real site has. Caches are cleared before
each round; the best round counts. A finding is "planted" when it is on a
planted line of the file, otherwise it is a false positive.

Prints one Markdown table line and writes bench/results/guard.md. All data is
fictional: reserved domains, the UK 07700 900xxx drama range, a test card.
"""

from __future__ import annotations

import argparse
import platform
import random
import tempfile
import time
from pathlib import Path

from goodwill import guard
from goodwill.digest import digest

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "guard.md"
KEY = b"a fictional benchmark key, never a real one"
SITE_ADDRESS = "hello@tidy.example"
NAMES = ["Ines", "Jonas", "Maren", "Oskar", "Lea", "Tom", "Mateo", "Olek"]  # pseudonyms
WORDS = [
    *("the", "export", "invoices", "quarter", "help", "thank", "you", "so", "much", "support"),
    *("reply", "minutes", "fixed", "team", "notebook", "laptop", "licence", "update"),
    *("will", "rose", "version"),
]
# Planted leaks, one per kind: (line to add to a page, kind). Fictional values only.
PLANTS = [
    ("<p>Write to me at planted.customer{i}@example.com any time.</p>", "email"),
    ('<a href="tel:+44 7700 900{n:03d}">call</a>', "phone"),
    ("<p>My card is 4111 1111 1111 1111, please refund.</p>", "card"),
    ("<p>Thanks again, {name}, for the patience.</p>", "name"),
]
SYLLABLES = ["ka", "ve", "li", "od", "run", "sa", "mi", "to", "re", "na", "lo", "vi", "da", "be"]


def made_up_name(i: int) -> str:
    """A full name no one has ("Kavelo Odrunsa"), different for every ``i``."""
    rng = random.Random(i)
    first = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
    last = "".join(rng.choice(SYLLABLES) for _ in range(4)).capitalize()
    return f"{first} {last}"


def page(i: int, rng: random.Random, plant: str | None) -> str:
    """One story page as the theme writes it; ``plant`` goes in on a line of its own."""
    day, minute = i % 28 + 1, i % 60
    turns = "\n".join(
        f'<div class="turn turn--{role}"><p class="who">{rng.choice(NAMES)}'
        f' <time datetime="2026-03-{day:02d}T09:{minute:02d}:00+00:00">'
        f"{day} March 2026, 09:{minute:02d}</time></p>"
        f"<p>{' '.join(rng.choice(WORDS) for _ in range(40))}</p></div>"
        for role in ("customer", "staff", "customer", "staff")
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Story {i} — Tidy Invoice</title>
<link rel="stylesheet" href="/theme/css/main.css?v=4.12.0">
<meta property="og:image" content="/images/card-{i:016x}.png">
<meta property="article:published_time" content="2026-03-{day:02d}T09:{minute:02d}:00+00:00">\
<meta property="article:modified_time" content="2026-03-{day:02d}T10:00:00+00:00">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"Review",\
"author":{{"@type":"Person","name":"{rng.choice(NAMES)}"}},\
"datePublished":"2026-03-{day:02d}","dateModified":"2026-03-{day:02d}T10:00:00+00:00",\
"reviewBody":"You saved my quarter-end &amp; more"}}</script>
</head><body><header><svg viewBox="0 0 24 24" width="24" height="24"><path d="M12 2C6.48 2 \
2 6.48 2 12s4.48 10 10 10 10-4.48 10-10S17.52 2 12 2z"/></svg><nav><a href="/">Home</a>
<a href="/testimonials/">Testimonials</a> <a href="/pledges/">Pledges</a></nav></header>
<main><h1>Story {i}</h1><img src="/images/avatar-{i:016x}.png" width="96" height="96"
alt="{rng.choice(NAMES)}">
{turns}
{plant or ""}
<p>First reply in {i % 90} minutes; resolved in {i % 7} days. Fixed in 2.4.{i % 10}.
Five licences, worth €1 234,50, 150.00 EUR each; 98.7 % of replies within a day.</p>
<nav class="pager"><span>1</span> <span>2</span> <span>3</span> <span>4</span> <span>5</span>
<span>6</span> <span>7</span> <span>8</span></nav></main>
<footer><a href="mailto:{SITE_ADDRESS}">{SITE_ADDRESS}</a></footer></body></html>
"""


def build(out: Path, pages: int) -> tuple[dict[str, set[int]], set[str], int]:
    """The site; returns the planted lines by file, the name digests, and its size in bytes."""
    rng = random.Random(7)
    planted: dict[str, set[int]] = {}
    entries = []
    for i in range(pages):
        plant = None
        if i % 50 == 0:
            template, _ = PLANTS[(i // 50) % len(PLANTS)]
            plant = template.format(i=i, n=i % 1000, name=made_up_name(i))
        text = page(i, rng, plant)
        rel = f"testimonials/story-{i}/index.html"
        if plant:
            planted[rel] = {text.splitlines().index(plant) + 1}
        path = out / rel
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
        stamp = f"2026-03-{i % 28 + 1:02d}T09:{i % 60:02d}:00+00:00"
        entries.append(
            f"<entry><title>Story {i}</title><published>{stamp}</published>"
            f'<updated>{stamp}</updated><content type="html">&lt;p&gt;thank you, we will'
            f" fix it in 2.4.1&lt;/p&gt;</content></entry>"
        )
    feed_leak = len(entries) // 2
    entries[feed_leak] = entries[feed_leak].replace("thank you", "call me on 07700 900777")
    feed = '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
    (out / "feeds").mkdir()
    (out / "feeds" / "all.atom.xml").write_text(feed + "\n".join(entries) + "\n</feed>\n")
    planted["feeds/all.atom.xml"] = {feed_leak + 3}
    names = {made_up_name(i) for i in range(0, pages, 50)} | {"Will", "Rose"}
    names |= {made_up_name(-i) for i in range(1, 501 - len(names))}
    digests = {digest(KEY, "name", n) for n in names}
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return planted, digests, size


def timed(out: Path, rounds: int, **kwargs: object) -> tuple[float, list[guard.Finding]]:
    best, findings = float("inf"), []
    for _ in range(rounds):
        guard.phone_spans.cache_clear()
        guard.labelled_phone_spans.cache_clear()
        start = time.perf_counter()
        findings = guard.scan_output(out, allow=[SITE_ADDRESS], **kwargs)  # type: ignore[arg-type]
        best = min(best, time.perf_counter() - start)
    return best, findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="1,000 pages, one round")
    args = parser.parse_args()
    if args.quick:
        args.pages, args.rounds = 1000, 1
    with tempfile.TemporaryDirectory(prefix="goodwill-guard-bench-") as tmp:
        out = Path(tmp) / "output"
        planted, digests, size = build(out, args.pages)
        plain, plain_findings = timed(out, args.rounds)
        named, findings = timed(out, args.rounds, name_digests=digests, key=KEY)
    wanted = sum(len(lines) for lines in planted.values())
    found = {(f.path, f.line) for f in findings if f.line in planted.get(f.path, ())}
    false = [f for f in findings if f.line not in planted.get(f.path, ())]
    plain_false = [f for f in plain_findings if f.line not in planted.get(f.path, ())]
    header = (
        "| pages + feed | MB | no key: s | key, 500 names: s | ms a page | planted leaks found"
        " | false positives (no key / key) |\n|---|---|---|---|---|---|---|"
    )
    line = (
        f"| {args.pages:,} + 1 | {size / 1e6:.1f} | {plain:.2f} | {named:.2f}"
        f" | {named * 1000 / (args.pages + 1):.2f} | {len(found)} of {wanted}"
        f" | {len(plain_false)} / {len(false)} |"
    )
    print(line)
    for f in false[:10]:
        print(f"  false positive: {f.path}:{f.line}: {f.kind}: {f.excerpt}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    machine = (
        f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}"
    )
    RESULTS.write_text(
        f"# Leak guard (bench/bench_guard.py)\n\n{header}\n{line}\n\n"
        f"Best of {args.rounds} rounds, caches cleared before each; {machine}.\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
