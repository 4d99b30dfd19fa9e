"""``goodwill watch``: a local preview that rebuilds on every change and ingests new threads.

Pelican's own ``--autoreload`` makes a new watcher after each build, so a
file saved while a build runs is never seen. Here one watcher runs for the
whole session and only marks the site dirty; the builder takes everything
marked since its last build, so an edit made during a build causes one more
build, and ten files saved together cause one build.

A new thread in the inbox is ingested into ``content/``; the drafts that
writes are themselves changes under ``content/``, so the rebuild follows
without a second path for it.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import watchfiles

from goodwill.build import BuildResult, clean_env, run_pelican
from goodwill.content import ContentError
from goodwill.keys import KeyFileError, load_key
from goodwill.settings import Settings, SettingsError, load

SITE_FOLDERS = ("theme", "plugins")  # watched beside the content folder when they exist
MAX_SETTLE = 2.0  # seconds: the longest a build waits for changes to stop coming


@dataclass(frozen=True, slots=True)
class Site:
    """The places a watch session reads, writes and serves; absolute paths."""

    root: Path
    settings_file: Path
    content: Path
    output: Path
    inbox: Path | None = None

    @property
    def folders(self) -> list[Path]:
        """Folders whose every change means a rebuild."""
        extra = [self.root / name for name in SITE_FOLDERS]
        return [self.content, *(p for p in extra if p.is_dir())]


@dataclass(slots=True)
class Changes:
    """What changed since the last build, sorted by what it calls for."""

    site: set[Path] = field(default_factory=set)
    inbox: set[Path] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.site or self.inbox)


@dataclass(frozen=True, slots=True)
class Rebuild:
    """One finished build, as the session reports it."""

    number: int
    changed: tuple[str, ...]  # relative to the site's root; () for the first build
    result: BuildResult


def sort_changes(site: Site, paths: Iterable[Path]) -> Changes:
    """Split changed paths into those that need a rebuild and new inbox threads.

    The output folder is ignored even when it lies inside a watched folder,
    or every build would trigger the next.
    """
    changes = Changes()
    for path in paths:
        if path.is_relative_to(site.output):
            continue
        if site.inbox is not None and path.is_relative_to(site.inbox):
            changes.inbox.add(path)
        elif path == site.settings_file or any(path.is_relative_to(f) for f in site.folders):
            changes.site.add(path)
    return changes


def describe(site: Site, paths: Iterable[Path], limit: int = 3) -> str:
    """ "content/a.md, theme/x.css and 4 more": what changed, short enough for one line."""
    names = sorted(_shown(site, p) for p in paths)
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])} and {len(names) - limit} more"


def _shown(site: Site, path: Path) -> str:
    return str(path.relative_to(site.root)) if path.is_relative_to(site.root) else str(path)


class Session:
    """One watch session: a watcher that marks changes, a builder that acts on them."""

    def __init__(
        self,
        site: Site,
        settings: Settings,
        *,
        report: Callable[[str], None] = print,
        on_build_start: Callable[[int], None] | None = None,
        on_build: Callable[[Rebuild], None] | None = None,
        settle: float = 0.1,
    ) -> None:
        self.site = site
        self.settle = settle
        self.settings = settings
        self.report = report
        self.on_build_start = on_build_start
        self.on_build = on_build
        self.builds = 0
        self._pending = Changes()
        self._wake = threading.Condition()

    def mark(self, paths: Iterable[Path]) -> None:
        """Record changes (from the watcher thread); the builder picks them up when free."""
        changes = sort_changes(self.site, paths)
        if not changes:
            return
        with self._wake:
            self._pending.site |= changes.site
            self._pending.inbox |= changes.inbox
            self._wake.notify()

    def _take(self, stop: threading.Event) -> Changes | None:
        """Wait for changes, then until they settle, and take them all.

        The watcher already groups events that come together; settling here
        as well makes an editor's "save all" (or a git checkout) one build
        even when its writes straggle.
        """
        with self._wake:
            while not self._pending and not stop.is_set():
                self._wake.wait(timeout=0.2)
            give_up = time.monotonic() + MAX_SETTLE  # a file rewritten nonstop still gets built
            while not stop.is_set() and time.monotonic() < give_up:
                if not self._wake.wait(timeout=self.settle):
                    break  # quiet for the settle time
            taken, self._pending = self._pending, Changes()
        return None if stop.is_set() else taken

    def _watch(self, stop: threading.Event, ready: threading.Event) -> None:
        """The one watcher of the session: recursive over the folders, shallow at the root.

        The root is watched without recursion for ``pelicanconf.py`` (an editor
        may replace the file, which a watch on the file itself would lose),
        without taking on ``.venv`` or ``.git``.
        """
        deep = [*self.site.folders]
        if self.site.inbox is not None and self.site.inbox.is_dir():
            deep.append(self.site.inbox)
        shallow = threading.Thread(
            target=self._watch_paths,
            args=([self.site.settings_file.parent], stop, None, False),
            daemon=True,
        )
        shallow.start()
        self._watch_paths(deep, stop, ready, True)
        shallow.join()

    def _watch_paths(
        self, paths: list[Path], stop: threading.Event, ready: threading.Event | None, deep: bool
    ) -> None:
        if ready is not None:
            ready.set()
        for batch in watchfiles.watch(
            *paths, stop_event=stop, recursive=deep, raise_interrupt=False, debounce=400
        ):
            self.mark(Path(name) for _, name in batch)

    def ingest(self) -> None:
        """Ingest the inbox; any draft written is a change the watcher passes on."""
        from goodwill.ingest import ingest

        if self.site.inbox is None or not self.site.inbox.is_dir():
            return
        try:
            key = load_key(Path(self.settings.key_file), create=True)
        except (KeyFileError, OSError) as exc:
            self.report(f"ingest skipped: {exc}")
            return
        assert key is not None
        started = time.perf_counter()
        try:
            report = ingest([self.site.inbox], self.settings, key, content_dir=self.site.content)
        except ContentError as exc:  # a broken ledger: say so, keep serving, try again later
            self.report(f"ingest skipped: {exc}")
            return
        for error in report.errors:
            self.report(f"ingest error: {error}")
        if report.written or report.errors:
            took = time.perf_counter() - started
            self.report(f"ingested in {took:.2f} s: {report.summary()}")

    def build(self, changed: Iterable[Path] = ()) -> Rebuild:
        changed = tuple(sorted(changed))
        self.builds += 1
        if self.on_build_start:
            self.on_build_start(self.builds)
        result = run_pelican(
            self.site.root,
            self.site.output,
            self.site.settings_file.name,
            str(self.site.content.relative_to(self.site.root)),
            env=clean_env(home=self.site.root),
        )
        why = f" after {describe(self.site, changed)}" if changed else ""
        if result.ok:
            self.report(f"rebuilt in {result.seconds:.2f} s{why}")
        else:
            self.report(f"build failed in {result.seconds:.2f} s{why}; still serving the last one:")
            for line in result.errors:
                self.report(f"  {line}")
        for line in result.warnings:
            self.report(f"  warning: {line}")
        rebuild = Rebuild(self.builds, tuple(_shown(self.site, p) for p in changed), result)
        if self.on_build:
            self.on_build(rebuild)
        return rebuild

    def run(self, stop: threading.Event, max_builds: int | None = None) -> None:
        """Ingest and build once, then on every change until ``stop`` is set.

        ``max_builds`` ends the session after that many builds (tests, benchmarks).
        """
        if self.site.inbox is not None and not self.site.inbox.is_dir():
            self.report(
                f"no inbox at {self.site.inbox}: create it, restart, and new threads are ingested"
            )
        ready = threading.Event()
        watcher = threading.Thread(target=self._watch, args=(stop, ready), daemon=True)
        watcher.start()
        ready.wait()
        try:
            self.ingest()
            self.build()
            while max_builds is None or self.builds < max_builds:
                taken = self._take(stop)
                if taken is None:
                    break
                if taken.inbox:
                    self.report(f"new in the inbox: {describe(self.site, taken.inbox)}")
                    self.ingest()
                if taken.site:
                    self.build(taken.site)
        finally:
            stop.set()
            watcher.join(timeout=10)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would bury the rebuild messages


def serve(output: Path, port: int, bind: str = "127.0.0.1") -> http.server.ThreadingHTTPServer:
    """Serve ``output`` on ``bind:port`` from a daemon thread; port 0 picks a free one."""
    output.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(_QuietHandler, directory=str(output))
    server = http.server.ThreadingHTTPServer((bind, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def site_from(settings_file: Path, settings: Settings, output: Path | None = None) -> Site:
    root = settings_file.resolve().parent
    return Site(
        root=root,
        settings_file=settings_file.resolve(),
        content=settings.content_dir.resolve(),
        output=(output or root / "output").resolve(),
        inbox=settings.inbox_dir.resolve(),
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="goodwill watch",
        description="Serve the site on localhost and rebuild it whenever content/, theme/, "
        "plugins/ or the settings change; ingest new threads dropped into the inbox.",
    )
    parser.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
    parser.add_argument("--bind", default="127.0.0.1", help="address to serve on (local only)")
    parser.add_argument("--settings", type=Path, default=Path("pelicanconf.py"), metavar="FILE")
    parser.add_argument("--output", type=Path, default=None, metavar="DIR")
    parser.add_argument("--no-serve", action="store_true", help="rebuild only, serve nothing")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))

    def say(message: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)

    if not args.settings.is_file():
        print(
            f"goodwill watch: {args.settings}: no such settings file; run it from the site's "
            "folder or pass --settings",
            file=sys.stderr,
        )
        return 2
    try:
        settings = load(args.settings)
    except SettingsError as exc:
        print(f"goodwill watch: {exc}", file=sys.stderr)
        return 2
    site = site_from(args.settings, settings, args.output)
    if not site.content.is_dir():
        print(
            f"goodwill watch: {site.content}: no such content folder; create it or set PATH",
            file=sys.stderr,
        )
        return 2
    server = None
    if not args.no_serve:
        try:
            server = serve(site.output, args.port, args.bind)
        except OSError as exc:
            print(
                f"goodwill watch: cannot serve on {args.bind}:{args.port} ({exc.strerror}); "
                "pass another --port",
                file=sys.stderr,
            )
            return 2
        say(f"serving {site.output} at http://{args.bind}:{server.server_address[1]}/")
    stop = threading.Event()
    try:
        Session(site, settings, report=say).run(stop)
    except KeyboardInterrupt:
        stop.set()
    finally:
        if server is not None:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
