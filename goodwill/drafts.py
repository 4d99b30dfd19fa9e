"""An anonymized thread becomes a draft testimonial: metadata and a conversation body.

Everything here works on text the anonymizer has already cleaned, so nothing the
draft says (title, slug, quote, file name) can carry what it removed.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from goodwill.model import AnonymizedThread, Metrics, Redaction, Role, Turn

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")
_SLUG_WORD = re.compile(r"[a-z0-9]+")
_WORD = re.compile(r"[^\W\d_]+")
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|aw|wg|sv|tr|vs|antw)\s*(?:\[\d+\])?\s*:\s*)+", re.I)

# Words of thanks and praise in the languages customers write in; the warmest
# sentence a customer wrote becomes the testimonial's quote.
_WARM = {
    "thank": 3, "thanks": 3, "grateful": 3, "appreciate": 3, "lifesaver": 4, "saved": 2,
    "amazing": 3, "awesome": 3, "brilliant": 3, "fantastic": 3, "wonderful": 3, "love": 3,
    "great": 2, "perfect": 2, "excellent": 3, "kind": 2, "generous": 3, "helpful": 2,
    "quick": 1, "fast": 1, "beyond": 2, "best": 2, "superb": 3, "delighted": 3,
    "merci": 3, "génial": 3, "parfait": 2, "formidable": 3,
    "danke": 3, "toll": 2, "super": 2, "großartig": 3, "wunderbar": 3,
    "gracias": 3, "genial": 3, "increíble": 3, "bedankt": 3, "geweldig": 3, "fijn": 1,
}  # fmt: skip
_STOPWORDS = {
    "en": {"the", "and", "is", "you", "to", "it", "my", "for", "with", "that", "this", "thanks"},
    "fr": {"le", "la", "les", "et", "est", "vous", "je", "pour", "avec", "merci", "une", "pas"},
    "de": {"der", "die", "das", "und", "ist", "ich", "sie", "nicht", "mit", "danke", "ein", "für"},
    "es": {"el", "los", "las", "y", "es", "que", "para", "con", "gracias", "una", "por", "mi"},
    "nl": {"de", "het", "en", "is", "ik", "je", "niet", "met", "een", "bedankt", "voor", "van"},
}
# Each stop word -> the languages it counts for ("de" is French, German and Dutch).
_STOP_LANGUAGES: dict[str, tuple[str, ...]] = {
    word: tuple(lang for lang, stop in _STOPWORDS.items() if word in stop)
    for word in set().union(*_STOPWORDS.values())
}


@dataclass(slots=True)
class Draft:
    """A testimonial draft before it is a file: ordered metadata and a Markdown body."""

    stem: str  # file name without ".md": "<date>-<slug>"
    metadata: dict[str, str]
    body: str
    redactions: list[Redaction]


def slugify(text: str, limit: int = 60) -> str:
    """An ASCII slug, cut at a word boundary; "" when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = _SLUG_WORD.findall(ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug


def clean_subject(subject: str) -> str:
    return " ".join(_REPLY_PREFIX.sub("", subject).split())


def guess_language(texts: Sequence[str]) -> str:
    """The language most of the words are in, among the few we know; English by default."""
    scores = dict.fromkeys(_STOPWORDS, 0)
    for word in _WORD.findall("\n".join(texts).lower()):
        for lang in _STOP_LANGUAGES.get(word, ()):
            scores[lang] += 1
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] > 0 else "en"


def _words_warmth(sentence: str) -> float:
    """What a sentence's words and exclamation marks say, before its length and placeholders."""
    words = _WORD.findall(sentence.lower())
    return sum(_WARM.get(w, 0) for w in words) + sentence.count("!") * 0.5


def _warmth(text: str, words_warmth: float) -> float:
    score = words_warmth
    if "[" in text:  # a placeholder reads badly as a quote
        score -= 2
    length = len(text)
    if length < 15 or length > 240:
        score -= 3
    return score


