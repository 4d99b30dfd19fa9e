"""The leak guard: the last look at the rendered site before anyone else sees it.

The anonymizer works on what it can recognise; a founder's edit, a template
that prints a raw header, or a feed that escapes text differently can still
put a customer's address on the public site. The guard reads what was
actually written (pages, feeds, JSON, text files) and fails the build with
the file and line of anything that looks personal.

It reads text the way a visitor (or a crawler) would get it: entities and
JSON escapes decoded, tag names dropped but attribute values kept, since
``href="mailto:…"`` leaks as surely as visible text. Stylesheets and the
URLs of scripts and stylesheets are skipped: they are the theme's, not the
customers'. Each text node and attribute value is read on its own, and
dates, times, prices and versions are set aside before phones are looked
for, so a feed's ``<published>`` and ``<updated>`` never add up to a phone
number; a redacted name that is also a word ("Will") counts only where it
is used as a name.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import os
import re
import sys
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import phonenumbers

from goodwill.detectors import PHONE_LABEL, TITLES, find_structured, fold, lexicon, luhn_valid
from goodwill.digest import digester, normalise
from goodwill.guardrecords import MARKUP_SUFFIXES as MARKUP_SUFFIXES
from goodwill.guardrecords import REDACTIONS_SUFFIX as REDACTIONS_SUFFIX
from goodwill.guardrecords import SCANNED_SUFFIXES as SCANNED_SUFFIXES
from goodwill.guardrecords import GuardError as GuardError
from goodwill.guardrecords import ShownName as ShownName
from goodwill.guardrecords import load_name_digests as load_name_digests
from goodwill.guardrecords import read_shown as read_shown
from goodwill.guardrecords import sidecar_name_digests as sidecar_name_digests
from goodwill.guardrecords import sidecars as sidecars
from goodwill.guardrecords import write_shown as write_shown

# Regions whose national formats (no "+") are tried; international numbers need none.
PHONE_REGIONS = ("GB", "US", "FR", "DE", "IE", "ES", "IT", "NL", "AU")

# What each kind of finding asks the founder to do.
ADVICE = {
    "email": "remove the address from the story in content/, or pass --allow ADDR if it is the"
    " site's own public address",
    "phone": "redact the number in the story in content/ and build again",
    "card": "delete the card number from the story in content/ and build again; never publish it",
    "name": "a name recorded as redacted is back: replace it with the pseudonym in content/ and"
    " build again",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One suspected leak: where it is, what it looks like, with the value itself masked."""

    path: str  # relative to the output folder, with "/" separators
    line: int  # 1-based
    kind: str  # "email", "phone", "card" or "name"
    excerpt: str  # the surrounding text with every found value masked


# -- markup to text, keeping line numbers --------------------------------------------------

# Where one piece of text ends and the next begins: between table cells, a feed's
# <published> and <updated>, two attribute values. Nothing is found across it, so two
# timestamps or a row of figures never add up to a phone number. A control character no
# page contains; str.split() takes it for a space, so excerpts read naturally.
SEGMENT = "\x1f"

# Phrasing tags a reader sees straight through ("07700 <b>900123</b>"): written bare, they
# join the text around them with a space. Every other tag, and any tag with attributes,
# ends a segment.
INLINE_TAGS = (
    "a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|i|ins|kbd|mark|q|s|samp|small|span|strong"
    "|sub|sup|time|u|var|wbr"
)

# Four passes, cheapest last-resort first: blocks whose inside matters (comments, CDATA) or
# must go (stylesheets); then bare inline tags, then other bare tags, by far the most,
# replaced without a Python call; then tags with attributes, whose values are kept.
_BLOCKS = re.compile(
    r"<!--(?P<comment>.*?)-->|<!\[CDATA\[(?P<cdata>.*?)\]\]>|<style\b[^>]*>.*?</style\s*>",
    re.S | re.I,
)
# The first letters of the inline tags, checked before the alternatives: most tags are not.
_INLINE_FIRST = "".join(sorted({c for t in INLINE_TAGS.split("|") for c in (t[0], t[0].upper())}))
_INLINE_BARE_TAG = re.compile(rf"</?(?=[{_INLINE_FIRST}])(?i:{INLINE_TAGS})[ \t]*/?>")
_BARE_TAG = re.compile(r"</?[A-Za-z][\w:.-]*[ \t]*/?>|<[!?/][^>\n]*>")
_MARKUP = re.compile(
    r"<[!?/][^>]*>|<(?P<tag>[A-Za-z][\w:.-]*)(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
)
_ATTRIBUTE = re.compile(
    r"(?P<name>[^\s\"'>/=]+)(?:\s*=\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<bare>[^\s\"'=<>`]+)))?"
)
# Attributes that hold drawing and layout numbers, never words: SVG geometry, sizes,
# and subresource hashes. Read, they are rows of figures a phone pattern could take.
_NUMERIC_ATTRIBUTES = frozenset(
    {
        "style", "d", "points", "viewbox", "transform", "x", "y", "x1", "y1", "x2", "y2",
        "cx", "cy", "r", "rx", "ry", "width", "height", "integrity", "sizes",
        "stroke-dasharray", "stroke-width", "offset", "fill-opacity", "opacity",
    }
)  # fmt: skip


def _newlines(text: str) -> str:
    return "\n" * text.count("\n")


