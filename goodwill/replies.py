"""One message's new text: quoted history, attribution lines and signatures dropped.

A body is read line by line. History starts in one of two ways:

* a hard break: an Outlook header block ("From: … Sent: …"), an
  "-----Original Message-----" or forwarded-message separator, or an
  attribution line ("On …, Ann <ann@example.com> wrote:") followed by
  *unquoted* text. Everything below it is history.
* ``>`` quoting, with or without an attribution line above it. Only the quoted
  lines go: text written between quotes is an inline answer and is kept.

A header block at the very top (nothing written above it) is the message's
own header, pasted or forwarded without comment, and is skipped instead.
The signature is then looked for at the end of what is left (``signatures``).

Everything is line based with patterns compiled once, so the cost is linear
in the size of the body.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from functools import lru_cache

from goodwill import htmltext, quoting, signatures
from goodwill.maildate import parse_date

html_to_text = htmltext.html_to_text

__all__ = [
    "Earlier",
    "Split",
    "extract_reply",
    "extract_reply_html",
    "html_to_text",
    "own_text",
    "split_history",
    "split_reply",
]


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
    # The line gave no zone, so ``sent`` is the quoter's local time read as UTC: the reader
    # who knows the quoter's zone (their Date header) puts it right.
    local: bool = field(default=False, compare=False)


# --- scanning -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Break:
    """A hard break into history: lines[start:body] introduce it, history follows."""

    start: int
    body: int
    header: tuple[str, ...]  # the header or attribution lines, as written


@dataclass(slots=True)
class _Parsed:
    reply: list[str]
    signature: list[str]
    attribution: str = ""
    header: tuple[str, ...] = ()
    quoted: list[str] = field(default_factory=list)


def _lines(body: str) -> list[str]:
    return body.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _next_nonblank(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _real_start(line: str) -> bool:
    s = line.strip()
    return bool(s) and (s[0].isdigit() or quoting._LEAD.match(s) is not None)


# A wrapped address can leave its closing bracket on the next line: "<ann@example.com\n>:".
_CLOSING_BRACKET = re.compile(r"^\s*>\s*[:：]\s*$")

# What one line is, as bit flags. History recovery scans the same lines again at every
# quote level (one ">" fewer each time) and twice per level (breaks, then the cut), so
# each distinct line is classified once: 180,000 classifications per 4,400 bodies became
# a few thousand (measured). The cache is bounded, so memory stays flat.
_BLANK, _QUOTED, _ATTRIBUTION, _MAY_START, _SEPARATOR, _HEADER = 1, 2, 4, 8, 16, 32


@lru_cache(maxsize=4096)
def _facts(line: str) -> int:
    if not line.strip():
        return _BLANK
    if quoting.is_quoted(line):
        return _QUOTED
    facts = 0
    if quoting.is_attribution(line):
        facts |= _ATTRIBUTION
    elif quoting.could_start_attribution(line):
        facts |= _MAY_START
    if quoting.is_original_separator(line):
        facts |= _SEPARATOR
    if quoting.header_field(line) is not None:
        facts |= _HEADER
    return facts


def _is_quoted(line: str) -> bool:
    return bool(_facts(line) & _QUOTED)


def _attribution_at(lines: list[str], i: int) -> int:
    """How many lines (1 to 3) an attribution starting at line ``i`` spans; 0 when none."""
    line = lines[i]
    facts = _facts(line)
    if facts & _ATTRIBUTION:
        return 1
    if not facts & _MAY_START:
        return 0  # blank, quoted, or a line no attribution can start with
    joined = line.strip()
    for k in (2, 3):
        j = i + k - 1
        if j >= len(lines) or not lines[j].strip():
            return 0
        if _is_quoted(lines[j]) and not _CLOSING_BRACKET.match(lines[j]):
            return 0
        nxt = lines[j].strip()
        # Undecoded quoted-printable breaks a word with "=" at the end of the line.
        joined = joined[:-1] + nxt if joined.endswith("=") else f"{joined} {nxt}"
        if len(joined) > quoting.MAX_ATTRIBUTION:
            return 0
        if quoting.is_attribution(joined):
            if _real_start(lines[i + 1]) and quoting.is_attribution(
                " ".join(ln.strip() for ln in lines[i + 1 : j + 1])
            ):
                return 0  # the attribution starts on the next line; this one is prose
            return k
    return 0


def _header_block_at(lines: list[str], i: int) -> int:
    """End (exclusive) of a header block starting at line ``i``; 0 when there is none."""
    if not _facts(lines[i]) & _HEADER:
        return 0
    n = len(lines)
    kinds: list[str] = []
    j = i
    last_value = ""
    while j < n and j - i < 16:
        line = lines[j]
        if _facts(line) & (_BLANK | _QUOTED):
            break
        found = quoting.header_field(line)
        if found:
            kinds.append(quoting.header_kind(found[0]))
            last_value = found[1]
            j += 1
            continue
        s = line.strip()
        wrapped = (
            kinds
            and len(s) <= 120
            and (line[:1].isspace() or s.startswith("<") or last_value.endswith(("<", ",", ";")))
        )
        if not wrapped:
            break
        last_value = s
        j += 1
    if j == i:
        return 0
    return j if quoting.is_header_block(kinds) else 0


def _rule_above(lines: list[str], start: int, floor: int) -> int:
    """Move a break up over blank lines and a drawn rule just above it."""
    k = start - 1
    while k >= floor and not lines[k].strip():
        k -= 1
    if k >= floor and (
        signatures.is_rule_line(lines[k]) or quoting.is_original_separator(lines[k])
    ):
        return k
    return start


def _breaks(lines: list[str]) -> list[_Break]:
    """Every hard break into history, in order."""
    found: list[_Break] = []
    n = len(lines)
    i = 0
    floor = 0
    while i < n:
        line = lines[i]
        facts = _facts(line)
        if facts & (_BLANK | _QUOTED) or len(line) > 1000:
            i += 1
            continue
        if facts & _SEPARATOR:
            j = _next_nonblank(lines, i + 1)
            end = _header_block_at(lines, j) if j < n else 0
            header = tuple(lines[j:end]) if end else ()
            body = end or i + 1
            found.append(_Break(_rule_above(lines, i, floor), body, header))
            i = floor = body
            continue
        end = _header_block_at(lines, i)
        if end:
            found.append(_Break(_rule_above(lines, i, floor), end, tuple(lines[i:end])))
            i = floor = end
            continue
        k = _attribution_at(lines, i)
        if k:
            j = _next_nonblank(lines, i + k)
            if j < n and not _is_quoted(lines[j]):
                joined = " ".join(ln.strip() for ln in lines[i : i + k])
                found.append(_Break(_rule_above(lines, i, floor), i + k, (joined,)))
                i = floor = i + k
                continue
            i += k
            continue
        i += 1
    return found


def _in_quote(lines: list[str], i: int, stop: int) -> bool:
    """Quoted, or a line a client wrapped out of the quote around it (no ">" of its own).

    Clients that wrap after quoting, and undecoded quoted-printable, leave
    fragments such as "ignissim odio?" between two quoted lines.
    """
    facts = _facts(lines[i])
    if facts & _QUOTED:
        return True
    return (
        not facts & _BLANK
        and i > 0
        and i + 1 < stop
        and _is_quoted(lines[i - 1])
        and _is_quoted(lines[i + 1])
    )


def _join_kept(pieces: list[list[str]]) -> list[str]:
    """Join runs of kept lines with one blank line where something was removed between them."""
    out: list[str] = []
    for piece in pieces:
        lo, hi = 0, len(piece)
        while lo < hi and not piece[lo].strip():
            lo += 1
        while hi > lo and not piece[hi - 1].strip():
            hi -= 1
        if lo == hi:
            continue
        if out:
            out.append("")
        out.extend(piece[lo:hi])
    return out


def _flatten(header: tuple[str, ...]) -> str:
    return " ".join(ln.strip().strip("*").strip() for ln in header if ln.strip())


_MAX_SIGNATURE_LAYERS = 6  # closing, card, disclaimer, footer… more is body text


def _parse_lines(lines: list[str], breaks: list[_Break] | None = None) -> _Parsed:
    if breaks is None:
        breaks = _breaks(lines)
    start = 0
    # A header at the very top is this message's own (a paste, a bare forward): skip it.
    while breaks and not any(ln.strip() for ln in lines[start : breaks[0].start]):
        start = breaks[0].body
        breaks = breaks[1:]
    cut = breaks[0] if breaks else None
    stop = cut.start if cut else len(lines)

    pieces: list[list[str]] = [[]]
    quoted: list[str] = []
    attribution = ""
    i = start
    while i < stop:
        line = lines[i]
        if _is_quoted(line):
            if quoted and pieces[-1] and any(p.strip() for p in pieces[-1]):
                quoted.append("")  # a new quote block after an inline answer
            while i < stop and (_in_quote(lines, i, stop) or not lines[i].strip()):
                if lines[i].strip() or (i + 1 < stop and _is_quoted(lines[i + 1])):
                    quoted.append(quoting.unquote_once(lines[i]) if lines[i].strip() else "")
                i += 1
            pieces.append([])
            continue
        k = _attribution_at(lines, i)
        if k:
            j = _next_nonblank(lines, i + k)
            if j >= stop or _is_quoted(lines[j]):
                attribution = attribution or " ".join(ln.strip() for ln in lines[i : i + k])
                i = j
                pieces.append([])
                continue
        pieces[-1].append(line)
        i += 1
    kept = _join_kept(pieces)

    sig_at = signatures.delimiter_start(kept)
    tail: list[str] = []
    if sig_at < len(kept) and not signatures.is_delimiter(kept[sig_at]):
        # Whatever a phone puts under its "Sent from" line is the message replied to.
        mobile = sig_at if signatures.is_mobile_line(kept[sig_at]) else sig_at + 1
        tail = kept[mobile + 1 :]
        kept = kept[: mobile + 1]
    for _ in range(_MAX_SIGNATURE_LAYERS):
        nxt = signatures.trailing_start(kept[:sig_at])
        if nxt >= sig_at:
            break
        sig_at = nxt
    reply = [ln.rstrip() for ln in kept[:sig_at]]
    signature = [ln.rstrip() for ln in kept[sig_at:]]

    header: tuple[str, ...] = ()
    if cut is not None:
        header = cut.header
        attribution = _flatten(cut.header)
        quoted = lines[cut.body :]
    elif not quoted and any(t.strip() for t in tail):
        quoted = tail
    return _Parsed(reply, signature, attribution, header, quoted)


def _text(lines: list[str]) -> str:
    return "\n".join(ln.rstrip() for ln in lines).strip()


# --- public: one message ------------------------------------------------------


def split_reply(body: str) -> Split:
    """Cut a plain-text body into reply, signature, attribution and quoted history."""
    p = _parse_lines(_lines(body))
    return Split(
        reply=_text(p.reply),
        signature=_text(p.signature),
        attribution=p.attribution,
        quoted=_text(p.quoted),
    )


def extract_reply(body: str, strip_signature: bool = True) -> str:
    """The new text of one plain-text message body."""
    top = _top(body)
    p = top.parsed if top.parsed is not None and top.alone else _parse_lines(top.lines, top.breaks)
    return _text(p.reply if strip_signature else p.reply + p.signature)


def extract_reply_html(html: str, strip_signature: bool = True) -> str:
    """The new text of one HTML message body.

    Client-specific quote containers are removed from the markup first; the
    text rules then catch what is left (plain "From:" blocks after a rule,
    attribution lines, blockquotes rendered as ``>`` lines).
    """
    soup = htmltext.strip_quote_containers(html)
    return extract_reply(htmltext.soup_to_text(soup), strip_signature)


# --- public: a whole history --------------------------------------------------


def split_history(body: str) -> list[Earlier]:
    """Every message a body holds, oldest first; the body's own new text is the last one."""
    top = _top(body)
    found = _history(top.lines, depth=0, top=top)
    return [e for e in found if e.text] or [Earlier(text=body.strip())]


