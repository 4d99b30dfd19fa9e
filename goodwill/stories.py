"""Testimonials, gift stories and pledges as the public site sees them.

The site plugin hands each content file's metadata (a plain dict, as Pelican
reads it) to these functions and gets back frozen dataclasses. Everything that
decides what the public sees lives here, away from Pelican, so the consent gate
and the wall order can be tested with a dict in and a value out.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Generic, TypeVar

KINDS = ("testimonials", "gifts", "pledges")
MEASURES = ("first_reply", "resolution", "none")

ANONYMOUS = "A customer"


class StoryError(ValueError):
    """A content file whose metadata cannot become a story; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class Testimonial:
    """One customer's words, anonymized at ingest; public only with consent."""

    slug: str
    title: str
    date: datetime
    customer: str  # the pseudonym, never the real name
    product: str
    quote: str
    pledges: tuple[str, ...] = ()
    consent: str = ""
    status: str = "draft"
    lang: str = "en"
    featured: bool = False
    first_reply_minutes: float | None = None
    resolution_minutes: float | None = None
    customer_messages: int | None = None
    staff_messages: int | None = None
    thread: str = ""
    translation: bool = False
    source_path: str = ""

    @property
    def initials(self) -> str:
        return initials(self.customer)


@dataclass(frozen=True, slots=True)
class Gift:
    """Something given away, told honestly: what, to whom, why, and what came of it."""

    slug: str
    title: str
    date: datetime
    gift: str  # what was given: "a Tidy Invoice licence", "an hour on a call"
    recipient: str  # a pseudonym
    why: str = ""
    asked_in_return: str = "nothing"
    outcome: str = ""
    came_back: tuple[str, ...] = ()  # short labels: "a referral", "a bug report"; () = nothing
    value: Decimal | None = None
    currency: str = ""
    photo: str = ""  # path relative to the content folder
    pledges: tuple[str, ...] = ()
    consent: str = ""
    status: str = "draft"
    lang: str = "en"
    featured: bool = False
    translation: bool = False
    source_path: str = ""


@dataclass(frozen=True, slots=True)
class Pledge:
    """A promise in plain words, measurable against the ledger when it has a target."""

    slug: str
    title: str
    order: int = 100
    measure: str = "none"
    target_hours: float | None = None
    business_days: int | None = None
    summary: str = ""
    source_path: str = ""

    @property
    def measurable(self) -> bool:
        return self.measure != "none" and (
            self.target_hours is not None or self.business_days is not None
        )


