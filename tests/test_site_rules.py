"""The site's rules as plain functions: ordering, pages, figures, safe HTML, turns."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from goodwill import evidence, stories
from goodwill.model import LedgerRow
from goodwill.sanitize import sanitize_html
from goodwill.turns import join_turns, mark_redactions, replacements_by_turn, split_turns

ROOT = Path(__file__).resolve().parent.parent

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def make_testimonial(slug: str, day: int, featured: bool = False) -> stories.Testimonial:
    return stories.Testimonial(
        slug=slug,
        title=slug,
        date=datetime(2026, 3, day, tzinfo=UTC),
        customer="Maren",
        product="Tidy Invoice",
        quote="Thanks",
        featured=featured,
    )


def row(day: int, first_reply: float | None) -> LedgerRow:
    return LedgerRow("t", "s", NOW - timedelta(days=day), first_reply, None, 1, 1)


def test_the_wall_shows_featured_first_then_newest() -> None:
    old_pinned = make_testimonial("pinned", 1, featured=True)
    order = stories.wall_order([make_testimonial("a", 2), old_pinned, make_testimonial("b", 9)])
    assert [s.slug for s in order] == ["pinned", "b", "a"]


def _dated(count: int) -> list[str]:
    """``count`` stories, newest first, two a day from 1 January 2026: "2026-01-01 a"."""
    from datetime import date, timedelta

    days = [date(2026, 1, 1) + timedelta(days=n // 2) for n in range(count)]
    return [f"{d.isoformat()} {'ab'[n % 2]}" for n, d in enumerate(days)][::-1]


def _day(story: str) -> str:
    return story.split()[0]


def test_the_front_page_holds_the_newest_and_archive_pages_are_named_by_their_oldest_day() -> None:
    listing = _dated(200)
    pages = stories.paginate(listing, 6, "testimonials/", day=_day)
    front, archive = pages[0], pages[1:]
    assert front.url == "testimonials/" and front.name == ""
    assert front.items[0] == listing[0] and len(front.items) >= 6
    # Every story once, newest first, on pages of half a page to twice one.
    assert [s for p in pages for s in p.items] == listing
    assert all(3 <= len(p.items) <= 12 for p in archive)
    assert 4 <= sum(len(p.items) for p in archive) / len(archive) <= 8  # six on average
    for page in archive:
        assert page.name == _day(page.items[-1])  # the day of its oldest story
        assert page.url == f"testimonials/page/{page.name}/"
        assert page.save_as == page.url + "index.html"
    # Newer and older links chain the pages, the front page first.
    assert [p.next_url for p in pages] == [p.url for p in archive] + [None]
    assert [p.previous_url for p in pages] == [None, *(p.url for p in pages[:-1])]
    assert [p.url for p in stories.paginate([], 12, "testimonials/")] == ["testimonials/"]
    short = stories.paginate(listing[:5], 6, "testimonials/", day=_day)
    assert [(p.url, p.items) for p in short] == [("testimonials/", tuple(listing[:5]))]


def test_pages_opening_on_the_same_day_are_told_apart_by_their_own_oldest_story() -> None:
    # A busy day opens many pages. Numbered in turn, a new page would rename every later
    # one of that day; each is named by a hash of its own oldest story instead.
    same_day = [f"2026-03-04 {n:03d}" for n in range(300)][::-1]
    before = stories.paginate(same_day, 6, "t/", day=_day)
    names = [p.name for p in before[1:]][::-1]
    assert names[0] == "2026-03-04"
    assert all(re.fullmatch(r"2026-03-04-[0-9a-f]{6}", n) for n in names[1:])
    assert len(set(names)) == len(names)
    urls = {p.url: p for p in before}
    for n in range(0, 301, 10):
        added = stories.paginate(
            [*same_day[:n], "2026-03-04 new", *same_day[n:]], 6, "t/", day=_day
        )
        assert sum(urls.get(p.url) != p for p in added) <= 8


def test_a_story_dated_anywhere_changes_a_few_pages_and_renumbers_none() -> None:
    # A thread is dated when it was written and published when its customer agrees, so a
    # new story often lands in the middle of the wall. Pages of a fixed size would shift
    # every page after it; here the pages around it change and the rest stay as they were.
    listing = _dated(600)
    before = {p.url: p for p in stories.paginate(listing, 6, "testimonials/", day=_day)}
    changes = []
    for n in range(len(listing) + 1):  # a story added at every place in turn
        newer, older = listing[:n], listing[n:]
        added = stories.paginate(
            [*newer, f"{_day(listing[min(n, 599)])} new", *older], 6, "testimonials/", day=_day
        )
        after = {p.url: p for p in added}
        changes.append(sum(after.get(url) != before.get(url) for url in after.keys() | before))
    # 100 archive pages: shifted, half of them would change on average, here two.
    assert max(changes) <= 8 and sum(changes) / len(changes) <= 2.5
    # And a story dated today changes the front page, or it and the page it leaves behind.
    grown = {
        p.url: p
        for p in stories.paginate(["2027-01-01 new", *listing], 6, "testimonials/", day=_day)
    }
    changed = [url for url in grown.keys() | before.keys() if grown.get(url) != before.get(url)]
    assert "testimonials/" in changed and len(changed) <= 3


@pytest.mark.parametrize(
    ("minutes", "said"),
    [(0.4, "under a minute"), (1, "1 minute"), (12, "12 minutes"), (190, "3 hours 10 minutes"),
     (720, "12 hours"), (2900, "2 days"), (None, "not measured")],
)  # fmt: skip
def test_delays_are_said_the_way_a_person_says_them(minutes: float | None, said: str) -> None:
    assert stories.humanize_minutes(minutes) == said


def test_a_pledge_kept_97_point_9_percent_says_97() -> None:
    pledge = stories.Pledge("four-hours", "Four hours", measure="first_reply", target_hours=4)
    rows = [row(10 + i, 30) for i in range(46)] + [row(60, 600)]  # 46 kept, 1 broken
    recent, all_time = evidence.pledge_figures(pledge, rows, NOW)
    assert (all_time.kept, all_time.broken, all_time.percent) == (46, 1, "97%")
    assert recent.label == "Last 12 months" and all_time.median_minutes == 30


def test_an_unanswered_thread_is_broken_once_its_deadline_passed_and_open_before() -> None:
    pledge = stories.Pledge("day", "A day", measure="first_reply", business_days=1)
    figures = evidence.figures(pledge, [row(30, None), row(0, None)], NOW)
    assert (figures.kept, figures.broken, figures.open) == (0, 1, 1)


def test_gift_totals_keep_currencies_apart_and_count_what_came_back() -> None:
    def gift(value: str | None, currency: str, back: tuple[str, ...]) -> stories.Gift:
        return stories.Gift(
            slug="g", title="g", date=NOW, gift="a licence", recipient="Olek",
            value=Decimal(value) if value else None, currency=currency, came_back=back,
        )  # fmt: skip

    totals = evidence.gift_totals(
        [gift("49", "EUR", ("a referral",)), gift("10", "GBP", ()), gift("1", "EUR", ()),
         gift(None, "", ("A referral",))]
    )  # fmt: skip
    assert totals.values == (("EUR", Decimal(50)), ("GBP", Decimal(10)))
    assert totals.came_back == (("a referral", 2),) and totals.nothing_back == 2
    assert totals.unpriced == 1


def test_bad_metadata_names_the_file_and_the_fix() -> None:
    meta = {"title": "T", "date": "2026-03-04", "customer": "Maren", "quote": "Hi"}
    with pytest.raises(stories.StoryError, match=r"content/t\.md: 'First-Reply-Minutes: soon'"):
        stories.read_testimonial({**meta, "first-reply-minutes": "soon"}, "content/t.md")
    with pytest.raises(stories.StoryError, match="'Quote' field is missing"):
        stories.read_testimonial({**meta, "quote": ""}, "content/t.md")
    with pytest.raises(stories.StoryError, match="needs a target"):
        stories.read_pledge({"title": "P", "measure": "first_reply"}, "content/p.md")


def test_only_published_stories_with_consent_are_public() -> None:
    story = make_testimonial("a", 1)
    published = stories.Testimonial(**{**_fields(story), "status": "published"})
    assert stories.is_public(published, consent_publishable=True)
    assert not stories.is_public(published, consent_publishable=False)
    assert not stories.is_public(story, consent_publishable=True)  # still a draft
    assert stories.why_hidden(story, True, "") == "status is draft"


def _fields(story: stories.Testimonial) -> dict:
    return {name: getattr(story, name) for name in story.__dataclass_fields__}


def test_markup_in_a_story_is_shown_as_text_and_links_lose_scripts() -> None:
    html = sanitize_html(
        '<p onclick="x()">Hi <script>alert(1)</script><a href="java\tscript:alert(2)">a</a>'
        '<a href="https://tidy.example/help">help</a></p>'
    )
    assert html == (
        "<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;<a>a</a>"
        '<a href="https://tidy.example/help" rel="nofollow noopener">help</a></p>'
    )


def test_the_conversation_splits_on_turn_markers_and_joins_back_the_same() -> None:
    body = (
        '<!-- goodwill:turn role="customer" author="Maren" sent="2026-03-04T09:12:00+00:00" -->\n'
        "<p>Hi</p>\n"
        '<!-- goodwill:turn role="staff" author="Ada, founder" sent="" -->\n<p>Hello</p>'
    )
    turns = split_turns(body)
    assert [(t.role, t.author, t.html) for t in turns] == [
        ("customer", "Maren", "<p>Hi</p>"),
        ("staff", "Ada, founder", "<p>Hello</p>"),
    ]
    assert turns[0].sent == datetime(2026, 3, 4, 9, 12, tzinfo=UTC) and turns[1].sent is None
    assert split_turns(join_turns(turns)) == turns


# -- the preview's redaction marks ------------------------------------------------------------


def test_every_replacement_in_a_turn_is_marked_with_its_kind() -> None:
    html = "<p>Hi Support, this is Maren: call me on [phone] or write to [email].</p>"
    marked = mark_redactions(
        html, [("Support", "name"), ("Maren", "name"), ("[phone]", "phone"), ("[email]", "email")]
    )
    assert marked == (
        '<p>Hi <mark class="redaction" title="name redacted">Support</mark>, this is '
        '<mark class="redaction" title="name redacted">Maren</mark>: call me on '
        '<mark class="redaction" title="phone redacted">[phone]</mark> or write to '
        '<mark class="redaction" title="email redacted">[email]</mark>.</p>'
    )


def test_marks_go_into_text_only_never_into_a_tag_or_an_attribute() -> None:
    html = '<p><a href="https://tidy.example/Maren" title="Maren">Maren</a> &amp; Maren&#x27;s</p>'
    marked = mark_redactions(html, [("Maren", "name")])
    assert marked == (
        '<p><a href="https://tidy.example/Maren" title="Maren">'
        '<mark class="redaction" title="name redacted">Maren</mark></a> &amp; '
        '<mark class="redaction" title="name redacted">Maren</mark>\'s</p>'
    )
    # The page reads the same, marks aside.
    plain = BeautifulSoup(html, "html.parser").get_text()
    assert BeautifulSoup(marked, "html.parser").get_text() == plain


def test_names_are_marked_as_whole_words_and_the_longest_replacement_wins() -> None:
    html = "<p>Ann sent the Annual report; Ada, founder, replied. Ada again.</p>"
    marked = mark_redactions(html, [("Ann", "name"), ("Ada", "name"), ("Ada, founder", "name")])
    assert marked.count("<mark") == 3
    assert '<mark class="redaction" title="name redacted">Ada, founder</mark>' in marked
    assert "Annual" in marked


def test_a_turn_with_nothing_redacted_is_left_as_it_was() -> None:
    html = "<p>Works now, thanks &lt;3</p>"
    assert mark_redactions(html, []) == html
    assert mark_redactions(html, [("[phone]", "phone")]) == html


def test_the_redactions_record_becomes_replacements_per_turn() -> None:
    records = [
        {"kind": "name", "message": 0, "start": 3, "end": 10, "replacement": "Support"},
        {"kind": "phone", "message": 2, "start": 5, "end": 12, "replacement": "[phone]"},
        {"kind": "name", "message": "x", "replacement": "ignored: no turn"},
    ]
    assert replacements_by_turn(records) == {0: [("Support", "name")], 2: [("[phone]", "phone")]}


def test_the_archive_page_below_a_wall_at_the_site_root_links_back_to_it() -> None:
    # The front page of a wall at the root has the address "": still a page to link to.
    from jinja2 import Environment, FileSystemLoader

    env = Environment(loader=FileSystemLoader(ROOT / "theme/templates"), autoescape=True)
    env.filters.update({"slug": stories.slugify, "card": lambda a, heading="h2": ""})
    front, below = stories.paginate(_dated(60), 12, "", day=_day)[:2]
    html = env.get_template("wall.html").render(
        page=below,
        stories=[],
        heading="Testimonials",
        SITEURL="",
        goodwill={"pledges": [], "products": [], "preview": False},
    )
    assert 'rel="prev" href="/">Newer</a>' in html
    assert front.url == "" and below.previous_url == ""


@pytest.mark.parametrize(
    ("days", "said"),
    [
        ((18, 21, 19), "18 June 2024 to 21 June 2024"),  # the first shown is featured
        ((21, 21), "21 June 2024"),
    ],
)
def test_an_archive_page_says_which_days_it_covers(days: tuple[int, ...], said: str) -> None:
    from types import SimpleNamespace

    from jinja2 import Environment, FileSystemLoader

    env = Environment(loader=FileSystemLoader(ROOT / "theme/templates"), autoescape=True)
    env.filters.update({"slug": stories.slugify, "card": lambda a, heading="h2": ""})
    shown = [SimpleNamespace(date=datetime(2024, 6, d, 9, tzinfo=UTC)) for d in days]
    page = stories.Page("2024-06-18", tuple(shown), "t/page/2024-06-18/", "x", "t/", "t/page/x/")
    html = env.get_template("wall.html").render(
        page=page,
        stories=shown,
        heading="Testimonials",
        SITENAME="Tidy",
        SITEURL="",
        goodwill={"pledges": [], "products": [], "preview": False},
    )
    assert f"<title>Testimonials, {said} · Tidy</title>" in html
    assert f"<span>Stories of {said}</span>" in html