def _attribute_text(tag: str, attrs: str) -> str:
    """The attribute values a leak could hide in, each its own segment on its own line.

    Dropped: inline CSS, drawing and layout numbers, and the URLs of scripts
    and stylesheets, which are the theme's. Everything else, including
    ``href``, ``alt``, ``title`` and ``content``, is kept: ``mailto:`` links
    and image descriptions leak too.
    """
    skipped = (_NUMERIC_ATTRIBUTES | {"src"}) if tag == "script" else _NUMERIC_ATTRIBUTES
    if tag == "link" and "stylesheet" in attrs.lower():
        skipped = skipped | {"href"}
    pieces, cursor = [SEGMENT], 0
    for m in _ATTRIBUTE.finditer(attrs):
        group = m.lastindex or 1  # 1: a bare attribute (``defer``); 2-4: a value's quoting
        if group == 1 or m.group(1).lower() in skipped:
            continue
        start, end = m.span(group)
        if start > cursor and "\n" in attrs[cursor:start]:
            pieces.append(_newlines(attrs[cursor:start]))
        pieces.extend((attrs[start:end], SEGMENT))
        cursor = end
    if "\n" in attrs[cursor:]:
        pieces.append(_newlines(attrs[cursor:]))
    return "".join(pieces)


def _replace_block(m: re.Match[str]) -> str:
    if m.group("comment") is not None:
        return f"{SEGMENT}{m.group('comment')}{SEGMENT}"
    if m.group("cdata") is not None:
        return f"{SEGMENT}{m.group('cdata')}{SEGMENT}"
    return SEGMENT + _newlines(m.group())  # a stylesheet: the theme's, not the customers'


# Tags with attributes as read before: a site repeats most of its tags on every page (nine
# in ten at 1,000 stories), and a look-up costs a tenth of reading the attributes again.
_READ_TAGS: dict[str, str] = {}


def _replace_markup(m: re.Match[str]) -> str:
    whole = m.group()
    text = _READ_TAGS.get(whole)
    if text is not None:
        return text
    tag = m.group("tag")
    if tag is None:  # a closing tag, a doctype or a processing instruction
        text = SEGMENT + _newlines(whole)
    elif "=" not in (attrs := m.group("attrs")):
        text = SEGMENT + _newlines(attrs)
    else:
        text = _attribute_text(tag.lower(), attrs)
    if len(_READ_TAGS) >= 50_000:
        _READ_TAGS.clear()  # bounded: a worker reads a whole site
    _READ_TAGS[whole] = text
    return text


def strip_markup(text: str) -> str:
    """Visible text and attribute values of HTML or XML, every line break where it was.

    Each text node and attribute value becomes its own segment (see
    ``SEGMENT``), except across bare inline tags, which a reader does not see.
    A regex rather than a parser: it is several times faster over thousands
    of pages, and a guard that only needs words and line numbers does not
    care about the tree.
    """
    if "<" not in text:
        return text
    text = _BLOCKS.sub(_replace_block, text)
    text = _INLINE_BARE_TAG.sub(" ", text)
    text = _BARE_TAG.sub(SEGMENT, text)
    return _MARKUP.sub(_replace_markup, text)


