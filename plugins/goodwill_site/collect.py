"""Read stories out of Pelican's article lists, apply the consent gate, build the site model."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import html
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import markdown

from goodwill import consent, curate, evidence, guardrecords, stories, structured
from goodwill.content import ContentError, read_ledger
from goodwill.filememo import FileMemo
from goodwill.sanitize import sanitize_html
from goodwill.turns import (
    RenderedTurn,
    join_turns,
    mark_redactions,
    rename,
    replacements_by_turn,
    split_turns,
)

from . import pagecache
from .media import ImagePlan
from .outfiles import LINK_APART_FROM, Background, link_all
from .pagecache import PageCache

logger = logging.getLogger(__name__)

LISTS = (
    "articles",
    "translations",
    "drafts",
    "drafts_translations",
    "hidden_articles",
    "hidden_translations",
)
READERS = {
    "testimonials": stories.read_testimonial,
    "gifts": stories.read_gift,
    "pledges": stories.read_pledge,
}


@dataclass
class PledgeView:
    """A pledge with its evidence, as the templates show it."""

    pledge: stories.Pledge
    url: str
    testimonials: list[Any] = field(default_factory=list)  # Pelican articles, all of them
    gifts: list[Any] = field(default_factory=list)
    figures: list[evidence.Figures] = field(default_factory=list)
    # What the pledge's own page shows: the first few in wall order (featured, then newest);
    # the rest are on its paginated filter wall. A page of 1,700 cards helped no reader and
    # was rendered again whenever any story showing the pledge changed.
    shown: list[Any] = field(default_factory=list)


@dataclass
class State:
    """What the writing step needs from the reading step of the same build."""

    model: dict[str, Any]
    plan: ImagePlan
    public_testimonials: list[Any]  # articles, wall order
    public_gifts: list[Any]
    pages: PageCache
    settings: dict[str, Any]
    # Names customers chose, with consent, to be shown by, and their stories' places.
    shown: list[guardrecords.ShownName] = field(default_factory=list)
    linker: Background | None = None  # linking reused pages and images into the output


def _content_root(path: str) -> str:
    """The content folder, ending in a separator; Pelican's ``PATH`` is absolute already."""
    return _absolute_root(path) if os.path.isabs(path) else os.path.join(os.path.abspath(path), "")


@lru_cache(maxsize=8)
def _absolute_root(path: str) -> str:
    return os.path.join(os.path.normpath(path), "")


def _relative(article: Any, settings: dict[str, Any]) -> str:
    """The story's path inside the content folder, with "/" between folders.

    Worked out from ``source_path``: Pelican's ``relative_source_path`` computes a
    relative path on every read, and the plugin asks for it twice per story.
    """
    source = str(getattr(article, "source_path", "") or "")
    root = _content_root(settings["PATH"])
    if source.startswith(root):
        return source[len(root) :].replace(os.sep, "/")
    return str(getattr(article, "relative_source_path", "") or "").replace(os.sep, "/")


def _kind(article: Any, settings: dict[str, Any]) -> str:
    """The story kind: the folder a file is in decides, so a mistyped ``Category`` can never
    take a testimonial past the consent gate; elsewhere the category does."""
    folder = _relative(article, settings).split("/", 1)
    if len(folder) > 1 and folder[0] in READERS:
        return folder[0]
    category = getattr(article, "category", None)
    return getattr(category, "slug", str(category or ""))


def _display_path(article: Any, settings: dict[str, Any]) -> str:
    folder = os.path.basename(_content_root(settings["PATH"])[:-1])
    return f"{folder}/{_relative(article, settings)}"


def _absolute(settings: dict[str, Any], url: str) -> str:
    return structured.absolute_url(settings.get("SITEURL", ""), url)


def _read_ledger(settings: dict[str, Any]) -> list[Any]:
    path = Path(settings["PATH"]) / settings.get("GOODWILL_LEDGER", "ledger.csv")
    try:
        return list(read_ledger(path))
    except ContentError as exc:
        logger.error("%s; pledge figures are left out until it is fixed", exc)
        return []


def _consent_answer(data: bytes) -> list[Any]:
    """What the gate and the guard need from a story file: its verdict and shown name."""
    text = data.decode("utf-8", errors="replace")
    found = consent.verdict(text)
    identity = hashlib.blake2b(data, digest_size=16).hexdigest()
    return [found.state.value, found.reason, curate.shown_name_words(text, found), identity]


# The answers above change when the consent rules, the name rule or their shape here do.
_MEMO_SALT = hashlib.sha256(
    b"".join(Path(m.__file__).read_bytes() for m in (consent, curate)) + Path(__file__).read_bytes()
).hexdigest()


