"""The honest numbers the site shows: pledge figures from the ledger, gift totals.

A pledge page is only worth reading if the broken promises are counted too, so
figures come from *every* thread in the ledger, not just the ones that became
testimonials. A thread that never got its reply counts as broken once its
deadline has passed; one still inside its deadline counts as open, not kept.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from goodwill.metrics import add_business_days
from goodwill.model import LedgerRow
from goodwill.stories import Gift, Pledge

YEAR = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class Figures:
    """How a measurable pledge fared over one period."""

    label: str  # "Last 12 months", "All time"
    threads: int  # threads the pledge applies to (dated ones)
    kept: int
    broken: int
    open: int  # still inside the deadline, no verdict yet
    median_minutes: float | None
    undated: int = 0  # threads without dates: no figure invented for them

    @property
    def decided(self) -> int:
        return self.kept + self.broken

    @property
    def share_kept(self) -> float | None:
        """Kept over kept-plus-broken, as a fraction; None when nothing was decided."""
        return self.kept / self.decided if self.decided else None

    @property
    def percent(self) -> str:
        """A percentage that never rounds a broken promise away: 99.6% shows as 99%."""
        share = self.share_kept
        if share is None:
            return "no data yet"
        whole = int(share * 100)
        return f"{whole}%"


@dataclass(frozen=True, slots=True)
class GiftTotals:
    """What the gift stories add up to, per currency, and what came back."""

    count: int
    values: tuple[tuple[str, Decimal], ...]  # (currency, total), sorted by currency
    unpriced: int  # gifts with no value given (an hour of help, a kind word)
    came_back: tuple[tuple[str, int], ...]  # (label, how many), most common first
    nothing_back: int


def _deadline(pledge: Pledge, start: datetime) -> datetime:
    if pledge.business_days is not None:
        return add_business_days(start, pledge.business_days)
    return start + timedelta(hours=pledge.target_hours or 0)


def _metric(pledge: Pledge, row: LedgerRow) -> float | None:
    if pledge.measure == "first_reply":
        return row.first_reply_minutes
    return row.resolution_minutes


def figures(
    pledge: Pledge, rows: Iterable[LedgerRow], now: datetime, label: str = "All time"
) -> Figures:
    """Kept, broken and open threads for one pledge over ``rows``."""
    kept = broken = still_open = undated = 0
    values: list[float] = []
    for row in rows:
        if not row.dated:
            undated += 1
            continue
        minutes = _metric(pledge, row)
        deadline = _deadline(pledge, row.date)
        if minutes is None:
            if now <= deadline:
                still_open += 1
            else:
                broken += 1
            continue
        values.append(minutes)
        if row.date + timedelta(minutes=minutes) <= deadline:
            kept += 1
        else:
            broken += 1
    return Figures(
        label=label,
        threads=kept + broken + still_open,
        kept=kept,
        broken=broken,
        open=still_open,
        median_minutes=statistics.median(values) if values else None,
        undated=undated,
    )


def pledge_figures(pledge: Pledge, rows: Sequence[LedgerRow], now: datetime) -> list[Figures]:
    """Last 12 months and all time; empty for a pledge that cannot be measured."""
    if not pledge.measurable:
        return []
    recent = [r for r in rows if r.date >= now - YEAR]
    return [
        figures(pledge, recent, now, "Last 12 months"),
        figures(pledge, rows, now, "All time"),
    ]


def gift_totals(gifts: Iterable[Gift]) -> GiftTotals:
    """Totals over the gifts given; currencies are never added together."""
    items = list(gifts)
    sums: dict[str, Decimal] = {}
    back: Counter[str] = Counter()
    unpriced = nothing = 0
    for gift in items:
        if gift.value is None:
            unpriced += 1
        else:
            sums[gift.currency] = sums.get(gift.currency, Decimal(0)) + gift.value
        if gift.came_back:
            back.update(label.lower() for label in gift.came_back)
        else:
            nothing += 1
    return GiftTotals(
        count=len(items),
        values=tuple(sorted(sums.items())),
        unpriced=unpriced,
        came_back=tuple(sorted(back.items(), key=lambda kv: (-kv[1], kv[0]))),
        nothing_back=nothing,
    )


def money(value: Decimal, currency: str) -> str:
    """'EUR 49.00' style: unambiguous for every currency, no locale tables needed."""
    return f"{currency} {value.quantize(Decimal('0.01')):,}"
