"""Where a reply's signature begins, and who signed it.

Goodwill keeps what a person *says* and drops what their mail client or
company adds. So a warm sign-off ("Thanks, James", "Cheers,\\nJames") stays:
it is part of the message and the anonymizer renames the name later. What
goes is boilerplate: the ``-- `` block, "Sent from my iPhone", a formal
closing with the name under it ("Kind regards,\\nJames Wilson"), a dash-name
("-James"), a block of name/title/phone/URL, a mailing-list footer.

Every function takes the reply's lines and returns the index where the
signature starts (``len(lines)`` when there is none), so callers can keep or
drop it without re-parsing.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

import phonenumbers

_DELIMITER = re.compile(r"^--\s*$")
# "Sent from my iPhone", "Get Outlook for iOS", "Envoyé de mon iPhone" … short
# lines only: "Sent from my desk, is much easier…" is a sentence, not a signature.
_MOBILE = re.compile(
    r"^\s*(?:"
    r"sent (?:from|with|via|using) (?:my |the )?[\w .'’&-]{1,40}"
    r"|get (?:outlook|the \w+ app) for \w+"
    r"|(?:envoyé|envoye) (?:de|depuis|à partir de|a partir de|avec) [\w .'’&-]{1,40}"
    r"|gesendet (?:von|mit|vom|über) [\w .'’&-]{1,40}"
    r"|von meinem [\w .'’&-]{1,30} gesendet"
    r"|enviado (?:desde|de|do) [\w .'’&-]{1,40}"
    r"|inviato da [\w .'’&-]{1,40}"
    r"|(?:verzonden|verstuurd) (?:vanaf|met|van) [\w .'’&-]{1,40}"
    r"|skickat från [\w .'’&-]{1,40}"
    r"|sendt fra [\w .'’&-]{1,40}"
    r"|wysłane z [\w .'’&-]{1,40}"
    r"|отправлено с [\w .'’&-]{1,40}"
    r"|(?:sent )?(?:via|from) (?:my )?(?:mobile|phone|cell(?:phone)?|tablet)"
    r")\s*(?:[(<\[]\s*(?:https?://|mailto:)\S*\s*[)>\]])?\s*$",
    re.IGNORECASE,
)
# Formal closings: followed only by a name (and maybe a title), they are a signature.
# Warm ones (thanks, cheers, best) are not listed: they belong to the message.
_FORMAL_CLOSING = re.compile(
    r"^\s*(?:(?:best|kind|warm|warmest|kindest|many|with|warm personal) regards"
    r"|regards|best wishes|yours (?:truly|faithfully)|respectfully"
    r"|mit freundlichen grüßen|mit freundlichen gruessen|freundliche grüße|viele grüße"
    r"|beste grüße|liebe grüße|lg|mfg|vg"
    r"|cordialement|bien cordialement|bien à vous|salutations|meilleures salutations"
    r"|saludos|un saludo|saludos cordiales|atentamente|cordiales saludos"
    r"|met vriendelijke groet(?:en)?|vriendelijke groet(?:en)?|groet(?:en|jes)?|mvg"
    r"|med vänlig hälsning|vänliga hälsningar|hälsningar|mvh|med venlig hilsen"
    r"|venlig hilsen|mange hilsner|hilsen|vennlig hilsen|kh|kind regds"
    r"|pozdrawiam|z poważaniem|z powazaniem|serdecznie pozdrawiam"
    r"|cordiali saluti|distinti saluti|saluti|atenciosamente|abraços|abraço"
    r"|с уважением|ystävällisin terveisin|terveisin)"
    r"\s*[,.!]?\s*$",
    re.IGNORECASE,
)
# Closings that may stand before a name without making it a signature; used to
# find the name a message was signed with.
_WARM_CLOSING = re.compile(
    r"^\s*(?:thanks(?: again| so much| a lot)?|thank you(?: so much| again)?|many thanks"
    r"|cheers|best|all the best|take care|talk soon|ta|thx|merci(?: beaucoup)?|danke"
    r"|gracias|grazie|bedankt|tak|dzięki|dziękuję|sincerely|yours|love|speak soon"
    r"|hugs|best,? wishes)\b\s*[,.!]*",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|bonjour|salut|hallo|hola"
    r"|hej|ciao|olá|ola|witam|cześć|moin|servus|guten tag|buongiorno|goedemiddag|goedemorgen)"
    r"\b[^.!?]{0,40}[,!:]?\s*$",
    re.IGNORECASE,
)
_GREETING_WORD = re.compile(
    r"^\s*(?:good (?:morning|afternoon|evening)|guten tag|hi|hello|hey|dear|bonjour|salut"
    r"|hallo|hola|hej|ciao|olá|ola|witam|cześć|moin|servus|buongiorno|goedemiddag|goedemorgen)"
    r"\b",
    re.IGNORECASE,
)
_DASH_NAME = re.compile(
    r"^\s*[-/~–—](?=[^\W\d_])[^\W\d_][\w.'’-]*(?: (?:[^\W\d_][\w.'’-]*)){0,3}\s*$"
)
_NAME_WORD = re.compile(r"^(?:[A-ZÀ-ÖØ-ÞĀ-ſ][\w.'’-]*|de|van|von|der|da|di|le|la|du|dos|del)$")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|org|net|io|co|fr|de|uk|nl)\b/?")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_LABEL = re.compile(
    r"^\s*(?:t|m|f|p|tel|phone|mobile|mob|cell|fax|tél|telefon|téléphone|skype)\s*[.:]",
    re.IGNORECASE,
)
_PHONE_SHAPE = re.compile(r"\+?\(?\d[\d ()./-]{5,}\d")
_FOOTER_WORDS = re.compile(
    r"mailing list|unsubscribe|listinfo|confidential|disclaimer|intended recipient",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?:;]\s*$")
_PHONE_REGIONS = ("US", "GB", "FR", "DE")
_SIG_LINE_MAX = 72  # characters; longer lines are prose
_SIG_BLOCK_MAX = 12  # non-blank lines a trailing signature block may hold
_WINDOW = 40  # lines at the end of a reply that are searched for a signature


def _nonblank(lines: list[str], start: int, end: int) -> list[str]:
    return [ln for ln in lines[start:end] if ln.strip()]


@lru_cache(maxsize=2048)
def has_phone(line: str) -> bool:
    """A phone number by shape and by ``phonenumbers``; cheap shape check first.

    Cached by line: history recovery looks at the same signature lines at every quote
    level, and ``phonenumbers``' matcher is the costliest test here.
    """
    if _PHONE_LABEL.match(line):
        return True
    shape = _PHONE_SHAPE.search(line)
    if not shape or sum(c.isdigit() for c in shape.group()) < 7:
        return False
    for region in _PHONE_REGIONS:
        for _ in phonenumbers.PhoneNumberMatcher(line, region, phonenumbers.Leniency.POSSIBLE):
            return True
    return False


def is_delimiter(line: str) -> bool:
    """The conventional "-- " line above a signature (also without its space)."""
    return _DELIMITER.match(line) is not None


def is_mobile_line(line: str) -> bool:
    """ "Sent from my iPhone" and its kin, in several languages."""
    return len(line) <= 120 and _MOBILE.match(line) is not None


def is_formal_closing(line: str) -> bool:
    return _FORMAL_CLOSING.match(line) is not None


def is_greeting(line: str) -> bool:
    """ "Hi James," and its kin: where a message starts when a paste has no headers."""
    return _GREETING.match(line) is not None


def greeted_name(lines: list[str]) -> str:
    """Who the first line greets: "Dear Ben," -> "Ben"; "" for "Hi," or "Hi there,".

    A pasted thread without addresses tells its two sides apart by name: the person a
    message greets is on the other side from the person who wrote it.
    """
    first = next((ln.strip() for ln in lines if ln.strip()), "")
    found = _GREETING_WORD.match(first)
    if not found or not is_greeting(first):
        return ""
    rest = first[found.end() :].strip(" ,!:")
    return rest if rest and is_name_line(rest, 3) else ""


def is_name_line(line: str, max_words: int = 4) -> bool:
    """A line that reads like a person's name: a few capitalised words, no sentence."""
    words = line.strip().rstrip(",.").split()
    if not words or len(words) > max_words or len(line.strip()) > 40:
        return False
    return all(_NAME_WORD.match(w) for w in words)


