"""Story cards kept between builds: read back exactly, or not at all."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from goodwill import cardstore


def test_cards_are_read_back_exactly_as_they_were_kept(tmp_path: Path) -> None:
    path = tmp_path / "cache" / cardstore.FILE
    cards = {
        (
            "a1",
            "h2",
            "https://tidy.example",
        ): '<article lang="fr">La facture en double — réglé</article>',
        ("a1", "h3", ""): "<article>…</article>",
    }
    cardstore.save(path, cards)
    assert cardstore.load(path) == cards
    assert [p.name for p in path.parent.iterdir()] == [cardstore.FILE]  # no temporary left


@pytest.mark.parametrize(
    "text", ['{"version": 1, "cards": [["a1", "h2"', '{"version": 99, "cards": []}', "[1, 2]"]
)
def test_a_damaged_or_foreign_file_gives_no_cards_and_the_build_renders_them(
    tmp_path: Path, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / cardstore.FILE
    path.write_text(text)
    with caplog.at_level(logging.WARNING):
        assert cardstore.load(path) == {}
    if text.startswith('{"version": 1'):
        assert f"{path}: kept cards not read" in caplog.text


def test_no_file_yet_is_no_cards(tmp_path: Path) -> None:
    assert cardstore.load(tmp_path / cardstore.FILE) == {}
