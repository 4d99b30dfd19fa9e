"""The curation commands in the terminal: review, show, approve, reject, withdraw.

Printing only; every decision is made in ``curate.py``. The original text of a
thread is never printed here: it stays in the inbox.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from goodwill import curate, scaffold
from goodwill.detectors import lexicon
from goodwill.settings import Settings

OK, FAILED, USAGE = 0, 1, 2


def _warnings(text: str, allow: frozenset[str]) -> list[str]:
    """What still looks personal, judged with the anonymizer's own lexicon."""
    words = lexicon()
    return curate.warnings(text, words.first_names, allow, words.name_words | words.capitalised)


def run(args: argparse.Namespace, settings: Settings, err: Console) -> int:
    out = Console(highlight=False, soft_wrap=True)
    content_dir = settings.content_dir
    private_dir = Path(settings.key_file).parent
    try:
        if args.command == "review":
            return _review(content_dir, args, out, err)
        if args.command == "new":
            return _new(content_dir, args, out)
        path = curate.find(content_dir, args.slug)
        if args.command == "show":
            return _show(path, out)
        if args.command == "approve":
            verdict = curate.approve(path, args.consent, args.date, args.display, args.name)
            out.print(f"Published {path.name}: {verdict.reason}", markup=False)
            return OK
        if args.command == "reject":
            moved = curate.reject(path, content_dir, private_dir)
            out.print(
                f"Rejected: moved {', '.join(p.name for p in moved)} to {moved[0].parent}; "
                "it will not be built or re-ingested.",
                markup=False,
            )
            return OK
        if args.command == "withdraw":
            moved = curate.withdraw(path, content_dir, private_dir)
            out.print(
                f"Withdrawn: moved {', '.join(p.name for p in moved)} to {moved[0].parent}; "
                "the next build leaves it out, "
                "and its thread will not be ingested again.",
                markup=False,
            )
            return OK
        if args.command == "consent-request":
            print(curate.consent_request(path, args.sender), end="")
            return OK
    except (curate.CurateError, scaffold.ScaffoldError) as exc:
        err.print(f"goodwill: {exc}", markup=False)
        return FAILED
    return USAGE


def _review(content_dir: Path, args: argparse.Namespace, out: Console, err: Console) -> int:
    errors: list[str] = []
    entries = curate.queue(content_dir, include_published=args.all, errors=errors)
    for error in errors:
        err.print(f"goodwill: {error}", markup=False)
    status = FAILED if errors else OK
    if args.json:
        print(json.dumps([e.as_json() for e in entries], indent=2, ensure_ascii=False))
        return status
    if not entries:
        out.print("Nothing to review: run `goodwill ingest` to turn new threads into drafts.")
        return status
    table = Table(title=f"{len(entries)} stories to review, newest first", show_lines=True)
    for column in ("story", "quote", "redacted", "pledges", "consent"):
        table.add_column(column, overflow="fold")
    for e in entries:
        redacted = ", ".join(f"{k} {n}" for k, n in sorted(e.redactions.items())) or "nothing"
        table.add_row(
            Text(f"{e.title}\n{e.date} · {e.customer}\n{e.path}"),
            Text(e.quote),
            Text(redacted),
            Text(", ".join(e.pledges) or "-"),
            Text(f"{e.verdict.state.value}\n{e.verdict.reason}"),
        )
    out.print(table)
    return status


def _show(path: Path, out: Console) -> int:
    entry = curate.entry(path)
    out.print(Text(f"{entry.title}", style="bold"))
    out.print(Text(f"{entry.customer} · {entry.date} · consent: {entry.verdict.reason}"))
    out.print(Text(f"Quote: {entry.quote}\n"))
    concerns: list[str] = []
    turns = curate.marked_turns(path)
    allow = frozenset({entry.customer, *(t.author for t in turns)})
    for turn in turns:
        out.print(Text(f"— {turn.author} ({turn.role}) {turn.sent}", style="dim"))
        out.print(_highlight(curate.render_marked(turn)))
        out.print()
        concerns += _warnings(curate.render_marked(turn), allow)
    for line in _warnings(entry.quote, allow) + concerns:
        out.print(Text(f"warning: {line}", style="yellow"))
    return OK


def _highlight(text: str) -> Text:
    rich_text = Text(text)
    rich_text.highlight_regex(r"\[[a-z]+(?::[^\]]*)?\]", style="reverse")
    return rich_text


def _new(content_dir: Path, args: argparse.Namespace, out: Console) -> int:
    """Ask for whatever the options left out (unless --no-input), then write the file."""
    values: dict[str, str] = {}
    interactive = not args.no_input and sys.stdin.isatty()
    for f in scaffold.KINDS[args.kind]:
        value = getattr(args, f.dest)
        if value is None and interactive and (f.default is None or f.body):
            suffix = f" [{f.default}]" if f.default else ""
            value = input(f"{f.question}{suffix}: ").strip() or f.default
        if value is not None:
            values[f.name] = value
    relative, text = scaffold.render(args.kind, values)
    path = scaffold.write_new(content_dir, relative, text)
    note = " (a draft: record the recipient's consent with `goodwill approve`)"
    out.print(f"Wrote {path}{note if args.kind == 'gift' else ''}", markup=False)
    return OK
