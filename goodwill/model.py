"""Plain data that flows between Goodwill's steps.

Every step of the pipeline is a function from these dataclasses to these
dataclasses, so each can be tested without files, mail clients or Pelican.
Raw personal data lives only in ``Message`` and ``Thread`` (the private side);
everything from ``Turn`` on has been through the anonymizer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """Who wrote a message; decided by ``GOODWILL_STAFF`` or by the helpdesk export."""

    CUSTOMER = "customer"
    STAFF = "staff"


@dataclass(frozen=True, slots=True)
class Message:
    """One message as read from the inbox, before anything is removed.

    ``body`` is plain text (HTML mail is converted on reading) and still holds
    quoted history and signatures: reply extraction is a later step, so a
    reader never has to decide what is new.
    """

    sender: str  # e-mail address, lower-cased; "" when the source has none
    body: str
    sent: datetime | None = None  # timezone-aware (UTC) when known
    sender_name: str = ""  # display name from the From header, greeting or sign-off
    recipients: tuple[str, ...] = ()
    subject: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    role: Role | None = None  # set only when the source itself says (helpdesk exports)
    recovered: bool = False  # reconstructed from another message's quoted history


@dataclass(slots=True)
class Thread:
    """A conversation, oldest message first, as one inbox file (or one mbox thread) holds it."""

    source: str  # where it came from (path, or path#thread-key): for error messages only
    messages: list[Message]
    subject: str = ""
    key: str = ""  # stable identity across re-ingests (a hash), even when the thread grows
    digest: str = ""  # hash of the raw bytes of every message: changes when the thread grows
    file_time: datetime | None = None  # stands in for missing dates (pasted text)


@dataclass(frozen=True, slots=True)
class Redaction:
    """One replacement made by the anonymizer.

    Records where and what kind, never the original: ``digest`` is a keyed
    hash (HMAC with the local key in ``.goodwill/key``), so a published
    record cannot be reversed with a dictionary of names or phone numbers.
    """

    kind: str  # "name", "email", "phone", "card", "iban", "dob", "vat", "ip", "key", "order",
    # "address", "handle" or "url"
    message: int  # index of the turn in the thread
    start: int  # offset of the replacement in the anonymized text of that turn
    end: int
    replacement: str
    digest: str


@dataclass(frozen=True, slots=True)
class Turn:
    """One message after extraction and anonymization: safe to show."""

    role: Role
    author: str  # pseudonym for the customer, role or public name for staff
    sent: datetime | None
    text: str


@dataclass(slots=True)
class Metrics:
    """Measured facts of a thread; minutes, or None when they cannot be known."""

    first_reply_minutes: float | None
    resolution_minutes: float | None
    customer_messages: int
    staff_messages: int
    dated: bool  # False when the source had no dates and the file's time stood in
    pledges: list[str] = field(default_factory=list)


@dataclass(slots=True)
class AnonymizedThread:
    """A thread ready to become a draft: turns, pseudonym and every redaction."""

    turns: list[Turn]
    customer: str  # the customer's pseudonym
    subject: str  # anonymized subject
    redactions: list[Redaction] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One thread in ``content/ledger.csv``: facts only, nothing that names anyone.

    The pledges page aggregates these over every ingested thread, including the
    many that never become testimonials, so a pledge's figures are honest.
    """

    thread: str  # Thread.key
    source: str  # Thread.digest
    date: datetime  # first message (or the file's time when undated)
    first_reply_minutes: float | None
    resolution_minutes: float | None
    customer_messages: int
    staff_messages: int
    pledges: tuple[str, ...] = ()
    dated: bool = True
