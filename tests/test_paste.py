"""Pasted conversations: header blocks in either order, or plain text cut by its quotes."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from corpus import STAFF_DOMAIN, generate_threads

from goodwill.mail import read_inbox
from goodwill.model import Role, Thread
from goodwill.paste import read_paste
from goodwill.replies import Earlier, split_history
from goodwill.roles import assign_roles
from goodwill.settings import Settings

PASTES = Path(__file__).parent / "fixtures" / "inbox" / "paste"


def whole(body: str) -> list[Earlier]:
    return [Earlier(text=body.strip())]


def read(name: str) -> Thread:
    text = (PASTES / name).read_text()
    return read_paste(text, source=name, name=name, split=whole)


def test_newest_first_outlook_paste_is_put_oldest_first():
    thread = read("newest-first.txt")
    assert [(m.sender, m.sent) for m in thread.messages] == [
        ("priya@example.net", datetime(2026, 3, 3, 14, 55, tzinfo=UTC)),
        ("support@tidy.example", datetime(2026, 3, 3, 16, 10, tzinfo=UTC)),
        ("", None),  # the headerless reply on top is the newest message
    ]
    assert thread.messages[0].sender_name == "Priya Nandi"
    assert thread.messages[0].body == "Hello, I was charged twice for March. Could you refund one?"
    assert thread.messages[2].body == "Thanks again, all sorted now!\n\nPriya"
    assert thread.subject == "Refund for double charge"
    assert all("Original Message" not in m.body for m in thread.messages)


def test_oldest_first_markdown_paste_keeps_its_order():
    thread = read("oldest-first.md")
    assert [m.sender for m in thread.messages] == [
        "tomas@example.com",
        "support@tidy.example",
        "tomas@example.com",
    ]
    assert thread.messages[1].sent == datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
    assert thread.messages[2].body == "It passed. Great service, thanks!"


def test_headerless_paste_is_cut_by_split_history():
    def by_rule(body: str) -> list[Earlier]:
        parts = [p.strip() for p in body.split("\n---\n")]
        return [Earlier(text=p, name=f"part {i}") for i, p in enumerate(parts)]

    thread = read_paste("first\n---\nsecond\n---\nthird\n", source="x", name="x", split=by_rule)
    assert [m.body for m in thread.messages] == ["first", "second", "third"]
    assert not any(m.recovered for m in thread.messages)


def test_a_paste_is_keyed_by_its_name_in_the_inbox_and_dated_by_its_file(tmp_path: Path):
    inbox = tmp_path / "inbox"
    (inbox / "2026").mkdir(parents=True)
    paste = inbox / "2026" / "noor.txt"
    paste.write_text((PASTES / "headerless.txt").read_text())
    os.utime(paste, (1_772_000_000, 1_772_000_000))
    (thread,) = read_inbox([inbox], Settings(inbox=str(inbox)), split=whole)
    assert thread.file_time == datetime.fromtimestamp(1_772_000_000, UTC)
    grown_text = paste.read_text() + "\nOne more thing!\n"
    paste.write_text(grown_text)
    (grown,) = read_inbox([inbox], Settings(inbox=str(inbox)), split=whole)
    assert (
        grown.key == thread.key == read_paste("", source="", name="2026/noor.txt", split=whole).key
    )
    assert grown.digest != thread.digest


def test_a_header_word_inside_a_body_does_not_start_a_message():
    text = "From: Ann <ann@example.com>\nDate: 2026-03-01 10:00\n\nFrom: my phone, sorry.\nThanks\n"
    (message,) = read_paste(text, source="x", name="x", split=whole).messages
    assert message.body == "From: my phone, sorry.\nThanks"


def test_header_names_in_any_language_quoting_knows_start_a_message():
    text = (
        "Expéditeur : Léa Martin <lea@example.test>\n"
        "Envoyé : mardi 3 mars 2026 09:12\n"
        "À : support@tidy.example\n"
        "Cc : compta@example.test\n"
        "Objet : Facture en double\n"
        "\n"
        "Bonjour, la facture est en double.\n"
    )
    (message,) = read_paste(text, source="x", name="x", split=whole).messages
    assert (message.sender, message.sender_name) == ("lea@example.test", "Léa Martin")
    assert message.sent == datetime(2026, 3, 3, 9, 12, tzinfo=UTC)
    assert message.recipients == ("support@tidy.example", "compta@example.test")
    assert message.subject == "Facture en double"
    assert message.body == "Bonjour, la facture est en double."


# --- headerless pastes: the signature stays with its message, roles as written ---------


def test_a_signature_card_under_a_sign_off_belongs_to_the_message_above_it():
    text = (
        "All sorted, and so quickly. Have a lovely weekend.\n"
        "\n"
        "Pia\n"
        "\n"
        "> Dear Pia,\n"
        ">\n"
        "> I have refunded the second charge.\n"
        ">\n"
        "> Thanks,\n"
        "> Ben\n"
        ">\n"
        "> Dear Ben,\n"
        ">\n"
        "> I was charged twice for March. Could you refund one?\n"
        ">\n"
        "> Cheers,\n"
        "> Pia\n"
        ">\n"
        "> -- \n"
        "> Pia Lindqvist\n"
        "> Head of Finance, Lindqvist Bakery\n"
        "> +44 7700 900123\n"
        "> https://bakery.example\n"
    )
    thread = read_paste(text, source="x", name="x", split=split_history)
    # The card is where the surname is written: the signer is known by their full name.
    assert [m.sender_name for m in thread.messages] == ["Pia Lindqvist", "Ben", "Pia"]
    assert thread.messages[0].body.endswith(
        "Cheers,\nPia\n\n--\nPia Lindqvist\n"
        "Head of Finance, Lindqvist Bakery\n+44 7700 900123\nhttps://bakery.example"
    )
    roles = assign_roles(thread.messages, {"tidy.example": None})
    assert roles == [Role.CUSTOMER, Role.STAFF, Role.CUSTOMER]


def test_a_card_without_the_dashes_is_no_message_of_its_own_either():
    quoted = (
        "Hello Ada,\n\nThe export stops at invoice 100.\n\nBest,\nJo\n\n"
        "Jo Marsh\nAccounts, Marsh & Daughters Ltd\n555-0142\n"
    )
    text = "Works now, thanks!\n\nJo\n\n" + "\n".join(f"> {ln}" for ln in quoted.split("\n"))
    messages = split_history(text)
    assert [m.name for m in messages] == ["Jo Marsh", "Jo"]
    assert messages[0].text.endswith(
        "Best,\nJo\n\nJo Marsh\nAccounts, Marsh & Daughters Ltd\n555-0142"
    )


def test_every_headerless_corpus_paste_comes_out_with_the_roles_the_corpus_wrote():
    threads = [t for t in generate_threads(400, seed=2026) if t.shape == "txt-headerless"]
    assert len(threads) >= 40
    wrong = []
    for t in threads:
        thread = read_paste(t.source_texts[0], source=t.id, name=t.id, split=split_history)
        roles = [r.value for r in assign_roles(thread.messages, {STAFF_DOMAIN: None})]
        texts = [_rstripped(m.body) for m in thread.messages]
        if roles != [m.role for m in t.messages] or texts != [
            _rstripped(m.text) for m in t.messages
        ]:
            wrong.append(t.id)
    assert wrong == []


def _rstripped(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))
