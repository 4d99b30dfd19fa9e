"""Dates as mail clients and helpdesk exports write them, turned into aware UTC datetimes.

Every later step (first-reply minutes, business days, the ledger) compares times across
messages from different clients and zones, so all datetimes leave the readers aware and
in UTC. A time written without a zone (an Outlook "Sent:" line, a CSV export) is taken as
UTC: guessing the founder's local zone would be wrong as often as it is right.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime, parsedate_tz

from dateutil import parser as dateutil_parser

_YEAR = re.compile(r"\b(19|20)\d\d\b")
# email.utils reads "4:10 PM" as 04:10; texts with a 12-hour clock go to dateutil instead.
_TWELVE_HOUR = re.compile(r"\d\s*[ap]\.?m\b\.?", re.IGNORECASE)
_AT = re.compile(r"\s+at\s+", re.IGNORECASE)


def to_utc(value: datetime) -> datetime:
    """The same instant in UTC; a naive value is read as UTC (see the module docstring)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_date(text: str) -> datetime | None:
    """An RFC 5322, ISO 8601 or common client-written date; None when it cannot be read.

    The one date reader of every inbox shape: Date headers, pasted "Sent:" lines,
    attribution lines in many languages, helpdesk exports. Dates without a year are
    refused rather than completed with the current year, which would silently move an old
    thread into this one; a 12-hour time keeps its AM/PM ("4:10 PM" is 16:10).
    """
    text = " ".join(text.split())
    if not text:
        return None
    if not _TWELVE_HOUR.search(text):
        try:
            return to_utc(parsedate_to_datetime(text))
        except (TypeError, ValueError, IndexError):
            pass
    try:
        return to_utc(datetime.fromisoformat(text))
    except ValueError:
        pass
    # Month names in many languages ("mardi 3 mars 2026 09:12", "3. März 2026 um 11:02"),
    # dotted and ISO dates inside other words: what mail clients write in attributions.
    found = _written_date(text)
    if found is not None or not _YEAR.search(text):
        return found
    try:
        return to_utc(dateutil_parser.parse(_AT.sub(" ", text)))
    except (ValueError, OverflowError):
        return None


_MONTHS = {
    "jan": 1, "ja": 1, "feb": 2, "fév": 2, "fev": 2, "febr": 2, "mar": 3, "mär": 3, "maa": 3,
    "apr": 4, "avr": 4, "abr": 4, "may": 5, "mai": 5, "mei": 5, "maj": 5, "mag": 5, "mayo": 5,
    "jun": 6, "juin": 6, "giu": 6, "jul": 7, "juil": 7, "lug": 7, "aug": 8, "aoû": 8,
    "aou": 8, "ago": 8, "sep": 9, "set": 9, "okt": 10, "oct": 10, "ott": 10, "out": 10,
    "nov": 11, "dec": 12, "déc": 12, "dez": 12, "dic": 12, "des": 12,
}  # fmt: skip
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DOTTED = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})\b")
_DAY_MONTH_YEAR = re.compile(
    r"\b(\d{1,2})\.?\s+(?:de\s+)?([^\W\d_]{3,10})\.?,?\s+(?:de\s+)?(\d{4})"
)
_MONTH_DAY_YEAR = re.compile(r"\b([^\W\d_]{3,10})\.?\s+(\d{1,2}),?\s+(\d{4})")
_TIME = re.compile(r"\b(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap])?\.?(?:m\b\.?)?", re.IGNORECASE)
_OFFSET = re.compile(r"(?<![\d:])([+-])(\d{2}):?(\d{2})\b")


def _month(word: str) -> int:
    w = word.lower()
    for size in (4, 3, 2):
        if w[:size] in _MONTHS and (size > 2 or len(w) == 2):
            return _MONTHS[w[:size]]
    return 0


def _written_date(t: str) -> datetime | None:
    """Day, month and year as people write them, with an optional time, 12-hour clock and
    offset; None when a part is missing. Slashed dates (01/03/26) read differently from
    one country to the next, so they are left to the caller's fallback, or to nothing.
    """
    year = month = day = 0
    if m := _ISO.search(t):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _DAY_MONTH_YEAR.search(t):
        day, month, year = int(m.group(1)), _month(m.group(2)), int(m.group(3))
    elif m := _MONTH_DAY_YEAR.search(t):
        month, day, year = _month(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _DOTTED.search(t):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        year += 2000 if year < 100 else 0
    if not (year and month and day):
        return None
    hour = minute = second = 0
    rest = t[m.end() :] if m else t
    if tm := _TIME.search(rest) or _TIME.search(t):
        hour, minute, second = int(tm.group(1)), int(tm.group(2)), int(tm.group(3) or 0)
        if tm.group(4):
            hour = hour % 12 + (12 if tm.group(4).lower() == "p" else 0)
    tz = UTC
    if off := _OFFSET.search(rest):
        delta = timedelta(hours=int(off.group(2)), minutes=int(off.group(3)))
        tz = timezone(delta if off.group(1) == "+" else -delta)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=tz).astimezone(UTC)
    except ValueError:
        return None


def zone_offset(text: str) -> timedelta | None:
    """The UTC offset an RFC 5322 date was written in, None when it has none.

    Attribution lines ("On Tue, 3 Mar 2026 at 11:02, Ann wrote:") are written in the
    local time of the person quoting, which is the zone of their own Date header.
    """
    parsed = parsedate_tz(" ".join(text.split()))
    if parsed is None or parsed[9] is None:
        return None
    return timedelta(seconds=parsed[9])