def own_text(body: str) -> str:
    """``split_history(body)[-1].text`` (what the sender wrote, signature kept), without
    recovering the history below it.

    A reply whose parent is in the thread needs only its own text: its history is told by
    the messages themselves, and recovering it was most of the cost of reading an mbox.
    """
    p = _top(body).parsed
    if p is not None:
        own = "\n\n".join(t for t in (_text(p.reply), _text(p.signature)) if t)
        text = _text(own.split("\n"))
        if text:
            return text
    return split_history(body)[-1].text  # the body opens with history: the long way


@dataclass(frozen=True, slots=True)
class _Top:
    """A body's lines, its hard breaks, and the text above the first break, parsed.

    Reading a thread cuts each body's own text from its history (``own_text`` or
    ``split_history``), then ``extract_reply`` reads the same body again: both start here,
    so the second reading reuses the first (it was a tenth of ingest's CPU, measured).
    Treat as read-only: the lists are shared by every caller.
    """

    lines: list[str]
    breaks: list[_Break]
    parsed: _Parsed | None  # ``_parse_lines(lines[:first], [])``; None when nothing is there
    # ``parsed`` is also what ``_parse_lines(lines, breaks)`` finds above the first break:
    # no attribution that could run on past the break starts in the two lines above it.
    alone: bool


