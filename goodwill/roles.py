"""Tell staff from customers.

The founder lists staff addresses and domains in ``GOODWILL_STAFF``. Without the
list, the person who opened the thread is the customer (support threads start
with a question). Messages with no address at all, as in a pasted thread, are
matched by name, and failing that are taken to alternate with the message before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from goodwill.model import Message, Role


def is_staff_address(address: str, staff: Mapping[str, str | None]) -> bool:
    address = address.lower()
    if not address:
        return False
    if address in staff:
        return True
    domain = address.rpartition("@")[2]
    return any(domain == d or domain.endswith("." + d) for d in staff if "@" not in d)


def _first_word(name: str) -> str:
    return name.split()[0].casefold() if name.split() else ""


def assign_roles(messages: Sequence[Message], staff: Mapping[str, str | None]) -> list[Role]:
    """One role per message, oldest first."""
    staff_names = {_first_word(n) for n in staff.values() if n}
    customer_names: set[str] = set()
    opener = next((m.sender for m in messages if m.sender and m.role is not Role.STAFF), "")
    roles: list[Role] = []
    for message in messages:
        if message.role is not None:
            role = message.role
        elif message.sender:
            if staff:
                staff_side = is_staff_address(message.sender, staff)
            else:
                staff_side = message.sender != opener
            role = Role.STAFF if staff_side else Role.CUSTOMER
        else:
            role = _by_name_or_turn(message.sender_name, roles, staff_names, customer_names)
        name = _first_word(message.sender_name)
        if name:
            (staff_names if role is Role.STAFF else customer_names).add(name)
        roles.append(role)
    return roles


def _by_name_or_turn(
    name: str, earlier: list[Role], staff_names: set[str], customer_names: set[str]
) -> Role:
    first = _first_word(name)
    if first and first in staff_names:
        return Role.STAFF
    if first and first in customer_names:
        return Role.CUSTOMER
    if not earlier:
        return Role.CUSTOMER
    return Role.CUSTOMER if earlier[-1] is Role.STAFF else Role.STAFF
