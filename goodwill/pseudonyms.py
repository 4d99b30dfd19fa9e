"""The public name a customer gets: stable for one person, never their real name.

Stable means the same across threads and runs: the choice is an HMAC (with the local
key) of who the person is, so a customer who writes twice is "Maren" both times, and
nobody without the key can tell which real customer "Maren" is.
"""

from __future__ import annotations

import hashlib
import hmac
import string
from collections.abc import Collection
from functools import cache
from importlib import resources

from goodwill.detectors import fold
from goodwill.digest import normalise

STYLES = ("first-name", "letter", "initials")


@cache
def first_names() -> tuple[str, ...]:
    """The shipped pseudonyms (goodwill/data/pseudonyms.txt), in file order."""
    text = resources.files("goodwill").joinpath("data", "pseudonyms.txt").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and line[0] != "#")


def _index(key: bytes, identity: str) -> int:
    mac = hmac.new(key, f"pseudonym:{normalise(identity)}".encode(), hashlib.sha256)
    return int.from_bytes(mac.digest()[:8], "big")


def pseudonym(
    key: bytes,
    identity: str,
    style: str = "first-name",
    avoid: Collection[str] = (),
    real_name: str = "",
) -> str:
    """The public name for the person known by ``identity`` (an address, or a name).

    ``avoid`` holds folded names (``detectors.fold``) that must not be given: every real
    participant's names and the names already handed out in this thread. The next name in the list
    is taken instead, so the choice stays stable for everyone else.
    """
    if style not in STYLES:
        raise ValueError(
            f"pseudonym style {style!r} is unknown: set GOODWILL_PSEUDONYM_STYLE to one of "
            + ", ".join(STYLES)
        )
    start = _index(key, identity)
    if style == "initials":
        initials = ". ".join(w[0].upper() for w in real_name.split() if w[0].isalpha())
        if initials:
            return initials + "."  # the founder chose to show initials; they are not a name
        style = "letter"  # no name to take initials from
    if style == "letter":
        letters = string.ascii_uppercase
        for step in range(len(letters)):
            candidate = f"Customer {letters[(start + step) % len(letters)]}"
            if fold(candidate) not in avoid:
                return candidate
        return f"Customer {start % 1000}"
    names = first_names()
    for step in range(len(names)):
        candidate = names[(start + step) % len(names)]
        if fold(candidate) not in avoid:
            return candidate
    return f"Customer {start % 1000}"