@lru_cache(maxsize=64)  # a thread's bodies; bounded, so memory stays flat
def _top(body: str) -> _Top:
    lines = _lines(body)
    breaks = _breaks(lines)
    first = breaks[0].start if breaks else len(lines)
    if not any(ln.strip() for ln in lines[:first]):
        return _Top(lines, breaks, None, False)
    alone = not any(_facts(ln) & _MAY_START for ln in lines[max(0, first - 2) : first])
    return _Top(lines, breaks, _parse_lines(lines[:first], breaks=[]), alone)


def _history(lines: list[str], depth: int, top: _Top | None = None) -> list[Earlier]:
    if depth > 50:  # absurd nesting: stop rather than recurse forever
        return [Earlier(text=_text(lines))]
    breaks = top.breaks if top is not None else _breaks(lines)
    segments: list[tuple[tuple[str, ...], list[str]]] = []
    first = breaks[0].start if breaks else len(lines)
    if any(ln.strip() for ln in lines[:first]):
        segments.append(((), lines[:first]))
    for n, br in enumerate(breaks):
        end = breaks[n + 1].start if n + 1 < len(breaks) else len(lines)
        segments.append((br.header, lines[br.body : end]))
    if not segments:
        return []

    infos = [_header_info(h) if h else None for h, _ in segments]
    dates = [info[2] if info else None for info in infos]
    top_posted = segments[0][0] == ()
    order = _oldest_first([i for i, (h, _) in enumerate(segments) if h], dates, top_posted)
    if top_posted:
        order.append(0)  # the body's own text, above its history: the newest

    out: list[Earlier] = []
    for i in order:
        parsed = top.parsed if top is not None and i == 0 and top_posted else None
        items = _segment_history(segments[i][1], depth, parsed)
        info = infos[i]
        if info and items:
            name, address, sent = info
            last = items[-1]
            local = sent is not None and _zoneless(segments[i][0])
            items[-1] = Earlier(last.text, name or last.name, address, sent, local)
        out.extend(items)
    return out