def _is_answer(value: Any) -> bool:
    """A memo entry in the shape ``_consent_answer`` makes (a memo is a cache: never trusted)."""
    return (
        isinstance(value, list)
        and len(value) == 4
        and value[0] in {s.value for s in consent.State}
        and isinstance(value[1], str)
        and isinstance(value[2], list)
        and all(isinstance(w, str) for w in value[2])
        and isinstance(value[3], str)
    )


def _verdict(
    article: Any, memo: FileMemo, stat: os.stat_result | None = None
) -> tuple[consent.Verdict, list[str]]:
    """Consent as the curation step recorded it, checked against the file's own words;
    and the words of the name the customer chose to be shown by, if they consented.

    Also notes the hash of the file's bytes on the article (``goodwill_source``): with
    the settings and templates, it decides everything the story's page shows of it.
    """
    article.goodwill_source = ""
    try:
        state, reason, shown, article.goodwill_source = memo.get(
            article.source_path, _consent_answer, valid=_is_answer, stat=stat
        )
    except OSError as exc:
        return consent.Verdict(consent.State.PENDING, f"source unreadable ({exc.strerror})"), []
    return consent.Verdict(consent.State(state), reason), shown


def _freeze_url(article: Any) -> None:
    """Fix the story's URL for this build.

    Pelican works ``url`` out from the URL settings on every read (about 40 µs),
    and the walls, feeds, sitemap and page keys of 5,000 stories read it some
    50,000 times: seconds of a build. Frozen as Pelican's own override, and
    thawed first if an earlier build's article comes back from Pelican's cache.
    """
    if "goodwill_url" not in article.__dict__:
        article.goodwill_had_url_override = "override_url" in article.__dict__
    elif not article.goodwill_had_url_override:
        article.__dict__.pop("override_url", None)
    article.goodwill_url = article.url
    article.override_url = article.goodwill_url


def _is_place(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)


def _place(article: Any, places: FileMemo | None, stat: os.stat_result | None = None) -> None:
    """Fix the story's URL and where Pelican would write it (``_freeze_url``,
    ``_real_save_as``), from the memo while its file and the settings are unchanged.

    Both come from the file (slug, date, language, folder) and the URL settings,
    which salt the memo; working them out is Pelican's formatting, twice per story.
    """

    def work_out(_: bytes) -> list[str]:
        _freeze_url(article)
        return [article.goodwill_url, _real_save_as(article)]

    try:
        url, save_as = (
            places.get(article.source_path, work_out, read=False, valid=_is_place, stat=stat)
            if places
            else work_out(b"")
        )
    except OSError:
        url, save_as = work_out(b"")
    if "goodwill_url" not in article.__dict__:
        article.goodwill_had_url_override = "override_url" in article.__dict__
    article.goodwill_url = article.override_url = url
    if not hasattr(article, "goodwill_save_as"):
        article.goodwill_had_override = "override_save_as" in article.__dict__
        article.goodwill_save_as = save_as


REDACTIONS_SUFFIX = ".redactions.json"
MARK = '<mark class="redaction"'


