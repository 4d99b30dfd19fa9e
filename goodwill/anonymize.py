"""Replace every piece of personal data in a thread, consistently, and record each change.

The thread is read twice. The first pass learns who takes part (headers, greetings,
sign-offs) into a ``NameBook``, so that a surname seen once in a signature is caught
everywhere. The second pass asks the detectors for spans and replaces them:

- the customer's names become their pseudonym (``Policy.style``);
- staff names become the staff member's public name, or ``Policy.staff_label``;
- people named in passing ("my colleague Sarah Jenkins") become ``[name]``: a
  placeholder rather than another invented name, so a reader never mistakes a third
  person for a participant;
- everything else becomes its kind in brackets: ``[email]``, ``[phone]``, ``[order]`` ...

Each replacement is a ``Redaction`` with offsets into the anonymized text and a keyed
digest of the original. Redactions of the subject carry ``message=-1``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from goodwill.detectors import (
    PARTICLES,
    TITLES,
    NameBook,
    Person,
    Span,
    find_all,
    fold,
    greeting_names,
    names_from_address,
)
from goodwill.detectors import signoff_names as _signoff_names
from goodwill.digest import digest, normalise
from goodwill.model import AnonymizedThread, Redaction, Role, Thread, Turn
from goodwill.pseudonyms import pseudonym

SUBJECT = -1  # Redaction.message for a replacement in the thread's subject
# Redaction.message for a record that is no replacement at all: the keyed digest of one part
# of a redacted name ("Whitlock" of "Jonas Whitlock"), so the leak guard also recognises a
# surname or first name that later turns up on its own. Offsets and replacement are empty.
NAME_PART = -2
THIRD_PERSON = "[name]"


@dataclass(slots=True)
class Policy:
    """How people are named in public; built from ``GOODWILL_*`` settings."""

    style: str = "first-name"  # "first-name", "letter" ("Customer A") or "initials" ("J. W.")
    staff: dict[str, str | None] = field(default_factory=dict)  # address or domain -> public name
    staff_label: str = "Support"
    products: list[str] = field(default_factory=list)  # words never to redact


def _identity(address: str, name: str, role: Role) -> str:
    """Who a participant is: their address, else their name, else just their side."""
    if address:
        return normalise(address)
    if name.strip():
        return "name:" + normalise(name)
    return f"anonymous:{role.value}"


def _public_name(address: str, policy: Policy) -> str | None:
    """The founder's chosen public name for a staff address, matched exactly or by domain."""
    address = address.lower()
    if address in policy.staff:
        return policy.staff[address]
    domain = address.rpartition("@")[2]
    for entry, public in policy.staff.items():
        if "@" not in entry and public and (domain == entry or domain.endswith("." + entry)):
            return public
    return None


def _public_by_name(person: Person, policy: Policy) -> str | None:
    """A staff member known only by name (a pasted thread) who signs as a public name."""
    for public in policy.staff.values():
        first = fold(public.split(",")[0].split()[0]) if public and public.split() else ""
        if first and first in person.forms:
            return public
    return None


@dataclass(slots=True)
class _Cast:
    """The thread's people: the NameBook plus what each of them is called in public."""

    book: NameBook
    authors: list[str]  # person key of each message's author
    public: dict[str, str] = field(default_factory=dict)  # person key -> replacement
    turn_author: dict[str, str] = field(default_factory=dict)  # person key -> Turn.author
    kept: set[str] = field(default_factory=set)  # folded names that are public already


