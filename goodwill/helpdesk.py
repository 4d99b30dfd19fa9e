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

An export that says nothing is an error, never "0 threads": a CSV with no rows under its
header, JSON with no ticket object, a ticket whose ``comments`` is not a list or that has
neither comments nor a description, a public comment with no text field that is a string
(each named by file, line and ticket id, with the shape expected; the rest is still read).
A ticket of internal notes only, or a blank comment (attachments only), is left out quietly.
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
        if not offsets:
            raise Unreadable(
                "no rows under the header line",
                "expected one message per row under the column names; export it again",
            )
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
    yield from _export_threads(data, path, str(path), file_time)


def read_zendesk_lines(path: Path, *, file_time: Any = None) -> Iterator[Thread | InboxError]:
    """One ticket per line, read and yielded line by line (the incremental export).

    A line that is not JSON, or JSON that is no ticket, is one error naming the line; the
    other lines are still read.
    """
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            where = f"{path}:{number}"
            try:
                data = json.loads(decode_bytes(raw, "utf-8").lstrip("\ufeff"))
            except json.JSONDecodeError as exc:
                yield InboxError(where, f"line {number} is not valid JSON ({exc.msg})", _LINES_HINT)
                continue
            try:
                yield from _export_threads(data, path, where, file_time)
            except Unreadable as exc:
                yield InboxError(
                    where,
                    f"line {number}: {exc.problem}",
                    f"the other lines are still read; {exc.hint}",
                )


_LINES_HINT = f"the other lines are still read; {_EXPORT_HINT}"
_SHAPE = '{"tickets": [{"id": ..., "comments": [...]}], "users": [...]}'


def _kind_of(value: Any) -> str:
    """How a JSON value is named to a founder who expected an object."""
    names = {str: "a string", bool: "true or false", int: "a number", float: "a number"}
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    return names.get(type(value), "an object")


def _export_threads(
    data: Any, path: Path, where: str, file_time: Any
) -> Iterator[Thread | InboxError]:
    """The threads of one parsed export (a file, or a line of one), errors named at ``where``."""
    tickets, users = _tickets_and_users(data)
    for n, ticket in enumerate(tickets, 1):
        if isinstance(ticket, dict):
            yield from _ticket_thread(ticket, users, path, where, file_time)
        else:
            yield InboxError(
                where,
                f"item {n} of the list is {_kind_of(ticket)}, not a ticket object",
                f"expected tickets like {_SHAPE}; {_EXPORT_HINT}",
            )


def _tickets_and_users(data: Any) -> tuple[list[Any], dict[Any, dict[str, Any]]]:
    """The ticket values (checked one by one later) and the users by id; Unreadable when
    the data holds no ticket at all, so an export that says nothing is never silent."""
    users: dict[Any, dict[str, Any]] = {}
    if isinstance(data, list):
        tickets: list[Any] = data
    elif not isinstance(data, dict):
        raise Unreadable(
            f"not a ticket: the JSON is {_kind_of(data)}", f"expected {_SHAPE}; {_EXPORT_HINT}"
        )
    else:
        users = _users(data.get("users"))
        if isinstance(data.get("tickets"), list):
            tickets = data["tickets"]
        elif isinstance(data.get("ticket"), dict):
            tickets = [data["ticket"]]
        elif "comments" in data or "description" in data or "id" in data:
            tickets = [data]
        else:
            raise Unreadable(
                'not a Zendesk export: no "tickets", "ticket" or "comments" in it',
                f"expected {_SHAPE}; {_EXPORT_HINT}",
            )
    if not tickets:
        raise Unreadable(f"no tickets in it (expected {_SHAPE})", _EXPORT_HINT)
    if not any(isinstance(t, dict) for t in tickets):
        raise Unreadable(
            f"no ticket object in the list (item 1 is {_kind_of(tickets[0])})",
            f"expected {_SHAPE}; {_EXPORT_HINT}",
        )
    return tickets, users


def _users(value: Any) -> dict[Any, dict[str, Any]]:
    if not isinstance(value, list):
        return {}
    return {u.get("id"): u for u in value if isinstance(u, dict)}


_COMMENT_SHAPE = (
    'expected comments like {"author_id": 1, "created_at": "2026-03-03T09:12:00Z", '
    '"plain_body": "..."}'
)


def _ticket_comments(ticket: dict[str, Any], name: str) -> list[Any] | str:
    """The ticket's comments, its description standing in for them; a problem as a str."""
    comments = ticket.get("comments")
    if isinstance(comments, list):
        return comments
    if comments is not None:
        return f'{name}: "comments" is {_kind_of(comments)}, not a list of comment objects'
    if ticket.get("description") is None:
        return f'{name} has neither "comments" nor a "description"'
    return [
        {
            "id": "description",
            "author_id": ticket.get("requester_id"),
            "created_at": ticket.get("created_at"),
            "body": ticket.get("description"),
        }
    ]


def _ticket_thread(
    ticket: dict[str, Any],
    users: dict[Any, dict[str, Any]],
    path: Path,
    where: str,
    file_time: Any,
) -> Iterator[Thread | InboxError]:
    ticket_id = ticket.get("id")
    source = f"{path}#{ticket_id}"
    name = f"ticket {ticket_id}" if ticket_id is not None else "a ticket without an id"
    at = f"{where}#{ticket_id}" if ticket_id is not None else where
    people = {**users, **_users(ticket.get("users"))}
    subject = str(ticket.get("subject") or "")
    requester = ticket.get("requester_id")
    comments = _ticket_comments(ticket, name)
    if isinstance(comments, str):
        yield InboxError(at, comments, f"{_COMMENT_SHAPE}; {_EXPORT_HINT}")
        return
    pairs = []
    problems = 0
    public = 0
    for n, comment in enumerate(comments, 1):
        label = f"{name}, comment {comment.get('id', n) if isinstance(comment, dict) else n}"
        if not isinstance(comment, dict):
            problems += 1
            yield InboxError(at, f"{label} is {_kind_of(comment)}, not an object", _COMMENT_SHAPE)
            continue
        if comment.get("public", True) is False:
            continue
        public += 1
        body = _comment_body(comment)
        if body is None:
            problems += 1
            yield InboxError(
                at,
                f"{label}: no text ({_missing_text(comment)}); expected a string in"
                " plain_body, body or html_body",
                f"the other comments are still read; {_EXPORT_HINT}",
            )
            continue
        if not body.strip():
            continue  # an attachment-only comment: nothing to quote
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
        if public and not problems:
            yield InboxError(at, f"{name} has no comment with text", _EXPORT_HINT)
        return  # a ticket of internal notes only has nothing to show
    thread = assemble(source, pairs, file_time=file_time)
    thread.key = short_hash(
        f"zendesk:{ticket_id}" if ticket_id is not None else f"zendesk:{subject}"
    )
    yield thread


def _missing_text(comment: dict[str, Any]) -> str:
    for name in ("plain_body", "body", "html_body"):
        if name in comment:
            return f"{name} is {_kind_of(comment[name])}"
    return "none of them is there"


def _comment_body(comment: dict[str, Any]) -> str | None:
    """The comment's text ("" when blank); None when no text field is a string at all."""
    for name in ("plain_body", "body"):
        value = comment.get(name)
        if isinstance(value, str) and value.strip():
            return value.replace("\r\n", "\n").strip("\n")
    html = comment.get("html_body")
    if isinstance(html, str):
        return html_to_text(html)
    found = [comment.get(name) for name in ("plain_body", "body")]
    return "" if any(isinstance(v, str) for v in found) else None
