"""Generated sites for the build benchmark and the incremental-build tests.

Two sites of the same size and the same words: one of Goodwill testimonial
drafts (exactly as ``goodwill ingest`` writes them, then approved: consent
recorded with the text's fingerprint, so every story passes the gate), and one
of plain Markdown articles for Pelican's own default theme. Comparing the two
only means something if the text is the same, so both are made from one
seeded Faker stream. Everything is fictional: Faker names, ``.example`` and
``.test`` domains only, no phone numbers at all.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from faker import Faker

from goodwill import consent, content
from goodwill.digest import digester

REPO = Path(__file__).resolve().parent.parent
SEED = 3
# A key for the redaction digests of the generated sidecars; the build gets it through the
# GOODWILL_KEY environment variable, so the leak guard's name check runs as on a real site.
BENCH_KEY = "bench-key-not-secret-0123456789abcdef0123456789abcdef"
PRODUCTS = ("Tidy Invoice", "Tidy Notes", "Tidy Books")
PLEDGES = (
    "reply-within-one-business-day",
    "first-reply-within-four-hours",
    "a-person-answers",
    "no-repeating-yourself",
)

GOODWILL_CONF = """\
AUTHOR = "Tidy Software"
SITENAME = "Tidy Software"
SITESUBTITLE = "What our customers said"
SITEURL = "https://tidy.example"
RELATIVE_URLS = False
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
PLUGIN_PATHS = [{plugins!r}]
PLUGINS = ["goodwill_site"]
THEME = {theme!r}
ARTICLE_URL = "{{category}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{category}}/{{slug}}/index.html"
ARTICLE_LANG_URL = "{{category}}/{{slug}}/{{lang}}/"
ARTICLE_LANG_SAVE_AS = "{{category}}/{{slug}}/{{lang}}/index.html"
PAGE_URL = "{{slug}}/"
PAGE_SAVE_AS = "{{slug}}/index.html"
DIRECT_TEMPLATES = ["index"]
CATEGORY_SAVE_AS = ""
TAG_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
DEFAULT_PAGINATION = False
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{{slug}}.atom.xml"
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
STATIC_PATHS = ["extra"]
DELETE_OUTPUT_DIRECTORY = True
CACHE_PATH = "cache"
CACHE_CONTENT = {cache}
LOAD_CONTENT_CACHE = {cache}
GZIP_CACHE = False  # both sites: Pelican reads and writes its whole cache on every build
GOODWILL_PER_PAGE = 12
GOODWILL_IMAGE_CACHE = "cache/goodwill-images"
GOODWILL_PREVIEW = False
# "warn": the guard runs and costs what it costs, but a false positive on generated text
# cannot stop the benchmark (the last full run had none).
GOODWILL_GUARD = "warn"
"""

# Pelican's defaults, as a newcomer's first site has them: default theme, no plugin.
PLAIN_CONF = """\
AUTHOR = "Tidy Software"
SITENAME = "Tidy Software"
SITEURL = "https://tidy.example"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DELETE_OUTPUT_DIRECTORY = True
CACHE_PATH = "cache"
CACHE_CONTENT = {cache}
LOAD_CONTENT_CACHE = {cache}
GZIP_CACHE = False  # both sites: Pelican reads and writes its whole cache on every build
"""


@dataclass(frozen=True, slots=True)
class Story:
    """One generated support thread, before it is written in either site's format."""

    n: int
    title: str
    slug: str
    when: datetime
    customer: str
    surname: str  # the "real" surname ingest redacted: only its digest is written
    product: str
    quote: str
    pledges: tuple[str, ...]
    turns: tuple[tuple[str, str, datetime, str], ...]  # role, author, sent, text


def stories(count: int, seed: int = SEED, start: int = 0) -> list[Story]:
    """``count`` fictional threads; the same seed gives the same stories, byte for byte."""
    fake = Faker("en_GB")
    fake.seed_instance(seed + start)
    made = []
    for n in range(start, start + count):
        when = datetime(2024, 1, 1) + timedelta(minutes=fake.random_int(0, 60 * 24 * 800))
        title = fake.sentence(nb_words=6).rstrip(".")
        slug = f"{when:%Y-%m-%d}-{n:05d}-" + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        customer = fake.first_name()
        quote = fake.sentence(nb_words=12)
        turns = []
        sent = when
        for k in range(4):
            role = "customer" if k % 2 == 0 else "staff"
            author = customer if role == "customer" else "Support"
            body = "\n\n".join(fake.paragraph(nb_sentences=4) for _ in range(2))
            if k == 0:
                body = f"Hi, {body}"
            elif role == "staff":
                body = f"Hi {customer}, {body}\n\nThank you for writing in."
            elif k == 2:
                body = f"{body} {quote}"
            turns.append((role, author, sent, body))
            sent += timedelta(minutes=fake.random_int(5, 900))
        pledges = tuple(p for p in PLEDGES if fake.random_int(0, 2) == 0) or PLEDGES[:1]
        made.append(
            Story(
                n,
                title,
                slug,
                when,
                customer,
                fake.last_name(),
                PRODUCTS[n % len(PRODUCTS)],
                quote,
                pledges,
                tuple(turns),
            )
        )
    return made


