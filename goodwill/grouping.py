"""Which messages form one conversation, in what order, and under which stable name.

Pure functions on ``Message`` values: the mailbox readers feed them header-only messages
(so a large mbox is grouped without holding its bodies), the other readers full ones.

Grouping follows the headers mail clients write for exactly this purpose (Message-ID,
In-Reply-To, References). Messages that carry none of them (web forms, some phone
clients, forwarded copies) join an earlier message with the same normalised subject,
but only when the two share a participant who is not staff (every thread in a support
inbox shares the support address, so subject alone would merge two customers' "Help!")
and only within 30 days of it (the same customer's "Change of billing address" seven
months later is a new conversation).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from goodwill.maildate import to_utc, zone_offset
from goodwill.model import Message, Thread
from goodwill.replies import Earlier

# Reply and forward markers of the common mail clients and languages: Re, Fwd, AW/WG
# (German), SV (Nordic), VS (Finnish), TR (French), RV (Spanish), Antw (Dutch), Odp
# (Polish), Ynt (Turkish), Réf, with counters such as "RE[2]:" or "Re(3):".
_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|wg|sv|vs|tr|rv|antw|odp|ynt|r[ée]f|res)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+",
    re.IGNORECASE,
)
# A message recovered from quoted history duplicates a real one sent this close by the same
# person: attribution lines carry minutes at best, and often a zone-less local time.
_SAME_MOMENT = timedelta(minutes=2)
# A message that names no parent joins a same-subject conversation only this soon after it.
_SUBJECT_WINDOW = timedelta(days=30)
_DATE_LINE = re.compile(rb"(?im)^date:[ \t]*(.+?)\r?$")
_MIN_CONTAINED = 40  # shorter texts are too generic to call one a copy of the other

Splitter = Callable[[str], list[Earlier]]


def normalise_subject(subject: str) -> str:
    """The subject without reply/forward prefixes, lower-cased, spaces collapsed."""
    return " ".join(_PREFIX.sub("", subject).split()).lower()


def short_hash(text: str) -> str:
    """16 hex characters of SHA-256: short enough for file names, long enough not to clash."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def raw_digest(chunks: Iterable[bytes]) -> str:
    """SHA-256 over raw message bytes, each length-prefixed so boundaries cannot shift."""
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(f"{len(chunk)}:".encode())
        h.update(chunk)
    return h.hexdigest()


def is_staff(address: str, staff: Collection[str]) -> bool:
    """Whether an address is staff by ``GOODWILL_STAFF`` (an address or a whole domain)."""
    address = address.lower()
    return bool(address) and (address in staff or address.rpartition("@")[2] in staff)