Story = Testimonial | Gift
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a paginated listing, with the links a template needs."""

    name: str  # in the archive, the day its oldest story is of ("2024-08-20"); "" in front
    items: tuple[T, ...]
    url: str
    save_as: str
    previous_url: str | None = None  # newer
    next_url: str | None = None  # older


@dataclass(frozen=True, slots=True)
class Group(Generic[T]):
    """The stories that share a pledge or a product, for a static filter page."""

    slug: str
    name: str
    items: tuple[T, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------- reading metadata


def _text(meta: Mapping[str, Any], key: str, default: str = "") -> str:
    value = meta.get(key)
    return default if value is None else str(value).strip()


def _required(meta: Mapping[str, Any], key: str, path: str) -> str:
    value = _text(meta, key)
    if not value:
        raise StoryError(f"{path}: the '{key.title()}' field is missing; add it to the header")
    return value


def _number(meta: Mapping[str, Any], key: str, path: str) -> float | None:
    value = _text(meta, key)
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise StoryError(
            f"{path}: '{key.title()}: {value}' is not a number; write minutes as digits, e.g. 12"
        ) from None
    if number < 0:
        raise StoryError(f"{path}: '{key.title()}: {value}' is negative; it cannot be")
    return number


def _count(meta: Mapping[str, Any], key: str, path: str) -> int | None:
    number = _number(meta, key, path)
    return None if number is None else int(number)


def _flag(meta: Mapping[str, Any], key: str) -> bool:
    return _text(meta, key).lower() in {"true", "yes", "1", "on"}


def _list(meta: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = meta.get(key)
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        parts: Iterable[str] = (str(v) for v in value)
    else:
        parts = re.split(r"[,;\s]+", str(value))
    return tuple(p.strip() for p in parts if p.strip())


def _labels(meta: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """Comma-separated phrases; "nothing" means an empty list, said honestly."""
    value = _text(meta, key)
    labels = tuple(p.strip() for p in value.split(",") if p.strip())
    return () if [x.lower() for x in labels] in ([], ["nothing"]) else labels


def _date(meta: Mapping[str, Any], path: str) -> datetime:
    value = meta.get("date")
    if isinstance(value, datetime):
        return value
    text = _text(meta, "date")
    if not text:
        raise StoryError(f"{path}: the 'Date' field is missing; add e.g. 'Date: 2026-03-04 09:12'")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise StoryError(
            f"{path}: 'Date: {text}' is not a date; write it as 2026-03-04 or 2026-03-04 09:12"
        ) from None


def _common(meta: Mapping[str, Any], path: str) -> dict[str, Any]:
    title = _required(meta, "title", path)
    return {
        "slug": _text(meta, "slug") or slugify(title),
        "title": title,
        "date": _date(meta, path),
        "pledges": _list(meta, "pledges"),
        "consent": _text(meta, "consent"),
        "status": _text(meta, "status", "published").lower(),
        "lang": _text(meta, "lang", "en") or "en",
        "featured": _flag(meta, "featured"),
        "translation": _flag(meta, "translation"),
        "source_path": path,
    }


def shown_name(meta: Mapping[str, Any], path: str) -> str:
    """The name the customer agreed to be shown by (``Display``, set at approval)."""
    display = _text(meta, "display", "pseudonym").lower()
    if display == "anonymous":
        return ANONYMOUS
    if display in {"initials", "first-name-initial"}:
        name = _text(meta, "display-name")
        if not name:
            raise StoryError(f"{path}: 'Display: {display}' needs a 'Display-Name'")
        return name
    return _required(meta, "customer", path)


def read_testimonial(meta: Mapping[str, Any], path: str) -> Testimonial:
    """A testimonial from its header (keys lower-cased, as Pelican gives them)."""
    return Testimonial(
        **_common(meta, path),
        customer=shown_name(meta, path),
        product=_text(meta, "product"),
        quote=_required(meta, "quote", path),
        first_reply_minutes=_number(meta, "first-reply-minutes", path),
        resolution_minutes=_number(meta, "resolution-minutes", path),
        customer_messages=_count(meta, "customer-messages", path),
        staff_messages=_count(meta, "staff-messages", path),
        thread=_text(meta, "thread"),
    )


def read_gift(meta: Mapping[str, Any], path: str) -> Gift:
    """A gift story from its header; ``Value`` is a plain decimal in ``Currency``."""
    raw_value = _text(meta, "value")
    value: Decimal | None = None
    if raw_value:
        try:
            value = Decimal(raw_value)
        except InvalidOperation:
            raise StoryError(
                f"{path}: 'Value: {raw_value}' is not an amount; write digits only, "
                "e.g. 'Value: 49.00' and the currency in 'Currency: EUR'"
            ) from None
    currency = _text(meta, "currency").upper()
    if value is not None and not currency:
        raise StoryError(f"{path}: 'Value' needs a 'Currency' (e.g. EUR, GBP, USD)")
    return Gift(
        **_common(meta, path),
        gift=_required(meta, "gift", path),
        recipient=_required(meta, "recipient", path),
        why=_text(meta, "why"),
        asked_in_return=_text(meta, "asked-in-return", "nothing") or "nothing",
        outcome=_text(meta, "outcome"),
        came_back=_labels(meta, "came-back"),
        value=value,
        currency=currency,
        photo=_text(meta, "photo"),
    )


def read_pledge(meta: Mapping[str, Any], path: str) -> Pledge:
    """A pledge from its header; a measure without a target is an error, not a 100%."""
    title = _required(meta, "title", path)
    measure = _text(meta, "measure", "none").lower().replace("-", "_") or "none"
    if measure not in MEASURES:
        raise StoryError(
            f"{path}: 'Measure: {measure}' is unknown; use one of {', '.join(MEASURES)}"
        )
    hours = _number(meta, "target-hours", path)
    days = _count(meta, "business-days", path)
    if measure != "none" and hours is None and days is None:
        raise StoryError(
            f"{path}: 'Measure: {measure}' needs a target: 'Target-Hours: 24' or 'Business-Days: 1'"
        )
    order = _count(meta, "order", path)
    return Pledge(
        slug=_text(meta, "slug") or slugify(title),
        title=title,
        order=100 if order is None else order,
        measure=measure,
        target_hours=hours,
        business_days=days,
        summary=_plain(_text(meta, "summary")),
        source_path=path,
    )


def _plain(text: str) -> str:
    """Pelican renders a ``Summary`` field as Markdown; the pledge shows it as plain text."""
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


# ---------------------------------------------------------------- the consent gate


def is_public(story: Story, consent_publishable: bool) -> bool:
    """The one gate every page, feed, JSON file and image goes through.

    What counts as consent is ``goodwill.consent``'s to decide (how, when, and to
    which words); the site adds only that a story must also be published.
    """
    return story.status == "published" and consent_publishable


def why_hidden(story: Story, consent_publishable: bool, consent_reason: str) -> str:
    """Words for the preview banner and the build log; '' for a public story."""
    if story.status != "published":
        return f"status is {story.status}"
    if not consent_publishable:
        return consent_reason or "no consent recorded"
    return ""


# ---------------------------------------------------------------- ordering and grouping


def wall_order(stories: Iterable[T]) -> list[T]:
    """Featured first, then newest first; the slug breaks ties so builds are stable."""
    items = list(stories)
    items.sort(key=lambda s: getattr(s, "slug", ""))
    items.sort(key=lambda s: getattr(s, "date", datetime.min), reverse=True)
    items.sort(key=lambda s: not getattr(s, "featured", False))
    return items


def paginate(
    items: Sequence[T],
    per_page: int,
    base_url: str,
    identity: Callable[[T], str] = str,
    day: Callable[[T], str] = str,
) -> list[Page[T]]:
    """Split a listing, newest first, into pages that a new story changes one or two of.

    Stories arrive out of order: a thread is dated when it was written, and it
    is published when its customer agrees, weeks or months later. Pages of a
    fixed size, counted from either end, shift by one story after every story
    dated before them: at 5,000 stories a story from last year shifted 500 wall
    pages, each rendered, written and read by the leak guard again.

    So where a page ends is decided by the stories themselves, as backup tools
    cut files into chunks: from the oldest on, a page ends at a story whose
    ``identity`` hashes to one in ``per_page // 2 + 1`` (about), once it holds
    half a page, and at twice a page in any case. A page holds ``per_page``
    stories on average, from half a page to twice one. A new story joins the
    page its date falls in, which usually is the only page to change; when it
    ends a page itself, or moves a page's end by one, the next page or two
    change as well (3,000 stories at 12 a page, a story added at every fifth
    place: one page in three cases of four, at most nine). An archive page is
    named by the ``day`` ("2024-08-20") of its oldest story
    (``base_url/page/2024-08-20/``), and another page opening on the same day
    by that day and a hash of its oldest story (``2024-08-20-3f9a1c/``), not
    by its place: a new page renames no other.

    The front page (``base_url``) holds the newest pages until it has at least
    ``per_page`` stories (all of them on a short listing; at most three pages'
    worth). There is always a front page, so an empty wall has an address.
    """
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    base = base_url.strip("/") + "/" if base_url.strip("/") else ""
    smallest, largest = (per_page + 1) // 2, 2 * per_page
    odds = per_page - smallest + 1  # a page then holds per_page on average
    chunks: list[list[T]] = []
    current: list[T] = []
    for item in reversed(items):  # from the oldest
        current.append(item)
        if len(current) >= largest or (
            len(current) >= smallest and _ends_a_page(identity(item), odds)
        ):
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    front: list[T] = []
    while chunks and len(front) < per_page:
        front = chunks.pop() + front
    names: list[str] = []
    taken: set[str] = set()
    for chunk in chunks:
        name = day(chunk[0])
        if name in taken:  # another page opened that day: told apart by its own first story
            name = f"{name}-{_short_hash(identity(chunk[0]))}"
        while name in taken:  # two first stories whose hashes begin alike
            name += "-2"
        taken.add(name)
        names.append(name)
    urls = [f"{base}page/{name}/" for name in names]  # oldest first
    pages = [
        Page("", tuple(reversed(front)), base, base + "index.html", None, (urls or [None])[-1])
    ]
    for n in range(len(chunks) - 1, -1, -1):
        pages.append(
            Page(
                name=names[n],
                items=tuple(reversed(chunks[n])),
                url=urls[n],
                save_as=urls[n] + "index.html",
                previous_url=urls[n + 1] if n + 1 < len(urls) else base,
                next_url=urls[n - 1] if n > 0 else None,
            )
        )
    return pages


def _short_hash(identity: str) -> str:
    return hashlib.blake2b(identity.encode("utf-8", "surrogatepass"), digest_size=3).hexdigest()


def _ends_a_page(identity: str, odds: int) -> bool:
    """One story in ``odds`` ends a page, the same ones in every build and process."""
    digest = hashlib.blake2b(identity.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % odds == 0


def by_pledge(stories: Iterable[T], pledges: Iterable[Pledge] = ()) -> list[Group[T]]:
    """Stories grouped by each pledge slug they carry, in pledge order."""
    names = {p.slug: p.title for p in pledges}
    order = {p.slug: (p.order, p.slug) for p in pledges}
    groups: dict[str, list[T]] = {}
    for story in stories:
        for slug in getattr(story, "pledges", ()):
            groups.setdefault(slug, []).append(story)
    return [
        Group(slug, names.get(slug, slug.replace("-", " ").capitalize()), tuple(items))
        for slug, items in sorted(groups.items(), key=lambda kv: order.get(kv[0], (1000, kv[0])))
    ]


def by_product(stories: Iterable[Testimonial]) -> list[Group[Testimonial]]:
    """Testimonials grouped by product, alphabetically; no product, no group."""
    groups: dict[str, list[Testimonial]] = {}
    for story in stories:
        if story.product:
            groups.setdefault(story.product, []).append(story)
    return [Group(slugify(name), name, tuple(items)) for name, items in sorted(groups.items())]


# ---------------------------------------------------------------- small words


def slugify(text: str) -> str:
    """ASCII, lower case, hyphens: safe in a URL and stable across builds."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "item"


