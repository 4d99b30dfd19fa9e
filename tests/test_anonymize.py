"""A support thread in, a thread safe to publish out: pseudonyms, placeholders, records.

The people, addresses and numbers are fictional (reserved domains, fictional phone
ranges).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from goodwill.anonymize import NAME_PART, SUBJECT, Policy, anonymize
from goodwill.digest import digest
from goodwill.model import Message, Role, Thread

KEY = b"a test key, not the real one...."
CUSTOMER = "james.whitfield@example.com"
STAFF = "ada.quill@tidy.example"


def when(minute: int) -> datetime:
    return datetime(2026, 3, 4, 9, minute, tzinfo=UTC)


def thread(subject: str = "Export broken for James Whitfield") -> Thread:
    return Thread(
        source="inbox/export.eml",
        subject=subject,
        messages=[
            Message(sender=CUSTOMER, sender_name="James Whitfield", body="", sent=when(12)),
            Message(sender=STAFF, sender_name="Ada Quill", body="", sent=when(24)),
            Message(sender=CUSTOMER, sender_name="James Whitfield", body="", sent=when(50)),
        ],
    )


TEXTS = [
    "Hi Ada,\nThe CSV export drops every invoice after the 100th. My colleague Sarah Jenkins "
    "saw it too. Call me on 07700 900123 or write to jim@whitfield.example.\n"
    "I will grant you that it may be my fault.\nThanks,\nJames",
    "Hi James,\nThanks for the clear report. Could you send order #12345, Mr Whitfield? "
    "Tidy Invoice 2.1 fixes it.\nAda",
    "That worked! Whitfield's quarter is saved.\nCheers,\nJim W.",
]
ROLES = [Role.CUSTOMER, Role.STAFF, Role.CUSTOMER]
ORIGINALS = [
    "James",
    "Whitfield",
    "Jim",
    "Sarah",
    "Jenkins",
    "07700 900123",
    "jim@whitfield.example",
    "12345",
    "Quill",
]


def run(policy: Policy | None = None, subject: str = "Export broken for James Whitfield"):
    policy = policy or Policy(staff={"tidy.example": None}, products=["Tidy Invoice"])
    return anonymize(thread(subject), TEXTS, ROLES, policy, KEY)


def test_no_original_survives_anywhere_in_the_result() -> None:
    shown = repr(run())
    for original in ORIGINALS:
        assert original not in shown


def test_the_customer_keeps_one_pseudonym_everywhere_including_the_subject() -> None:
    result = run()
    name = result.customer
    assert name and name not in {"James", "Jim", "Whitfield"}
    assert result.subject == f"Export broken for {name}"
    assert result.turns[0].text.endswith(f"Thanks,\n{name}")
    assert result.turns[1].text.startswith(f"Hi {name},")
    assert f"send order [order], {name}?" in result.turns[1].text
    assert result.turns[2].text == f"That worked! {name}'s quarter is saved.\nCheers,\n{name}"
    assert [t.author for t in result.turns] == [name, "Support", name]


def test_the_pseudonym_is_stable_across_runs_and_threads() -> None:
    first = run().customer
    assert run().customer == first
    assert run(subject="Another question").customer == first


def test_ordinary_words_products_and_third_people() -> None:
    text = run().turns[0].text
    assert "I will grant you that it may be my fault." in text
    assert "My colleague [name] saw it too." in text
    assert "Call me on [phone] or write to [email]." in text
    assert "Tidy Invoice 2.1 fixes it." in run().turns[1].text


def test_staff_are_shown_by_their_public_name_which_is_never_redacted() -> None:
    policy = Policy(staff={STAFF: "Ada, founder"}, products=["Tidy Invoice"])
    result = run(policy)
    assert result.turns[1].author == "Ada, founder"
    assert result.turns[0].text.startswith("Hi Ada,")
    assert result.turns[1].text.endswith("\nAda")
    assert not [r for r in result.redactions if r.replacement == "Ada"]


def test_staff_without_a_public_name_become_the_label() -> None:
    result = run(Policy(staff={"tidy.example": None}, staff_label="The Tidy team"))
    assert result.turns[1].author == "The Tidy team"
    assert result.turns[0].text.startswith("Hi The Tidy team,")


def test_every_redaction_points_at_its_replacement_and_hides_the_original() -> None:
    result = run()
    texts = {i: t.text for i, t in enumerate(result.turns)} | {SUBJECT: result.subject}
    kinds = sorted({r.kind for r in result.redactions})
    assert kinds == ["email", "name", "order", "phone"]
    for r in result.redactions:
        if r.message == NAME_PART:  # a digest for the guard, no position
            continue
        assert texts[r.message][r.start : r.end] == r.replacement
        assert len(r.digest) == 16
        assert all(o.casefold() not in r.digest for o in ORIGINALS)
    assert digest(KEY, "phone", "07700 900123") in {r.digest for r in result.redactions}


@pytest.mark.parametrize(
    ("style", "expected"),
    [("letter", r"Customer [A-Z]"), ("initials", r"J\. W\.")],
)
def test_other_pseudonym_styles(style: str, expected: str) -> None:
    import re

    result = run(Policy(style=style, staff={"tidy.example": None}))
    assert re.fullmatch(expected, result.customer)
    assert result.turns[1].text.startswith(f"Hi {result.customer},")


def test_a_pseudonym_is_never_a_real_participants_name() -> None:
    for first in ("Maren", "Ada", "Noor", "Leila", "Tomas", "Ines", "Mila", "Jonas"):
        messages = [Message(sender=f"{first.lower()}@example.com", sender_name=first, body="")]
        result = anonymize(
            Thread(source="t", messages=messages), ["Hello"], [Role.CUSTOMER], Policy(), KEY
        )
        assert result.customer != first


def test_mismatched_inputs_are_explained() -> None:
    with pytest.raises(ValueError, match=r"export\.eml: .* one text and one role"):
        anonymize(thread(), TEXTS[:2], ROLES, Policy(), KEY)


def bishop(texts: list[str], subject: str, sender: str = "wbishop@example.com", name: str = ""):
    messages = [
        Message(sender=sender, sender_name=name, body="", sent=when(i)) for i in range(len(texts))
    ]
    roles = [Role.CUSTOMER] * len(texts)
    return anonymize(
        Thread(source="t.eml", subject=subject, messages=messages), texts, roles, Policy(), KEY
    )


def test_the_local_part_of_the_customers_address_never_reaches_the_subject() -> None:
    result = bishop(
        ["Hi, please refund me.\nThanks,\nBill"],
        "Refund for Will - account wbishop",
        name="Will Bishop",
    )
    name = result.customer
    assert result.subject == f"Refund for {name} - account [handle]"
    assert result.turns[0].text.endswith(f"Thanks,\n{name}")  # "Bill" is a nickname of Will


def test_an_address_without_a_name_still_hides_its_local_part() -> None:
    # A helpdesk CSV row often has the address and no name column.
    result = bishop(
        ["The export fails, my login is mlopez.\n-M"],
        "Export fails for account mlopez",
        sender="mlopez@example.com",
    )
    assert result.subject == "Export fails for account [handle]"
    assert result.turns[0].text.startswith("The export fails, my login is [handle].")


def test_initials_and_handles_of_the_customer_become_the_pseudonym_or_a_placeholder() -> None:
    texts = ["I am jonas.whitlock88 on the forum, or t.me/jonaswhitlock.\nThanks\n-JW"]
    result = bishop(
        texts, "Forum login", sender="jonas.whitlock@example.com", name="Jonas Whitlock"
    )
    name = result.customer
    assert result.turns[0].text == f"I am [handle] on the forum, or [handle].\nThanks\n-{name}"


def test_bank_birth_tax_and_network_details_become_their_kind() -> None:
    text = (
        "Refund to DE89 3704 0044 0532 0130 00 please. I was born 12/04/1987, our VAT number "
        "is DE123456789 and my IP was 203.0.113.77.\nAnna Lind\nStorgatan 5\n114 51 Stockholm"
    )
    result = bishop([text], "Refund", sender="anna.lind@example.com", name="Anna Lind")
    assert result.turns[0].text == (
        f"Refund to [iban] please. I was born [dob], our VAT number is [vat] and my IP was "
        f"[ip].\n{result.customer}\n[address]"
    )


def test_a_person_named_in_full_once_is_hidden_when_their_first_name_comes_back() -> None:
    # "Hope" and "Sigfrido" alone say nothing to a first-name list ("Hope you are well");
    # the thread itself said who they are.
    result = bishop(
        [
            "My colleague Hope Baker cannot sign in, nor can my colleague Sigfrido Ruiz.",
            "Hope is now on your plan. Sigfrido will get an invitation shortly. Hope you are well!",
        ],
        "Team plan",
        sender="will.bishop@example.com",
        name="Will Bishop",
    )
    assert result.turns[1].text == (
        "[name] is now on your plan. [name] will get an invitation shortly. Hope you are well!"
    )


def test_each_part_of_a_replaced_full_name_gets_a_digest_for_the_guard():
    # The guard knows a redacted name only by its digest; "Whitlock" on its own, later,
    # must be recognised too, not only "Jonas Whitlock".
    from goodwill.digest import digest
    from goodwill.model import Message, Role, Thread

    thread = Thread(
        source="t.eml",
        messages=[
            Message(sender="jo@example.com", sender_name="Jonas Whitlock", body="…"),
            Message(sender="ada@tidy.example", body="…"),
        ],
        key="k" * 16,
    )
    texts = ["The export fails.\nJonas Whitlock", "Hi Jonas, fixed. Say hi to Priya Raman!"]
    result = anonymize(
        thread, texts, [Role.CUSTOMER, Role.STAFF], Policy(staff={"tidy.example": None}), b"k" * 32
    )
    parts = {r.digest for r in result.redactions if r.message == NAME_PART}
    expected = {"Jonas", "Whitlock", "Priya", "Raman"}
    assert parts == {digest(b"k" * 32, "name", word) for word in expected}
    assert all(r.replacement == "" and r.start == r.end == 0 for r in result.redactions
               if r.message == NAME_PART)  # fmt: skip


def test_a_person_named_in_full_only_later_is_also_hidden_earlier():
    thread = Thread(
        source="t.eml",
        messages=[
            Message(sender="jo@example.com", sender_name="Jonas Whitlock", body="…"),
            Message(sender="ada@tidy.example", body="…"),
            Message(sender="jo@example.com", sender_name="Jonas Whitlock", body="…"),
        ],
        key="k" * 16,
    )
    texts = [
        "Rose is on leave, so I am writing instead.",
        "Thanks, we will sort it out.",
        "My colleague Rose Baker says thank you too.",
    ]
    roles = [Role.CUSTOMER, Role.STAFF, Role.CUSTOMER]
    result = anonymize(thread, texts, roles, Policy(staff={"tidy.example": None}), KEY)
    assert "Rose" not in result.turns[0].text and "Rose" not in result.turns[2].text
    assert result.turns[0].text.endswith("is on leave, so I am writing instead.")


def test_a_team_signing_as_its_own_label_is_no_redaction():
    # Recording "Support" replaced by "Support" would make the leak guard take every
    # "support" on the site for a redacted name (and refuse to publish it).
    thread = Thread(
        source="t.txt",
        messages=[
            Message(sender="jo@example.com", sender_name="Jonas Whitlock", body="…"),
            Message(sender="help@tidy.example", sender_name="Support", body="…"),
        ],
        key="k" * 16,
    )
    texts = ["Hi Support, the export fails.\nJonas", "Hi Jonas, fixed now.\n\nCheers,\nSupport"]
    result = anonymize(
        thread, texts, [Role.CUSTOMER, Role.STAFF], Policy(staff={"tidy.example": None}), KEY
    )
    assert result.turns[1].text.endswith("Cheers,\nSupport")
    assert digest(KEY, "name", "Support") not in {r.digest for r in result.redactions}
