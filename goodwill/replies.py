"""One message's new text: quoted history, attribution lines and signatures dropped.

(Interface stub: the implementation is being written; the signatures below are the contract.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Split:
    """A message body cut in three: what the sender wrote now, their signature, what they quoted.

    ``attribution`` is the line that introduced the quote ("On Tue, 3 Mar 2026, Ann wrote:",
    an Outlook "From:/Sent:" block flattened to one line), "" when there is none. ``quoted`` is
    the quoted history with one level of ``>`` removed, ready to be split again.
    """

    reply: str
    signature: str = ""
    attribution: str = ""
    quoted: str = ""


@dataclass(frozen=True, slots=True)
class Earlier:
    """One message recovered from a body's quoted history (or one part of a pasted thread)."""

    text: str  # that message's own text (its further quotes removed; signature kept)
    name: str = ""  # author, from the attribution line or the sign-off, when known
    address: str = ""  # author's e-mail address, when the attribution line has one
    sent: datetime | None = None  # from the attribution line, when it has a date


def split_history(body: str) -> list[Earlier]:
    """Every message a body holds, oldest first; the body's own new text is the last one."""
    return [Earlier(text=body.strip())]


def split_reply(body: str) -> Split:
    """Cut a plain-text body into reply, signature, attribution and quoted history."""
    return Split(reply=body.strip())


def extract_reply(body: str, strip_signature: bool = True) -> str:
    """The new text of one plain-text message body."""
    s = split_reply(body)
    return s.reply if strip_signature or not s.signature else f"{s.reply}\n\n{s.signature}"


def extract_reply_html(html: str) -> str:
    """The new text of one HTML message body."""
    raise NotImplementedError
