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
    Consent-Text: 5be1c0…   (fingerprint of title, quote, customer and conversation)
    Display: pseudonym      (pseudonym | initials | first-name-initial | anonymous)
    Display-Name: J. W.     (only when the customer chose to be shown by their own initials)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

DISPLAY_STYLES = ("pseudonym", "initials", "first-name-initial", "anonymous")
# The parts of a story whose change needs new consent; status, featuring and the consent
# fields themselves may change freely.
AGREED_FIELDS = (
    "title", "quote", "customer", "display", "display-name",  # testimonials
    "gift", "recipient", "why", "asked-in-return", "outcome", "came-back", "photo",  # gifts
)  # fmt: skip


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


def text_fingerprint(meta: Mapping[str, str], body: str) -> str:
    """Fingerprint of the words a customer agrees to; ``meta`` keys in any case."""
    lower = {k.lower(): str(v) for k, v in meta.items()}
    parts = [f"{f}={_norm(lower.get(f, ''))}" for f in AGREED_FIELDS]
    parts.append(_norm(re.sub(r"<!--.*?-->", " ", body, flags=re.DOTALL)))
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def verdict(meta: Mapping[str, str], body: str) -> Verdict:
    """Whether the story may be published, and why (not)."""
    lower = {k.lower(): str(v).strip() for k, v in meta.items()}
    consent = lower.get("consent", "").lower()
    if consent == "withdrawn":
        return Verdict(State.WITHDRAWN, "the customer withdrew consent")
    if consent != "given":
        return Verdict(State.PENDING, "no consent recorded yet")
    if not lower.get("consent-how") or not lower.get("consent-date"):
        return Verdict(State.PENDING, "consent lacks how or when it was given")
    recorded = lower.get("consent-text", "")
    if recorded != text_fingerprint(meta, body):
        return Verdict(State.STALE, "the text was edited after consent; ask again and re-approve")
    return Verdict(State.GIVEN, f"consent given {lower['consent-date']}: {lower['consent-how']}")
