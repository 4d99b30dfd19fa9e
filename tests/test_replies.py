"""Reply extraction: what a person wrote, without the history and boilerplate around it.

Each fixture under ``tests/fixtures/replies/`` is a fictional mail body (reserved
domains only); each test names the shape it documents.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from goodwill.replies import (
    Earlier,
    extract_reply,
    extract_reply_html,
    html_to_text,
    split_history,
    split_reply,
)

FIXTURES = Path(__file__).parent / "fixtures" / "replies"


def body(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# --- quoted history goes ------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "reply"),
    [
        ("gmail_en.txt", "Thanks, that fixed it!"),
        ("gmail_fr.txt", "Merci beaucoup, tout fonctionne maintenant."),
        ("gmail_de.txt", "Vielen Dank, jetzt klappt der Export."),
        ("gmail_es.txt", "¡Muchas gracias, ya funciona!"),
        ("wrapped_attribution.txt", "Works perfectly now, thanks."),
        ("outlook_block.txt", "Thank you, the invoices are all there now."),
        ("forwarded.txt", "Forwarding this one to you, it's the same export problem."),
        ("mobile_signature.txt", "Got it, I'll update tonight."),
        ("dash_signature.txt", "The new version exports every invoice, thank you."),
    ],
)
def test_the_reply_is_what_was_written_above_the_history(fixture: str, reply: str) -> None:
    assert extract_reply(body(fixture)) == reply


def test_text_written_between_quotes_is_an_answer_and_stays() -> None:
    inline = (
        "On Tue, 3 Mar 2026 at 09:12, Ada Byron <ada@tidy.example> wrote:\n"
        "> Which version are you on?\n"
        "\n"
        "2.3.9, on Windows.\n"
        "\n"
        "> Does the export stop at exactly 100?\n"
        "\n"
        "Yes, always 100.\n"
    )
    assert extract_reply(inline) == "2.3.9, on Windows.\n\nYes, always 100."


def test_a_header_at_the_very_top_is_the_message_own_and_its_text_is_kept() -> None:
    pasted = (
        "From: Pat Example <pat@example.org>\n"
        "Sent: Monday, March 2, 2026 5:05 PM\n"
        "Subject: CSV export\n"
        "\n"
        "The CSV export only gives me 100 rows.\n"
    )
    assert extract_reply(pasted) == "The CSV export only gives me 100 rows."


@pytest.mark.parametrize(
    "prose",
    [
        "On the whole, the new version is much faster.\nOn Monday I will try the import.",
        "My colleague wrote:\nthe export is fine on her machine.",
        "Times I tried: 2026-03-03 09:12 and 03.03.2026 14:30.",
        "Here is my list:\n-- first the export\n-- then the import",
        "As I wrote on 3 March:\nthe export stops at 100.",
        "Am Montag um 10 schrieb ich Ihnen:\nder Export bricht ab.",
    ],
)
def test_prose_that_looks_a_little_like_a_header_is_kept(prose: str) -> None:
    assert extract_reply(prose) == prose


# --- signatures ---------------------------------------------------------------


def test_a_warm_sign_off_is_part_of_the_message() -> None:
    assert extract_reply(body("signoff_kept.txt")) == (
        "That was quick, thank you for fixing it on a Sunday.\n\nCheers,\nJames"
    )
    assert extract_reply("Works now.\n\nThanks, James") == "Works now.\n\nThanks, James"


def test_a_formal_closing_with_a_contact_block_is_a_signature() -> None:
    split = split_reply(body("outlook_block.txt"))
    assert split.reply == "Thank you, the invoices are all there now."
    assert split.signature.startswith("Kind regards,\nMaren Example")
    assert "07700 900123" in split.signature


@pytest.mark.parametrize(
    "footer",
    [
        "Sent from my iPhone",
        "Sent from my Galaxy",
        "Get Outlook for Android",
        "Envoyé de mon iPhone",
        "Von meinem iPhone gesendet",
        "-- \nJonas",
        "-Jonas Example",
    ],
)
def test_client_and_dash_signatures_go(footer: str) -> None:
    assert extract_reply(f"Updated, all good.\n\n{footer}\n") == "Updated, all good."


def test_a_sentence_that_starts_like_a_mobile_signature_stays() -> None:
    text = "Updated.\n\nSent from my desk, which is easier than my phone."
    assert extract_reply(text) == text


def test_the_signature_can_be_kept_while_history_still_goes() -> None:
    assert extract_reply(body("mobile_signature.txt"), strip_signature=False) == (
        "Got it, I'll update tonight.\n\nSent from my iPhone"
    )


# --- HTML ---------------------------------------------------------------------


def test_html_gmail_quote_goes_and_entities_are_decoded() -> None:
    assert extract_reply_html(body("gmail_quote.html")) == (
        "Thanks Ada, it works & the totals match.\n\nThanks,\nJames"
    )


def test_html_blockquote_and_its_attribution_go() -> None:
    assert extract_reply_html(body("blockquote.html")) == "Yes, that solved it.\n\nThanks,\nCamille"


def test_html_to_text_keeps_quotes_as_angle_lines_for_history_recovery() -> None:
    text = html_to_text(body("blockquote.html"))
    assert "> Pouvez-vous installer la version 2.4.1 ?" in text
    assert "> > L'export s'arrête à 100 factures." in text


def test_html_to_text_drops_scripts_and_styles() -> None:
    text = html_to_text(body("gmail_quote.html"))
    assert "alert" not in text and "color: red" not in text


def test_an_outlook_rule_and_header_in_html_start_the_history() -> None:
    html = (
        "<div>Sorted, thanks!</div><hr>"
        "<p><b>From:</b> Ada Byron &lt;ada@tidy.example&gt;<br><b>Sent:</b> Tuesday, March 3, "
        "2026 9:40 AM<br><b>To:</b> pat@example.org<br><b>Subject:</b> Export</p>"
        "<p>Please update.</p>"
    )
    assert extract_reply_html(html) == "Sorted, thanks!"


# --- split_reply --------------------------------------------------------------


def test_split_reply_gives_the_attribution_and_the_quote_one_level_down() -> None:
    split = split_reply(body("gmail_en.txt"))
    assert split.attribution == ("On Tue, 3 Mar 2026 at 09:12, Ada Byron <ada@tidy.example> wrote:")
    assert split.quoted.startswith("Hi James,\n\nPlease update to 2.4.1")
    assert ">" not in split.quoted


# --- split_history ------------------------------------------------------------


def test_nested_quotes_come_out_oldest_first_with_who_and_when() -> None:
    thread = (
        "Perfect, thank you!\n"
        "\n"
        "On Tue, 3 Mar 2026 at 09:40, Ada Byron <ada@tidy.example> wrote:\n"
        "> Please update to 2.4.1.\n"
        ">\n"
        "> On Tue, 3 Mar 2026 at 09:12, James Wilson <james.wilson@example.com> wrote:\n"
        ">> The export stops at 100 invoices.\n"
    )
    assert split_history(thread) == [
        Earlier(
            text="The export stops at 100 invoices.",
            name="James Wilson",
            address="james.wilson@example.com",
            sent=datetime(2026, 3, 3, 9, 12, tzinfo=UTC),
        ),
        Earlier(
            text="Please update to 2.4.1.",
            name="Ada Byron",
            address="ada@tidy.example",
            sent=datetime(2026, 3, 3, 9, 40, tzinfo=UTC),
        ),
        Earlier(text="Perfect, thank you!"),
    ]


def test_an_outlook_header_block_gives_name_address_and_date() -> None:
    earlier, own = split_history(body("outlook_block.txt"))
    assert (earlier.name, earlier.address) == ("Ada Byron", "ada@tidy.example")
    assert earlier.sent == datetime(2026, 3, 3, 9, 40, tzinfo=UTC)
    assert earlier.text == "Hi Maren,\n\nVersion 2.4.1 fixes the paging bug.\n\nAda"
    assert own.name == "Maren Example"
    assert own.text.startswith("Thank you, the invoices are all there now.")


def test_an_afternoon_outlook_sent_line_keeps_its_pm() -> None:
    reply = (
        "Thanks, all fixed.\n\n"
        "From: Ada Byron <ada@tidy.example>\n"
        "Sent: Tuesday, March 3, 2026 4:10 PM\n"
        "To: Maren Example <maren@example.com>\n"
        "Subject: RE: Export\n\n"
        "Version 2.4.1 fixes it.\n"
    )
    earlier, _own = split_history(reply)
    assert earlier.sent == datetime(2026, 3, 3, 16, 10, tzinfo=UTC)


def test_a_headerless_paste_splits_at_greetings_and_sign_offs() -> None:
    messages = split_history(body("paste_headerless.txt"))
    assert [m.name for m in messages] == ["James", "Ada", "James"]
    assert messages[0].text.startswith("Hi,\n\nWhen I export my invoices to CSV")
    assert messages[0].text.endswith("Thanks,\nJames")
    assert messages[1].text.startswith("Hi James,\n\nSorry about that.")
    assert messages[1].text.endswith("Best,\nAda")
    assert messages[2].text.startswith("That did it, the export has all 240 invoices now.")


def test_an_oldest_first_paste_stays_oldest_first() -> None:
    messages = split_history(body("paste_oldest_first.txt"))
    assert [m.name for m in messages] == ["James Wilson", "Ada Byron", "James Wilson"]
    assert [m.sent.day if m.sent else None for m in messages] == [3, 3, 4]
    assert messages[1].text.startswith("Hi James, version 2.4.1 fixes the paging bug.")
    assert messages[2].text == "That did it, thank you so much!"


def test_an_attribution_without_a_readable_date_leaves_sent_empty() -> None:
    thread = "Done.\n\nOn 01/03/26, Ada Byron wrote:\n> Try again?\n"
    earlier, _own = split_history(thread)
    assert (earlier.name, earlier.sent) == ("Ada Byron", None)


def test_a_body_without_history_is_one_message() -> None:
    assert split_history("Just a question about invoices.\n") == [
        Earlier(text="Just a question about invoices.")
    ]


# --- who and when, in the languages mail clients write --------------------------------

NINE_JAN = datetime(2025, 1, 9, 11, 35, tzinfo=UTC)


@pytest.mark.parametrize(
    ("attribution", "name", "address"),
    [
        # German Gmail, with and without "Uhr", the weekday short or spelled out
        ("Am Do., 9. Jan. 2025 um 11:35 Uhr schrieb Leni Krause <leni.krause@example.com>:",
         "Leni Krause", "leni.krause@example.com"),
        ("Am Do., 9. Jan. 2025 um 11:35 schrieb Leni Krause <leni.krause@example.com>:",
         "Leni Krause", "leni.krause@example.com"),
        ("Am Donnerstag, 9. Januar 2025 um 11:35 Uhr schrieb Leni Krause <leni@example.com>:",
         "Leni Krause", "leni@example.com"),
        # German, the name first (Gmail on a phone), and Thunderbird's (no address)
        ("Leni Krause <leni.krause@example.com> schrieb am 9. Jan. 2025 um 11:35:",
         "Leni Krause", "leni.krause@example.com"),
        ("Leni Krause <leni.krause@example.com> schrieb am Do., 9. Jan. 2025, 11:35:",
         "Leni Krause", "leni.krause@example.com"),
        ("Am 09.01.2025 um 11:35 schrieb Leni Krause:", "Leni Krause", ""),
        # French
        ("Le jeu. 9 janv. 2025 à 11:35, Amélie Durand <amelie.durand@example.com> a écrit :",
         "Amélie Durand", "amelie.durand@example.com"),
        ("Le jeudi 9 janvier 2025 à 11:35, Amélie Durand <amelie.durand@example.com> a écrit :",
         "Amélie Durand", "amelie.durand@example.com"),
        # Spanish
        ("El jue, 9 ene 2025 a las 11:35, Lucía Gómez (<lucia.gomez@example.com>) escribió:",
         "Lucía Gómez", "lucia.gomez@example.com"),
        ("El jue, 9 ene 2025 a las 11:35, Lucía Gómez <lucia.gomez@example.com> escribió:",
         "Lucía Gómez", "lucia.gomez@example.com"),
        # Dutch, the name with its particle
        ("Op do 9 jan. 2025 om 11:35 schreef Sanne de Vries <sanne.devries@example.com>:",
         "Sanne de Vries", "sanne.devries@example.com"),
        ("Sanne de Vries <sanne.devries@example.com> schreef op 9 januari 2025 11:35:",
         "Sanne de Vries", "sanne.devries@example.com"),
        # Italian: no comma between the time and the name
        ("Il giorno gio 9 gen 2025 alle ore 11:35 Giulia Rossi <giulia.rossi@example.com> "
         "ha scritto:", "Giulia Rossi", "giulia.rossi@example.com"),
        ("Il giorno gio 9 gen 2025, 11:35 Giulia Rossi <giulia.rossi@example.com> ha scritto:",
         "Giulia Rossi", "giulia.rossi@example.com"),
        # Portuguese
        ("Em qui., 9 de jan. de 2025 às 11:35, João Silva <joao.silva@example.com> escreveu:",
         "João Silva", "joao.silva@example.com"),
        # Swedish, Danish (a dotted time), Norwegian; Outlook on a phone glues time and name
        ("Den tors 9 jan. 2025 kl 11:35 skrev Astrid Lund <astrid.lund@example.com>:",
         "Astrid Lund", "astrid.lund@example.com"),
        ("Den tor. 9. jan. 2025 kl. 11.35 skrev Mette Holm <mette.holm@example.com>:",
         "Mette Holm", "mette.holm@example.com"),
        ("tor. 9. jan. 2025 kl. 11:35 skrev Ola Nordmann <ola.nordmann@example.com>:",
         "Ola Nordmann", "ola.nordmann@example.com"),
        ("Den tors 9 jan. 2025 11:35Astrid Lund <astrid.lund@example.com> skrev:",
         "Astrid Lund", "astrid.lund@example.com"),
        # Polish: Gmail, the "Dnia" form with a spelled-out month, Thunderbird's "pisze"
        ("W dniu czw., 9 sty 2025 o 11:35 Anna Nowak <anna.nowak@example.com> napisał(a):",
         "Anna Nowak", "anna.nowak@example.com"),
        ("Dnia 9 stycznia 2025 11:35 Anna Nowak <anna.nowak@example.com> napisał(a):",
         "Anna Nowak", "anna.nowak@example.com"),
        ("W dniu 9.01.2025 o 11:35, Anna Nowak pisze:", "Anna Nowak", ""),
        # English shapes stay as they were
        ("On Thu, 9 Jan 2025 at 11:35, Leni Krause <leni.krause@example.com> wrote:",
         "Leni Krause", "leni.krause@example.com"),
        ("On Thu, Jan 9, 2025 at 11:35 AM Leni Krause <leni.krause@example.com> wrote:",
         "Leni Krause", "leni.krause@example.com"),
    ],
)  # fmt: skip
def test_an_attribution_line_gives_the_author_and_the_time(
    attribution: str, name: str, address: str
) -> None:
    earlier, own = split_history(f"Danke, es geht!\n\n{attribution}\n> Der Export bricht ab.\n")
    assert earlier == Earlier("Der Export bricht ab.", name, address, NINE_JAN)
    assert own.text == "Danke, es geht!"
