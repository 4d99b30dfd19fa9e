"""A thread's measured facts: what the pledges page will be built on."""

from datetime import UTC, datetime, timedelta

from goodwill.metrics import add_business_days, measure
from goodwill.model import Role

C, S = Role.CUSTOMER, Role.STAFF
RULES = {
    "reply-within-one-business-day": {"measure": "first_reply", "business_days": 1},
    "resolved-within-4-hours": {"measure": "resolution", "hours": 4},
    "help-whether-or-not-you-paid": {"measure": "no_purchase"},
}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)  # 2 March 2026 is a Monday


def test_first_reply_and_resolution_are_counted_from_the_customers_first_message():
    metrics = measure(
        [C, S, C, S, C],
        [at(3, 9), at(3, 9, 12), at(3, 10), at(3, 12, 30), at(3, 13)],
        ["Export fails", "Try this", "Still fails", "Fixed in 2.1", "Thank you!"],
        RULES,
    )
    assert metrics.first_reply_minutes == 12
    assert metrics.resolution_minutes == 210
    assert (metrics.customer_messages, metrics.staff_messages) == (3, 2)
    assert metrics.pledges == ["reply-within-one-business-day", "resolved-within-4-hours"]


def test_a_reply_after_the_weekend_still_keeps_a_one_business_day_pledge():
    friday_evening, monday_noon = at(6, 18), at(9, 12)
    metrics = measure([C, S], [friday_evening, monday_noon], ["Help", "Here"], RULES)
    assert "reply-within-one-business-day" in metrics.pledges


def test_a_late_reply_breaks_the_pledge_and_says_so_by_not_tagging_it():
    metrics = measure([C, S], [at(3, 9), at(5, 9)], ["Help", "Sorry for the wait"], RULES)
    assert metrics.first_reply_minutes == 2 * 24 * 60
    assert "reply-within-one-business-day" not in metrics.pledges


def test_an_undated_paste_gets_no_figures_rather_than_invented_ones():
    metrics = measure([C, S, C], [None, None, None], ["Hi", "Hello", "Thanks"], RULES)
    assert metrics.first_reply_minutes is None and metrics.resolution_minutes is None
    assert not metrics.dated
    assert metrics.pledges == []


def test_helping_someone_who_had_not_bought_is_recognised():
    texts = ["I haven't bought a licence yet, I'm on the free trial.", "Happy to help!"]
    assert (
        "help-whether-or-not-you-paid"
        in measure([C, S], [at(3, 9), at(3, 10)], texts, RULES).pledges
    )
    paid = ["My licence stopped working.", "Happy to help!"]
    assert (
        "help-whether-or-not-you-paid"
        not in measure([C, S], [at(3, 9), at(3, 10)], paid, RULES).pledges
    )


def test_business_days_skip_the_weekend():
    assert add_business_days(at(6, 15), 1) == at(9, 15)  # Friday 15:00 -> Monday 15:00
    saturday = at(7, 11)
    assert add_business_days(saturday, 1) == at(10, 0)  # clock starts Monday 00:00
    assert add_business_days(at(3, 9), 1) - at(3, 9) == timedelta(days=1)
