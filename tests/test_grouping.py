"""Which messages make one conversation, and which recovered ones are copies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from goodwill.grouping import assemble, group, normalise_subject, with_history
from goodwill.model import Message
from goodwill.replies import Earlier

STAFF = {"tidy.example"}
T0 = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def msg(sender: str, to: str, subject: str, minutes: int, **kw) -> Message:
    return Message(
        sender=sender,
        recipients=(to,),
        subject=subject,
        body=kw.pop("body", f"{sender} at {minutes}"),
        sent=T0 + timedelta(minutes=minutes),
        **kw,
    )


@pytest.mark.parametrize(
    "subject",
    [
        "Re: Help",
        "RE: Help",
        "Fwd: Re: help",
        "AW: Help",
        "SV: Help",
        "TR: Help",
        "RE[2]: Help",
        "Re(3): Help",
        "  re :  help ",
    ],
)
def test_reply_and_forward_prefixes_are_stripped(subject: str):
    assert normalise_subject(subject) == "help"


def test_subject_alone_does_not_merge_two_customers():
    messages = [
        msg("ann@example.com", "support@tidy.example", "Help", 0),
        msg("bob@example.com", "support@tidy.example", "Help", 5),
        msg("support@tidy.example", "ann@example.com", "Re: Help", 10),
        msg("support@tidy.example", "bob@example.com", "Re: Help", 15),
    ]
    assert group(messages, STAFF) == [[0, 2], [1, 3]]


def test_references_win_over_subjects():
    messages = [
        msg("ann@example.com", "support@tidy.example", "Help", 0, message_id="a1"),
        msg("support@tidy.example", "ann@example.com", "Other", 5, in_reply_to="a1"),
        msg(
            "ann@example.com",
            "support@tidy.example",
            "Help",
            9,
            message_id="a3",
            references=("zz",),
        ),
    ]
    assert group(messages, STAFF) == [[0, 1], [2]]


def test_replies_to_a_missing_root_still_meet():
    messages = [
        msg("ann@example.com", "support@tidy.example", "Re: X", 0, references=("root",)),
        msg("support@tidy.example", "ann@example.com", "Re: X", 5, references=("root", "r1")),
    ]
    assert group(messages, STAFF) == [[0, 1]]


def test_exact_duplicates_are_dropped():
    a = msg("ann@example.com", "support@tidy.example", "Help", 0, message_id="a1")
    copy_without_id = msg("ann@example.com", "support@tidy.example", "Help", 0)
    thread = assemble("x", [(a, b"1"), (a, b"1"), (copy_without_id, b"2")])
    assert thread.messages == [a]


def test_recovered_copies_of_real_messages_are_dropped():
    question = msg("ann@example.com", "support@tidy.example", "Help", 0, body="Export is broken.")
    answer = msg("support@tidy.example", "ann@example.com", "Re: Help", 30, body="Fixed!")

    def split(body: str) -> list[Earlier]:
        if body == "Fixed!":
            lost = Earlier("Did you restart?", address="support@tidy.example", sent=T0)
            return [Earlier("Export is broken."), lost, Earlier("Fixed!")]
        return [Earlier(body)]

    messages = with_history([question, answer], split)
    assert [(m.body, m.recovered) for m in messages] == [
        ("Export is broken.", False),
        ("Did you restart?", True),
        ("Fixed!", False),
    ]


def test_a_reply_whose_parent_is_present_adds_no_history():
    first = msg("ann@example.com", "support@tidy.example", "Help", 0, message_id="a1")
    reply = msg("support@tidy.example", "ann@example.com", "Re: Help", 5, in_reply_to="a1")
    messages = with_history([first, reply], lambda b: [Earlier("an old quote"), Earlier(b)])
    assert [m.recovered for m in messages] == [True, False, False]  # only from the first


def test_a_lone_eml_recovers_the_whole_conversation_it_quotes():
    # A single exported .eml: its parent is not in the thread, so its history is read.
    last = msg(
        "ann@example.com", "support@tidy.example", "Re: Help", 60,
        in_reply_to="a2", body="It works, thanks!",
    )  # fmt: skip
    quoted = [
        Earlier("Export is broken.", address="ann@example.com", sent=T0),
        Earlier("Fixed in 2.4.1.", address="support@tidy.example", sent=T0 + timedelta(minutes=30)),
    ]
    messages = with_history([last], lambda body: [*quoted, Earlier(body)])
    assert [(m.sender, m.body, m.recovered) for m in messages] == [
        ("ann@example.com", "Export is broken.", True),
        ("support@tidy.example", "Fixed in 2.4.1.", True),
        ("ann@example.com", "It works, thanks!", False),
    ]


def test_a_thread_with_nothing_to_recover_keeps_its_messages_in_time_order():
    later = msg("support@tidy.example", "ann@example.com", "Re: Help", 30, message_id="a2")
    first = msg("ann@example.com", "support@tidy.example", "Help", 0, message_id="a1")
    messages = with_history([later, first], lambda body: [Earlier(body)])
    assert messages == [first, later]


def test_the_same_subject_months_later_is_a_new_conversation():
    messages = [
        msg("ann@example.com", "support@tidy.example", "Change of address", 0),
        msg("support@tidy.example", "ann@example.com", "Re: Change of address", 60),
        msg("ann@example.com", "support@tidy.example", "Change of address", 60 * 24 * 200),
        msg("ann@example.com", "support@tidy.example", "Re: Change of address", 60 * 24 * 201),
    ]
    assert group(messages, STAFF) == [[0, 1], [2, 3]]
