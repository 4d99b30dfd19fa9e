"""An anonymized thread becomes a draft testimonial, then a file the founder can edit."""

from datetime import UTC, datetime

from goodwill import content
from goodwill.drafts import guess_language, make_draft, pick_quote, slugify
from goodwill.model import AnonymizedThread, Metrics, Redaction, Role, Turn

WHEN = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def thread(subject: str = "Re: Export drops invoices", **kwargs) -> AnonymizedThread:
    turns = [
        Turn(Role.CUSTOMER, "Maren", WHEN, "Hi, the CSV export of Tidy Invoice stops at 100 rows."),
        Turn(
            Role.STAFF,
            "Support",
            WHEN,
            "Hi Maren, fixed in 2.1 <b>today</b>. Thanks for the report.",
        ),
        Turn(
            Role.CUSTOMER,
            "Maren",
            WHEN,
            "It works. You saved my quarter-end, thank you so much! Best, Maren",
        ),
    ]
    return AnonymizedThread(
        turns=turns,
        customer="Maren",
        subject=subject,
        redactions=[Redaction("name", 1, 3, 8, "Maren", "0123456789abcdef")],
        **kwargs,
    )


METRICS = Metrics(12, 190, 2, 1, True, ["reply-within-one-business-day"])


def draft(**kwargs):
    return make_draft(
        thread(**kwargs),
        METRICS,
        thread_key="k" * 16,
        source_digest="d" * 64,
        when=WHEN,
        products=["Tidy Invoice", "Tidy Notes"],
    )


def test_the_warmest_customer_sentence_becomes_the_quote():
    assert pick_quote(thread().turns) == "You saved my quarter-end, thank you so much!"


def test_a_draft_carries_its_measured_facts_and_is_pending_consent():
    d = draft()
    assert d.stem == "2026-03-03-export-drops-invoices"
    meta = d.metadata
    assert meta["Title"] == "Export drops invoices"
    assert meta["Status"] == "draft" and meta["Consent"] == "pending"
    assert meta["Product"] == "Tidy Invoice"
    assert meta["First-Reply-Minutes"] == "12" and meta["Resolution-Minutes"] == "190"
    assert meta["Pledges"] == "reply-within-one-business-day"
    assert meta["Redactions"] == "name 1"


def test_the_body_is_the_conversation_turn_by_turn_with_markup_escaped():
    body = draft().body
    assert body.count("<!-- goodwill:turn ") == 3
    assert 'role="staff" author="Support" sent="2026-03-03T09:00:00+00:00"' in body
    assert "&lt;b&gt;today&lt;/b&gt;" in body and "<b>" not in body


def test_an_empty_subject_falls_back_to_the_quote():
    assert draft(subject="").metadata["Title"].startswith("You saved my quarter-end")


def test_slugs_are_ascii_and_short():
    assert slugify("Ça marche très bien ! Merci") == "ca-marche-tres-bien-merci"
    assert len(slugify("word " * 40)) <= 60


def test_language_is_guessed_from_common_words():
    assert guess_language(["Merci pour votre aide, je suis très content"]) == "fr"
    assert guess_language(["Danke für die schnelle Hilfe, das ist toll"]) == "de"
    assert guess_language(["Thanks for the quick help with the export"]) == "en"


def test_a_written_draft_is_fingerprinted_and_an_edit_is_noticed(tmp_path):
    d = draft()
    index = content.scan(tmp_path)
    planned = content.plan(d, index, tmp_path)
    assert planned.action is content.Action.NEW
    content.apply(planned, d, index)
    path = tmp_path / "testimonials" / f"{d.stem}.md"
    text = path.read_text()
    assert text.startswith("Title: Export drops invoices\n")
    assert not content.is_edited(text)
    assert content.is_edited(text.replace("thank you so much", "thank you"))
    sidecar = path.with_name(f"{d.stem}.redactions.json").read_text()
    assert '"kind": "name"' in sidecar and '"digest": "0123456789abcdef"' in sidecar
