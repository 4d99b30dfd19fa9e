"""Staff or customer: from GOODWILL_STAFF, or from who opened the thread."""

from goodwill.model import Message, Role
from goodwill.roles import assign_roles

C, S = Role.CUSTOMER, Role.STAFF


def msg(sender: str = "", name: str = "") -> Message:
    return Message(sender=sender, body="…", sender_name=name)


def test_staff_addresses_and_domains_from_the_settings():
    staff = {"ada@tidy.example": "Ada, founder", "help.tidy.example": None}
    messages = [msg("jo@example.com"), msg("ada@tidy.example"), msg("bot@help.tidy.example")]
    assert assign_roles(messages, staff) == [C, S, S]


def test_without_settings_the_opener_is_the_customer():
    messages = [msg("jo@example.com"), msg("ada@tidy.example"), msg("jo@example.com")]
    assert assign_roles(messages, {}) == [C, S, C]


def test_a_paste_without_addresses_is_told_apart_by_names_then_by_turns():
    messages = [msg(name="Jo"), msg(name="Ada"), msg(name="Jo"), msg()]
    assert assign_roles(messages, {"ada@tidy.example": "Ada"}) == [C, S, C, S]


def test_a_helpdesk_role_wins():
    messages = [Message(sender="agent@example.com", body="", role=S), msg("jo@example.com")]
    assert assign_roles(messages, {}) == [S, C]


def body_msg(body: str, name: str) -> Message:
    return Message(sender="", body=body, sender_name=name)


def test_in_a_paste_names_from_sign_offs_and_greetings_win_over_turns():
    messages = [
        body_msg("Hi Ada,\n\nThe export stops at 100.\n\nJo", "Jo"),
        body_msg("Also, the PDF is blank.\n\nJo", "Jo"),  # two in a row from the customer
        body_msg("Dear Jo,\n\nBoth are fixed in 2.4.1.\n\nBest,\nAda", "Ada"),
    ]
    assert assign_roles(messages, {}) == [C, C, S]


def test_a_paste_opened_by_staff_is_read_from_the_names_the_settings_know():
    messages = [
        body_msg("Hi Jo,\n\nYour renewal is due.\n\nAda", "Ada"),
        body_msg("Hello Ada,\n\nThanks, renewed.\n\nJo", "Jo"),
    ]
    assert assign_roles(messages, {"ada@tidy.example": "Ada, founder"}) == [S, C]


def test_a_greeting_alone_places_a_message_on_the_other_side():
    messages = [
        body_msg("Hello,\n\nIs there a student price?\n\nKim", "Kim"),
        body_msg("Hi Kim,\n\nYes, half price.", ""),
    ]
    assert assign_roles(messages, {}) == [C, S]
