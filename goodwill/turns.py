"""A story's conversation as turns, read from the markers ingest writes.

The Markdown body keeps one ``<!-- goodwill:turn role=... author=... sent=... -->``
comment before each message; Markdown passes comments through untouched, so the
rendered HTML can be split on them and each turn shown as a speech bubble.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bs4 import BeautifulSoup, Comment

from goodwill.sanitize import sanitize_html

_MARKER = re.compile(r"^\s*goodwill:turn\b(?P<attrs>.*)$", re.DOTALL)
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
    soup = BeautifulSoup(html, "html.parser")
    turns: list[RenderedTurn] = []
    attrs: dict[str, str] | None = None
    chunk: list[str] = []

    def close() -> None:
        body = "".join(chunk).strip()
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

    for node in list(soup.contents):
        match = _MARKER.match(str(node)) if isinstance(node, Comment) else None
        if match:
            close()
            attrs = dict(_ATTR.findall(match.group("attrs")))
            chunk = []
        else:
            chunk.append(str(node))
    close()
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
