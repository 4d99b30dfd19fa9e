"""Push-to-live time beside a plain Pelican build of the same site, and watch-mode latency.

    .venv/bin/python bench/bench_publish.py [--articles 1000] [--rounds 2]

For each site: a bare repository with Goodwill's hook, a clone, and pushes that
each change one story. "push to live" is the wall time of `git push` (the hook
runs inside it: export, Pelican, guard, swap, prune); "pelican" is
`python -m pelican content -o ... -s publishconf.py` on the same checkout, in
the same run. The goal (issue 4): the hook adds under one second to the build.

Sites: the example site (this repository's content/, settings, theme and
plugin), and 1,000 generated testimonials (Faker, fixed seed, fictional), once
with the project's theme and plugin and once with a plain Pelican config.
Watch: the time from a story saved to its page written, with `goodwill watch`'s
session (best of a few saves).

Prints a Markdown table and writes bench/results/publish.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from faker import Faker

from goodwill import hook
from goodwill.settings import load
from goodwill.watch import Session, site_from

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report as bench_report

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "publish.md"
SITE_PARTS = ("pelicanconf.py", "publishconf.py", "theme", "plugins")

PLAIN_CONF = """\
AUTHOR = "Tidy Software"
SITENAME = "Tidy Software"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
RELATIVE_URLS = True
"""
PLAIN_PUBLISH = (
    "import os, sys\nsys.path.append(os.curdir)\nfrom pelicanconf import *  # noqa\n"
    "DELETE_OUTPUT_DIRECTORY = True\n"
)

STORY = """\
Title: {title}
Date: {date}
Status: published
Slug: {slug}
Category: testimonials
Customer: {name}
Product: Tidy Invoice
Quote: {quote}
Pledges: reply-within-one-business-day
Consent: given
Consent-How: replied "yes, happy for you to share" to our e-mail
Consent-Date: 2026-03-20
First-Reply-Minutes: {minutes}
Resolution-Minutes: {resolution}
Customer-Messages: 2
Staff-Messages: 1
Lang: en
Display: pseudonym

<!-- goodwill:turn role="customer" author="{name}" sent="{sent}" -->
{question}

<!-- goodwill:turn role="staff" author="Support" sent="{sent}" -->
{answer}

<!-- goodwill:turn role="customer" author="{name}" sent="{sent}" -->
{quote}
"""


def env() -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return base | {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env(), capture_output=True, text=True, check=True
    )


def example_site(into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    for part in (*SITE_PARTS, "content"):
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, into / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, into / part)
    return into


def generated_site(into: Path, articles: int, plain: bool) -> Path:
    """``articles`` fictional testimonials; the project's theme and plugin unless ``plain``."""
    if plain:
        into.mkdir(parents=True)
        (into / "pelicanconf.py").write_text(PLAIN_CONF)
        (into / "publishconf.py").write_text(PLAIN_PUBLISH)
    else:
        example_site(into)
        shutil.rmtree(into / "content" / "testimonials")
    folder = into / "content" / "testimonials"
    folder.mkdir(parents=True)
    fake = Faker("en_GB")
    fake.seed_instance(4)
    for n in range(articles):
        day = fake.date_time_between("-2y", "-1d")
        title = fake.sentence(nb_words=5).rstrip(".")
        slug = f"{day:%Y-%m-%d}-{n:04d}-" + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        (folder / f"{slug}.md").write_text(
            STORY.format(
                title=title,
                date=f"{day:%Y-%m-%d %H:%M}",
                sent=f"{day:%Y-%m-%dT%H:%M:00+00:00}",
                slug=slug,
                name=fake.first_name(),
                quote=fake.sentence(nb_words=10),
                question=fake.paragraph(nb_sentences=4),
                answer=fake.paragraph(nb_sentences=5),
                minutes=fake.random_int(5, 600),
                resolution=fake.random_int(600, 3000),
            )
        )
    return into


def plain_pelican(site: Path, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-o", str(out), "-s", "publishconf.py"],
        cwd=site,
        capture_output=True,
        check=False,
    )
    return time.perf_counter() - started


