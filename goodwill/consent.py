"""Consent as evidence: how and when it was given, and to exactly which words.

A customer agrees to words, not to a slug. The record therefore carries a
fingerprint of the text that was shown to them; if the story is edited after
consent, the fingerprint no longer matches and the story is held back until
consent is renewed. The record lives in the story's own metadata so it travels
with the story through git and shows in review.

Metadata written by ``goodwill approve``::

    Consent: given
    Consent-How: replied "yes, happy for you to share" to our e-mail
    Consent-Date: 2026-03-05
    Consent-Text: 5be1c0…   (fingerprint of every field but a few free ones, and the body)
    Display: pseudonym      (pseudonym | initials | first-name-initial | anonymous)
    Display-Name: J. W.     (only when the customer chose to be shown by their own initials)
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum

DISPLAY_STYLES = ("pseudonym", "initials", "first-name-initial", "anonymous")
# Fields the founder may change after consent without asking again: they decide where and
# whether the story shows, not what it says. Every other header line and the whole body,
# turn markers included, are part of the words the customer agreed to.
FREE_FIELDS = frozenset(
    {"status", "featured", "pledges", "order", "modified", "fingerprint"}
    | {"consent", "consent-how", "consent-date", "consent-text"}
)
_FIELD = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):")


class State(StrEnum):
    PENDING = "pending"
    GIVEN = "given"
    STALE = "stale"  # given, but the words changed since
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class Verdict:
    state: State
    reason: str  # for people: why a story is (not) public

    @property
    def publishable(self) -> bool:
        return self.state is State.GIVEN


def _norm(text: str) -> str:
    return " ".join(text.split())


def _split(text: str) -> tuple[list[str], str]:
    head, _, body = text.replace("\r\n", "\n").partition("\n\n")
    return head.split("\n"), body


def continued_lines(text: str) -> list[int]:
    """Header lines (1-based) that continue the field above: Pelican would make it a list."""
    lines, _ = _split(text)
    return [n for n, line in enumerate(lines, 1) if line.strip() and not _FIELD.match(line)]


def text_fingerprint(text: str) -> str:
    """Fingerprint of everything a customer agrees to in a story file (its full text)."""
    lines, body = _split(text)
    kept, skipping = [], False
    for line in lines:
        match = _FIELD.match(line)
        if match:
            skipping = match.group(1).lower() in FREE_FIELDS
        if not skipping and line.strip():
            kept.append(_norm(line))
    kept.append(_norm(body))
    return hashlib.sha256("\n".join(kept).encode("utf-8")).hexdigest()[:16]


def verdict(text: str) -> Verdict:
    """Whether the story file ``text`` may be published, and why (not)."""
    lines, _ = _split(text)
    meta = {}
    for line in lines:
        match = _FIELD.match(line)
        if match:
            meta[match.group(1).lower()] = line[match.end() :].strip()
    consent = meta.get("consent", "").lower()
    if consent == "withdrawn":
        return Verdict(State.WITHDRAWN, "the customer withdrew consent")
    if consent != "given":
        return Verdict(State.PENDING, "no consent recorded yet")
    if not meta.get("consent-how") or not meta.get("consent-date"):
        return Verdict(State.PENDING, "consent lacks how or when it was given")
    broken = continued_lines(text)
    if broken:
        return Verdict(
            State.PENDING,
            f"header line {broken[0]} continues the field above it; put each field on one line",
        )
    if meta.get("consent-text", "") != text_fingerprint(text):
        return Verdict(State.STALE, "the text was edited after consent; ask again and re-approve")
    return Verdict(State.GIVEN, f"consent given {meta['consent-date']}: {meta['consent-how']}")