def _oldest_first(headed: list[int], dates: list[datetime | None], top_posted: bool) -> list[int]:
    """Headed segments oldest first.

    Below a reply on top, history runs newest first: each message quotes the one before
    it, whatever its header's time says (that is the local time of whoever quoted it, so
    two neighbours can look swapped when the writers live in different zones). A body that
    opens with a header is a paste, which people lay out either way: there the dates choose
    the direction, by a majority of neighbours, and never the order inside it.
    """
    if top_posted:
        return headed[::-1]
    seq = list(headed)
    known = [dates[i] for i in seq if dates[i] is not None]
    pairs = list(itertools.pairwise(known))
    if sum(1 for a, b in pairs if a > b) > sum(1 for a, b in pairs if a < b):
        seq.reverse()
    return seq


def _segment_history(lines: list[str], depth: int, parsed: _Parsed | None = None) -> list[Earlier]:
    p = parsed if parsed is not None else _parse_lines(lines, breaks=[])
    own_text = "\n\n".join(t for t in (_text(p.reply), _text(p.signature)) if t)
    own_lines = own_text.split("\n")
    own: list[Earlier] = []
    if depth == 0:
        own = [_earlier(own_lines)]
    else:
        own = [_earlier(*pair) for pair in reversed(_split_at_signoffs(own_lines))]
    older: list[Earlier] = []
    if p.quoted:
        older = _history(p.quoted, depth + 1)
        if p.attribution and older:
            name, address, sent = _header_info((p.attribution,))
            last = older[-1]
            local = sent is not None and _zoneless((p.attribution,))
            older[-1] = Earlier(last.text, name or last.name, address or last.address, sent, local)
    return [e for e in older + own if e.text]


