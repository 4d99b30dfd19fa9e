"""The leak guard: what it finds in a rendered site, and what it lets through."""

from __future__ import annotations

from goodwill.digest import digest, normalise

KEY = b"a fictional test key, never a real one"


def test_normalise_folds_case_whitespace_and_unicode_forms():
    assert normalise("  MAREN\n\tHolt ") == "maren holt"
    assert normalise("Ame\u0301lie") == normalise("Amélie") == "amélie"


def test_digest_is_keyed_kinded_and_sixteen_hex_characters():
    value = digest(KEY, "name", "Maren Holt")
    assert len(value) == 16 and int(value, 16) >= 0
    assert digest(KEY, "name", "maren   HOLT") == value
    assert digest(KEY, "order", "Maren Holt") != value
    assert digest(b"another key", "name", "Maren Holt") != value
