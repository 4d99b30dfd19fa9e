"""New gift stories and pledges from a template, checked by the same reader the site uses.

A founder should not have to remember field names, and a file that ``goodwill
new`` writes must build: every new file is read back with ``stories.read_gift``
or ``stories.read_pledge`` before it is written, so a mistake is reported here,
with the field to fix, rather than at the next build.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from goodwill import content, stories
from goodwill.drafts import slugify


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # the metadata key, as written in the file
    question: str  # what the founder is asked
    default: str | None = None  # None: required
    body: bool = False  # the story text, below the header

    @property
    def option(self) -> str:
        return "--" + self.name.lower()

    @property
    def dest(self) -> str:
        return self.name.lower().replace("-", "_")


GIFT = (
    Field("Title", "A title for the story"),
    Field("Gift", "What did you give? (a licence, a refund, an hour of help)"),
    Field("Recipient", "To whom? A pseudonym, never their real name"),
    Field("Why", "Why did you give it?"),
    Field("Asked-In-Return", "What did you ask in return?", "nothing"),
    Field("Outcome", "What came of it?", ""),
    Field("Came-Back", "What came back, comma-separated?", "nothing"),
    Field("Value", "Its value, digits only (empty if none)", ""),
    Field("Currency", "Currency of that value (EUR, USD…)", ""),
    Field("Pledges", "Pledges it shows, comma-separated slugs", ""),
    Field("Lang", "Language", "en"),
    Field("Story", "The story, in a few sentences", "", body=True),
)
PLEDGE = (
    Field("Title", "The promise, in plain words"),
    Field("Summary", "One sentence that explains it"),
    Field("Measure", "How it is measured: first_reply, resolution or none", "none"),
    Field("Target-Hours", "Target in hours (empty if in business days or not measured)", ""),
    Field("Business-Days", "Target in business days (empty if in hours)", ""),
    Field("Order", "Position on the pledges page", "10"),
    Field("Story", "A longer explanation (optional)", "", body=True),
)
KINDS = {"gift": GIFT, "pledge": PLEDGE}


class ScaffoldError(Exception):
    """A new file that cannot be written; the message names the field or the file."""


def render(kind: str, values: Mapping[str, str], now: datetime | None = None) -> tuple[str, str]:
    """The relative path and text of a new ``kind`` file; checked as the site will read it."""
    fields = KINDS[kind]
    missing = [f.option for f in fields if f.default is None and not values.get(f.name, "").strip()]
    if missing:
        raise ScaffoldError(f"a new {kind} needs {', '.join(missing)}")
    today = (now or datetime.now(UTC)).date().isoformat()
    title = " ".join(values["Title"].split())
    slug = slugify(title)
    if not slug:
        raise ScaffoldError(f"--title {title!r} has no letters or digits to make a file name from")
    meta: dict[str, str] = {"Title": title}
    if kind == "gift":
        slug = f"{today}-{slug}"
        meta |= {"Date": today, "Status": "draft", "Slug": slug, "Category": "gifts"}
    else:
        meta |= {"Slug": slug, "Date": today, "Category": "pledges"}
    body = ""
    for f in fields:
        value = " ".join(str(values.get(f.name, f.default or "")).split())
        if f.body:
            body = str(values.get(f.name, "")).strip()
        elif value:
            meta[f.name] = value
    if kind == "gift":
        meta["Consent"] = "pending"  # the recipient agrees to the story, as customers do
    lower = {k.lower(): v for k, v in meta.items()}
    where = f"{kind}s/{slug}.md"
    try:
        (stories.read_gift if kind == "gift" else stories.read_pledge)(lower, where)
    except stories.StoryError as exc:
        raise ScaffoldError(str(exc)) from exc
    text = "".join(f"{k}: {v}\n" for k, v in meta.items()) + "\n" + (body or title) + "\n"
    return where, text


def write_new(content_dir: Path, relative: str, text: str) -> Path:
    """Write a new file; an existing one is never replaced."""
    path = content_dir / relative
    if path.exists():
        raise ScaffoldError(f"{path} already exists; edit it, or choose another title")
    content.write_atomic(path, text)
    return path
