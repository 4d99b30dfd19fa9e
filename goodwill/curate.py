"""The founder's review: the queue, the marked-up draft, approve, reject, withdraw.

Publishing a customer's words is a trust act, so approval needs recorded
consent (see ``consent.py``), and a story that leaves (rejected or withdrawn)
leaves for good: its file moves out of ``content/`` to the private
``.goodwill/`` folder, and its thread is remembered in ``content/excluded.csv``
(thread keys only, so it can travel with git) so a re-ingest never brings it back.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from goodwill import consent, content
from goodwill.model import Role

# The same grammar the site splits rendered pages on (goodwill/turns.py): any spacing.
_MARKER = re.compile(r"<!--\s*goodwill:turn\b(.*?)-->\n?", re.DOTALL)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
_LONG_DIGITS = re.compile(r"\d[\d .\-]{5,}\d")
_AT = re.compile(r"\S+@\S+|(?<!\w)@\w{2,}")


class CurateError(Exception):
    """A curation step that cannot be done; the message says why and what to do."""


@dataclass(slots=True)
class Entry:
    """One story in the review queue."""

    path: Path
    slug: str
    title: str
    date: str
    quote: str
    customer: str
    status: str
    pledges: list[str]
    redactions: dict[str, int]
    verdict: consent.Verdict

    def as_json(self) -> dict[str, object]:
        return {
            "slug": self.slug,
            "path": str(self.path),
            "title": self.title,
            "date": self.date,
            "quote": self.quote,
            "customer": self.customer,
            "status": self.status,
            "pledges": self.pledges,
            "redactions": self.redactions,
            "consent": self.verdict.state.value,
            "consent_note": self.verdict.reason,
        }


@dataclass(slots=True)
class RawTurn:
    role: str
    author: str
    sent: str
    text: str  # unescaped, as the customer will read it
    marks: list[tuple[int, int, str]] = field(default_factory=list)  # start, end, kind


def parse_redaction_counts(summary: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for part in summary.split(","):
        words = part.split()
        if len(words) == 2 and words[1].isdigit():
            counts[words[0]] = int(words[1])
    return counts


def read_story(path: Path) -> str:
    """A story file's text; an unreadable one is an error that names it."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CurateError(
            f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 in your editor"
        ) from exc
    except OSError as exc:
        raise CurateError(f"{path}: cannot be read ({exc.strerror})") from exc


def entry(path: Path) -> Entry:
    text = read_story(path)
    meta = content.parse_metadata(text)
    return Entry(
        path=path,
        slug=meta.get("Slug", path.stem),
        title=meta.get("Title", ""),
        date=meta.get("Date", ""),
        quote=meta.get("Quote", meta.get("Gift", "")),
        customer=meta.get("Customer", meta.get("Recipient", "")),
        status=meta.get("Status", "draft"),
        pledges=[p.strip() for p in meta.get("Pledges", "").split(",") if p.strip()],
        redactions=parse_redaction_counts(meta.get("Redactions", "")),
        verdict=consent.verdict(text),
    )


STORY_FOLDERS = (content.TESTIMONIALS, "gifts")  # what needs a customer's consent


def story_files(content_dir: Path) -> list[Path]:
    return [p for folder in STORY_FOLDERS for p in sorted((content_dir / folder).glob("*.md"))]


def consented_names(content_dir: Path) -> set[str]:
    """The words of every name a customer chose, with consent, to be shown by ("Jonas W.").

    The leak guard lets these through: a real name the customer agreed to is not a leak.
    """
    names: set[str] = set()
    for path in story_files(content_dir):
        try:
            text = read_story(path)
        except CurateError:
            continue
        names.update(shown_name_words(text, consent.verdict(text)))
    return names


def shown_name_words(text: str, verdict: consent.Verdict) -> list[str]:
    """The words of the name a story's customer chose to be shown by, once they consented."""
    if not verdict.publishable:
        return []
    shown = content.parse_metadata(text).get("Display-Name")
    return re.findall(r"[^\W\d_][\w'’.-]*", shown) if shown else []


def queue(
    content_dir: Path, include_published: bool = False, errors: list[str] | None = None
) -> list[Entry]:
    """Stories waiting for the founder (drafts, pending or stale consent), newest first.

    A file that cannot be read is reported in ``errors`` and the others are still listed.
    """
    entries = []
    for path in story_files(content_dir):
        try:
            entries.append(entry(path))
        except CurateError as exc:
            if errors is None:
                raise
            errors.append(str(exc))
    if not include_published:
        entries = [e for e in entries if not (e.status == "published" and e.verdict.publishable)]
    return sorted(entries, key=lambda e: e.date, reverse=True)