def _learn(thread: Thread, texts: Sequence[str], roles: Sequence[Role]) -> _Cast:
    """First pass: every participant and every form of their names."""
    book = NameBook()
    authors: list[str] = []
    first_of: dict[Role, str] = {}
    for message, role in zip(thread.messages, roles, strict=True):
        key = _identity(message.sender, message.sender_name, role)
        if not message.sender and message.sender_name:
            # A pasted message signed "Marisol" is the "Marisol Quintero" of an earlier one.
            known = book.who(message.sender_name)
            if known is not None and book.people[known].role is role:
                key = known
        book.person(key, role)
        first_of.setdefault(role, key)
        authors.append(key)
        if message.sender_name:
            book.add_name(key, message.sender_name, role)
        elif message.sender:
            book.add_name(key, names_from_address(message.sender), role)
        if message.sender_name and message.sender:
            book.add_name(key, names_from_address(message.sender), role)
        if message.sender:
            book.add_address(key, message.sender, role)  # after the name: its parts are forms
    for message, role in zip(thread.messages, roles, strict=True):
        for address in message.recipients:
            other = Role.STAFF if role is Role.CUSTOMER else Role.CUSTOMER
            key = normalise(address)
            if key not in book.people and names_from_address(address):
                book.add_name(key, names_from_address(address), other)
            if key in book.people or names_from_address(address):
                book.add_address(key, address, book.people[key].role)
            else:
                book.add_address(key, address, other)  # a cc'd colleague: "jw88" is theirs
    for i, text in enumerate(texts):
        role = roles[i]
        for name in _signoff_names(text):
            book.add_name(authors[i], name, role)
        other = Role.CUSTOMER if role is Role.STAFF else Role.STAFF
        for name in greeting_names(text):
            key = book.who(name) or first_of.get(other) or f"anonymous:{other.value}"
            book.add_name(key, name, book.people[key].role if key in book.people else other)
    return _Cast(book=book, authors=authors)


def _cast(
    thread: Thread, texts: Sequence[str], roles: Sequence[Role], policy: Policy, key: bytes
) -> _Cast:
    cast = _learn(thread, texts, roles)
    addresses = {
        _identity(m.sender, m.sender_name, r): m.sender
        for m, r in zip(thread.messages, roles, strict=True)
    }
    avoid: set[str] = set()
    for person in cast.book.people.values():
        avoid |= person.forms
    for person in cast.book.people.values():
        if person.role is not Role.STAFF:
            continue
        address = addresses.get(person.key, "")
        public = _public_name(address, policy) if address else _public_by_name(person, policy)
        cast.turn_author[person.key] = public or policy.staff_label
        shown = public.split(",")[0].strip() if public else policy.staff_label
        cast.public[person.key] = shown
        if public:
            cast.kept |= {fold(w) for w in shown.split()}
            avoid |= cast.kept
    for person in cast.book.people.values():
        if person.role is Role.STAFF:
            continue
        identity = person.key.removeprefix("name:")
        name = pseudonym(key, identity, policy.style, avoid, real_name=person.name)
        avoid.add(fold(name))
        cast.public[person.key] = name
        cast.turn_author[person.key] = name
    return cast


def _replacement(span: Span, cast: _Cast) -> str | None:
    """What a span becomes; None when it must stay (a public name)."""
    if span.kind != "name":
        return f"[{span.kind}]"
    words = {fold(w.strip(".,")) for w in span.text.split()}
    if words and words <= cast.kept:
        return None
    who = cast.book.who(span.text)
    if who is None:
        return THIRD_PERSON
    return cast.public.get(who, THIRD_PERSON)


def _scrub(
    text: str,
    message: int,
    cast: _Cast,
    policy: Policy,
    key: bytes,
    names: list[str] | None = None,
) -> tuple[str, list[Redaction]]:
    """Second pass over one text: replace spans left to right, recording new offsets."""
    out: list[str] = []
    redactions: list[Redaction] = []
    third: list[str] = []  # people named in passing by full name
    cursor = 0
    length = 0
    for span in find_all(text, cast.book, policy.products):
        replacement = _replacement(span, cast)
        if replacement is None or fold(replacement) == fold(span.text):
            # Nothing personal was there: a staff member signing as the label they are shown
            # by ("Support") replaced by itself. Recording it would make the leak guard take
            # every "support" on the site for a redacted name.
            continue
        before = text[cursor : span.start]
        out.append(before)
        length += len(before)
        out.append(replacement)
        redactions.append(
            Redaction(
                kind=span.kind,
                message=message,
                start=length,
                end=length + len(replacement),
                replacement=replacement,
                digest=digest(key, span.kind, span.text),
            )
        )
        length += len(replacement)
        cursor = span.end
        if replacement == THIRD_PERSON and " " in span.text.strip():
            third.append(span.text)
        if span.kind == "name" and names is not None:
            names.append(span.text)
    out.append(text[cursor:])
    for name in third:  # learnt after this text, for the texts that follow
        cast.book.add_third_person(name)
    return "".join(out), redactions


