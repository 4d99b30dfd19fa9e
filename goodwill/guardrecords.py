"""What the leak guard checks pages against, known before it reads one.

The redacted names (their keyed digests, from the redaction records beside the
stories) and the names customers chose, with consent, to be shown by, with the
place of each story. A build works these out while Pelican renders; the
scanning itself (``goodwill.guard``, with its word lists, patterns and phone
metadata) is loaded only by the processes that read pages.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# The files the guard reads, and those of them read as markup.
SCANNED_SUFFIXES = frozenset({".html", ".htm", ".xml", ".json", ".txt", ".atom", ".rss"})
MARKUP_SUFFIXES = frozenset({".html", ".htm", ".xml", ".atom", ".rss"})


class GuardError(Exception):
    """The guard could not run (no output folder, unreadable key): a person must act."""


@dataclass(frozen=True, slots=True)
class ShownName:
    """A name a customer chose, with consent, to be shown by, and where their story is.

    It is no leak on the story's own page (``page``, its file in the output) nor on a
    page that links to the story (``url``: a card on a wall, a feed entry, the embed
    file). Anywhere else the same name is someone else's until shown otherwise: allowed
    site-wide, a customer's consented "Maren" let a redacted Maren through on every page.
    """

    words: tuple[str, ...]
    page: str
    url: str

    def on(self, path: str, text: str) -> bool:
        if path == self.page:
            return True
        if not self.url or self.url not in text:
            return False
        # The whole address of a link ("…/coffee/" or "coffee.html" after a slash or a
        # quote, and ending there), not any text it is part of ("ann.html" in "joann.html").
        return _link_to(self.url).search(text) is not None

    def as_json(self) -> dict[str, object]:
        return {"words": list(self.words), "page": self.page, "url": self.url}


@lru_cache(maxsize=4096)
def _link_to(url: str) -> re.Pattern[str]:
    return re.compile(rf"""(?:^|[/"'=]){re.escape(url)}(?=$|["'#?<\s])""")


def write_shown(path: Path, shown: Iterable[ShownName]) -> None:
    """Where a build showed which consented names, for a later look at its output."""
    path.write_text(json.dumps([s.as_json() for s in shown]), encoding="utf-8")


def read_shown(path: Path) -> list[ShownName]:
    """``write_shown``'s list back; ``GuardError`` naming the file when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [
            ShownName(tuple(str(w) for w in d["words"]), str(d["page"]), str(d["url"]))
            for d in data
        ]
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise GuardError(
            f"{path}: not the build's list of names shown with consent ({exc})"
        ) from exc


REDACTIONS_SUFFIX = ".redactions.json"


def _name_digests_in(data: object) -> Iterator[str]:
    if isinstance(data, dict):
        if data.get("kind") == "name" and isinstance(data.get("digest"), str):
            yield data["digest"]
        for value in data.values():
            yield from _name_digests_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from _name_digests_in(value)


def load_name_digests(content_dir: Path) -> set[str]:
    """The digests of every redacted name, from the sidecars beside the drafts.

    Reads any JSON shape that holds ``{"kind": "name", "digest": …}`` records,
    so the guard keeps working if the sidecar grows new fields.
    """
    digests: set[str] = set()
    for sidecar in sidecars(content_dir):
        try:
            data = sidecar.read_bytes()
        except OSError as exc:
            raise GuardError(_unreadable(sidecar, exc)) from exc
        digests.update(sidecar_name_digests(sidecar, data))
    return digests


def sidecars(content_dir: Path) -> list[Path]:
    """The redaction records under ``content_dir``, in a stable order.

    ``os.walk`` rather than ``Path.rglob``: a site has one record per story, and the
    build lists them every time (a fifth of the time, for ``rglob``).
    """
    found = []
    for root, dirs, files in os.walk(content_dir):
        dirs.sort()
        found += [os.path.join(root, f) for f in files if f.endswith(REDACTIONS_SUFFIX)]
    return [Path(name) for name in sorted(found)]  # sorted as strings: Path comparisons are slow


def _unreadable(sidecar: Path, exc: Exception) -> str:
    return (
        f"{sidecar}: cannot be read as JSON ({exc}); restore it from git or re-run goodwill ingest"
    )


def sidecar_name_digests(sidecar: Path, data: bytes) -> list[str]:
    """The name digests in one redaction record's bytes; ``sidecar`` names it in errors."""
    try:
        parsed = json.loads(data.decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError is one
        raise GuardError(_unreadable(sidecar, exc)) from exc
    return sorted(set(_name_digests_in(parsed)))