def find(content_dir: Path, slug: str) -> Path:
    """The story file for a slug (or file stem); a clear error listing close names otherwise."""
    candidates = story_files(content_dir)
    for path in candidates:
        if path.stem == slug or path.name == slug:
            return path
    for path in candidates:
        if content.parse_metadata(path.read_text(encoding="utf-8")).get("Slug") == slug:
            return path
    close = [p.stem for p in candidates if slug.lower() in p.stem.lower()][:5]
    hint = f"; did you mean {', '.join(close)}?" if close else "; `goodwill review` lists them"
    raise CurateError(f"no story '{slug}' in {content_dir}{hint}")


def parse_turns(body: str) -> list[RawTurn]:
    """The conversation of a draft body, unescaped, in order."""
    parts = _MARKER.split(body)
    turns = []
    if parts[0].strip():  # the site publishes text above the first turn as a note
        turns.append(RawTurn("note", "", "", html.unescape(parts[0].strip())))
    for attrs, text in zip(parts[1::2], parts[2::2], strict=True):
        values = dict(_ATTR.findall(attrs))
        turns.append(
            RawTurn(
                role=values.get("role", Role.CUSTOMER.value),
                author=html.unescape(values.get("author", "")),
                sent=values.get("sent", ""),
                text=html.unescape(text.strip()),
            )
        )
    return turns


def _load_redactions(path: Path) -> list[dict[str, object]]:
    sidecar = path.with_name(path.stem + content.REDACTIONS_SUFFIX)
    if not sidecar.exists():
        return []
    try:
        records = json.loads(sidecar.read_text(encoding="utf-8"))
        if not isinstance(records, list) or not all(
            isinstance(r, dict) and {"kind", "message", "start", "end", "replacement"} <= r.keys()
            for r in records
        ):
            raise ValueError("expected a list of redactions with kind, message, start, end")
        return records
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise CurateError(
            f"{sidecar}: not a redaction record ({exc}); restore it from git, or delete it "
            "and review the text by eye (the marks will be missing)"
        ) from exc


def marked_turns(path: Path) -> list[RawTurn]:
    """The turns with every recorded redaction located, even after the founder's edits.

    Offsets are trusted where the text still holds the replacement there; otherwise
    every occurrence of the replacement in that turn is marked.
    """
    _, body = content.split_file(read_story(path))
    turns = parse_turns(body)
    conversation = [t for t in turns if t.role != "note"]  # what the records' indexes count
    for record in _load_redactions(path):
        index = int(record.get("message", -1))  # type: ignore[call-overload]
        if not 0 <= index < len(conversation):
            continue
        turn = conversation[index]
        start, end = int(record["start"]), int(record["end"])  # type: ignore[call-overload]
        replacement, kind = str(record["replacement"]), str(record["kind"])
        if turn.text[start:end] == replacement:
            turn.marks.append((start, end, kind))
        else:
            turn.marks.extend(
                (m.start(), m.end(), kind)
                for m in re.finditer(re.escape(replacement), turn.text)
                if replacement
            )
    for turn in turns:
        turn.marks = sorted(set(turn.marks))
    return turns


def render_marked(turn: RawTurn) -> str:
    """Plain text with each redaction as ``[kind: replacement]``."""
    out, last = [], 0
    for start, end, kind in turn.marks:
        if start < last:
            continue
        replacement = turn.text[start:end]
        label = replacement if replacement.strip("[]") == kind else f"{kind}: {replacement}"
        out.append(turn.text[last:start] + f"[{label.strip('[]')}]")
        last = end
    out.append(turn.text[last:])
    return "".join(out)


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return not before or before[-1] in ".!?:\n"


def warnings(
    text: str,
    first_names: frozenset[str] = frozenset(),
    allow: frozenset[str] = frozenset(),
    common_words: frozenset[str] = frozenset(),
) -> list[str]:
    """What still looks personal: an @, a long run of digits, a capitalised known first name.

    Marked redactions (``[name: Maren]``) and the names in ``allow`` (the pseudonym, the
    staff's public names) are not personal data any more and are not reported; nor is a
    name that is also a common word ("Will", "Happy") starting a sentence.
    """
    # Imported here: the site build imports this module for consent, and the detectors'
    # patterns and word lists are a fifth of a small site's start-up.
    from goodwill.detectors import fold

    text = re.sub(r"\[[a-z]+(?::[^\]]*)?\]", " ", text)
    allowed = {fold(a) for name in allow for a in name.split()}
    found = [f"looks like an address or handle: {m.group(0)!r}" for m in _AT.finditer(text)]
    found += [f"a long run of digits: {m.group(0)!r}" for m in _LONG_DIGITS.finditer(text)]
    for match in re.finditer(r"\b[A-ZÀ-Ý][a-zà-ÿ]+\b", text):
        word = fold(match.group(0))
        ordinary = word in common_words and _sentence_start(text, match.start())
        if word in first_names and word not in allowed and not ordinary:
            found.append(f"a first name that was not redacted: {match.group(0)!r}")
    return found


# ------------------------------------------------------------------ decisions