def _minutes(a: datetime, b: datetime) -> int:
    return int((b - a).total_seconds() // 60)


def draft_text(story: Story) -> str:
    """The story as ingest writes it, then approved by the founder (consent recorded)."""
    first_reply = _minutes(story.turns[0][2], story.turns[1][2])
    resolution = _minutes(story.turns[0][2], story.turns[-1][2])
    meta = {
        "Title": story.title,
        "Date": f"{story.when:%Y-%m-%d %H:%M}",
        "Status": "published",
        "Slug": story.slug,
        "Category": "testimonials",
        "Customer": story.customer,
        "Product": story.product,
        "Quote": story.quote,
        "Pledges": ", ".join(story.pledges),
        "Consent": "given",
        "First-Reply-Minutes": str(first_reply),
        "Resolution-Minutes": str(resolution),
        "Customer-Messages": "2",
        "Staff-Messages": "2",
        "Lang": "en",
        "Thread": f"{story.n:016x}",
        "Source": f"{story.n * 7919:064x}",
        "Redactions": "name 1",
    }
    body = "".join(
        f'<!-- goodwill:turn role="{role}" author="{author}" sent="{sent:%Y-%m-%dT%H:%M:00+00:00}"'
        f" -->\n{text}\n\n"
        for role, author, sent, text in story.turns
    )
    head = "".join(f"{k}: {v}\n" for k, v in meta.items())
    text = f"{head}\n{body}"
    text = text.replace("\n\n", f"\nFingerprint: {content.fingerprint(text)}\n\n", 1)
    approval = {
        "Display": "pseudonym",
        "Consent-How": 'replied "yes, happy for you to share" to our e-mail',
        "Consent-Date": "2026-03-20",
    }
    staged = content.set_metadata(text, approval)
    return content.set_metadata(staged, {"Consent-Text": consent.text_fingerprint(staged)})


def sidecar_json(story: Story) -> str:
    """The redaction record beside a draft: the surname's keyed digest, never the surname."""
    digest = digester(BENCH_KEY.encode(), "name")
    record = {
        "kind": "name",
        "message": 0,
        "start": 0,
        "end": len(story.customer),
        "replacement": story.customer,
        "digest": digest(f"{story.customer} {story.surname}"),
    }
    return json.dumps([record], indent=1) + "\n"


def plain_text(story: Story) -> str:
    """The same story as a plain Markdown article of the same length, for Pelican alone."""
    body = "\n\n".join(f"**{author}**: {text}" for _, author, _, text in story.turns)
    return (
        f"Title: {story.title}\nDate: {story.when:%Y-%m-%d %H:%M}\nSlug: {story.slug}\n"
        f"Category: testimonials\nSummary: {story.quote}\n\n{body}\n"
    )


def dated_after(story: Story, latest: datetime) -> Story:
    """``story`` as if it had come in a day after ``latest``: the newest on every wall.

    A thread ingested today is usually the newest story; one generated with a date in
    the middle of the range moves every wall page after it.
    """
    shift = latest + timedelta(days=1) - story.when
    when = story.when + shift
    slug = f"{when:%Y-%m-%d}-{story.slug.split('-', 3)[3]}"
    turns = tuple((role, author, sent + shift, text) for role, author, sent, text in story.turns)
    return dataclasses.replace(story, when=when, slug=slug, turns=turns)


def add_testimonial(site: Path, story: Story) -> Path:
    """Write one approved draft and its sidecar into a Goodwill site's content."""
    folder = site / "content" / "testimonials"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{story.slug}.md"
    path.write_text(draft_text(story), encoding="utf-8")
    sidecar = folder / f"{story.slug}{content.REDACTIONS_SUFFIX}"
    sidecar.write_text(sidecar_json(story), encoding="utf-8")
    return path


def goodwill_site(site: Path, made: list[Story], cache: bool = False) -> Path:
    """A site with the repository's theme, plugin, pledges and ledger, and ``made`` stories."""
    (site / "content").mkdir(parents=True)
    shutil.copytree(REPO / "content" / "pledges", site / "content" / "pledges")
    shutil.copy2(REPO / "content" / "ledger.csv", site / "content" / "ledger.csv")
    conf = GOODWILL_CONF.format(
        plugins=str(REPO / "plugins"), theme=str(REPO / "theme"), cache=cache
    )
    (site / "pelicanconf.py").write_text(conf, encoding="utf-8")
    for story in made:
        add_testimonial(site, story)
    return site


def plain_site(site: Path, made: list[Story], cache: bool = False) -> Path:
    """Pelican's default theme and settings over the same stories as plain articles."""
    folder = site / "content"
    folder.mkdir(parents=True)
    (site / "pelicanconf.py").write_text(PLAIN_CONF.format(cache=cache), encoding="utf-8")
    for story in made:
        (folder / f"{story.slug}.md").write_text(plain_text(story), encoding="utf-8")
    return site