def _earlier(lines: list[str], card: list[str] | None = None) -> Earlier:
    """One message and its signer; ``card`` is the signature block under it, when known."""
    if card is None:
        cut = next(
            (i for i, ln in enumerate(lines) if ln[:2] == "--" and signatures.is_delimiter(ln)),
            0,
        )
        lines, card = (lines[:cut], lines[cut:]) if cut else (lines, [])
    return Earlier(text=_text(_join_kept([lines, card])), name=_signer(lines, card))


def _signer(lines: list[str], card: list[str]) -> str:
    """The name signed above the card, made whole by the card: "Cheers, Svenja" over a
    card opening "Svenja Kambs" is "Svenja Kambs".

    The name is looked for above the card, where the sign-off is (a long card pushes it out
    of reach, and a company on the card's last line reads like a bare name). In a paste the
    card can be the only place the surname is written, and the signer's name is what the
    anonymizer learns the person by.
    """
    name = signatures.signed_name(lines) if lines else ""
    if not name:
        return signatures.signed_name(lines + card) if card else ""
    opener = next((ln.strip() for ln in card if ln.strip() and not signatures.is_delimiter(ln)), "")
    if (
        opener
        and signatures.is_name_line(opener, 4)
        and len(opener.split()) > len(name.split())
        and opener.split()[0].casefold() == name.split()[0].casefold()
    ):
        return opener.rstrip(",.")
    return name


def _split_at_signoffs(lines: list[str]) -> list[tuple[list[str], list[str]]]:
    """Cut quoted text that holds several messages at their greetings and sign-offs.

    A paste with no headers shows its messages only as "Hi James, … Best, Ada"
    one after the other; a sign-off followed by more text, or a greeting
    after some text, is where one message ends and the next begins. Each message comes
    with the signature card found under its sign-off (``[]`` when there is none).
    """
    chunks: list[list[str]] = [[]]
    paragraph: list[str] = []

    def flush_paragraph() -> None:
        chunks[-1].extend(paragraph)
        paragraph.clear()

    for line in [*lines, ""]:
        if line.strip():
            if (
                not paragraph
                and signatures.is_greeting(line)
                and any(ln.strip() for ln in chunks[-1])
            ):
                chunks.append([])
            paragraph.append(line)
            continue
        if paragraph:
            ends_signed = (
                len(paragraph) <= 3
                and not signatures.is_greeting(paragraph[0])
                and bool(signatures.signed_name(paragraph))  # the dearest test last
            )
            flush_paragraph()
            if ends_signed:
                chunks.append([])
                continue
        chunks[-1].append(line)
    out: list[tuple[list[str], list[str]]] = []
    for chunk in chunks:
        if not any(ln.strip() for ln in chunk):
            continue
        if out and not out[-1][1] and signatures.is_signature_block(chunk):
            out[-1] = (out[-1][0], chunk)  # the card under a sign-off is that message's
        else:
            out.append((chunk, []))
    return out


