"""A story's conversation as turns, read from the markers ingest writes.

The Markdown body keeps one ``<!-- goodwill:turn role=... author=... sent=... -->``
comment before each message; Markdown passes comments through untouched, so the
rendered HTML can be split on them and each turn shown as a speech bubble.
"""

from __future__ import annotations

import re
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