@lru_cache(maxsize=2048)
def _contact_marker(line: str) -> bool:
    """An address, a link or a phone number on the line.

    Cached by line, as ``has_phone`` is: the signature search asks it of the same last
    lines again for every layer it peels and at every quote level (32,000 calls for
    2,000 corpus threads, a handful of distinct lines each).
    """
    return bool(_EMAIL.search(line) or _URL.search(line) or has_phone(line))


@lru_cache(maxsize=2048)
def _sig_like(line: str) -> bool:
    """Short and not a sentence: the shape of name, title, company and contact lines."""
    s = line.strip()
    if len(s.split()) == 1 and (_URL.match(s) or _EMAIL.match(s)):
        return True  # a long link or address on its own line
    if len(s) > _SIG_LINE_MAX:
        return False
    sentence = _SENTENCE_END.search(s) is not None and len(s.split()) > 4
    return not sentence or _contact_marker(s)


def _is_sentence(line: str) -> bool:
    """Four words or more ending like a sentence: what no title, company or address does."""
    s = line.strip()
    return _SENTENCE_END.search(s) is not None and len(s.split()) >= 4


def is_signature_block(lines: list[str]) -> bool:
    """Lines that can only be the end of the message above them, never a message of their own.

    A paste without headers is cut where a sign-off ends a paragraph, so the card under
    "Cheers,\\nAda" (name, title, company, phone) would otherwise stand alone, be taken for
    the next message and shift every role after it. A block counts when it opens with the
    ``-- `` delimiter, or when it opens with a name and holds no greeting and no sentence,
    only short name, title, company, address and contact lines.
    """
    rows = [ln for ln in lines if ln.strip()]
    if not rows:
        return False
    if is_delimiter(rows[0]):
        return True
    if len(rows) > _SIG_BLOCK_MAX or not is_name_line(rows[0]):
        return False
    return not any(is_greeting(r) or _is_sentence(r) or not _sig_like(r) for r in rows)


