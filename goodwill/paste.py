"""A conversation pasted into a text file, with or without "From:/Date:/Subject:" blocks.

Founders copy threads out of webmail and helpdesks into ``.txt`` or ``.md`` files. Two
shapes are read:

* header blocks: each message starts with a ``From:`` line (or Von:/De:/Van:/Da:/Från:/Fra:/
  Od: and the other translations ``goodwill.quoting`` knows, optionally in ``**bold**``)
  followed by other header lines (Date:/Sent:/To:/Cc:/Subject: and their translations), a
  blank line, then its text. Blocks may run newest
  first (as Outlook lays out a forwarded thread, often with a headerless reply on top and
  "-----Original Message-----" separators) or oldest first; dates decide when they exist.
* no headers at all: ``goodwill.replies.split_history`` cuts the text at its attribution
  lines ("On Tue, 3 Mar 2026, Ann wrote:") and quote levels.

A paste has no Message-IDs, so its thread key is its file name relative to the inbox:
pasting more of the same conversation into the same file keeps the same draft.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import getaddresses

from goodwill import quoting
from goodwill.grouping import assemble, short_hash
from goodwill.maildate import parse_date, to_utc
from goodwill.model import Message, Thread
from goodwill.replies import Earlier

_SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(original message|forwarded message|message d'origine|"
    r"ursprüngliche nachricht|mensaje original)\s*-{2,}|[-_=*]{5,})\s*$",
    re.IGNORECASE,
)
_MAILTO = re.compile(r"\[mailto:([^\]]+)\]", re.IGNORECASE)
_LOOKAHEAD = 6  # a From: line starts a block only if another header follows this closely

Splitter = Callable[[str], list[Earlier]]


@dataclass(slots=True)
class _Block:
    headers: dict[str, str] = field(default_factory=dict)  # from, date, subject: the first
    recipients: list[str] = field(default_factory=list)  # every To:/Cc: value
    lines: list[str] = field(default_factory=list)


def _header(line: str) -> tuple[str, str] | None:
    """``("from", value)`` for a header line in any language ``goodwill.quoting`` knows."""
    found = quoting.header_field(line)
    if found is None:
        return None
    kind = quoting.header_kind(found[0])
    return (kind, found[1]) if kind else None


def read_paste(
    text: str,
    *,
    source: str,
    name: str,
    split: Splitter,
    file_time: datetime | None = None,
) -> Thread:
    """The thread a pasted text holds; ``name`` is its path relative to the inbox."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    preamble, blocks, separated = _blocks(text.split("\n"))
    if blocks:
        messages = [_message(b) for b in blocks]
        top = "\n".join(preamble).strip()
        if _newest_first(messages, bool(top) or separated):
            messages.reverse()
            if top:
                messages.append(Message(sender="", body=top))
        elif top:
            messages.insert(0, Message(sender="", body=top))
    else:
        messages = [_from_earlier(e) for e in split(text) if e.text.strip()]
    pairs = [(m, m.body.encode("utf-8")) for m in messages]
    thread = assemble(source, pairs, split=None, file_time=file_time)
    thread.key = short_hash(f"paste:{name}")
    return thread


def _blocks(lines: list[str]) -> tuple[list[str], list[_Block], bool]:
    preamble: list[str] = []
    blocks: list[_Block] = []
    separated = False
    i = 0
    while i < len(lines):
        if _starts_block(lines, i):
            block = _Block()
            while i < len(lines) and (found := _header(lines[i])):
                kind, value = found
                if kind == "to":
                    block.recipients.append(value)
                else:
                    block.headers.setdefault(kind, value)
                i += 1
            blocks.append(block)
            continue
        line = lines[i]
        if _SEPARATOR.match(line):
            separated = True
        else:
            (blocks[-1].lines if blocks else preamble).append(line)
        i += 1
    return preamble, blocks, separated


def _starts_block(lines: list[str], i: int) -> bool:
    found = _header(lines[i])
    if found is None or found[0] != "from" or not found[1]:
        return False
    following = lines[i + 1 : i + 1 + _LOOKAHEAD]
    return any((h := _header(line)) and h[0] != "from" for line in following)


def _message(block: _Block) -> Message:
    sender_name, sender = _address(block.headers.get("from", ""))
    recipients = [a for value in block.recipients for _, a in _parse_addresses(value) if a]
    return Message(
        sender=sender,
        sender_name=sender_name,
        body="\n".join(block.lines).strip("\n"),
        sent=parse_date(block.headers.get("date", "")),
        recipients=tuple(recipients),
        subject=block.headers.get("subject", ""),
    )


def _address(value: str) -> tuple[str, str]:
    found = _parse_addresses(value)
    return found[0] if found else ("", "")


def _parse_addresses(value: str) -> list[tuple[str, str]]:
    """Addresses as pasted: "Ann <ann@x>", "ann@x", "Ann [mailto:ann@x]" or a bare name."""
    value = _MAILTO.sub(r"<\1>", value).strip("*_ ")
    if not value:
        return []
    if "@" not in value:
        return [(n.strip(), "") for n in value.split(";") if n.strip()]
    found = getaddresses([value.replace(";", ",")])
    return [(n.strip(), a.strip().lower()) for n, a in found if "@" in a]


def _newest_first(messages: list[Message], top_posted: bool) -> bool:
    dated = [m.sent for m in messages if m.sent is not None]
    if len(dated) >= 2 and dated[0] != dated[-1]:
        return dated[0] > dated[-1]
    return top_posted


def _from_earlier(earlier: Earlier) -> Message:
    return Message(
        sender=earlier.address.lower(),
        sender_name=earlier.name,
        body=earlier.text,
        sent=to_utc(earlier.sent) if earlier.sent else None,
    )
