"""Site build time and peak memory: Goodwill's plugin and theme beside plain Pelican.

    .venv/bin/python bench/bench_site.py                 # 100, 1,000 and 5,000 stories
    .venv/bin/python bench/bench_site.py --sizes 100,1000
    .venv/bin/python bench/bench_site.py --quick         # 100 and 500, one round

For each size, in the same run and on the same seeded fictional stories
(``site_corpus.py``): plain Pelican (its default theme and settings, no
plugin) over plain Markdown articles of the same text, and Goodwill (the
repository's theme and plugin, drafts as ingest writes them, consented and
published, leak guard on with redacted names). Each build is a separate
``python -m pelican`` process; its wall time and its peak resident memory
(``wait4``, the largest process of the build) are measured.

- **cold**: nothing cached anywhere (a first build: every share card drawn).
- **full**: the image cache kept, everything else wiped (output, Pelican's
  content cache, the plugin's pages): what a full rebuild costs once the
  images of a site exist, the figure to set beside plain Pelican.
- **rebuild** (largest size only): one new testimonial added after a build,
  with Pelican's content cache and the plugin's caches on, into a fresh output
  folder as ``publishconf.py`` does; shown as a fraction of the *full* build.
  The new story is the next of the seeded stream, dated anywhere in the range
  (story 5,000 has 3,527 newer ones: the wall pages it joins change, and with
  pages of a fixed size every newer page would). Plain Pelican's rebuild of one
  new article, its cache on, is shown beside it; then one more story, dated
  after every other (a thread that came in today), and the rebuild after it.

What a build replaces (the last output, the caches a full build wipes) is moved aside
before it and deleted after it is timed, and the disk is synced before each build: this
machine's disk discards freed blocks online, and deleting a 5,000-story output (6,500
files) just before a build had the build pay for it: 3.62 s against 2.22 s for the same
rebuild, most of it in the kernel (measured). A publish builds into a fresh folder too.

Prints a Markdown table and writes it to bench/results/site.md (git-ignored).
The machine is shared: compare columns of one run, not runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report
import site_corpus

RESULTS = Path(__file__).resolve().parent / "results" / "site.md"


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    peak_mb: float
    ok: bool
    cpu: float  # user + system seconds of the build and the workers it waited for


def pelican(site: Path) -> Run:
    """One build of ``site`` in its own process: wall time and that process's peak memory."""
    env = {**os.environ, "GOODWILL_KEY": site_corpus.BENCH_KEY}
    # As installed: Python keeps its compiled modules (pip compiled Pelican's at install;
    # Goodwill's are compiled on the first build). A shell with PYTHONDONTWRITEBYTECODE set
    # would otherwise have every build compile Goodwill from source, and only Goodwill.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [sys.executable, "-m", "pelican", "content", "-o", "output", "-s", "pelicanconf.py"]
    os.sync()  # what came before is on disk, not written back during the build
    started = time.perf_counter()
    with open(site / "build.log", "w") as log:
        child = subprocess.Popen(command, cwd=site, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, usage.ru_maxrss / 1024, child.returncode == 0, cpu)


def aside(site: Path, paths: list[Path]) -> Path:
    """Move ``paths`` into a trash folder of ``site`` (a rename each), for ``empty`` later."""
    trash = Path(tempfile.mkdtemp(prefix=".trash-", dir=site))
    for n, path in enumerate(paths):
        if path.exists():
            path.rename(trash / f"{n}-{path.name}")
    return trash


def empty(trash: Path) -> None:
    """Delete what a build replaced, once it is timed."""
    shutil.rmtree(trash)
    os.sync()


def wipe(site: Path, keep_images: bool) -> Path:
    """Move the output and caches aside; the image cache stays when ``keep_images``."""
    parts = [site / "output"]
    cache = site / "cache"
    if cache.is_dir():
        parts += [p for p in cache.iterdir() if not (keep_images and p.name == "goodwill-images")]
    return aside(site, parts)


def best(site: Path, rounds: int, keep_images: bool) -> Run:
    runs = []
    for _ in range(rounds):
        trash = wipe(site, keep_images)
        runs.append(pelican(site))
        empty(trash)
    return min(runs, key=lambda r: r.seconds)


def fresh_output(site: Path) -> Run:
    """A build into a new output folder, as a publish makes, the old one deleted after."""
    trash = aside(site, [site / "output"])
    run = pelican(site)
    empty(trash)
    return run