# --- who and when, from an attribution line or a header block -----------------

_MAILTO = re.compile(r"[\[<(]\s*mailto:([^\]>)\s]+)\s*[\]>)]", re.IGNORECASE)
_ANGLE_ADDRESS = re.compile(r"<\s*([\w.+'-]+@[\w-]+(?:\.[\w-]+)+)\s*>")
_ON_BEHALF = re.compile(r"\bon behalf of\b.*$", re.IGNORECASE)
_BARE_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_QUOTED_NAME = re.compile(r"\"([^\"]{1,80})\"")
_VERB_TAIL = re.compile(
    r"\s*(?:" + quoting._VERBS + r"|写道|寫道)\s*[:：]?\s*-*\s*$", re.IGNORECASE
)
_LEAD_WORD = re.compile(r"^\s*-*\s*(?:on|le|am|el|op|den|il|in data|em|w dniu|dnia)\s+", re.I)
# A verb with more text after it: "Am … schrieb Leni <…>", "Leni <…> schrieb am …".
_VERB_INSIDE = re.compile(rf"(?:^|(?<=[\s>\"')\]]))(?:{quoting._VERBS})(?=\s)", re.IGNORECASE)
# Words that sit between a date and a name and are neither: "um", "à", "a las", "kl.", "AM".
_CONNECTORS = frozenset({
    "at", "um", "uhr", "à", "a", "las", "om", "kl", "klo", "o", "alle", "ore", "às", "am", "pm",
    "a.m", "p.m", "gmt", "utc", "cet", "cest", "est", "edt", "pst", "pdt", "bst", "użytkownik",
    "godz", "h",
})  # fmt: skip
_WEEKDAYS = frozenset({
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "wed", "thu", "fri", "sat", "sun",
})  # fmt: skip
_GLUED_TIME = re.compile(r"(\d{1,2}[:.]\d{2})(?=[A-ZÀ-ÖØ-Þ])")  # "10:15Anna Andersson"
_DAY_MONTH = re.compile(r"\b(\d{1,2})(\.?\s+(?:de\s+)?)([^\W\d_]{3,12})\.?")
_DOTTED_TIME = re.compile(r"\b(kl\.?|klo|om|um|o|à|alle ore|às)\s+(\d{1,2})\.(\d{2})\b", re.I)


_ZONE_TEXT = re.compile(
    r"(?<![\d:])[+-]\d{2}:?\d{2}\b|\b(?:GMT|UTC|Z|[ECMP][SD]T|CES?T|BST|IST|JST)\b"
)


def _zoneless(header: tuple[str, ...]) -> bool:
    """No offset or zone name beside the date: the time is the quoter's local time."""
    return not _ZONE_TEXT.search(_BARE_ADDRESS.sub("", " ".join(header)))


@lru_cache(maxsize=1024)
def _header_info(header: tuple[str, ...]) -> tuple[str, str, datetime | None]:
    """(name, address, sent) from a header block or an attribution line.

    Cached: history recovery reads the same attribution line again at every quote level.
    """
    fields: dict[str, str] = {}
    for line in header:
        found = quoting.header_field(line)
        if found:
            kind = quoting.header_kind(found[0])
            if kind and kind not in fields:
                fields[kind] = found[1]
    if "from" in fields:
        name, address = _name_and_address(fields["from"])
        return name, address, parse_date(fields.get("date", ""))
    return _attribution_info(_flatten(header))


