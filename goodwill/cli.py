"""The ``goodwill`` command: parse arguments, call the library, print for people.

Exit status: 0 when everything went through, 1 when some input or check
failed (the rest was still done), 2 for a usage or settings problem.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from rich.console import Console

from goodwill import __version__, scaffold
from goodwill.keys import KeyFileError, load_key
from goodwill.settings import Settings, SettingsError, load

OK, FAILED, USAGE = 0, 1, 2

# Commands whose module parses its own arguments (each has ``main(argv) -> int``).
_DELEGATED = {
    "check": "the leak guard: scan built output for personal data",
    "publish": "build, guard and swap the site live; the git push hook; rollback",
    "watch": "serve the site locally and rebuild (and ingest) on every change",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="goodwill",
        description="Turn kind customer support into an honest, anonymized public site.",
    )
    parser.add_argument("--version", action="version", version=f"goodwill {__version__}")
    parser.add_argument(
        "--settings",
        type=Path,
        default=None,
        help="the Pelican settings file with GOODWILL_* names (default: ./pelicanconf.py)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser(
        "ingest",
        help="turn support threads in the inbox into anonymized draft testimonials",
        description="Read .eml, .mbox, Maildir, pasted text, HTML mail and helpdesk exports; "
        "write one anonymized draft per new thread. The inbox is never modified.",
    )
    ingest.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders to read (default: GOODWILL_INBOX)",
    )
    ingest.add_argument(
        "--content",
        type=Path,
        default=None,
        help="content folder to write drafts into (default: PATH setting)",
    )
    ingest.add_argument(
        "--dry-run", action="store_true", help="read and anonymize, but write nothing"
    )
    ingest.add_argument(
        "--json",
        action="store_true",
        help="print the result as JSON (with --dry-run: every thread's messages)",
    )
    ingest.add_argument(
        "--workers", type=int, default=None, help="processes to use (default: up to 2)"
    )

    review = commands.add_parser("review", help="the queue of drafts waiting for you")
    review.add_argument("--all", action="store_true", help="include published stories")
    review.add_argument("--json", action="store_true", help="print the queue as JSON")

    show = commands.add_parser(
        "show", help="a draft as it would be published, every redaction marked"
    )
    show.add_argument("slug")

    approve = commands.add_parser("approve", help="record consent and publish a story")
    approve.add_argument("slug")
    approve.add_argument(
        "--consent",
        required=True,
        metavar="HOW",
        help='how the customer agreed: "replied yes to our e-mail"',
    )
    approve.add_argument(
        "--date", type=_date, default=None, help="when they agreed, YYYY-MM-DD (default: today)"
    )
    approve.add_argument(
        "--display",
        default="pseudonym",
        choices=("pseudonym", "initials", "first-name-initial", "anonymous"),
        help="how the customer chose to be named",
    )
    approve.add_argument(
        "--name",
        default="",
        help="the name as they want it shown (for --display initials or first-name-initial)",
    )

    for verb, help_text in (
        ("reject", "move a draft aside: kept locally, never built, never re-ingested"),
        ("withdraw", "the customer withdrew consent: remove the story for good"),
    ):
        sub = commands.add_parser(verb, help=help_text)
        sub.add_argument("slug")

    request = commands.add_parser(
        "consent-request", help="a warm e-mail asking for consent, quoting the exact text"
    )
    request.add_argument("slug")
    request.add_argument("--from", dest="sender", default="", help="your name, to sign it")

    new = commands.add_parser("new", help="write a new gift story or pledge from a template")
    kinds = new.add_subparsers(dest="kind", required=True, metavar="KIND")
    for kind, fields in scaffold.KINDS.items():
        sub = kinds.add_parser(kind, help=f"a new {kind}; asks for what the options do not give")
        for f in fields:
            sub.add_argument(f.option, dest=f.dest, default=None, help=f.question)
        sub.add_argument(
            "--no-input",
            action="store_true",
            help="never ask; fail when a required option is missing",
        )

    for name, help_text in _DELEGATED.items():
        commands.add_parser(name, help=help_text, add_help=False)
    return parser


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-05") from exc


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in _DELEGATED:
        import importlib

        module = importlib.import_module(f"goodwill.{'guard' if argv[0] == 'check' else argv[0]}")
        return int(module.main(argv[1:]))
    args = _parser().parse_args(argv)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        settings = load(args.settings)
    except SettingsError as exc:
        err.print(f"goodwill: {exc}", markup=False)
        return USAGE
    if args.command == "ingest":
        return _ingest(args, settings, err)
    from goodwill import curate_cli

    return curate_cli.run(args, settings, err)
    return USAGE  # pragma: no cover - argparse has refused unknown commands


def _ingest(args: argparse.Namespace, settings: Settings, err: Console) -> int:
    from goodwill.content import ContentError
    from goodwill.ingest import ingest

    paths = args.paths or [settings.inbox_dir]
    missing = [p for p in paths if not p.exists()]
    if missing:
        for path in missing:
            err.print(
                f"goodwill: {path}: no such file or folder; put exported threads in "
                f"{settings.inbox} or name a path",
                markup=False,
            )
        return USAGE
    try:
        key = load_key(Path(settings.key_file), create=not args.dry_run)
    except (KeyFileError, OSError) as exc:
        err.print(f"goodwill: {exc}", markup=False)
        return USAGE
    if key is None:  # a dry run before the first real one: pseudonyms are provisional
        import secrets

        key = secrets.token_hex(32).encode()

    show_progress = err.is_terminal and not args.json
    try:
        with _progress(err, show_progress) as advance:
            report = ingest(
                paths,
                settings,
                key,
                content_dir=args.content,
                dry_run=args.dry_run,
                workers=args.workers,
                on_thread=advance,
            )
    except ContentError as exc:  # e.g. a broken ledger row: checked before any write
        err.print(f"goodwill: {exc}", markup=False)
        return USAGE

    if args.json:
        document = {
            "summary": {"threads": report.threads, **report.actions, "errors": len(report.errors)},
            "errors": report.errors,
            "threads": report.results,
            "written": report.written,
        }
        print(json.dumps(document, indent=2, ensure_ascii=False, default=str))
    else:
        for error in report.errors:
            err.print(f"error: {error}", markup=False)
        for path in report.beside:
            err.print(
                f"note: {path}: the thread grew but you had edited its draft; "
                "the new version is beside it, merge by hand",
                markup=False,
            )
        print(("Dry run, nothing written. " if args.dry_run else "") + report.summary())
    return FAILED if report.failed else OK


@contextmanager
def _progress(console: Console, shown: bool) -> Iterator[Callable[[], None] | None]:
    """A thread counter on the terminal, or nothing: when output goes to a file or a pipe,
    rich's progress is neither imported nor called for each thread."""
    if not shown:
        yield None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("ingesting"),
        BarColumn(),
        TextColumn("{task.completed} threads"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("ingest", total=None)
        yield lambda: progress.advance(task)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