def approve(
    path: Path,
    how: str,
    when: date | None = None,
    display: str = "pseudonym",
    display_name: str = "",
) -> consent.Verdict:
    """Record consent (how, when, to which words) and publish the story."""
    if not how.strip():
        raise CurateError(
            f"{path}: approving needs consent: say how and when the customer agreed, "
            '--consent "replied yes to our e-mail on 2026-03-05"'
        )
    if display not in consent.DISPLAY_STYLES:
        raise CurateError(f"display must be one of {', '.join(consent.DISPLAY_STYLES)}")
    if display in {"initials", "first-name-initial"} and not display_name.strip():
        raise CurateError(f"display '{display}' needs the name as the customer wants it shown")
    text = read_story(path)
    broken = consent.continued_lines(text)
    if broken:
        raise CurateError(
            f"{path}:{broken[0]}: this header line continues the field above it, which Pelican "
            "would publish as a list; put each field on one line, then approve"
        )
    staged = content.set_metadata(
        text, {"Display": display, "Display-Name": display_name.strip() or None}
    )
    final = content.set_metadata(
        staged,
        {
            "Status": "published",
            "Consent": "given",
            "Consent-How": " ".join(how.split()),
            "Consent-Date": (when or datetime.now(UTC).date()).isoformat(),
            "Consent-Text": consent.text_fingerprint(staged),
        },
    )
    content.write_atomic(path, final)
    return consent.verdict(final)


def _move_aside(path: Path, private_dir: Path, folder: str) -> Path:
    dest_dir = private_dir / folder
    dest_dir.mkdir(parents=True, exist_ok=True)
    moved = dest_dir / path.name
    shutil.move(str(path), moved)
    sidecar = path.with_name(path.stem + content.REDACTIONS_SUFFIX)
    if sidecar.exists():
        shutil.move(str(sidecar), dest_dir / sidecar.name)
    return moved


def siblings(path: Path, content_dir: Path) -> list[Path]:
    """The story and every file that tells it too: its translations (same Slug) and the
    other versions ingest wrote of its thread (same Thread)."""
    meta = content.parse_metadata(read_story(path))
    thread, slug = meta.get("Thread", ""), meta.get("Slug", "")
    found = [path]
    for other in story_files(content_dir):
        if other == path:
            continue
        theirs = content.parse_metadata(read_story(other))
        if (thread and theirs.get("Thread") == thread) or (slug and theirs.get("Slug") == slug):
            found.append(other)
    return found


def _exclude(
    path: Path, content_dir: Path, private_dir: Path, reason: str, when: date | None
) -> list[Path]:
    """Move the story and its siblings aside and remember their threads for good."""
    day = when or datetime.now(UTC).date()
    moved = []
    for story in siblings(path, content_dir):
        meta = content.parse_metadata(read_story(story))
        if meta.get("Thread"):
            content.exclude(content_dir, meta["Thread"], reason, day, meta.get("Source", ""))
        moved.append(_move_aside(story, private_dir, reason))
    return moved


def reject(
    path: Path, content_dir: Path, private_dir: Path, when: date | None = None
) -> list[Path]:
    """Move a story out of content/: kept locally, never built, never re-ingested."""
    return _exclude(path, content_dir, private_dir, "rejected", when)


def withdraw(
    path: Path, content_dir: Path, private_dir: Path, when: date | None = None
) -> list[Path]:
    """The customer withdrew consent: the story leaves and its thread is never re-ingested."""
    return _exclude(path, content_dir, private_dir, "withdrawn", when)


def consent_request(path: Path, sender: str = "") -> str:
    """A short, warm e-mail asking for consent, quoting exactly what would be published:
    the title, the quote, and every turn of the conversation with who said it."""
    meta, body = content.split_file(read_story(path))
    turns = parse_turns(body)
    name = meta.get("Customer", "a customer")
    blocks = []
    for turn in turns:
        who = {"note": "A note from us", "customer": f"You (as {name})"}.get(
            turn.role, turn.author or "Us"
        )
        blocks.append(f"> {who}:\n> " + turn.text.replace("\n", "\n> "))
    counts = Counter(t.role for t in turns)
    sign = f"\n{sender}" if sender else ""
    return (
        f"Subject: May we share your words? ({meta.get('Title', 'our conversation')})\n\n"
        "Hi,\n\n"
        "Thank you again for writing to us. Your message meant a lot, and we would love to "
        "share it on our site so others can see how we try to look after people.\n\n"
        "This is exactly what we would publish, with your name and contact details removed "
        f'(you would appear as "{name}"). The title:\n\n'
        f"> {meta.get('Title', '')}\n\n"
        "the words we would pick out:\n\n"
        f"> {meta.get('Quote', '')}\n\n"
        f"and the conversation, {counts['customer']} of your messages and "
        f"{counts['staff']} of ours:\n\n" + "\n\n".join(blocks) + "\n\n"
        "Would that be all right? You can also choose how you are named: by this "
        "pseudonym, by your initials, by your first name and initial, or not at all. "
        "A simple yes is enough, and you can change your mind at any time; we will take "
        "it down straight away.\n\n"
        f"Thank you,{sign}\n"
    )
