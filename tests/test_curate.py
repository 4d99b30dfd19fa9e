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
    meta = content.parse_metadata(story.read_text())
    assert meta["Status"] == "published" and meta["Consent"] == "given"
    assert meta["Consent-Date"] == "2026-03-05"
    approved = story.read_text()
    assert consent.verdict(approved).publishable
    # the founder edits the customer's words after consent: held back until renewed
    edited = approved.replace("really kind", "really, really kind")
    assert consent.verdict(edited).state is consent.State.STALE
    # but featuring it or changing its pledges is not a change of words
    moved = content.set_metadata(approved, {"Featured": "true", "Pledges": "help"})
    assert consent.verdict(moved).publishable


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda t: t.replace('author="Maren"', 'author="Maren Holt"', 1), "a turn's author"),
        (lambda t: t.replace("Status:", "Summary: Maren Holt bakes.\nStatus:"), "a summary"),
        (lambda t: t.replace("\n\n", "\n\nA note from us about Maren Holt.\n\n", 1), "a note"),
        (lambda t: t.replace("Title: Double charge", "Title: Double charge, Maren"), "the title"),
    ],
)
def test_whatever_the_page_shows_is_covered_by_consent(story, change, why):
    curate.approve(story, "by e-mail", date(2026, 3, 5))
    assert consent.verdict(change(story.read_text())).state is consent.State.STALE, why


def test_a_field_spread_over_two_lines_is_never_published(story):
    # Pelican would read the second line as part of a list and print it on the page.
    text = story.read_text().replace("Quote: ", "Quote: \n    Signed, Maren Holt\n    ", 1)
    story.write_text(text)
    with pytest.raises(curate.CurateError, match=r"continues the field above"):
        curate.approve(story, "by e-mail")
    approved = content.set_metadata(
        text,
        {"Consent": "given", "Consent-How": "x", "Consent-Date": "2026-03-05",
         "Consent-Text": consent.text_fingerprint(text)},
    )  # fmt: skip
    assert consent.verdict(approved).state is consent.State.PENDING


def test_the_customer_chooses_how_they_are_named(story):
    with pytest.raises(curate.CurateError, match="needs the name"):
        curate.approve(story, "by e-mail", display="initials")
    curate.approve(story, "by e-mail", display="initials", display_name="M. K.")
    meta = content.parse_metadata(story.read_text())
    assert (meta["Display"], meta["Display-Name"]) == ("initials", "M. K.")


def test_rejected_and_withdrawn_stories_leave_content_and_are_remembered(story, tmp_path):
    translation = story.with_name(story.stem + ".fr.md")
    translation.write_text(
        content.set_metadata(story.read_text(), {"Lang": "fr", "Translation": "true"})
    )
    newer = story.with_name(story.stem + "-v2.md")  # a later version of the same thread
    newer.write_text(content.set_metadata(story.read_text(), {"Slug": newer.stem}))
    assert main(["withdraw", "2026-03-03-double-charge"]) == 0
    assert not story.exists() and not translation.exists() and not newer.exists()
    assert (tmp_path / ".goodwill" / "withdrawn" / story.name).exists()
    assert content.excluded_threads(tmp_path / "content") == {"k" * 16: "withdrawn"}
    assert "Maren" not in (tmp_path / "content" / "excluded.csv").read_text()


def test_an_unknown_slug_suggests_close_ones(story, capsys):
    assert main(["show", "double"]) == 1
    assert "did you mean 2026-03-03-double-charge" in capsys.readouterr().err


def test_the_consent_request_quotes_exactly_what_would_be_published(story):
    story.write_text(story.read_text().replace("\n\n", "\n\nA note: we fixed it.\n\n", 1))
    letter = curate.consent_request(story, sender="Ada")
    assert "> Thank you so much, that was really kind!" in letter  # the quote
    assert "> You (as Maren):\n> I was charged twice." in letter
    assert "> Support:\n> " + STAFF_TEXT in letter  # our words are published too
    assert "> A note from us:\n> A note: we fixed it." in letter
    assert 'you would appear as "Maren"' in letter
    assert letter.rstrip().endswith("Ada")


def test_show_warns_about_real_first_names_not_ordinary_words(story, capsys):
    text = story.read_text().replace("that was really kind", "Jonas said so. The fix is great")
    story.write_text(text)
    main(["show", "2026-03-03-double-charge"])
    out = capsys.readouterr().out
    assert "a first name that was not redacted: 'Jonas'" in out
    assert "'The'" not in out and "'Maren'" not in out  # Maren is the pseudonym


def test_a_broken_redaction_record_or_file_is_named(story, capsys):
    sidecar = story.with_name(story.stem + ".redactions.json")
    sidecar.write_text('{"not": "a list"}')
    assert main(["show", "2026-03-03-double-charge"]) == 1
    assert "not a redaction record" in capsys.readouterr().err
    other = story.with_name("2026-03-04-another.md")
    other.write_text(content.set_metadata(story.read_text(), {"Thread": "t" * 16}))
    story.write_bytes(story.read_bytes().replace(b"Double", b"Doubl\xe9"))
    assert main(["review", "--json"]) == 1  # the broken file is named, the rest still listed
    captured = capsys.readouterr()
    assert f"{story}: not UTF-8 text" in captured.err
    assert [item["path"] for item in json.loads(captured.out)] == [str(other)]