@lru_cache(maxsize=4096)
def initials(name: str) -> str:
    """Up to two capital letters for an avatar; "?" when the name has no letters.

    Cached: a wall, the embed file and the share cards ask for every story's, and a
    site has far fewer names than stories."""
    words = [w for w in re.split(r"[\s.\-]+", name) if w and w[0].isalpha()]
    letters = "".join(w[0] for w in words[:2]).upper()
    return letters or "?"


def humanize_minutes(minutes: float | None) -> str:
    """'12 minutes', '3 hours 10 minutes', '2 days 4 hours': how a person says a delay."""
    if minutes is None:
        return "not measured"
    total = round(minutes)
    if total < 1:
        return "under a minute"

    def unit(n: int, word: str) -> str:
        return f"{n} {word}" if n == 1 else f"{n} {word}s"

    if total < 60:
        return unit(total, "minute")
    if total < 24 * 60:
        hours, rest = divmod(total, 60)
        return unit(hours, "hour") + (f" {unit(rest, 'minute')}" if rest and hours < 10 else "")
    days, rest = divmod(total, 24 * 60)
    hours = round(rest / 60)
    return unit(days, "day") + (f" {unit(hours, 'hour')}" if hours else "")


def measured_facts(story: Testimonial) -> list[str]:
    """The thread's measured facts as sentences for the story page."""
    facts = []
    if story.first_reply_minutes is not None:
        facts.append(f"First reply in {humanize_minutes(story.first_reply_minutes)}")
    if story.resolution_minutes is not None:
        facts.append(f"Resolved in {humanize_minutes(story.resolution_minutes)}")
    if story.customer_messages is not None and story.staff_messages is not None:
        facts.append(
            f"{story.customer_messages} message{'s' if story.customer_messages != 1 else ''} "
            f"from the customer, {story.staff_messages} from us"
        )
    return facts