def pick_quote(turns: Sequence[Turn]) -> str:
    """The customer's warmest sentence (or two, when the first is short).

    A pair's words are its two sentences' words, so each sentence's words are weighed once.
    """
    best, best_score = "", float("-inf")
    for turn in turns:
        if turn.role is not Role.CUSTOMER:
            continue
        sentences = [s.strip() for s in _SENTENCE.findall(turn.text) if s.strip()]
        weights = [_words_warmth(s) for s in sentences]
        for i, sentence in enumerate(sentences):
            candidates = [(sentence, _warmth(sentence, weights[i]))]
            if len(sentence) < 40 and i + 1 < len(sentences):
                pair = f"{sentence} {sentences[i + 1]}"
                # A single sentence reads better.
                candidates.append((pair, _warmth(pair, weights[i] + weights[i + 1]) - 0.5))
            for candidate, score in candidates:
                if score > best_score:
                    best, best_score = candidate, score
    return " ".join(best.split())


def find_product(texts: Sequence[str], products: Sequence[str]) -> str:
    """The product named most often in the thread, "" when none is."""
    counts = Counter()
    for product in products:
        pattern = _product_pattern(product)
        counts[product] = sum(len(pattern.findall(t)) for t in texts)
    named = [p for p, n in counts.most_common() if n]
    return named[0] if named else ""


@lru_cache(maxsize=256)
def _product_pattern(product: str) -> re.Pattern[str]:
    """Compiled once per product name, not once per thread."""
    return re.compile(rf"\b{re.escape(product)}\b", re.IGNORECASE)


def _figure(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render_turns(turns: Sequence[Turn]) -> str:
    """The conversation as Markdown, one marker comment per turn.

    Text is HTML-escaped: a customer's ``<script>`` is shown as text, never run.
    """
    parts = []
    for turn in turns:
        sent = turn.sent.isoformat() if turn.sent else ""
        author = html.escape(_one_line(turn.author), quote=True)
        parts.append(
            f'<!-- goodwill:turn role="{turn.role.value}" author="{author}" sent="{sent}" -->\n'
            f"{html.escape(turn.text.strip(), quote=False)}\n"
        )
    return "\n".join(parts)


def redaction_summary(redactions: Sequence[Redaction]) -> str:
    """Replacements by kind; digest-only records (parts of names, no position) not counted."""
    counts = Counter(r.kind for r in redactions if r.end > r.start or r.replacement)
    return ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()))


def make_draft(
    anonymized: AnonymizedThread,
    metrics: Metrics,
    *,
    thread_key: str,
    source_digest: str,
    when: datetime,
    products: Sequence[str] = (),
) -> Draft:
    """Build the draft for one thread; ``when`` is the first message's time (or the file's)."""
    texts = [t.text for t in anonymized.turns]
    quote = pick_quote(anonymized.turns)
    title = (
        clean_subject(anonymized.subject) or quote[:70] or f"A thread with {anonymized.customer}"
    )
    slug = slugify(title) or f"thread-{thread_key[:8]}"
    when = when.astimezone(UTC)
    stem = f"{when:%Y-%m-%d}-{slug}"
    meta = {
        "Title": _one_line(title),
        "Date": f"{when:%Y-%m-%d %H:%M}",
        "Status": "draft",
        "Slug": stem,
        "Category": "testimonials",
        "Customer": _one_line(anonymized.customer),
        "Product": find_product([anonymized.subject, *texts], products),
        "Quote": quote,
        "Pledges": ", ".join(metrics.pledges),
        "Consent": "pending",
        "First-Reply-Minutes": _figure(metrics.first_reply_minutes),
        "Resolution-Minutes": _figure(metrics.resolution_minutes),
        "Customer-Messages": str(metrics.customer_messages),
        "Staff-Messages": str(metrics.staff_messages),
        "Lang": guess_language(texts),
        "Thread": thread_key,
        "Source": source_digest,
        "Redactions": redaction_summary(anonymized.redactions),
    }
    return Draft(
        stem=stem,
        metadata=meta,
        body=render_turns(anonymized.turns),
        redactions=list(anonymized.redactions),
    )