def delimiter_start(lines: list[str]) -> int:
    """The first ``-- `` line or mobile line that follows some text, else ``len(lines)``."""
    seen_text = False
    for i, line in enumerate(lines):
        if seen_text and (_DELIMITER.match(line) or is_mobile_line(line)):
            # A name just above "via mobile" belongs to it.
            if is_mobile_line(line) and i > 0 and is_name_line(lines[i - 1], 3):
                if i > 1 and lines[i - 2].strip():
                    return i
                return i - 1
            return i
        if line.strip():
            seen_text = True
    return len(lines)


def _trailing_paragraphs(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each paragraph, last first."""
    spans: list[tuple[int, int]] = []
    end = len(lines)
    i = end - 1
    while i >= 0:
        while i >= 0 and not lines[i].strip():
            i -= 1
        if i < 0:
            break
        stop = i + 1
        while i >= 0 and lines[i].strip():
            i -= 1
        spans.append((i + 1, stop))
    return spans


def trailing_start(lines: list[str]) -> int:
    """Where boilerplate at the end of the reply starts (``len(lines)`` when none).

    Applied again and again by the caller until nothing more is found, so a
    formal closing above a contact block above a footer all go.
    """
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    if end == 0:
        return len(lines)
    # Only the last lines can be a signature: look at a window, so that the
    # caller's repeated calls stay linear however long the body is.
    lo = max(0, end - _WINDOW)
    body = lines[lo:end]
    if any(ln.strip() for ln in lines[:lo]):
        first_text = -1
    else:
        first_text = next(i for i, ln in enumerate(body) if ln.strip())
    found = _trailing_in(body, first_text)
    return lo + found if found < len(body) else len(lines)


def _trailing_in(body: list[str], first_text: int) -> int:
    end = len(body)

    # "-Abhishek Kona", "/John" as the last line.
    if _DASH_NAME.match(body[-1]) and end - 1 > first_text and not body[-1].startswith("--"):
        return end - 1

    # A formal closing followed only by a short name/title (or nothing).
    for i in range(end - 1, max(first_text, end - 8) - 1, -1):
        if is_formal_closing(body[i]):
            tail = _nonblank(body, i + 1, end)
            if i > first_text and len(tail) <= 6 and all(_sig_like(t) for t in tail):
                return i
            break

    # A block after a drawn rule ("____", "-----"): a footer or a contact card.
    for i in range(end - 1, first_text, -1):
        if is_rule_line(body[i]):
            tail = _nonblank(body, i + 1, end)
            if (
                tail
                and len(tail) <= _SIG_BLOCK_MAX
                and all(_sig_like(t) for t in tail)
                and (
                    any(_contact_marker(t) or _FOOTER_WORDS.search(t) for t in tail)
                    or all(is_name_line(t) for t in tail)
                )
            ):
                return i
            break

    # Trailing paragraphs of short lines holding a phone, address or URL,
    # opened by something that reads like a name.
    start = end
    lines_seen = 0
    for p_start, p_end in _trailing_paragraphs(body):
        para = body[p_start:p_end]
        if p_start <= first_text or not all(_sig_like(t) for t in para):
            break
        if not any(_contact_marker(t) for t in para) and max(len(t.strip()) for t in para) > 40:
            break  # a wrapped sentence, not a name or a title
        lines_seen += len(para)
        if lines_seen > _SIG_BLOCK_MAX:
            break
        start = p_start
    if start < end:
        block = _nonblank(body, start, end)
        markers = sum(1 for t in block if _contact_marker(t))
        opener = block[0].strip()
        if (
            markers
            and (len(block) >= 2)
            and (is_name_line(opener) or markers >= 2 or not opener[:1].isalnum())
        ):
            return start
    return end


_RULE_CHARS = frozenset("-_=~*—–")


def is_rule_line(line: str) -> bool:
    s = line.strip()
    return (
        len(s) >= 2
        and s[0] in _RULE_CHARS  # almost every line fails here, before a set is built
        and _RULE_CHARS.issuperset(s)
        and not _DELIMITER.match(line)
    )


def signed_name(lines: list[str]) -> str:
    """The name a message was signed with: "Best,\\nAda" -> "Ada", "Thanks, James" -> "James"."""
    tail = [ln.strip() for ln in lines if ln.strip()][-3:]
    if not tail:
        return ""
    last = tail[-1]
    if is_greeting(last):
        return ""
    m = _WARM_CLOSING.match(last)
    if m and last[m.end() :].strip(" ,"):
        rest = last[m.end() :].strip(" ,.!")
        return rest if is_name_line(rest, 3) else ""
    dash = _DASH_NAME.match(last)
    if dash:
        return last.lstrip("-/~–— ").strip()
    if len(tail) >= 2 and is_name_line(last, 3):
        before = tail[-2]
        if _WARM_CLOSING.fullmatch(before.strip()) or is_formal_closing(before):
            return last.rstrip(",.")
    if is_name_line(last, 2) and len(last.split()) <= 2 and not _WARM_CLOSING.fullmatch(last):
        # A bare name on the last line, as people sign quick replies.
        return last.rstrip(",.")
    # A closing and a name above a title, a company, a phone number.
    recent = [ln.strip() for ln in lines if ln.strip()][-8:]
    for before, name in itertools.pairwise(recent):
        closing = _WARM_CLOSING.fullmatch(before) or is_formal_closing(before)
        if closing and is_name_line(name, 3) and not is_greeting(name):
            return name.rstrip(",.")
    return ""
