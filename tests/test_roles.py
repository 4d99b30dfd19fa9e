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
