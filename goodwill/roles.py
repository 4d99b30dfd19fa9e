"""Tell staff from customers.

The founder lists staff addresses and domains in ``GOODWILL_STAFF``. Without the
list, the person who opened the thread is the customer (support threads start
with a question). Messages with no address at all, as in a pasted thread, are
told apart by names: who signed them and who they greet. Only what no name
settles is taken to alternate with the message before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from goodwill import signatures
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
    """The folded first name: "Ada, founder" (a public name with its title) is "ada"."""
    words = name.replace(",", " ").split()
    return words[0].strip(".;:!").casefold() if words else ""


def _other(role: Role) -> Role:
    return Role.CUSTOMER if role is Role.STAFF else Role.STAFF


@dataclass(slots=True)
class _Names:
    """First names known to belong to each side, folded."""

    sides: dict[Role, set[str]] = field(
        default_factory=lambda: {Role.CUSTOMER: set(), Role.STAFF: set()}
    )

    def side(self, name: str) -> Role | None:
        """The side a name is known on; None when unknown or (a shared name) on both."""
        found = [role for role, names in self.sides.items() if name and name in names]
        return found[0] if len(found) == 1 else None

    def learn(self, role: Role, signed: str, greeted: str) -> None:
        if signed:
            self.sides[role].add(signed)
        if greeted:
            self.sides[_other(role)].add(greeted)


def assign_roles(messages: Sequence[Message], staff: Mapping[str, str | None]) -> list[Role]:
    """One role per message, oldest first."""
    opener = next((m.sender for m in messages if m.sender and m.role is not Role.STAFF), "")
    decided = [_by_source(m, staff, opener) for m in messages]
    if all(role is not None for role in decided):
        return [role for role in decided if role is not None]

    names = _Names()
    names.sides[Role.STAFF] |= {_first_word(n) for n in staff.values() if n}
    signed = [_first_word(m.sender_name) for m in messages]
    greeted = [_first_word(signatures.greeted_name(m.body.split("\n", 8)[:8])) for m in messages]
    for i, role in enumerate(decided):
        if role is not None:
            names.learn(role, signed[i], greeted[i])
    while None in decided:
        if not _settle_by_names(decided, signed, greeted, names):
            i = decided.index(None)  # nothing names it: the turn after the one before
            before = decided[i - 1] if i else None
            decided[i] = _other(before) if before else Role.CUSTOMER  # the opener asks
            names.learn(decided[i], signed[i], greeted[i])
    return [role for role in decided if role is not None]


def _by_source(message: Message, staff: Mapping[str, str | None], opener: str) -> Role | None:
    """The role the source states (a helpdesk export) or the sender's address implies."""
    if message.role is not None:
        return message.role
    if not message.sender:
        return None
    staff_side = is_staff_address(message.sender, staff) if staff else message.sender != opener
    return Role.STAFF if staff_side else Role.CUSTOMER


def _settle_by_names(
    decided: list[Role | None], signed: list[str], greeted: list[str], names: _Names
) -> bool:
    """Give a role to every open message a known name places; True when any was placed.

    The one who signs is on their own side, the one greeted on the other. Each placed
    message teaches its names, so this repeats until nothing more is learnt.
    """
    placed = False
    changed = True
    while changed:
        changed = False
        for i, role in enumerate(decided):
            if role is not None:
                continue
            by_greeting = names.side(greeted[i])
            found = names.side(signed[i]) or (_other(by_greeting) if by_greeting else None)
            if found is not None:
                decided[i] = found
                names.learn(found, signed[i], greeted[i])
                changed = placed = True
    return placed
