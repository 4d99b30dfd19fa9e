"""`goodwill new gift` and `goodwill new pledge`: a template that always builds."""

from __future__ import annotations

import pytest

from goodwill import content, stories
from goodwill.cli import main

GIFT = [
    "new", "gift", "--no-input", "--title", "A licence for a choir",
    "--gift", "A Tidy Notes licence",
    "--recipient", "Ines", "--why", "Their rehearsal notes were on paper.", "--value", "49",
    "--currency", "EUR", "--story", "They sent us a recording of their spring concert.",
]  # fmt: skip


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pelicanconf.py").write_text('PATH = "content"\n')
    return tmp_path


def test_a_new_gift_is_a_pending_draft_the_site_can_read(site, capsys):
    assert main(GIFT) == 0
    (path,) = (site / "content" / "gifts").glob("*.md")
    assert path.name.endswith("-a-licence-for-a-choir.md")
    text = path.read_text()
    meta, body = content.split_file(text)
    assert meta["Status"] == "draft" and meta["Consent"] == "pending"
    assert meta["Asked-In-Return"] == "nothing"
    assert body.strip() == "They sent us a recording of their spring concert."
    gift = stories.read_gift({k.lower(): v for k, v in meta.items()}, str(path))
    assert gift.recipient == "Ines" and str(gift.value) == "49"
    assert "goodwill approve" in capsys.readouterr().out


def test_an_existing_file_is_never_replaced(site, capsys):
    assert main(GIFT) == 0
    assert main(GIFT) == 1
    assert "already exists" in capsys.readouterr().err


def test_a_measured_pledge_needs_a_target(site, capsys):
    base = ["new", "pledge", "--no-input", "--title", "Every refund within a day",
            "--summary", "Asked for a refund? It is back on your card within a day."]  # fmt: skip
    assert main([*base, "--measure", "resolution"]) == 1
    assert "needs a target" in capsys.readouterr().err
    assert main([*base, "--measure", "resolution", "--business-days", "1"]) == 0
    path = site / "content" / "pledges" / "every-refund-within-a-day.md"
    pledge = stories.read_pledge(
        {k.lower(): v for k, v in content.parse_metadata(path.read_text()).items()}, str(path)
    )
    assert (pledge.measure, pledge.business_days) == ("resolution", 1)


def test_without_input_a_missing_field_is_named(site, capsys):
    assert main(["new", "gift", "--no-input", "--title", "Something"]) == 1
    assert "needs --gift, --recipient, --why" in capsys.readouterr().err