def measure_site(label: str, site: Path, work: Path, rounds: int) -> dict[str, object]:
    """Push ``rounds`` one-story edits through the hook; time plain Pelican on the same tree."""
    bare, live = work / "site.git", work / "www" / "site"
    hook.install(bare, live)
    git("init", "--quiet", "-b", "main", cwd=site)
    git("config", "user.name", "Bench", cwd=site)
    git("config", "user.email", "bench@tidy.example", cwd=site)
    git("remote", "add", "origin", str(bare), cwd=site)
    git("add", "-A", cwd=site)
    git("commit", "--quiet", "-m", "site", cwd=site)
    first = push(site)
    pushes, hook_lines, failure = [], [], first.failure
    story = next((site / "content").rglob("*.md"))
    for n in range(rounds):
        with story.open("a") as handle:
            handle.write(f"\nEdited for the benchmark, round {n}.\n")
        git("commit", "--quiet", "-am", f"edit {n}", cwd=site)
        outcome = push(site)
        failure = failure or outcome.failure
        pushes.append(outcome.seconds)
        hook_lines.append(outcome.summary)
    pelican = [plain_pelican(site, work / f"plain-{n}") for n in range(rounds)]
    articles = sum(1 for _ in (site / "content").rglob("*.md"))
    return {
        "site": label,
        "files": articles,
        "first push": first.seconds,
        "push to live": statistics.median(pushes),
        "pelican": statistics.median(pelican),
        "hook": hook_lines[-1],
        "failure": failure,
    }


class Pushed:
    def __init__(self, seconds: float, stderr: str) -> None:
        self.seconds = seconds
        lines = [line.removeprefix("remote: goodwill: ").rstrip() for line in stderr.splitlines()]
        self.summary = next((line for line in lines if " is live at " in line), "")
        refused = [line for line in lines if "NOT published" in line]
        detail = [line.strip() for line in lines if line.startswith("  ")]
        self.failure = f"{refused[0]} {' '.join(detail[:1])}".strip() if refused else ""


def push(site: Path) -> Pushed:
    started = time.perf_counter()
    done = subprocess.run(
        ["git", "push", "--quiet", "origin", "main"],
        cwd=site,
        env=env(),
        capture_output=True,
        text=True,
        check=False,
    )
    return Pushed(time.perf_counter() - started, done.stderr)


def watch_latency(site: Path, saves: int = 3) -> list[float]:
    """Seconds from a story saved to its page on disk, with one watch session running."""
    settings = load(site / "pelicanconf.py")
    layout = site_from(site / "pelicanconf.py", settings, site / "output")
    built = threading.Event()
    session = Session(layout, settings, report=lambda _m: None, on_build=lambda _r: built.set())
    stop = threading.Event()
    runner = threading.Thread(target=session.run, args=(stop,), daemon=True)
    runner.start()
    built.wait(300)
    latencies = []
    for n in range(saves):
        page = site / "output" / f"watch-bench-{n}.html"
        text = f"Title: Watch bench {n}\nDate: 2026-03-04\nSlug: watch-bench-{n}\n\nSaved.\n"
        started = time.perf_counter()
        (site / "content" / f"watch-bench-{n}.md").write_text(text)
        while not page.exists() and time.perf_counter() - started < 120:
            time.sleep(0.01)
        latencies.append(time.perf_counter() - started)
        time.sleep(0.5)  # let the session go idle before the next save
    stop.set()
    runner.join(30)
    return latencies


def table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| site | .md files | first push (s) | push to live (s) | plain pelican (s) "
        "| hook adds (s) | notes |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        added = float(row["push to live"]) - float(row["pelican"])  # type: ignore[arg-type]
        note = row["failure"] or row["hook"]
        lines.append(
            f"| {row['site']} | {row['files']} | {row['first push']:.2f} "
            f"| {row['push to live']:.2f} | {row['pelican']:.2f} | {added:+.2f} | {note} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="200 articles, one round")
    args = parser.parse_args()
    if args.quick:
        args.articles, args.rounds = 200, 1
    rows = []
    with tempfile.TemporaryDirectory(prefix="goodwill-bench-") as tmp:
        root = Path(tmp)
        sites = [
            ("example site", example_site, ()),
            (
                f"{args.articles} testimonials, project theme",
                generated_site,
                (args.articles, False),
            ),
            (f"{args.articles} testimonials, plain Pelican", generated_site, (args.articles, True)),
        ]
        for n, (label, make, extra) in enumerate(sites):
            folder = root / f"site-{n}" / "checkout"
            folder.parent.mkdir()
            make(folder, *extra)
            rows.append(measure_site(label, folder, folder.parent, args.rounds))
            print(f"measured {label}", file=sys.stderr)
        watch_site = generated_site(root / "watch", 20, plain=True)
        latencies = watch_latency(watch_site)
    report = table(rows)
    watch_line = (
        f"Watch mode, story saved to page written (20-story plain site, {len(latencies)} saves): "
        f"best {min(latencies):.2f} s, median {statistics.median(latencies):.2f} s."
    )
    bench_report.publish("Publishing benchmark", f"{report}\n\n{watch_line}", RESULTS.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