def _marked(article: Any, turns: list[RenderedTurn]) -> list[RenderedTurn]:
    """The turns of a story not yet public, each replacement the anonymizer made marked.

    For the founder's preview only: the record beside the story says what
    replaced what, turn by turn (never the original), and the page shows it.
    """
    source = Path(article.source_path)
    sidecar = source.with_name(source.stem + REDACTIONS_SUFFIX)
    try:
        records = json.loads(sidecar.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return turns  # written by hand: nothing was redacted
    except (OSError, ValueError) as exc:
        logger.warning(
            "%s: cannot be read (%s); the preview shows the story without its redactions "
            "marked. Restore the file from git or run goodwill ingest again",
            sidecar,
            exc,
        )
        return turns
    by_turn = replacements_by_turn(records if isinstance(records, list) else [])
    marked, n = [], 0
    for turn in turns:
        if turn.role == "note":
            marked.append(turn)
            continue
        marked.append(
            dataclasses.replace(turn, html=mark_redactions(turn.html, by_turn.get(n, ())))
        )
        n += 1
    return marked


def _dress(article: Any, story: Any, kind: str, settings: dict[str, Any], plan: ImagePlan) -> None:
    """Attach what every listing shows of a story: its card, avatar, facts and summary.

    Idempotent, since Pelican may cache articles. What only the story's own page
    shows (the turns, the JSON-LD) is ``_dress_page``'s.
    """
    article.template = "testimonial" if kind == "testimonials" else "gift"
    article.goodwill = story
    article.goodwill_kind = kind
    if kind == "testimonials":
        article.goodwill_facts = stories.measured_facts(story)
        article.goodwill_avatar = plan.avatar(story.initials, story.customer)
        article.goodwill_card = plan.share_card(story.quote, f"{story.customer}, {story.product}")
        article.metadata["summary"] = html.escape(story.quote)
    else:
        article.goodwill_avatar = plan.avatar(stories.initials(story.recipient), story.recipient)
        article.goodwill_card = ""
        photo = ""
        if story.photo:
            photo = plan.photo(Path(settings["PATH"]) / story.photo)
        article.goodwill_photo = photo
        article.metadata["summary"] = html.escape(story.why or story.gift)


def _dress_page(article: Any, settings: dict[str, Any]) -> None:
    """Attach what the story's own page shows, and make its HTML the published conversation.

    The conversation is split into turns, each sanitized, the customer renamed
    where they chose another name, and joined again. Idempotent.
    """
    article.__dict__.pop("_get_content", None)
    story, kind = article.goodwill, article.goodwill_kind
    site = settings.get("SITENAME", "")
    siteurl = settings.get("SITEURL", "")
    url = _absolute(settings, article.url)
    if kind == "testimonials":
        turns = split_turns(article._content)
        pseudonym = str(article.metadata.get("customer", ""))
        if story.customer != pseudonym:  # the customer chose another name (Display)
            named = "[name]" if story.customer == stories.ANONYMOUS else story.customer
            turns = rename(turns, pseudonym, story.customer, named)
        article._content = join_turns(turns)
        # Marks live in the turns the template shows, never in the content Pelican keeps.
        if article.goodwill_hidden and settings.get("GOODWILL_PREVIEW", False):
            turns = _marked(article, turns)
        article.goodwill_turns = turns
        article.goodwill_marks = sum(t.html.count(MARK) for t in turns)
        data = structured.testimonial_json_ld(
            story, url, site, siteurl, image=_absolute(settings, article.goodwill_card)
        )
    else:
        article._content = sanitize_html(article._content)
        photo = article.goodwill_photo
        image = _absolute(settings, photo) if photo else ""
        data = structured.gift_json_ld(story, url, site, siteurl, image=image)
    article.goodwill_json_ld = structured.script_tag_json(data)


def _content_on_demand(article: Any, settings: dict[str, Any]) -> str:
    """The published conversation, dressed when something first asks for it.

    Pelican calls an article's ``_get_content`` (when it has one) instead of
    reading ``_content``: a feed, a theme or another plugin asking for a story
    whose page the cache holds gets the same HTML the page has, and a rebuild
    does not dress the thousands of stories nothing asks for.
    """
    _dress_page(article, settings)
    return str(article._content)


def _page_cache(settings: dict[str, Any]) -> PageCache:
    from pelican import __version__ as pelican_version

    theme = Path(settings.get("THEME", ""))
    folders = [
        theme / "templates",
        *map(Path, settings.get("THEME_TEMPLATES_OVERRIDES") or []),
        *map(Path, settings.get("EXTRA_TEMPLATES_PATHS") or []),
    ]
    salt = pagecache.page_key(
        "",
        [
            pagecache.VERSION,
            pelican_version,
            # A story page is keyed by its file's bytes, not its HTML: what turns the bytes
            # into the page (Markdown and its extensions, this package) keys it too.
            markdown.__version__,
            *pagecache.extension_versions(settings),
            pagecache.code_digest(),
            pagecache.settings_digest(settings),
            pagecache.templates_digest(folders),
        ],
    )
    enabled = bool(settings.get("GOODWILL_PAGE_CACHE", True))
    output = Path(settings["OUTPUT_PATH"])
    return PageCache(pagecache.folder(settings), salt, output, enabled=enabled)


def _real_save_as(article: Any) -> str:
    """Where Pelican would write the story, even after an earlier build emptied it."""
    if not hasattr(article, "goodwill_save_as"):
        article.goodwill_had_override = "override_save_as" in article.__dict__
        article.goodwill_save_as = article.save_as
    return article.goodwill_save_as


def _story_page_fields(article: Any) -> list[object]:
    """Everything a story page shows, for its cache key (see ``pagecache``).

    What Pelican and the plugin make of the story file (its HTML, the story, the
    turns, the facts, the JSON-LD) is decided by the file's bytes, the settings
    and the libraries, so the hash of the bytes stands for them: hashing the
    dressed fields themselves was a tenth of a rebuild. A story read from no file
    (a test, another plugin) and a preview's marked turns (from the redactions
    record beside the file) are keyed by the fields.
    """
    original = article.goodwill_original
    source = getattr(article, "goodwill_source", "")
    dressed: list[object] = [source]
    if not source or article.goodwill_hidden:
        dressed = [
            article.goodwill,
            article._content,
            getattr(article, "goodwill_turns", None),
            getattr(article, "goodwill_facts", None),
            article.goodwill_json_ld,
        ]
    return [
        article.goodwill_kind,
        article.template,
        article.goodwill_save_as,
        article.url,
        article.lang,
        article.title,
        article.date,
        getattr(article, "category", None) and str(article.category),
        *dressed,
        article.goodwill_avatar,
        article.goodwill_card,
        getattr(article, "goodwill_photo", None),
        article.goodwill_hidden,
        article.metadata.get("summary"),
        [(t.lang, t.url, t.title) for t in getattr(article, "translations", [])],
        original and (original.url, original.lang),
    ]


def plan_pages(generator: Any, cache: PageCache, titles: dict[str, str]) -> set[int]:
    """Key every story page, and tell Pelican to skip those the cache already holds.

    Drafts are keyed too (a preview's walls show them) but left to Pelican.
    Returns the ``id`` of each article whose page is reused.
    """
    writable = {"translations", "articles", "hidden_translations", "hidden_articles"}
    reused: set[int] = set()
    # What every story page shows alike (the pledges' titles) salts them all, hashed once.
    salt = pagecache.page_key(cache.salt, ["story pages", sorted(titles.items())])
    for name in LISTS:
        for article in getattr(generator, name, []):
            if not hasattr(article, "goodwill_kind"):
                continue
            save_as = _real_save_as(article)
            key = pagecache.page_key(salt, _story_page_fields(article))
            article.goodwill_page_key = key
            if name not in writable or not save_as:
                continue
            if cache.plan(save_as, key):
                article.override_save_as = ""  # Pelican's writer skips an empty name
                reused.add(id(article))
            elif article.goodwill_had_override:
                article.override_save_as = save_as
            else:
                article.__dict__.pop("override_save_as", None)
    return reused


def collect(generator: Any) -> State:
    """Gate, read and dress every story; returns the model the templates use."""
    settings = generator.settings
    preview = bool(settings.get("GOODWILL_PREVIEW", False))
    cache = settings.get("GOODWILL_IMAGE_CACHE") or os.path.join(
        settings.get("CACHE_PATH", "cache"), "goodwill-images"
    )
    plan = ImagePlan(Path(cache))

    parsed: dict[int, tuple[str, Any]] = {}  # id(article) -> (kind, story)
    stats: dict[int, os.stat_result] = {}
    verdicts: dict[int, consent.Verdict] = {}
    shown_names: dict[int, list[str]] = {}
    memo = FileMemo(pagecache.folder(settings) / "stories.json", _MEMO_SALT)
    dropped: set[int] = set()
    pledges: list[stories.Pledge] = []
    for name in LISTS:
        for article in getattr(generator, name, []):
            kind = _kind(article, settings)
            if kind not in READERS:
                continue
            try:
                story = READERS[kind](article.metadata, _display_path(article, settings))
            except stories.StoryError as exc:
                logger.error("%s; this file is left out of the site", exc)
                dropped.add(id(article))
                continue
            if kind == "pledges":
                pledges.append(story)
                dropped.add(id(article))  # pledges are written by the plugin, not as posts
            else:
                parsed[id(article)] = (kind, story)
                # One stat for both memos (consent here, places below); a file that
                # cannot be read is reported by the memo.
                with contextlib.suppress(OSError):
                    stats[id(article)] = os.stat(article.source_path)
                verdicts[id(article)], shown = _verdict(article, memo, stats.get(id(article)))
                if shown:
                    shown_names[id(article)] = shown
    memo.save()

    # The gate: a translation is public only if its original is too.
    originals = {
        id(a) for n in ("articles", "drafts", "hidden_articles") for a in getattr(generator, n, [])
    }
    hidden: dict[int, str] = {}
    for key, (_, story) in parsed.items():
        verdict = verdicts[key]
        if not stories.is_public(story, verdict.publishable):
            hidden[key] = stories.why_hidden(story, verdict.publishable, verdict.reason)
    public_slugs = {
        (kind, s.slug)
        for key, (kind, s) in parsed.items()
        if key in originals and key not in hidden
    }
    for key, (kind, story) in parsed.items():
        if key in hidden:
            continue
        if key not in originals and (kind, story.slug) not in public_slugs:
            hidden[key] = "its original is not public"
    if not preview:
        dropped |= set(hidden)
        if hidden:
            logger.info("goodwill: %d story file(s) not public, left out of the build", len(hidden))

    for name in LISTS:
        items = getattr(generator, name, None)
        if items is None:
            continue
        kept = [a for a in items if id(a) not in dropped]
        setattr(generator, name, kept)
        for article in kept:
            if hasattr(article, "translations"):
                article.translations = [t for t in article.translations if id(t) not in dropped]

    pages = _page_cache(settings)
    # URLs and output names: salted with the settings and templates (the page cache's salt).
    places = FileMemo(pagecache.folder(settings) / "places.json", pages.salt)
    everything = [a for n in LISTS for a in getattr(generator, n, [])]
    dressed: set[int] = set()
    for article in everything:
        if id(article) in parsed:
            kind, story = parsed[id(article)]
            article.goodwill_hidden = hidden.get(id(article), "")
            _place(article, places, stats.get(id(article)))
            _dress(article, story, kind, settings, plan)
            if not getattr(article, "goodwill_source", "") or article.goodwill_hidden:
                _dress_page(article, settings)  # keyed by what it shows: see _story_page_fields
                dressed.add(id(article))
            article.goodwill_original = None
            if id(article) not in originals:  # a translation links to its original
                article.goodwill_original = next(
                    (t for t in getattr(article, "translations", []) if id(t) in originals), None
                )

    listed = [a for n in ("articles", "drafts") for a in getattr(generator, n, [])]
    if not preview:
        listed = [a for a in listed if id(a) not in hidden]

    def of(kind: str) -> list[Any]:
        items = [a for a in listed if id(a) in parsed and parsed[id(a)][0] == kind]
        by_story = {id(a.goodwill): a for a in items}
        return [by_story[id(s)] for s in stories.wall_order(a.goodwill for a in items)]

    testimonials, gifts = of("testimonials"), of("gifts")
    pledges.sort(key=lambda p: (p.order, p.slug))
    now = datetime.now(UTC)
    rows = _read_ledger(settings)
    listed_at_most = int(settings.get("GOODWILL_PER_PAGE", 12))
    views = []
    for p in pledges:
        view = PledgeView(p, f"pledges/{p.slug}/")
        view.testimonials = [a for a in testimonials if p.slug in a.goodwill.pledges]
        view.gifts = [a for a in gifts if p.slug in a.goodwill.pledges]
        view.figures = evidence.pledge_figures(p, rows, now)
        view.shown = view.testimonials[:listed_at_most]
        views.append(view)
    known = {p.slug for p in pledges}
    for article in testimonials + gifts:
        for slug in article.goodwill.pledges:
            if slug not in known:
                logger.warning(
                    "%s: pledge '%s' has no file in pledges/; add content/pledges/%s.md",
                    _display_path(article, settings),
                    slug,
                    slug,
                )
                known.add(slug)

    products = []
    for group in stories.by_product(a.goodwill for a in testimonials):
        members = {id(s) for s in group.items}
        products.append(
            stories.Group(
                group.slug,
                group.name,
                tuple(a for a in testimonials if id(a.goodwill) in members),
            )
        )

    model = {
        "preview": preview,
        "testimonials": testimonials,
        "gifts": gifts,
        # The home page: pinned stories (else the three newest), never more than a wall page.
        "featured": ([a for a in testimonials if a.goodwill.featured] or testimonials[:3])[
            :listed_at_most
        ],
        "pledges": views,
        "pledge_titles": {v.pledge.slug: v.pledge.title for v in views},
        "products": products,
        "gift_totals": evidence.gift_totals(a.goodwill for a in gifts),
        "ledger_threads": len(rows),
    }
    public = [a for a in testimonials if not a.goodwill_hidden]
    public_gifts = [a for a in gifts if not a.goodwill_hidden]
    places.save()
    reused = plan_pages(generator, pages, model["pledge_titles"])
    for article in everything:
        if id(article) not in parsed or id(article) in dressed:
            continue
        if id(article) in reused:
            article._get_content = partial(_content_on_demand, article, settings)
        else:
            _dress_page(article, settings)
    plan.start()  # draw missing images on the other cores while Pelican renders pages
    # Unchanged story pages and images go into the output beside the rendering.
    links = pages.take_links() + plan.take_links(Path(settings["OUTPUT_PATH"]))
    linker = Background(partial(link_all, links), fork=len(links) >= LINK_APART_FROM)
    shown = [
        guardrecords.ShownName(tuple(words), a.goodwill_save_as, a.url)
        for a in everything
        if (words := shown_names.get(id(a)))
    ]
    return State(model, plan, public, public_gifts, pages, settings, shown, linker)
