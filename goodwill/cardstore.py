"""Rendered story cards kept between builds, in one file.

A story's card is on the wall, its pledges' walls and its product's wall. A story dated in
the middle of a large site shifts every newer wall page by one card, and each shifted page
is rendered again: with the cards of the last build at hand, that is joining HTML rather
than running the card template 4,000 times (0.25 s of a 3 s rebuild at 5,000 stories,
measured). One file, written once a build, because a file per card cost a full build more
than it saved (0.37 s at 5,000 stories, measured).

A card's key says everything it shows (the story's page key, which covers the story, the
settings, the templates and the code; its heading level; the site URL), so a card read
back is the card the template would render. The file holds only what the last build
showed: a withdrawn story's card goes with the next build.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path

logger = logging.getLogger(__name__)

FILE = "cards.json"
_VERSION = 1

Key = tuple[str, str, str]  # story page key, heading level, SITEURL


def load(path: Path) -> dict[Key, str]:
    """The cards kept at ``path``; none when there is no file or it cannot be read (a cache:
    the cards are rendered again, and the reason is logged)."""
    try:
        with path.open(encoding="utf-8") as f:
            document = json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        logger.warning("goodwill: %s: kept cards not read (%s); rendering them again", path, exc)
        return {}
    if not isinstance(document, dict) or document.get("version") != _VERSION:
        return {}
    cards: dict[Key, str] = {}
    for row in document.get("cards", ()):
        if isinstance(row, list) and len(row) == 4 and all(isinstance(v, str) for v in row):
            cards[(row[0], row[1], row[2])] = row[3]
    return cards


def save(path: Path, cards: Mapping[Key, str]) -> None:
    """Write ``cards`` to ``path`` whole or not at all (a temporary file renamed over it)."""
    rows = [[*key, str(html)] for key, html in cards.items()]
    text = json.dumps({"version": _VERSION, "cards": rows}, ensure_ascii=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
