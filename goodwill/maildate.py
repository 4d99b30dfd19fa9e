"""Dates as mail clients and helpdesk exports write them, turned into aware UTC datetimes.

Every later step (first-reply minutes, business days, the ledger) compares times across
messages from different clients and zones, so all datetimes leave the readers aware and
in UTC. A time written without a zone (an Outlook "Sent:" line, a CSV export) is taken as
UTC: guessing the founder's local zone would be wrong as often as it is right.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime, parsedate_tz

from dateutil import parser as dateutil_parser

from goodwill import replies

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

    Dates without a year are refused rather than completed with the current year, which
    would silently move an old thread into this one.
    """
    text = " ".join(text.split())
    if not text:
        return None
    if not _TWELVE_HOUR.search(text):
        try:
            return to_utc(parsedate_to_datetime(text))
        except (TypeError, ValueError, IndexError):
            pass
    if not _YEAR.search(text):
        return None
    try:
        return to_utc(datetime.fromisoformat(text))
    except ValueError:
        pass
    try:
        return to_utc(dateutil_parser.parse(_AT.sub(" ", text)))
    except (ValueError, OverflowError):
        pass
    # Month and day names in other languages ("mardi 3 mars 2026 09:12").
    return replies.parse_date(text)


def zone_offset(text: str) -> timedelta | None:
    """The UTC offset an RFC 5322 date was written in, None when it has none.

    Attribution lines ("On Tue, 3 Mar 2026 at 11:02, Ann wrote:") are written in the
    local time of the person quoting, which is the zone of their own Date header.
    """
    parsed = parsedate_tz(" ".join(text.split()))
    if parsed is None or parsed[9] is None:
        return None
    return timedelta(seconds=parsed[9])