_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'’-]{2,}")


def _name_parts(names: Sequence[str], key: bytes) -> list[Redaction]:
    """One digest record for each word of each multi-word name that was replaced, once."""
    parts: dict[str, None] = {}
    for name in names:
        words = _NAME_WORD.findall(name)
        if len(words) < 2:
            continue  # a one-word name's own record already has this digest
        for word in words:
            if fold(word) not in PARTICLES and fold(word) not in TITLES:
                parts.setdefault(digest(key, "name", word))
    return [Redaction("name", NAME_PART, 0, 0, "", d) for d in parts]


def _named_alone(cast: _Cast, known: set[str], texts: Sequence[str], subject: str) -> bool:
    """Whether someone learnt during the pass is also named by first name alone somewhere."""
    learnt = [p for k, p in cast.book.people.items() if k not in known and " " in p.name]
    if not learnt:
        return False
    joined = "\n".join([*texts, subject])
    return any(joined.count(p.name.split()[0]) > joined.count(p.name) for p in learnt)


def _scrub_thread(
    thread: Thread,
    texts: Sequence[str],
    roles: Sequence[Role],
    subject_text: str,
    cast: _Cast,
    policy: Policy,
    key: bytes,
) -> tuple[list[Turn], str, list[Redaction], list[str]]:
    """One pass of replacements over every message and the subject."""
    turns: list[Turn] = []
    redactions: list[Redaction] = []
    names: list[str] = []
    for i, (message, text, role) in enumerate(zip(thread.messages, texts, roles, strict=True)):
        clean, found = _scrub(text, i, cast, policy, key, names)
        redactions.extend(found)
        author = cast.turn_author.get(cast.authors[i], policy.staff_label)
        turns.append(Turn(role=role, author=author, sent=message.sent, text=clean))
    subject, found = _scrub(subject_text, SUBJECT, cast, policy, key, names)
    redactions.extend(found)
    return turns, subject, redactions, names


def anonymize(
    thread: Thread,
    texts: Sequence[str],
    roles: Sequence[Role],
    policy: Policy,
    key: bytes,
) -> AnonymizedThread:
    """The thread as it may be shown: pseudonyms, placeholders and every redaction.

    ``texts[i]`` is the extracted new text of ``thread.messages[i]`` and ``roles[i]`` its
    author's role; all three sequences must have the same length.
    """
    if not (len(texts) == len(roles) == len(thread.messages)):
        raise ValueError(
            f"{thread.source}: anonymize got {len(thread.messages)} messages, {len(texts)} texts "
            f"and {len(roles)} roles; pass one text and one role per message"
        )
    cast = _cast(thread, texts, roles, policy, key)
    subject_text = thread.subject or next((m.subject for m in thread.messages if m.subject), "")
    known = set(cast.book.people)
    turns, subject, redactions, names = _scrub_thread(thread, texts, roles, subject_text, cast,
                                                      policy, key)  # fmt: skip
    if _named_alone(cast, known, texts, subject_text):
        # Someone named in full only in a later message ("my colleague Rose Baker") may be
        # named by first name alone earlier ("Rose is on leave"): read the thread once more.
        turns, subject, redactions, names = _scrub_thread(
            thread, texts, roles, subject_text, cast, policy, key
        )
    redactions.extend(_name_parts(names, key))
    customer_key = next(
        (k for k, r in zip(cast.authors, roles, strict=True) if r is Role.CUSTOMER), None
    )
    customer = cast.public.get(customer_key, "") if customer_key else ""
    if not customer:
        customer = pseudonym(key, thread.key or thread.source, policy.style)
    return AnonymizedThread(turns=turns, customer=customer, subject=subject, redactions=redactions)
