"""A story's conversation as turns, read from the markers ingest writes.

The Markdown body keeps one ``<!-- goodwill:turn role=... author=... sent=... -->``
comment before each message; Markdown passes comments through untouched, so the
rendered HTML can be split on them and each turn shown as a speech bubble.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from goodwill.sanitize import sanitize_html

# Found with a pattern, not a parser: the markers are written by ingest (and by
# ``join_turns``) in exactly this shape, and each chunk between them is parsed
# anyway when it is sanitized, so parsing the whole body first only cost time.
_MARKER = re.compile(r"<!--\s*goodwill:turn\b(?P<attrs>.*?)-->", re.DOTALL)
_ATTR = re.compile(r'([\w-]+)\s*=\s*"([^"]*)"')


@dataclass(frozen=True, slots=True)
class RenderedTurn:
    """One message of a published conversation, its HTML already sanitized."""

    role: str  # "customer" or "staff"
    author: str
    sent: datetime | None
    html: str


def _sent(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def split_turns(html: str) -> list[RenderedTurn]:
    """Turns in order; text before the first marker (a founder's note) is a 'note' turn."""
    turns: list[RenderedTurn] = []

    def close(attrs: dict[str, str] | None, chunk: str) -> None:
        body = chunk.strip()
        if attrs is None and not body:
            return
        meta = attrs or {"role": "note"}
        role = meta.get("role", "customer")
        turns.append(
            RenderedTurn(
                role=role if role in {"customer", "staff", "note"} else "customer",
                author=meta.get("author", ""),
                sent=_sent(meta.get("sent", "")),
                html=sanitize_html(body),
            )
        )

    attrs: dict[str, str] | None = None
    start = 0
    for match in _MARKER.finditer(html):
        close(attrs, html[start : match.start()])
        attrs = dict(_ATTR.findall(match.group("attrs")))
        start = match.end()
    close(attrs, html[start:])
    return turns


def join_turns(turns: list[RenderedTurn]) -> str:
    """The turns back as one HTML body, markers kept, so splitting again gives the same turns.

    Pelican may cache a story between builds; keeping the markers makes the
    plugin's clean-up safe to apply twice.
    """
    parts = []
    for turn in turns:
        if turn.role != "note":
            sent = turn.sent.isoformat() if turn.sent else ""
            author = turn.author.replace('"', "&quot;").replace("--", "- -")
            parts.append(
                f'<!-- goodwill:turn role="{turn.role}" author="{author}" sent="{sent}" -->'
            )
        parts.append(turn.html)
    return "\n".join(parts)


# A tag of sanitized HTML: the sanitizer escapes ">" inside attribute values and drops
# comments, so a tag ends at the first ">".
_TAG = re.compile(r"(<[^>]*>)")


def _bounded(value: str) -> str:
    """``value`` as a pattern that matches whole words only where it starts or ends in one."""
    pattern = re.escape(value)
    if re.match(r"\w", value):
        pattern = rf"(?<!\w){pattern}"
    if re.search(r"\w\Z", value):
        pattern = rf"{pattern}(?!\w)"
    return pattern


def mark_redactions(turn_html: str, replacements: Iterable[tuple[str, str]]) -> str:
    """``turn_html`` with every replacement the anonymizer made wrapped in a ``<mark>``.

    ``replacements`` are ``(text, kind)`` pairs, as the redactions record lists
    them for this turn: ``("[phone]", "phone")``, ``("Maren", "name")``. The
    founder's preview shows them so that what was taken out can be checked at a
    glance, before anyone is asked for consent. Only text between tags is
    marked, never a tag or an attribute, so the HTML stays what the sanitizer
    made it; each text node is decoded, marked and escaped again, which also
    finds a pseudonym written with an entity (``O&#x27;Neil``). Longer texts win
    (``Ada, founder`` over ``Ada``); words are matched whole (``Ann`` is not
    marked inside ``Annual``).
    """
    kinds: dict[str, str] = {}
    for text, kind in replacements:
        if text.strip():
            kinds.setdefault(text, kind)
    if not kinds:
        return turn_html
    pattern = re.compile("|".join(_bounded(t) for t in sorted(kinds, key=len, reverse=True)))

    def mark(raw: str) -> str:
        plain = htmllib.unescape(raw)
        if pattern.search(plain) is None:
            return raw
        pieces, cursor = [], 0
        for m in pattern.finditer(plain):
            title = htmllib.escape(f"{kinds[m.group()]} redacted")
            pieces.append(htmllib.escape(plain[cursor : m.start()], quote=False))
            pieces.append(
                f'<mark class="redaction" title="{title}">'
                f"{htmllib.escape(m.group(), quote=False)}</mark>"
            )
            cursor = m.end()
        pieces.append(htmllib.escape(plain[cursor:], quote=False))
        return "".join(pieces)

    parts = _TAG.split(turn_html)  # text, tag, text, tag, ..., text
    return "".join(part if i % 2 else mark(part) for i, part in enumerate(parts))


def replacements_by_turn(
    records: Iterable[Mapping[str, object]],
) -> dict[int, list[tuple[str, str]]]:
    """The redactions record (``<stem>.redactions.json``) as ``(text, kind)`` pairs per turn.

    Offsets in the record point into the Markdown each turn was written as,
    not into its HTML, so the pairs are matched by text; records of any other
    shape are skipped rather than trusted.
    """
    turns: dict[int, list[tuple[str, str]]] = {}
    for record in records:
        turn, text, kind = record.get("message"), record.get("replacement"), record.get("kind")
        if isinstance(turn, int) and isinstance(text, str) and isinstance(kind, str):
            turns.setdefault(turn, []).append((text, kind))
    return turns


def rename(turns: Iterable[RenderedTurn], old: str, author: str, text: str) -> list[RenderedTurn]:
    """The conversation with the pseudonym ``old`` replaced by the name the customer chose
    to be shown by (``Display``): ``author`` above their turns, ``text`` where the
    conversation names them ("Hi Maren," becomes "Hi J. W.," or "Hi [name],"). Like the
    marks, only text between tags changes, whole words only.
    """
    if not old.strip() or (old == author == text):
        return list(turns)
    pattern = re.compile(_bounded(old))

    def swap(raw: str) -> str:
        plain = htmllib.unescape(raw)
        if pattern.search(plain) is None:
            return raw
        return htmllib.escape(pattern.sub(lambda _: text, plain), quote=False)

    renamed = []
    for turn in turns:
        parts = _TAG.split(turn.html)
        body = "".join(part if i % 2 else swap(part) for i, part in enumerate(parts))
        who = author if turn.role == "customer" and turn.author == old else turn.author
        renamed.append(RenderedTurn(turn.role, who, turn.sent, body))
    return renamed
