"""The founder's review: consent is evidence, and a story that leaves stays gone."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from goodwill import consent, content, curate
from goodwill.cli import main
from goodwill.drafts import make_draft
from goodwill.model import AnonymizedThread, Metrics, Redaction, Role, Turn

WHEN = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
STAFF_TEXT = "Hi Maren, I refunded it. Call me on [phone] if needed."


@pytest.fixture
def story(tmp_path, monkeypatch):
    """A draft exactly as ingest writes it, in a founder's folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pelicanconf.py").write_text('PATH = "content"\n')
    thread = AnonymizedThread(
        turns=[
            Turn(Role.CUSTOMER, "Maren", WHEN, "I was charged twice. <script>x()</script>"),
            Turn(Role.STAFF, "Support", WHEN, STAFF_TEXT),
            Turn(Role.CUSTOMER, "Maren", WHEN, "Thank you so much, that was really kind!"),
        ],
        customer="Maren",
        subject="Double charge",
        redactions=[
            Redaction("name", 1, 3, 8, "Maren", "a" * 16),
            Redaction("phone", 1, 36, 43, "[phone]", "b" * 16),
        ],
    )
    draft = make_draft(
        thread, Metrics(12, 30, 2, 1, True), thread_key="k" * 16, source_digest="s", when=WHEN
    )
    index = content.scan(tmp_path / "content")
    content.apply(content.plan(draft, index, tmp_path / "content"), draft, index)
    return tmp_path / "content" / "testimonials" / f"{draft.stem}.md"


def test_the_queue_shows_each_draft_with_its_redactions_and_consent(story, capsys):
    assert main(["review", "--json"]) == 0
    (item,) = json.loads(capsys.readouterr().out)
    assert item["slug"] == "2026-03-03-double-charge"
    assert item["redactions"] == {"name": 1, "phone": 1}
    assert item["consent"] == "pending"
    assert item["quote"] == "Thank you so much, that was really kind!"


def test_show_marks_every_redaction_and_warns_about_what_still_looks_personal(story, capsys):
    text = story.read_text().replace("that was really kind", "Jonas, call 0117 496 0123")
    story.write_text(text)
    assert main(["show", "2026-03-03-double-charge"]) == 0
    out = capsys.readouterr().out
    assert "Hi [name: Maren], I refunded it. Call me on [phone] if needed." in out
    assert "<script>x()</script>" in out  # shown as text, as it will be on the page
    assert "a long run of digits: '0117 496 0123'" in out


def test_approving_needs_consent(story, capsys):
    assert main(["approve", "2026-03-03-double-charge", "--consent", " "]) == 1
    assert "approving needs consent" in capsys.readouterr().err
    assert "Status: draft" in story.read_text()


def test_approval_records_how_when_and_the_exact_words(story):
    curate.approve(story, "replied 'yes, happy to' to our e-mail", date(2026, 3, 5))
    meta, body = content.split_file(story.read_text())
    assert meta["Status"] == "published" and meta["Consent"] == "given"
    assert meta["Consent-Date"] == "2026-03-05"
    assert consent.verdict(meta, body).publishable
    # the founder edits the customer's words after consent: held back until renewed
    story.write_text(story.read_text().replace("really kind", "really, really kind"))
    meta, body = content.split_file(story.read_text())
    assert consent.verdict(meta, body).state is consent.State.STALE
    # but featuring it is not a change of words
    story.write_text(
        content.set_metadata(story.read_text(), {"Featured": "true"}).replace(
            "really, really kind", "really kind"
        )
    )
    assert consent.verdict(*content.split_file(story.read_text())).publishable


def test_the_customer_chooses_how_they_are_named(story):
    with pytest.raises(curate.CurateError, match="needs the name"):
        curate.approve(story, "by e-mail", display="initials")
    curate.approve(story, "by e-mail", display="initials", display_name="M. K.")
    meta = content.parse_metadata(story.read_text())
    assert (meta["Display"], meta["Display-Name"]) == ("initials", "M. K.")


def test_rejected_and_withdrawn_stories_leave_content_and_are_remembered(story, tmp_path):
    assert main(["withdraw", "2026-03-03-double-charge"]) == 0
    assert not story.exists()
    assert (tmp_path / ".goodwill" / "withdrawn" / story.name).exists()
    assert content.excluded_threads(tmp_path / "content") == {"k" * 16: "withdrawn"}
    assert "Maren" not in (tmp_path / "content" / "excluded.csv").read_text()


def test_an_unknown_slug_suggests_close_ones(story, capsys):
    assert main(["show", "double"]) == 1
    assert "did you mean 2026-03-03-double-charge" in capsys.readouterr().err


def test_the_consent_request_quotes_exactly_what_would_be_published(story):
    letter = curate.consent_request(story, sender="Ada")
    assert "> Thank you so much, that was really kind!" in letter
    assert "you would appear as \"Maren\"" in letter
    assert letter.rstrip().endswith("Ada")
