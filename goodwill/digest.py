"""The keyed digest that records a redacted value without keeping it.

The anonymizer writes these digests into ``*.redactions.json`` and the leak
guard recomputes them over the rendered site: both sides must agree byte for
byte, so the one definition lives here and nowhere else.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Callable

DIGEST_LENGTH = 16  # hex characters: 64 bits, plenty to tell names apart, too short to store more


def normalise(text: str) -> str:
    """Fold the spellings a reader would call "the same name" into one string.

    NFKC first so that a name typed with a composed "é" and one with "e" plus a
    combining accent hash alike; casefold so "MAREN" and "maren" match; and
    collapse whitespace because mail wraps names across lines and tabs.
    """
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def digest(key: bytes, kind: str, original: str) -> str:
    """HMAC-SHA256 of ``kind:normalised original``, cut to 16 hex characters.

    Keyed so a published redactions file cannot be reversed with a list of
    common names; the kind is part of the message so a name and an order
    number that happen to be spelt alike do not share a digest. Made by the one-shot
    ``hmac.digest`` (OpenSSL in one call): the anonymizer makes one per redaction, and
    building an ``hmac.HMAC`` object each time cost five times as much (measured).
    """
    message = f"{kind}:{normalise(original)}".encode()
    return hmac.digest(key, message, "sha256").hex()[:DIGEST_LENGTH]


def digester(key: bytes, kind: str) -> Callable[[str], str]:
    """``digest`` with the key and kind bound: the leak guard hashes every word of a site.

    The HMAC state after the key and ``kind:`` is computed once and copied per
    value, which roughly halves the cost of each call.
    """
    prefix = hmac.new(key, f"{kind}:".encode(), hashlib.sha256)

    def of(original: str) -> str:
        mac = prefix.copy()
        mac.update(normalise(original).encode())
        return mac.hexdigest()[:DIGEST_LENGTH]

    return of
