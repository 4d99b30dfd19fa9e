"""Helpdesk exports: a CSV with one message per row, and Zendesk's JSON ticket exports.

Helpdesks already know who is staff, so these readers set ``Message.role`` from the
export rather than leaving it to ``GOODWILL_STAFF``. Bodies are taken as they are: a
helpdesk stores each reply's own text, so no quoted history is recovered from them.

CSV
    First row: column names. ``GOODWILL_CSV_COLUMNS`` maps Goodwill's fields to them
    (defaults in brackets): thread [thread_id] and body [body] are required; sender
    [from], name [name], sent [sent_at], subject [subject] and role [role] are optional.
    Role values: customer, end-user, requester, user -> customer; staff, agent, admin,
    support -> staff; anything else leaves the role to GOODWILL_STAFF. Comma, semicolon
    or tab separated; UTF-8 (with or without BOM), else read as Windows-1252. Rows of one
    thread need not be adjacent. The file is read twice (offsets, then one thread at a
    time) so a large export never sits in memory whole.

Zendesk JSON (``.json``)
    ``{"tickets": [ticket, ...], "users": [user, ...]}``; also a single
    ``{"ticket": ticket}`` or a bare ticket object, or a list of tickets. A ticket:
    ``{"id", "subject", "created_at", "requester_id", "description",
    "comments": [{"id", "author_id", "created_at", "public",
    "plain_body" | "body" | "html_body"}], "users": [...]}``. A user:
    ``{"id", "name", "email", "role"}`` with role end-user (customer) or agent/admin
    (staff). Users may be given at the top level, per ticket, or both. Comments with
    ``"public": false`` are internal notes and are skipped. A ticket without comments
    is read from its description, written by its requester.

Zendesk incremental export (``.jsonl`` / ``.ndjson``, or a ``.json`` holding one object
per line)
    One ticket object per line, in the shape above, or ``{"ticket": ..., "users": ...}``.
    A bad line is reported and the other lines are still read.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from goodwill.grouping import assemble, short_hash
from goodwill.maildate import parse_date
from goodwill.mime import decode_bytes, html_to_text
from goodwill.model import Message, Role, Thread
from goodwill.problems import InboxError, Unreadable

_ROLES = {
    "customer": Role.CUSTOMER,
    "end-user": Role.CUSTOMER,
    "end_user": Role.CUSTOMER,
    "enduser": Role.CUSTOMER,
    "requester": Role.CUSTOMER,
    "user": Role.CUSTOMER,
    "staff": Role.STAFF,
    "agent": Role.STAFF,
    "admin": Role.STAFF,
    "support": Role.STAFF,
}
_REQUIRED = ("thread", "body")
_EXPORT_HINT = "export the tickets again from your helpdesk (Zendesk: JSON ticket export)"


def role_of(value: str) -> Role | None:
    """The Role a helpdesk's role label means; None when it does not say."""
    return _ROLES.get(value.strip().lower())


# --- CSV ----------------------------------------------------------------------------------


class _Lines:
    """Decoded lines of a binary file that remember where the next line starts.

    ``csv.reader`` pulls lines lazily, so the offset before asking it for a row is where
    that row starts; a second pass can then seek straight to one thread's rows.
    """

    def __init__(self, handle: Any, start: int = 0) -> None:
        self.handle = handle
        self.position = start
        handle.seek(start)

    def __iter__(self) -> Iterator[str]:
        for raw in self.handle:
            self.position += len(raw)
            yield decode_bytes(raw, "utf-8-sig" if self.position == len(raw) else "utf-8")


def read_csv(path: Path, columns: dict[str, str], *, file_time: Any = None) -> Iterator[Thread]:
    """Threads of a one-message-per-row CSV export, in order of first appearance."""
    with path.open("rb") as handle:
        lines = _Lines(handle)
        first = next(iter(lines), "")
        dialect = _dialect(first)
        header = next(csv.reader([first], dialect), [])
        index = _column_index(header, columns)
        offsets: dict[str, list[int]] = {}
        reader = csv.reader(lines, dialect)
        while True:
            start = lines.position
            row = next(reader, None)
            if row is None:
                break
            if not any(cell.strip() for cell in row):
                continue
            thread_id = _cell(row, index, "thread")
            if not thread_id:
                raise Unreadable(
                    f"row {reader.line_num + 1} has no value in column"
                    f" {columns.get('thread', 'thread')!r}",
                    "every row needs the id of the conversation it belongs to",
                )
            offsets.setdefault(thread_id, []).append(start)
        for thread_id, starts in offsets.items():
            pairs = []
            for start in starts:
                row = next(csv.reader(_Lines(handle, start), dialect))
                pairs.append((_row_message(row, index), "\x1f".join(row).encode("utf-8")))
            thread = assemble(f"{path}#{thread_id}", pairs, file_time=file_time)
            thread.key = short_hash(f"csv:{thread_id}")
            yield thread


def _dialect(first_line: str) -> type[csv.Dialect]:
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _column_index(header: list[str], columns: dict[str, str]) -> dict[str, int]:
    found = {name.strip().lower(): i for i, name in enumerate(header)}
    index = {
        field: found[column.lower()] for field, column in columns.items() if column.lower() in found
    }
    missing = [columns.get(f, f) for f in _REQUIRED if f not in index]
    if missing:
        raise Unreadable(
            f"the CSV has no column {', '.join(map(repr, missing))}"
            f" (its columns: {', '.join(header) or 'none'})",
            "name your export's columns in GOODWILL_CSV_COLUMNS in pelicanconf.py,"
            ' e.g. {"thread": "ticket_id", "body": "message", ...}',
        )
    return index