_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\([\\/\"bfnrt])")
_JSON_SIMPLE = {"\\": "\\", "/": "/", '"': '"', "b": " ", "f": " ", "n": " ", "r": " ", "t": " "}


def _json_unescape(m: re.Match[str]) -> str:
    if m.group(1):
        char = chr(int(m.group(1), 16))
        return " " if char in "\r\n" else char
    return _JSON_SIMPLE[m.group(2)]


def _decode_line(line: str) -> str:
    if "%" in line:
        line = urllib.parse.unquote(line, errors="replace")
    if "&" in line:
        line = html.unescape(line)
    if "\\" in line:
        line = _JSON_ESCAPE.sub(_json_unescape, line)
    return line.replace("\n", " ").replace("\r", " ")


def decode_escapes(text: str) -> str:
    """Undo the escapes a leak could hide behind: ``&#64;``, ``\\u0040``, ``%40``.

    Line by line, and a decoded line break becomes a space, so a finding's
    line number is the line in the file.
    """
    if "&" not in text and "\\" not in text and "%" not in text:
        return text
    return "\n".join(_decode_line(line) for line in text.split("\n"))


def readable_text(text: str, suffix: str) -> str:
    """What the guard reads of a file: decoded text, markup reduced to what can leak."""
    if suffix not in MARKUP_SUFFIXES:
        return decode_escapes(text)
    stripped = strip_markup(text)
    decoded = decode_escapes(stripped)
    if decoded.count("<") > stripped.count("<"):
        decoded = strip_markup(decoded)  # a feed's escaped HTML content, now real tags
    return decoded


# -- what looks personal --------------------------------------------------------------------

# An address is found from its "@": far fewer places to try than every word on a page.
_LOCAL = re.compile(r"[\w.+%-]+\Z")  # searched up to the "@"
_DOMAIN = re.compile(
    r"[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*\.[^\W\d_]{2,}(?![\w-])"
)
# "icon@2x.png" in a srcset is an image name, not an address.
_FILE_ENDINGS = frozenset({"png", "jpg", "jpeg", "gif", "webp", "svg", "avif", "css", "js", "ico"})

# Patterns here start with the character class of their first character and look behind
# it afterwards: ``re`` then skips to candidates at C speed instead of trying every
# position of a page (same matches as the lookbehind written first, a fifth of the time).
_CARD = re.compile(r"\d(?<![\w.-]\d)(?:[ -]?\d){12,18}(?![\w-])")
# A run of digits and the separators phone numbers are written with. Never glued to a
# word, a path, a decimal or a clock ("09:12"): "tel:" before it is fine, "12:" is not.
_PHONE_CANDIDATE = re.compile(
    r"[+(\d](?<![\w+/.,-].)(?<!\d:.)(?:(?<=\+)\d|(?<=\()\+?\d|(?<=\d))"
    r"[\d \t\u00a0().\-]{5,}\d(?![\w/]|[.,:]\d)"
)
_CODES = r"(?:EUR|USD|GBP|CHF|CAD|AUD|SEK|NOK|DKK|PLN|JPY)"
_AFTER_FIRST_DIGIT = r"(?:\d{0,2}(?:[,.\u00a0\u202f ]\d{3})+|\d*)(?:[.,]\d{1,2})?"  # an amount
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
# Figures that are written like phone numbers but never are one. Each shape is strict
# enough that no phone number fits it (a dotted French number has five groups, not a
# date's three; a price is grouped by thousands, a phone is not), so masking them first
# cannot hide a real number. Every shape starts at a digit or a currency sign, taken
# before the alternatives so that the search skips the rest of the text at C speed; each
# alternative then checks, looking back, what that first character was and what stood
# before it.
_NOT_PHONE = re.compile(
    r"[\d$€£¥₹](?:"
    # ISO 8601 dates, with a time, fraction and zone when there are: 2026-03-04T09:12:00+00:00
    r"(?<![\w.-]\d)(?<=\d)\d{3}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?(?!\d)"
    # day-first and US dates: 04/03/2026, 4.3.26 (a dotted phone has more groups)
    r"|(?<![\d./-]\d)(?<=\d)\d?(?P<sep>[./-])\d{1,2}(?P=sep)(?:\d{4}|\d{2})(?!\d|[./-]\d)"
    # clock times with seconds, fractions and a zone: 09:12, 09:12:00.5 +0100
    r"|(?<![\d:]\d)(?<=\d)\d?:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"(?:\s?(?:Z|[+-](?:0\d|1[0-4]):?[0-5]\d)(?!\d))?"
    # prices and percentages: €1 234,56, $1,234.56, EUR 150.00, 150.00 EUR, 98.7 %
    rf"|(?<=[$€£¥₹])\s?\d{_AFTER_FIRST_DIGIT}(?!\d)"
    rf"|(?:(?<=\b{_CODES} \d)|(?<=\b{_CODES}\d)){_AFTER_FIRST_DIGIT}(?!\d)"
    rf"|(?<![\d.,]\d)(?<=\d){_AFTER_FIRST_DIGIT}\s?(?:[$€£¥₹%‰]|{_CODES}\b)"
    # year ranges: 2019-2021, 2025–2026
    r"|(?<![\d]\d)(?:(?<=1)9|(?<=2)0)\d\d\s?[-–—/]\s?(?:19|20)\d\d(?!\d)"
    # IPv4 addresses, no octet with a leading zero (a Belgian "02.123.45.67" has one)
    rf"|(?<![\d.]\d)(?<=[1-9])\d{{0,2}}\.{_OCTET}\.{_OCTET}\.{_OCTET}(?![\d.])"
    # version numbers with their word: v2.3.4, version 10.0.19045.3803
    r"|(?:(?<=\b[vV]\d)|(?i:(?<=version \d)|(?<=ver\. \d)|(?<=build \d)|(?<=release \d)))"
    r"\d*(?:\.\d+)+"
    r")"
)
_DIGIT_GROUPS = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def _card_brand_length(digits: str) -> bool:
    """Whether the number starts and is as long as a real card scheme's (Visa, Mastercard…).

    Together with Luhn this keeps hashes and order numbers that happen to be
    all digits from being reported as cards.
    """
    n = len(digits)
    two, four = int(digits[:2]), int(digits[:4])
    if digits[0] == "4":
        return n in (13, 16, 19)
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return n == 16
    if two in (34, 37):
        return n == 15
    if two in (36, 38) or 300 <= int(digits[:3]) <= 305:
        return n in (14, 16)
    if four == 6011 or two == 65 or 644 <= int(digits[:3]) <= 649 or two == 62:
        return 16 <= n <= 19
    if 3528 <= four <= 3589:
        return 16 <= n <= 19
    return two in (50, 56, 57, 58, 63, 67) and 12 <= n <= 19  # Maestro


def _blank(m: re.Match[str]) -> str:
    return SEGMENT * (m.end() - m.start())


def mask_not_phones(text: str) -> str:
    """``text`` with dates, times, prices, versions and the like blanked, offsets unchanged.

    Phones are then looked for in what is left, so a timestamp or a price
    never lends its digits to a number beside it.
    """
    return _NOT_PHONE.sub(_blank, text)


def _dialled_shape(candidate: str) -> bool:
    """Whether the digits are grouped as people write phone numbers.

    Rows of single figures ("1 2 3 4 5 6 7", a pager, a list of ratings) are
    not: a number has at most a country code and one short group alone.
    """
    groups = _DIGIT_GROUPS.findall(candidate)
    return sum(len(g) == 1 for g in groups) <= 2


@lru_cache(maxsize=65536)
def phone_spans(candidate: str) -> tuple[tuple[int, int], ...]:
    """Phone numbers inside a run of digits and separators, as offsets into it.

    Valid numbers (in any of ``PHONE_REGIONS``) always count. Numbers that
    are only *possible*, like the fictional UK 07700 900xxx range, count when
    written as phone numbers are, with a "+" or a trunk "0" and ten digits or
    more, so counts and figures stay quiet. Cached: the same figures recur
    on every page.
    """
    digits = sum(c.isdigit() for c in candidate)
    if not 7 <= digits <= 17 or not _dialled_shape(candidate):
        return ()
    found: set[tuple[int, int]] = set()
    valid = phonenumbers.Leniency.VALID
    for region in PHONE_REGIONS:
        for m in phonenumbers.PhoneNumberMatcher(candidate, region, leniency=valid):
            found.add((m.start, m.end))
    stripped = candidate.lstrip("(")
    if digits >= 10 and stripped[:1] in ("+", "0"):
        possible = phonenumbers.Leniency.POSSIBLE
        for region in ("GB", "FR"):
            for m in phonenumbers.PhoneNumberMatcher(candidate, region, leniency=possible):
                if sum(c.isdigit() for c in m.raw_string) >= 10:
                    found.add((m.start, m.end))
    return tuple(sorted(found))


def warm_up() -> None:
    """Load now what the first page would: the word lists, the name pattern, every phone region.

    About 60 ms, paid once per process. A process that starts reading pages
    while the site is still being written should pay it before the first page
    arrives, not while the pages queue up behind it.
    """
    lexicon()
    _capitalised_runs()
    phone_spans.__wrapped__("020 7946 0000")
    phone_spans.__wrapped__("+44 20 7946 0000")


_LABEL = "tel "


@lru_cache(maxsize=4096)
def labelled_phone_spans(candidate: str) -> tuple[tuple[int, int], ...]:
    """Phone numbers in a run that a phone word ("call", "tel", "mobile") stands before.

    There the anonymizer's own, lenient detector decides, so a number it
    would have redacted ("mobile: 555-0143") is found again if it comes
    back. It is given the run after a label of its own, as it would have
    seen it in the message; without a label it is too lenient for a whole
    site of figures.
    """
    if not _dialled_shape(candidate):
        return ()
    shift = len(_LABEL)
    return tuple(
        (s.start - shift, s.end - shift)
        for s in find_structured(_LABEL + candidate)
        if s.kind == "phone" and s.start >= shift
    )


@dataclass(frozen=True, slots=True)
class Hit:
    """A suspected leak inside one text, before it is placed on a line."""

    kind: str
    start: int
    end: int
    value: str


class Allowed:
    """Values the founder declared public (the site's contact address, its phone line)."""

    def __init__(self, allow: Iterable[str]) -> None:
        self.texts = {normalise(a) for a in allow}
        self.numbers = {d for a in allow if len(d := re.sub(r"\D", "", a)) >= 7}
        self._fingerprint: bytes | None = None

    @property
    def fingerprint(self) -> bytes:
        """The same bytes in every process and build for the same values: part of what a
        piece read once is known by (``Pieces``), so it cannot be a Python hash."""
        if self._fingerprint is None:
            parts = [*sorted(self.texts), "\0", *sorted(self.numbers)]
            self._fingerprint = hashlib.blake2b(
                "\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16
            ).digest()
        return self._fingerprint

    def __contains__(self, value: str) -> bool:
        if normalise(value) in self.texts:
            return True
        digits = re.sub(r"\D", "", value)
        return len(digits) >= 7 and digits in self.numbers

    def plus(self, values: Iterable[str]) -> Allowed:
        """These values and ``values`` too: one page's own allowances on top of the site's."""
        more = Allowed(())
        more.texts = self.texts | {normalise(v) for v in values}
        more.numbers = self.numbers
        return more


def allowed_on(allow: Allowed, shown: Sequence[ShownName], path: str, text: str) -> Allowed:
    """What may appear in the file at ``path`` (output-relative, "/"), its raw ``text``."""
    words = [w for s in shown if s.on(path, text) for w in s.words]
    return allow.plus(words) if words else allow


_PREVIOUS_WORD = re.compile(r"([^\W\d_]+)\.?[ \t\u00a0]*\Z")
_SENTENCE_END = frozenset(".!?…:" + SEGMENT)  # after a colon, English capitalises too
_QUOTES = frozenset("\"'“‘«„")  # a quotation, or a JSON string, opens like a sentence
_SPACES = " \t\n\u00a0"
# A word glued to these is part of a URL, a file name or an identifier ("/2005/Atom").
_GLUED = frozenset("/\\.=_#@&?%+~0123456789")
# A word in a date: "4 Mar 2026", "Mar 4, 2026", "May 2026".
_NUMBER_BEFORE = re.compile(r"\d[ \t\u00a0]+\Z")
_DATE_AFTER = re.compile(r"\.?[ \t\u00a0]+(?:\d{1,2}(?:st|nd|rd|th)?,?[ \t\u00a0]+)?\d{4}\b")


def starts_sentence(text: str, pos: int) -> bool:
    """Whether the word at ``pos`` opens a sentence, a quotation, a text node or the file."""
    i = pos - 1
    while i >= 0 and text[i] in _SPACES:
        i -= 1
    if i >= 0 and text[i] in _QUOTES:
        return True
    while i >= 0 and (text[i] in _SPACES or text[i] in "([¿¡"):
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


def in_title_case(text: str, pos: int) -> bool:
    """Whether the line or text node around ``pos`` is a title ("The Export That Will…")."""
    start = max(text.rfind("\n", 0, pos), text.rfind(SEGMENT, 0, pos)) + 1
    ends = [e for e in (text.find("\n", pos), text.find(SEGMENT, pos)) if e >= 0]
    words = [w for w in _WORD.findall(text, start, min(ends, default=len(text))) if len(w) > 3]
    capital = sum(w[0].isupper() for w in words)
    return capital >= 3 and capital >= 0.7 * len(words)


def named_here(text: str, start: int, word: str, always_capitalised: bool) -> bool:
    """Whether a word that is also an ordinary word is used as a name at ``start``.

    A redacted customer called Will or Rose must not flag every "will" and
    "rose" of the site, so such a word counts only where a name would be
    written and the word would not: after a title ("Ms Rose"), or capitalised
    in the middle of a sentence ("thanks, Will!"), outside titles, dates and
    URLs. Months,
    weekdays and brands ("May", "June") are capitalised anyway: they count
    after a title only. Full names ("Rose Tyler") are matched as phrases and
    need none of this.
    """
    if start > 0 and text[start - 1] in _GLUED:
        return False  # inside a URL, a file name or an identifier
    before = _PREVIOUS_WORD.search(text, max(0, start - 24), start)
    if before is not None and before.group(1).casefold() in TITLES:
        return True
    if always_capitalised or not word[0].isupper() or word.isupper():
        return False
    if _NUMBER_BEFORE.search(text, max(0, start - 8), start):
        return False  # "4 Mar 2026", "Room 12 Will"
    if _DATE_AFTER.match(text, start + len(word)):
        return False  # "Mar 4, 2026", "May 2026"
    return not starts_sentence(text, start) and not in_title_case(text, start)


# Every upper-case letter Unicode has lies below this (the last, Adlam's, is U+1E921): the
# list is made from 120,000 code points instead of 1.1 million, a build's 0.15 s.
UPPER_BELOW = 0x20000


@lru_cache(maxsize=1)
def _capitalised_runs() -> re.Pattern[str]:
    """Two or more capitalised words with only white space between them, whole words only.

    Words are ``_WORD``'s: a run starts where ``_WORD`` would start a word (not
    after a letter, nor after a letter and an apostrophe or hyphen), and a word
    is capitalised when its first letter is upper case (``str.isupper``), so
    every phrase ``NameMatcher`` hashes lies inside one of these runs. The
    upper-case letters are listed once from Unicode, as ``re`` has no class
    for them.
    """
    letter = re.compile(r"[^\W\d_]")
    codes = [c for c in range(UPPER_BELOW) if chr(c).isupper() and letter.match(chr(c))]
    ranges: list[list[int]] = []
    for c in codes:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    upper = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    # A capital: found by a cheap class (ASCII capitals or anything past Latin-1's symbols),
    # then held to the exact one. A class of 600 ranges tried at every position is slow.
    capital = rf"[A-Z\u00c0-\U0010ffff](?<=[{upper}])"
    rest = r"[^\W\d_]*(?:['’-][^\W\d_]+)*"
    first = rf"{capital}(?<![^\W\d_].)(?<![^\W\d_]['’-].){rest}"  # class first: see _CARD
    return re.compile(rf"{first}(?:\s+{capital}{rest})+")


_LETTER = re.compile(r"[^\W\d_]")
_JOINERS = "'’-"


def _whole_words(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` begins and ends where ``_WORD`` cuts words."""
    if start > 0 and (
        _LETTER.match(text, start - 1)
        or (start > 1 and text[start - 1] in _JOINERS and _LETTER.match(text, start - 2))
    ):
        return False
    return not (
        end < len(text)
        and (
            _LETTER.match(text, end)
            or (text[end] in _JOINERS and end + 1 < len(text) and _LETTER.match(text, end + 1))
        )
    )


def _occurrences(text: str, value: str) -> Iterator[int]:
    """Where ``value`` stands in ``text`` as whole words."""
    at = text.find(value)
    while at != -1:
        if _whole_words(text, at, at + len(value)):
            yield at
        at = text.find(value, at + 1)


class NameMatcher:
    """Recognises names the anonymizer recorded as redacted, by their keyed digest.

    Every word, and every run of two or three capitalised words ("Maren
    Holt"), even across tags, is hashed the way ``goodwill.digest`` hashed
    the original. A site repeats its words from page to page, so each
    distinct word and each distinct run of capitalised words is hashed once
    per matcher; a page is then judged with set operations, and only a page
    that holds a hashed hit is read word by word, at the hit's places. A
    single word that is also an ordinary word (the anonymizer's own list,
    ``goodwill/data/name_words.txt``) must pass ``named_here`` as well.
    """

    def __init__(self, key: bytes, digests: Iterable[str]) -> None:
        self.digests = frozenset(digests)
        self.of = digester(key, "name")
        self.cache: dict[str, bool] = {}
        self.sorts: dict[str, str] = {}  # word -> "name", "ordinary" or "capitalised"
        self.seen: set[str] = set()  # words hashed already
        self.hit_words: set[str] = set()  # ... and those whose digest is a redacted name
        self.runs: dict[str, tuple[str, ...]] = {}  # a run -> its phrases that are names
        self.hashed: list[str] = []  # digests of the words and phrases hashed, see ``drain``
        self.clean_segments: set[str] = set()  # text between tags with no name in it
        # Pieces (feed entries, story cards) read with this matcher (``_scan_entries``).
        self.entries = Pieces()

    def matches(self, words: str) -> bool:
        hit = self.cache.get(words)
        if hit is None:
            value = self.of(words)
            self.hashed.append(value)
            hit = self.cache[words] = value in self.digests
        return hit

    def drain(self) -> list[str]:
        """The digest of every word and phrase hashed since the last call.

        Every word and phrase a page could hold a name in is hashed once, so
        these cover every page read: a later build can tell from them alone
        whether a newly redacted name could be on any page read before.
        """
        hashed, self.hashed = self.hashed, []
        return hashed

    def _named(self, text: str, start: int, word: str) -> bool:
        """Whether a word whose digest matched is used as a name here."""
        sort = self.sorts.get(word)
        if sort is None:
            folded = fold(word)
            sort = self.sorts[word] = (
                "capitalised"
                if folded in lexicon().capitalised
                else "ordinary"
                if folded in lexicon().name_words
                else "name"
            )
        if sort == "name":
            return True
        return named_here(text, start, word, always_capitalised=sort == "capitalised")

    def _phrases(self, run: str) -> tuple[str, ...]:
        """The two- and three-word phrases of a run whose digest is a redacted name."""
        words = [(m.start(), m.end()) for m in _WORD.finditer(run)]
        phrases = (
            run[words[i][0] : words[j][1]]
            for i in range(len(words))
            for j in (i + 1, i + 2)
            if j < len(words)
        )
        return tuple(p for p in phrases if self.matches(p))

    def find(self, text: str) -> list[Hit]:
        """Every redacted name in ``text``, in order (longest first where two start together)."""
        # Words never cross a segment, and pages repeat theirs (the quote in five meta tags,
        # the same header on every page): only segments not yet known clean are read.
        segments = set(text.split(SEGMENT))
        fresh = segments - self.clean_segments
        words = set(_WORD.findall(SEGMENT.join(fresh)))
        for word in words - self.seen:
            self.seen.add(word)
            if self.matches(word):
                self.hit_words.add(word)
        named = [w for w in words & self.hit_words if len(w) > 1]
        if not named:
            if len(self.clean_segments) > 250_000:
                self.clean_segments.clear()  # bounded: a worker may read a whole large site
            self.clean_segments |= fresh
        runs = self.runs
        phrases: set[str] = set()
        # The word lists and the pattern are made on first use: in the guard's workers, not
        # in the process that renders the site.
        for run in set(_capitalised_runs().findall(text)):
            found = runs.get(run)
            if found is None:
                found = runs[run] = self._phrases(run)
            phrases.update(found)
        if not named and not phrases:
            return []
        hits = [
            Hit("name", at, at + len(w), w)
            for w in named
            for at in _occurrences(text, w)
            if self._named(text, at, w)
        ]
        hits += [Hit("name", at, at + len(p), p) for p in phrases for at in _occurrences(text, p)]
        hits.sort(key=lambda h: (h.start, -h.end))
        return hits


# Where a phone number could be once figures are masked: every phone candidate is such a
# run (its digits and separators are left as they were), less a leading "+" or "(".
_PHONE_RUN = re.compile(r"\d[\d \t\u00a0().\-]{5,}\d")
# Nothing masked or looked for around phones ever holds a lower-case ASCII letter, so no
# mask, candidate or look-around decision reaches across one: a window cut there reads as
# the whole text would. The window reaches this far before a run for the phone label.
_CUT = frozenset("abcdefghijklmnopqrstuvwxyz")
_LABEL_REACH = 40  # PHONE_LABEL is searched in the 30 characters before a candidate


def _masked_windows(text: str) -> Iterator[tuple[int, str]]:
    """The stretches of ``text`` a phone could be in, figures masked, with their offsets.

    Equal, stretch by stretch, to ``mask_not_phones(text)``: masking a whole
    page cost more than finding phones in it, and most of a page (words,
    URLs, tags) can hold no phone at all.
    """
    n = len(text)
    windows: list[list[int]] = []
    for run in _PHONE_RUN.finditer(text):
        a = max(0, run.start() - _LABEL_REACH)
        while a > 0 and text[a] not in _CUT:
            a -= 1
        b = min(n, run.end() + 2)
        while b < n and text[b - 1] not in _CUT:
            b += 1
        if windows and a <= windows[-1][1]:
            windows[-1][1] = max(b, windows[-1][1])
        else:
            windows.append([a, b])
    for a, b in windows:
        pieces, cursor = [], a
        for m in _NOT_PHONE.finditer(text, a, b):
            pieces += (text[cursor : m.start()], SEGMENT * (m.end() - m.start()))
            cursor = m.end()
        pieces.append(text[cursor:b])
        yield a, "".join(pieces)


def find_leaks(
    text: str, allow: Iterable[str] | Allowed = (), names: NameMatcher | None = None
) -> list[Hit]:
    """Everything in ``text`` that looks personal, in order, overlaps resolved.

    Pure: the scanner above it deals with files, this with strings, so each
    detector can be shown working on a sentence.
    """
    allowed = allow if isinstance(allow, Allowed) else Allowed(allow)
    hits: list[Hit] = []
    at = text.find("@")
    while at != -1:
        local, domain = _LOCAL.search(text, max(0, at - 64), at), _DOMAIN.match(text, at + 1)
        at = text.find("@", at + 1)
        if local is None or domain is None:
            continue
        value = text[local.start() : domain.end()]
        if value.rsplit(".", 1)[-1].lower() not in _FILE_ENDINGS and value not in allowed:
            hits.append(Hit("email", local.start(), domain.end(), value))
    cards: list[Hit] = []
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if _card_brand_length(digits) and luhn_valid(digits) and m.group() not in allowed:
            cards.append(Hit("card", m.start(), m.end(), m.group()))
    hits.extend(cards)
    for offset, phone_text in _masked_windows(text):
        for m in _PHONE_CANDIDATE.finditer(phone_text):
            spans = phone_spans(m.group())
            if not spans and PHONE_LABEL.search(phone_text, max(0, m.start() - 30), m.start()):
                spans = labelled_phone_spans(m.group())
            for start, end in spans:
                s, e = offset + m.start() + start, offset + m.start() + end
                value = text[s:e]
                inside_other = any(h.start <= s < h.end or s <= h.start < e for h in hits)
                if not inside_other and value not in allowed:
                    hits.append(Hit("phone", s, e, value))
    if names is not None:
        hits.extend(h for h in names.find(text) if h.value not in allowed)
    hits.sort(key=lambda h: (h.start, -h.end))
    kept: list[Hit] = []
    for hit in hits:
        if kept and hit.start < kept[-1].end and hit.kind == kept[-1].kind:
            continue  # "Maren" inside "Maren Holt": one finding is enough
        kept.append(hit)
    return kept


# -- reporting without re-leaking -----------------------------------------------------------


def mask(value: str) -> str:
    """Enough of a value to recognise it in the file, not enough to learn it from the report."""
    if len(value) <= 4:
        return "…"
    keep = 2 if len(value) >= 8 else 1
    return f"{value[:keep]}…{value[-keep:]}"


def excerpt(text: str, hit: Hit, hits: Sequence[Hit], context: int = 30) -> str:
    """The hit in its surroundings on one line, every found value in it masked."""
    start, end = max(0, hit.start - context), min(len(text), hit.end + context)
    pieces, cursor = [], start
    for other in hits:
        if other.end <= start or other.start >= end or other.start < cursor:
            continue
        pieces.extend((text[cursor : other.start], mask(other.value)))
        cursor = other.end
    pieces.append(text[cursor:end])
    return " ".join("".join(pieces).split())


# -- files ----------------------------------------------------------------------------------


def _files(output_dir: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(output_dir):
        dirs.sort()
        for name in sorted(files):
            if os.path.splitext(name)[1].lower() in SCANNED_SUFFIXES:
                yield Path(root, name)


def scan_text(
    text: str,
    path: str,
    suffix: str,
    allow: Iterable[str] | Allowed = (),
    names: NameMatcher | None = None,
    shown: Sequence[ShownName] = (),
    pieces: Pieces | None = None,
) -> list[Finding]:
    """The findings in one file's text; ``suffix`` says how to read it (".html", ".json"…).

    ``path`` is the file's place in the output, with "/": it decides, with ``shown``,
    which customers' chosen names this file may show. ``pieces``: the story cards and feed
    entries read already (by default, those ``names`` read, or, without names, this
    process's).
    """
    allowed = allow if isinstance(allow, Allowed) else Allowed(allow)
    here = allowed_on(allowed, shown, path, text)
    if suffix in MARKUP_SUFFIXES and _PIECE.search(text) and not _SPANNING.search(text):
        if pieces is None:
            pieces = names.entries if names is not None else _ENTRIES
        return _scan_entries(text, path, suffix, here, names, pieces)
    return [
        Finding(path, line, kind, shown_as)
        for line, kind, shown_as in _scan(text, suffix, here, names)
    ]


def _scan(
    text: str, suffix: str, allowed: Allowed, names: NameMatcher | None
) -> list[tuple[int, str, str]]:
    """(line, kind, excerpt) of each finding in ``text``."""
    return _found(readable_text(text, suffix), allowed, names)


def _found(
    readable: str, allowed: Allowed, names: NameMatcher | None
) -> list[tuple[int, str, str]]:
    """(line, kind, excerpt) of each finding in a file's readable text."""
    hits = find_leaks(readable, allowed, names)
    return [
        (readable.count("\n", 0, h.start) + 1, h.kind, excerpt(readable, h, hits)) for h in hits
    ]


# A site's feeds repeat each other: the site-wide feed and each category's carry the same
# entries, byte for byte (at 100 stories, both whole). So do its walls: a story's card is on
# the wall, its pledges' walls and its product's (at 5,000 stories, 17,600 cards on 1,500
# pages, 5,000 of them different), and a story dated mid-range shifts every newer wall page
# by one card, so a rebuild writes 500 pages again (1.5 ms each to read whole, measured)
# made of cards read before. A page is cut where a feed entry or a story card starts, and
# each piece is read once (``Pieces``).
#
# Two things are found across tags: a name whose words stand in two text nodes ("Maren" at
# the end of one, "Holt" opening the next) and a number after a phone label. So a piece is
# read on its own only when its text opens with neither (``_opens_apart``): a card's opens
# with its class, "card", in lower case; a feed entry's usually with its title, and is then
# read together with the piece before it. A page with a comment or CDATA section, which
# could span pieces, is read whole.
_PIECE = re.compile(r'<(?:entry|item)[\s>]|<article class="card"[\s>]')
_SPANNING = re.compile(r"<!--|<!\[CDATA\[|&lt;!--|&lt;!\[CDATA\[")
_MAX_PIECES = 40_000  # pieces remembered: a 5,000-story site has 5,000 cards and its entries
_CLEAN: tuple[tuple[tuple[int, str, str], ...], bool] = ((), True)


class Pieces:
    """The pieces of pages (story cards, feed entries) read so far, and what each held.

    A piece is known by a hash of its text, of how it is read (the file's suffix) and of
    the values allowed where it stands, not by the text itself: the memo holds a whole
    site's cards. Each value is (findings, whether the piece may be read apart from the
    one before it); the findings are None for a piece that may not.

    ``clean``: pieces an earlier build read apart and found nothing in. A name matcher
    records the digest of every word it hashes (``NameMatcher.drain``), so that a name
    redacted later is looked for on the pages read before; a piece skipped here was read
    by an earlier build's matcher, whose words are in that build's record. So a caller
    may pass ``clean`` only with the record they came from, and only while no name has
    been redacted since that could be in it (``goodwill_site.leakcheck`` does both).
    ``drain`` hands over the pieces newly read clean, for the next build's record.
    """

    def __init__(self, clean: Iterable[bytes] = ()) -> None:
        self.read: dict[bytes, tuple[Any, bool]] = dict.fromkeys(clean, _CLEAN)
        self.fresh: list[bytes] = []

    def drain(self) -> list[bytes]:
        """The pieces read apart and found clean since the last call."""
        fresh, self.fresh = self.fresh, []
        return fresh


_ENTRIES = Pieces()  # what this process read without a name matcher


def _opens_apart(readable: str) -> bool:
    """Whether nothing found in a piece's readable text can begin before it: it opens, after
    white space and segment marks, with no capital (a name's next word) and no digit, "+" or
    "(" (a number a phone label before it would make a phone)."""
    head = readable.lstrip(" \t\n\r\f\v\u00a0" + SEGMENT)
    return bool(head) and not (head[0].isupper() or head[0].isdigit() or head[0] in "+(")


def _read_piece(
    piece: str,
    suffix: str,
    allowed: Allowed,
    names: NameMatcher | None,
    pieces: Pieces,
) -> tuple[Sequence[tuple[int, str, str]] | None, bool]:
    """A piece's findings, and whether it may be read apart from the piece before it; the
    findings are None for a piece that may not (it is read with the one before it)."""
    key = hashlib.blake2b(suffix.encode() + allowed.fingerprint, digest_size=16)
    key.update(piece.encode("utf-8", "surrogatepass"))
    digest = key.digest()
    known = pieces.read.get(digest)
    if known is None:
        if len(pieces.read) >= _MAX_PIECES:
            pieces.read.clear()  # bounded
        readable = readable_text(piece, suffix)
        apart = _opens_apart(readable)
        found = _found(readable, allowed, names) if apart else None
        known = pieces.read[digest] = (found, apart)
        if apart and not found and len(pieces.fresh) < _MAX_PIECES:  # bounded, undrained
            pieces.fresh.append(digest)
    return known


def _scan_entries(
    text: str,
    path: str,
    suffix: str,
    allowed: Allowed,
    names: NameMatcher | None,
    pieces: Pieces,
) -> list[Finding]:
    cuts = [0, *(m.start() for m in _PIECE.finditer(text) if m.start() > 0)]
    # A piece that cannot be read apart joins the one before it: (start, end, its findings
    # when it stands alone; None once another piece has joined it).
    groups: list[tuple[int, int, Sequence[tuple[int, str, str]] | None]] = []
    for start, end in zip(cuts, [*cuts[1:], len(text)], strict=True):
        found, apart = _read_piece(text[start:end], suffix, allowed, names, pieces)
        if groups and not apart:
            groups[-1] = (groups[-1][0], end, None)
        else:
            groups.append((start, end, found))
    findings: list[Finding] = []
    for start, end, found in groups:
        if found is None:  # pieces read together (or a first piece that opens joined)
            found = _found(readable_text(text[start:end], suffix), allowed, names)
        first_line = text.count("\n", 0, start)
        findings += [
            Finding(path, first_line + line, kind, shown_as) for line, kind, shown_as in found
        ]
    return findings


def scan_output(
    output_dir: Path,
    name_digests: set[str] | frozenset[str] = frozenset(),
    key: bytes | None = None,
    allow: Iterable[str] = (),
    shown: Sequence[ShownName] = (),
) -> list[Finding]:
    """Every suspected leak in a built site, file by file in a stable order.

    ``name_digests`` are the digests of redacted names from the redaction
    sidecars; without ``key`` names cannot be recognised and only addresses,
    numbers and cards are looked for. ``allow`` lists values that are public
    on purpose (the site's own contact address).
    """
    output_dir = Path(output_dir)
    if not output_dir.is_dir():
        raise GuardError(f"{output_dir}: no such folder; build the site first, then check it")
    allowed = Allowed(allow)
    names = NameMatcher(key, name_digests) if key and name_digests else None
    findings: list[Finding] = []
    for file in _files(output_dir):
        try:
            text = file.read_bytes().decode("utf-8", errors="replace")
        except OSError as exc:
            raise GuardError(
                f"{file}: cannot be read ({exc.strerror}); check its permissions"
            ) from exc
        rel = file.relative_to(output_dir).as_posix()
        findings.extend(scan_text(text, rel, file.suffix.lower(), allowed, names, shown))
    return findings


def format_findings(findings: Iterable[Finding]) -> str:
    """One line per finding, as compilers print errors: editors can jump to them."""
    default = "remove it from content/ and build again"
    return "\n".join(
        f"{f.path}:{f.line}: {f.kind}: {f.excerpt} — {ADVICE.get(f.kind, default)}"
        for f in findings
    )


# -- the redaction records and the command --------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="goodwill check",
        description="Scan a built site for e-mail addresses, phone numbers, card numbers and"
        " redacted names before it is published.",
    )
    parser.add_argument("output_dir", type=Path, metavar="OUTPUT_DIR")
    parser.add_argument(
        "--key-file", type=Path, help="the digest key (default: GOODWILL_KEY_FILE's setting)"
    )
    parser.add_argument(
        "--content", type=Path, help="where the *.redactions.json sidecars are (default: PATH)"
    )
    parser.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="ADDR",
        help="a value that is public on purpose, like the site's contact address (repeatable)",
    )
    parser.add_argument("--settings", type=Path, help="pelicanconf.py to read (default: ./)")
    return parser


def _names_setup(args: argparse.Namespace) -> tuple[bytes | None, set[str], str]:
    """The key and name digests, and a note for the summary when names cannot be checked."""
    from goodwill.keys import KeyFileError, load_key
    from goodwill.settings import SettingsError, load

    try:
        settings = load(args.settings)
    except SettingsError as exc:
        raise GuardError(str(exc)) from exc
    key_file = args.key_file or Path(settings.key_file)
    if args.key_file is not None and not key_file.exists() and not os.environ.get("GOODWILL_KEY"):
        raise GuardError(f"{key_file}: no such key file; give the path to .goodwill/key")
    try:
        key = load_key(key_file, create=False)
    except (KeyFileError, OSError) as exc:
        raise GuardError(str(exc)) from exc
    content = args.content or settings.content_dir
    digests = load_name_digests(content) if content.is_dir() else set()
    if key is None:
        return None, digests, f"names not checked: no key at {key_file}"
    return key, digests, f"{len(digests)} redacted names checked"


def main(argv: list[str] | None = None) -> int:
    """``goodwill check OUTPUT_DIR``: 0 and one line when clean, 1 and every finding when not."""
    args = _parser().parse_args(argv)
    try:
        key, digests, names_note = _names_setup(args)
        findings = scan_output(args.output_dir, digests, key, args.allow)
        files = sum(1 for _ in _files(args.output_dir))
    except GuardError as exc:
        print(f"goodwill check: {exc}", file=sys.stderr)
        return 2
    if findings:
        print(format_findings(findings))
        print(
            f"goodwill check: {len(findings)} possible leak(s) in {args.output_dir};"
            " fix them in content/ and build again",
            file=sys.stderr,
        )
        return 1
    counted = f"{files} file{'' if files == 1 else 's'}"
    print(f"goodwill check: OK, {counted} in {args.output_dir} clean ({names_note})")
    return 0