def _name_and_address(value: str) -> tuple[str, str]:
    cleaned = _MAILTO.sub(lambda m: f"<{m.group(1)}>", value)
    cleaned = _ON_BEHALF.sub("", cleaned)
    name, address = parseaddr(cleaned)
    if "@" not in address:
        found = _BARE_ADDRESS.search(cleaned)
        address = found.group() if found else ""
        name = name or _BARE_ADDRESS.sub("", cleaned).strip(" <>[]\"'")
    return name.strip().strip("\"'"), address.lower()


def _attribution_info(text: str) -> tuple[str, str, datetime | None]:
    """(name, address, sent) from an attribution line in any of the shapes clients write.

    The verb decides where the name is: at the end of the line, the name stands just before
    it, after the date ("Le 9 janv. 2025 à 11:35, Amélie <…> a écrit :"); inside the line,
    the name is on the side of the verb that holds no date ("Am 9. Jan. 2025 um 11:35 Uhr
    schrieb Leni <…>:", "Leni <…> schrieb am 9. Jan. 2025 um 11:35:").
    """
    body = _VERB_TAIL.sub("", text.strip().strip("-").strip()).rstrip(" :：")
    body = _GLUED_TIME.sub(r"\1 ", body)
    verbs = list(_VERB_INSIDE.finditer(body))
    if verbs:
        inside = verbs[-1]  # the last one: a verb inside a name is rarer than one after it
        left, right = body[: inside.start()], body[inside.end() :]
        if _has_date(right) and not _has_date(left):
            who, when = left, right
        else:
            who, when = right, left
        name, address = _who(who)
        return name, address, _when(when)
    address = ""
    found = _ANGLE_ADDRESS.search(body) or _BARE_ADDRESS.search(body)
    before = body
    if found:
        address = (found.group(1) if found.re is _ANGLE_ADDRESS else found.group()).lower()
        before = body[: found.start()].rstrip(" <([")
    quoted = _QUOTED_NAME.search(before)
    if quoted:
        name = quoted.group(1)
        date_part = before[: quoted.start()]
    else:
        start = _trailing_name_start(before)
        name, date_part = before[start:], before[:start]
    name = name.strip(" ,\"'")
    if "@" in name:
        name = ""
    return name, address, _when(date_part)


def _has_date(text: str) -> bool:
    return any(c.isdigit() for c in _BARE_ADDRESS.sub("", text))


def _trailing_name_start(text: str) -> int:
    """Where the name at the end of "<date> <name>" starts (``len(text)`` when none).

    Read from the end: a name is the run of words after the last word that holds a digit,
    ends with a comma, or joins a date to a time ("um", "à", "kl.", "AM", a weekday).
    """
    words = list(re.finditer(r"\S+", text))
    start = len(text)
    for k in range(len(words) - 1, -1, -1):
        word = words[k].group()
        bare = word.strip(".,()").casefold()
        if (
            any(c.isdigit() for c in word)
            or (word.endswith(",") and k < len(words) - 1)
            or bare in _CONNECTORS
            or (bare in _WEEKDAYS and start < len(text))
        ):
            break
        start = words[k].start()
    return start


def _who(text: str) -> tuple[str, str]:
    """Name and address from the part of an attribution line that names the writer."""
    found = _ANGLE_ADDRESS.search(text) or _BARE_ADDRESS.search(text)
    address = ""
    if found:
        address = (found.group(1) if found.re is _ANGLE_ADDRESS else found.group()).lower()
        text = f"{text[: found.start()]} {text[found.end() :]}"
    quoted = _QUOTED_NAME.search(text)
    name = quoted.group(1) if quoted else text
    name = " ".join(name.split()).strip(" ,;:<>()[]\"'")
    return ("" if "@" in name else name), address


def _when(text: str) -> datetime | None:
    """The date of an attribution line, its month names and dotted times made readable."""
    text = _LEAD_WORD.sub("", text)
    text = _DAY_MONTH.sub(
        lambda m: f"{m.group(1)}{m.group(2)}{quoting.english_month(m.group(3)) or m.group(3)}",
        text,
    )
    text = _DOTTED_TIME.sub(r"\1 \2:\3", text)
    return parse_date(text)