def _cell(row: list[str], index: dict[str, int], field: str) -> str:
    i = index.get(field)
    return row[i].strip() if i is not None and i < len(row) else ""


def _row_message(row: list[str], index: dict[str, int]) -> Message:
    sender = _cell(row, index, "sender").lower()
    return Message(
        sender=sender if "@" in sender else "",
        sender_name=_cell(row, index, "name"),
        body=_cell(row, index, "body").replace("\r\n", "\n"),
        sent=parse_date(_cell(row, index, "sent")),
        subject=_cell(row, index, "subject"),
        role=role_of(_cell(row, index, "role")),
    )


# --- Zendesk ------------------------------------------------------------------------------


def read_zendesk(path: Path, *, file_time: Any = None) -> Iterator[Thread | InboxError]:
    """Threads of a Zendesk ticket export (either shape in the module docstring)."""
    text = decode_bytes(path.read_bytes(), "utf-8").lstrip("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":
            yield from read_zendesk_lines(path, file_time=file_time)
            return
        raise Unreadable(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            f"the file may be cut short; {_EXPORT_HINT}",
        ) from exc
    tickets, users = _tickets_and_users(data)
    for ticket in tickets:
        yield from _ticket_thread(ticket, users, path, file_time)


def read_zendesk_lines(path: Path, *, file_time: Any = None) -> Iterator[Thread | InboxError]:
    """One ticket per line, read and yielded line by line (the incremental export)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                data = json.loads(decode_bytes(raw, "utf-8").lstrip("\ufeff"))
            except json.JSONDecodeError as exc:
                yield InboxError(
                    f"{path}:{number}",
                    f"line {number} is not valid JSON ({exc.msg})",
                    f"the other lines are still read; {_EXPORT_HINT}",
                )
                continue
            tickets, users = _tickets_and_users(data)
            for ticket in tickets:
                yield from _ticket_thread(ticket, users, path, file_time)


def _tickets_and_users(data: Any) -> tuple[list[dict[str, Any]], dict[Any, dict[str, Any]]]:
    if isinstance(data, list):
        return [t for t in data if isinstance(t, dict)], {}
    if not isinstance(data, dict):
        raise Unreadable("not a Zendesk export: no tickets in it", _EXPORT_HINT)
    users = _users(data.get("users"))
    if isinstance(data.get("tickets"), list):
        tickets = [t for t in data["tickets"] if isinstance(t, dict)]
    elif isinstance(data.get("ticket"), dict):
        tickets = [data["ticket"]]
    elif "comments" in data or "description" in data:
        tickets = [data]
    else:
        raise Unreadable(
            'not a Zendesk export: no "tickets", "ticket" or "comments" in it', _EXPORT_HINT
        )
    return tickets, users


def _users(value: Any) -> dict[Any, dict[str, Any]]:
    if not isinstance(value, list):
        return {}
    return {u.get("id"): u for u in value if isinstance(u, dict)}


def _ticket_thread(
    ticket: dict[str, Any], users: dict[Any, dict[str, Any]], path: Path, file_time: Any
) -> Iterator[Thread | InboxError]:
    ticket_id = ticket.get("id")
    source = f"{path}#{ticket_id}"
    people = {**users, **_users(ticket.get("users"))}
    subject = str(ticket.get("subject") or "")
    requester = ticket.get("requester_id")
    comments = ticket.get("comments")
    if not isinstance(comments, list):
        comments = [
            {
                "id": "description",
                "author_id": requester,
                "created_at": ticket.get("created_at"),
                "body": ticket.get("description"),
            }
        ]
    pairs = []
    for comment in comments:
        if not isinstance(comment, dict) or comment.get("public", True) is False:
            continue
        body = _comment_body(comment)
        if not body.strip():
            continue
        author = people.get(comment.get("author_id"), {})
        role = role_of(str(author.get("role") or ""))
        if role is None and requester is not None and comment.get("author_id") == requester:
            role = Role.CUSTOMER
        message = Message(
            sender=str(author.get("email") or "").lower(),
            sender_name=str(author.get("name") or ""),
            body=body,
            sent=parse_date(str(comment.get("created_at") or "")),
            subject=subject,
            role=role,
        )
        pairs.append((message, json.dumps(comment, sort_keys=True).encode("utf-8")))
    if not pairs:
        if ticket_id is None:
            yield InboxError(source, "a ticket with no id and no readable comment", _EXPORT_HINT)
        return  # a ticket of internal notes only has nothing to show
    thread = assemble(source, pairs, file_time=file_time)
    thread.key = short_hash(
        f"zendesk:{ticket_id}" if ticket_id is not None else f"zendesk:{subject}"
    )
    yield thread


def _comment_body(comment: dict[str, Any]) -> str:
    for name in ("plain_body", "body"):
        value = comment.get(name)
        if isinstance(value, str) and value.strip():
            return value.replace("\r\n", "\n").strip("\n")
    html = comment.get("html_body")
    return html_to_text(html) if isinstance(html, str) else ""