@dataclass(frozen=True, slots=True)
class Row:
    n: int
    plain: Run
    cold: Run
    full: Run
    rebuild: Run | None = None
    plain_rebuild: Run | None = None
    rebuild_newest: Run | None = None  # one more story, dated after every other


def measure(root: Path, n: int, stories: list, rounds: int, rebuild: bool) -> Row:
    made = stories[:n]
    plain_site = site_corpus.plain_site(root / f"plain-{n}", made, cache=True)
    goodwill_site = site_corpus.goodwill_site(root / f"goodwill-{n}", made, cache=True)
    plain = best(plain_site, rounds, keep_images=False)
    cold = best(goodwill_site, 1, keep_images=False)
    full = best(goodwill_site, rounds, keep_images=True)
    if not rebuild:
        return Row(n, plain, cold, full)
    # Caches warm from the last full build; one story arrives; a fresh output, as a publish.
    (new,) = site_corpus.stories(1, start=len(stories))
    site_corpus.add_testimonial(goodwill_site, new)
    again = fresh_output(goodwill_site)
    pelican(plain_site)  # fill Pelican's cache (the best-of loop wiped it)
    (plain_site / "content" / f"{new.slug}.md").write_text(site_corpus.plain_text(new))
    plain_again = fresh_output(plain_site)
    # The usual case: a story that came in today, the newest on every wall.
    (later,) = site_corpus.stories(1, start=len(stories) + 1)
    latest = max(s.when for s in [*made, new])
    site_corpus.add_testimonial(goodwill_site, site_corpus.dated_after(later, latest))
    newest = fresh_output(goodwill_site)
    return Row(n, plain, cold, full, again, plain_again, newest)


def table(rows: list[Row]) -> str:
    lines = [
        "| stories | plain Pelican (s) | Goodwill full (s) | ratio | CPU s plain / Goodwill "
        "| Goodwill cold (s) | peak MB plain / Goodwill | rebuild +1 story (s) | rebuild / full "
        "| plain rebuild +1 (s) | rebuild +1 newest story (s) | newest / full |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        runs = {"plain": r.plain, "cold": r.cold, "full": r.full}
        failed = [name for name, run in runs.items() if not run.ok]
        note = f" (failed: {', '.join(failed)})" if failed else ""
        rebuild = fraction = plain_rebuild = newest = newest_fraction = "–"
        if r.rebuild is not None and r.plain_rebuild is not None:
            rebuild = f"{r.rebuild.seconds:.2f}" + ("" if r.rebuild.ok else " (failed)")
            fraction = f"{r.rebuild.seconds / r.full.seconds:.0%}"
            plain_rebuild = f"{r.plain_rebuild.seconds:.2f}"
        if r.rebuild_newest is not None:
            ok = "" if r.rebuild_newest.ok else " (failed)"
            newest = f"{r.rebuild_newest.seconds:.2f}{ok}"
            newest_fraction = f"{r.rebuild_newest.seconds / r.full.seconds:.0%}"
        lines.append(
            f"| {r.n:,}{note} | {r.plain.seconds:.2f} | {r.full.seconds:.2f} "
            f"| {r.full.seconds / r.plain.seconds:.2f}× | {r.plain.cpu:.1f} / {r.full.cpu:.1f} "
            f"| {r.cold.seconds:.2f} "
            f"| {r.plain.peak_mb:.0f} / {max(r.cold.peak_mb, r.full.peak_mb):.0f} "
            f"| {rebuild} | {fraction} | {plain_rebuild} | {newest} | {newest_fraction} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,5000", help="comma-separated story counts")
    parser.add_argument("--rounds", type=int, default=2, help="best of this many (sizes ≤ 1000)")
    parser.add_argument("--quick", action="store_true", help="100 and 500 stories, one round")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args()
    sizes = [100, 500] if args.quick else [int(s) for s in args.sizes.split(",")]
    sizes = sorted(set(sizes))
    stories = site_corpus.stories(max(sizes))
    rows = []
    with tempfile.TemporaryDirectory(prefix="goodwill-site-bench-") as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            rounds = 1 if args.quick or n > 1000 else args.rounds
            rows.append(measure(root, n, stories, rounds, rebuild=n == sizes[-1]))
            print(f"measured {n} stories", file=sys.stderr)
    report.publish("Site build benchmark", table(rows), RESULTS.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