def group(messages: Sequence[Message], staff: Collection[str] = ()) -> list[list[int]]:
    """Indices of ``messages`` per conversation, each list in input order.

    Conversations come in the order of their first message in the input, so a mailbox
    always yields its threads in the same order.
    """
    parent = list(range(len(messages)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    owner: dict[str, int] = {}
    for i, m in enumerate(messages):
        for ref in (m.message_id, m.in_reply_to, *m.references):
            if ref:
                if ref in owner:
                    union(i, owner[ref])
                else:
                    owner[ref] = i

    by_subject: dict[str, list[int]] = {}
    for i in _chronological(messages):
        m = messages[i]
        subject = normalise_subject(m.subject)
        if not subject:
            continue
        earlier = by_subject.setdefault(subject, [])
        if not m.in_reply_to and not m.references:
            mine = _participants(m, staff)
            for j in reversed(earlier):  # newest first
                if _long_before(messages[j], m):
                    break  # the same words months later are a new conversation
                if find(j) != find(i) and mine & _participants(messages[j], staff):
                    union(i, j)
                    break
        earlier.append(i)

    groups: dict[int, list[int]] = {}
    for i in range(len(messages)):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def assemble(
    source: str,
    pairs: Sequence[tuple[Message, bytes]],
    split: Splitter | None = None,
    file_time: datetime | None = None,
    own: Callable[[str], str] | None = None,
) -> Thread:
    """A Thread from real messages and their raw bytes: deduplicated, history recovered,
    oldest first, with its stable key and its content digest.

    ``split`` is ``goodwill.replies.split_history`` in production; None skips recovery.
    ``own`` (``goodwill.replies.own_text``) is ``split(body)[-1].text`` made cheaply, for
    replies whose history is not recovered; None uses ``split``.
    """
    kept: list[tuple[Message, bytes]] = []
    seen_ids: set[str] = set()
    seen_content: set[tuple[str, datetime | None, str]] = set()
    for message, raw in pairs:
        content = (message.sender, message.sent, _norm(message.body))
        if (message.message_id and message.message_id in seen_ids) or content in seen_content:
            continue
        seen_ids.add(message.message_id)
        seen_content.add(content)
        kept.append((message, raw))
    order = _chronological([m for m, _ in kept])
    real = [kept[i][0] for i in order]
    raws = [kept[i][1] for i in order]
    zones = [zone_offset(_date_header(raw)) for raw in raws]
    messages = with_history(real, split, zones, own) if split is not None else real
    return Thread(
        source=source,
        messages=messages,
        subject=_subject(messages),
        key=thread_key(messages),
        digest=raw_digest(raws),
        file_time=file_time,
    )


def with_history(
    real: Sequence[Message],
    split: Splitter,
    zones: Sequence[timedelta | None] | None = None,
    own: Callable[[str], str] | None = None,
) -> list[Message]:
    """Real messages (oldest first) plus the earlier ones their quoted history reveals.

    A reply whose parent is itself in the thread adds nothing: the parent and its own
    history already tell that part. Otherwise each recovered message is kept unless it
    copies a real message (same text, or same sender within minutes) or one already kept.

    A recovered date later than the message quoting it is impossible: it was a local time
    read as UTC, so it is moved by the zone of the quoting message's Date header (``zones``,
    one per real message), or dropped when that does not make it earlier.
    """
    present = {m.message_id for m in real if m.message_id}
    # History is recovered only where a message's parent is missing; the others need only
    # their own text, to tell a recovered copy of them.
    recover = [not (_parent(m) and _parent(m) in present) for m in real]
    splits = [split(m.body) if r or own is None else [] for m, r in zip(real, recover, strict=True)]
    own_texts: list[str] = []  # made when the first recovered message needs them

    def own_text_of_each() -> list[str]:
        if not own_texts:
            own_texts.extend(
                _norm(parts[-1].text) if parts else _norm(own(m.body) if own and not r else m.body)
                for m, parts, r in zip(real, splits, recover, strict=True)
            )
        return own_texts

    out: list[tuple[datetime | None, int, Message]] = []
    recovered_texts: list[str] = []
    last_date: datetime | None = None
    zones = zones if zones is not None else [None] * len(real)
    for m, parts, zone, r in zip(real, splits, zones, recover, strict=True):
        if r:
            chain: list[Message] = []
            for k, earlier in enumerate(parts[:-1]):
                candidate = _recovered(earlier, m, zone, _quoted_by_sender(parts, k, m))
                text = _norm(candidate.body)
                if not text or _copies(candidate, text, real, own_text_of_each()):
                    continue
                if any(_same_text(text, other) for other in recovered_texts):
                    continue
                recovered_texts.append(text)
                chain.append(candidate)
            for when, candidate in _in_quoting_order(chain, m.sent):
                out.append((when, len(out), candidate))
        last_date = m.sent or last_date
        out.append((m.sent or last_date, len(out), m))
    floor = min((w for w, _, _ in out if w is not None), default=None)
    if floor is not None:
        out.sort(key=lambda item: (item[0] or floor, item[1]))
    return [m for _, _, m in out]


def _parent(m: Message) -> str:
    return m.in_reply_to or (m.references[-1] if m.references else "")


def thread_key(messages: Sequence[Message]) -> str:
    """A thread's identity that survives growth: the root Message-ID it points back to.

    Every reply names the conversation's first message in References (or at least its
    parent in In-Reply-To), so the oldest real message yields the same root whether the
    thread has one message or twenty. Without any IDs, the oldest message's sender,
    date and subject stand in.
    """
    for m in messages:
        if m.recovered:
            continue
        root = m.references[0] if m.references else m.in_reply_to or m.message_id
        if root:
            return short_hash(f"id:{root}")
    first = messages[0] if messages else Message(sender="", body="")
    sent = first.sent.isoformat() if first.sent else ""
    return short_hash(f"first:{first.sender}|{sent}|{normalise_subject(first.subject)}")


def planned_key(headers: Sequence[Message]) -> str:
    """``thread_key`` of a group of header-only messages, before any body is read.

    The planner uses it to find copies of one conversation kept in different places (an
    mbox and a loose .eml, or an Inbox and a Sent mbox), which must become one thread.
    """
    return thread_key([headers[i] for i in _chronological(headers)])


def planned_digest(raws: Sequence[bytes], heads: Sequence[tuple[str, datetime | None]]) -> str:
    """The digest ``assemble`` gives these messages, from their bytes and headers alone.

    Each message's Message-ID and date (``heads``) are what its headers say; repeated IDs
    are dropped and the rest put in time order, as ``assemble`` does. It can differ from
    the read thread's digest (a message that turns out unreadable, a copy with another
    ID), never wrongly agree: equal digests mean the very same bytes.
    """
    kept: list[tuple[bytes, datetime | None]] = []
    seen: set[str] = set()
    for raw, (message_id, sent) in zip(raws, heads, strict=True):
        if message_id:
            if message_id in seen:
                continue
            seen.add(message_id)
        kept.append((raw, sent))
    return raw_digest(kept[i][0] for i in _in_time_order([sent for _, sent in kept]))


def _in_quoting_order(
    chain: list[Message], bound: datetime | None
) -> list[tuple[datetime | None, Message]]:
    """Recovered messages (oldest first) with the time each is sorted by.

    Each message was quoted by the next one, so none can be later than the next: such a
    time is someone's local time in a zone nobody wrote down, and is dropped rather than
    trusted. An undated message is sorted just before the message that quoted it.
    """
    keyed: list[tuple[datetime | None, Message]] = []
    for candidate in reversed(chain):
        if candidate.sent is not None and bound is not None and candidate.sent > bound:
            candidate = replace(candidate, sent=None)
        bound = candidate.sent or bound
        keyed.append((bound, candidate))
    return keyed[::-1]


def _quoted_by_sender(parts: Sequence[Earlier], k: int, source: Message) -> bool:
    """Was ``parts[k]`` quoted (and its attribution line written) by the source's sender?

    History reads oldest first, each message quoted by the next one: the last part is the
    source's own text, and a part whose address is the sender's was written by them too.
    """
    if k + 1 == len(parts) - 1:
        return True
    quoter = parts[k + 1].address.lower()
    return bool(quoter) and quoter == source.sender


def _recovered(
    earlier: Earlier, source: Message, zone: timedelta | None, by_sender: bool = False
) -> Message:
    """A recovered message, its time in UTC.

    An attribution line without a zone is written in the quoter's local time. When the
    quoter is the source's sender, their Date header's zone puts it right (a customer in
    Paris quoting "à 21:16" means 20:16 UTC); otherwise a time later than the source is
    impossible, moved by that zone or dropped.
    """
    sent = to_utc(earlier.sent) if earlier.sent else None
    if sent is not None and earlier.local and by_sender and zone is not None:
        sent = sent - zone
    elif sent is not None and source.sent is not None and sent > source.sent:
        sent = sent - zone if zone is not None and sent - zone <= source.sent else None
    return Message(
        sender=earlier.address.lower(),
        sender_name=earlier.name,
        body=earlier.text,
        sent=sent,
        subject=source.subject,
        recovered=True,
    )


def _copies(candidate: Message, text: str, real: Sequence[Message], own: list[str]) -> bool:
    for message, own_text in zip(real, own, strict=True):
        if _same_text(text, own_text):
            return True
        if (
            candidate.sender
            and candidate.sender == message.sender
            and candidate.sent
            and message.sent
            and abs(candidate.sent - message.sent) <= _SAME_MOMENT
        ):
            return True
    return False


def _same_text(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= _MIN_CONTAINED and short in long


def _date_header(raw: bytes) -> str:
    """The Date header of a raw message, "" for raw data that is not mail (helpdesk rows)."""
    head = raw.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    found = _DATE_LINE.search(head)
    return found.group(1).decode("ascii", "replace") if found else ""


def _norm(text: str) -> str:
    lines = (line.lstrip("> ").rstrip() for line in text.splitlines())
    return " ".join(" ".join(lines).split()).lower()


def _long_before(earlier: Message, later: Message) -> bool:
    """Whether ``earlier`` is too old for ``later`` to continue it by subject alone."""
    if earlier.sent is None or later.sent is None:
        return False  # undated: as close as can be told
    return later.sent - earlier.sent > _SUBJECT_WINDOW


def _participants(m: Message, staff: Collection[str]) -> set[str]:
    return {a for a in (m.sender, *m.recipients) if a and not is_staff(a, staff)}


def _chronological(messages: Sequence[Message]) -> list[int]:
    """Indices oldest first; an undated message keeps its place after the one before it."""
    return _in_time_order([m.sent for m in messages])


def _in_time_order(times: Sequence[datetime | None]) -> list[int]:
    keyed: list[tuple[datetime | None, int]] = []
    last: datetime | None = None
    for i, sent in enumerate(times):
        last = sent or last
        keyed.append((last, i))
    floor = min((w for w, _ in keyed if w is not None), default=None)
    if floor is None:
        return list(range(len(times)))
    return [i for _, i in sorted(keyed, key=lambda item: (item[0] or floor, item[1]))]


def _subject(messages: Sequence[Message]) -> str:
    for m in messages:
        if m.subject and not m.recovered:
            return _PREFIX.sub("", m.subject).strip()
    return ""
