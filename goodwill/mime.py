"""One RFC 822 message (bytes) into a ``Message``: headers decoded, body as plain text.

Real support mail is messy: 8-bit headers with no declared charset, charsets Python has
never heard of, HTML-only newsletters-style replies, base64 and quoted-printable bodies.
This module reads all of it leniently (replacement characters rather than failures) and
refuses only what holds no readable message at all, so one odd client never costs the
founder a thread. Attachments are never decoded to disk: only text parts are looked at.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Callable, Iterable
from email import policy
from email.header import decode_header
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.policy import EmailPolicy
from email.utils import getaddresses
from functools import lru_cache

from goodwill import replies
from goodwill.maildate import parse_date
from goodwill.model import Message
from goodwill.problems import Unreadable


class _HeaderClassesMadeOnce(HeaderRegistry):
    """``policy.default``'s header registry, building each header class only once.

    The standard registry makes a new class for every header it parses. Those classes are
    cyclic garbage the collector finds late, so memory grew with every message of a large
    mbox (measured: about 2 KB per message); one class per header name keeps it flat.
    """

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


class _HeadersParsedOnce(EmailPolicy):
    """``policy.default``, parsing each distinct header value once.

    ``EmailMessage`` re-parses a header through the header registry every time it is read,
    and reading a message reads Content-Type alone a dozen times (``get_body`` asks each
    part for its type, then its charset). The registry's parser is the costliest step of
    reading mail (a fifth of ingest, measured), so parsed headers are kept, keyed by name
    and raw value, in a small bounded cache: most messages of an inbox repeat the same
    ``text/plain; charset="utf-8"`` and ``quoted-printable``, which are then parsed once.
    """

    def header_fetch_parse(self, name: str, value: str) -> BaseHeader:
        if hasattr(value, "name"):
            return value  # type: ignore[return-value]  # already parsed (set by code)
        return _parsed(self.header_factory, name.lower(), value)


# Bounded: a parsed header (its parse tree) weighs kilobytes, so an unbounded cache would
# hold memory that grows with the inbox (measured). Kept across messages, since a parsed
# header is immutable: parsing Content-Type and Content-Transfer-Encoding again for every
# message was a third of ``parse_message`` (0.34 -> 0.22 ms a corpus thread without it).
@lru_cache(maxsize=64)
def _parsed(factory: HeaderRegistry, name: str, value: str) -> BaseHeader:
    # Unfold exactly as the standard policy does before parsing.
    return factory(name, value.replace("\r", "").replace("\n", ""))


POLICY = _HeadersParsedOnce().clone(header_factory=_HeaderClassesMadeOnce())
_PARSER = BytesParser(policy=POLICY)
# Grouping needs only a few raw values: the compat32 parser splits the header block
# without the header registry's per-header parsing.
_HEADER_PARSER = BytesHeaderParser(policy=policy.compat32)
_BLANK_RUN = re.compile(r"\n{3,}")
_MSG_ID = re.compile(r"<([^<>\s]+)>")
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_NOT_ADDRESSES = re.compile(r'"(?:[^"\\]|\\.)*"|\((?:[^()\\]|\\.)*\)')
# Above this share of undecodable characters a body is noise, not a message.
_MAX_REPLACED = 0.3

REEXPORT_HINT = "export the message again from your mail client (as .eml, or the whole mailbox)"


def parse_message(raw: bytes) -> Message:
    """Read one RFC 822 message; raises ``Unreadable`` when it holds no readable message.

    The body keeps its quoted history and signature: deciding what is new is the job of
    ``goodwill.replies``, which needs the whole text to recover earlier messages.
    """
    return read_plain(raw) or read_with_email(raw)


def read_with_email(raw: bytes) -> Message:
    """``parse_message`` by ``email`` with ``policy.default``: the parser of record, for
    every shape ``read_plain`` leaves to it."""
    msg = _PARSER.parsebytes(raw)
    if not list(msg.keys()):
        raise Unreadable(
            "no mail headers at the top (From:, Date:, Subject:)",
            "if this is a copied conversation, save it as .txt so it is read as pasted text",
        )
    if msg.get_content_maintype() == "multipart" and not msg.is_multipart():
        raise Unreadable(
            "broken MIME: the multipart boundary it announces never appears",
            f"the file was probably cut short or edited; {REEXPORT_HINT}",
        )
    message = _to_message(_Headers(_first_values(msg.raw_items()), msg), body=_body_text(msg))
    if not (message.sender or message.sent or message.message_id or message.subject):
        raise Unreadable(
            "not an e-mail message: no From, Date, Message-ID or Subject header",
            REEXPORT_HINT,
        )
    return message


def grouping_headers(raw_headers: bytes) -> Message:
    """What grouping needs from a header block, read cheaply: IDs, subject, date, addresses.

    The mailbox readers call this for every message of an inbox in one process before any
    thread is read, so it avoids the header registry: IDs and the date are read raw,
    encoded words in the subject decoded, addresses taken without display names. The
    ``Message`` it returns is for grouping only (no names, no body).
    """
    split = _split_headers(raw_headers)
    if split is not None:
        raw = split[0]
    else:
        raw = _first_values(_HEADER_PARSER.parsebytes(raw_headers).raw_items())

    def addresses(*names: str) -> tuple[str, ...]:
        # Only the addresses, never the names: the address pattern over the raw value, with
        # quoted names and comments removed first ("ann@x" <ann@x> is one address).
        values = (_NOT_ADDRESSES.sub(" ", raw[n]) for n in names if n in raw)
        return tuple(a.lower() for v in values for a in _ADDRESS.findall(v))

    senders = addresses("from") or addresses("sender")
    own_id = _ids(raw.get("message-id", ""))
    in_reply_to = _ids(raw.get("in-reply-to", ""))
    return Message(
        sender=senders[0] if senders else "",
        body="",
        sent=parse_date(_ascii(raw.get("date", ""))),
        recipients=addresses("to", "cc"),
        subject=" ".join(_decoded_words(raw.get("subject", "")).split()),
        message_id=own_id[0] if own_id else "",
        in_reply_to=in_reply_to[-1] if in_reply_to else "",
        references=tuple(_ids(raw.get("references", ""))),
    )


def _first_values(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each header's first raw value by lower-cased name, as ``email`` reads one header."""
    raw: dict[str, str] = {}
    for name, value in items:
        raw.setdefault(name.lower(), value)
    return raw


# The plain shape nearly all support mail has, which ``read_plain`` reads without the
# ``email`` package: a header line, a folded continuation, a plain-text Content-Type.
_FIELD = re.compile(r"([\x21-\x39\x3b-\x7e]+):(.*)")
_PLAIN_TYPE = re.compile(r'text/plain(?:;[ \t]*charset=("?)([\w.-]+)\1)?[ \t]*', re.IGNORECASE)
_PLAIN_ENCODINGS = frozenset({"", "7bit", "8bit", "binary", "quoted-printable"})
_CONTENT_HEADERS = frozenset({"content-type", "content-transfer-encoding"})


def _split_headers(data: bytes) -> tuple[dict[str, str], int] | None:
    """Raw header values (first of each name) and where the body starts (-1: no body), as
    ``email``'s parser splits them; None for any block that parser would read with a
    defect or a subtlety (8-bit bytes, CR, a "From " line, a line that is not a header, a
    repeated Content-* header), which then goes to that parser.

    Why not always the parser: its line-by-line feed was most of reading a message's
    headers, and the main process reads every message's headers before any thread is read.
    """
    end = data.find(b"\n\n")
    block = data if end < 0 else data[: end + 1]
    if not block.isascii() or b"\r" in block or block[:1] in (b"", b" ", b"\t", b"\n"):
        return None
    raw: dict[str, str] = {}
    name = ""
    value: list[str] = []
    for line in [*block.decode("ascii").split("\n"), ""]:  # "": the end flushes the last
        if line[:1] in (" ", "\t"):
            value.append(line)
            continue
        if name:
            if name in raw:
                if name in _CONTENT_HEADERS or name == "content-disposition":
                    return None
            else:
                raw[name] = "\n".join(value)
        if not line:
            break
        field = _FIELD.fullmatch(line)
        if field is None:
            return None
        name = field[1].lower()
        value = [field[2].lstrip(" \t")]
    return raw, (-1 if end < 0 else end + 2)


def read_plain(raw: bytes) -> Message | None:
    """``parse_message`` for a single-part plain-text message, without ``email``; None for
    any other shape (multipart, HTML, base64, an attachment, an odd header), which the
    parser of record reads.

    Most support mail is this shape, and ``email``'s general parser was the costliest part
    of reading it (measured: about a tenth of ingest's CPU). The result is the parser's own,
    field for field: tests compare the two over the generated corpus and odd shapes.
    """
    split = _split_headers(raw)
    if split is None or split[1] < 0 or not split[0] or "content-disposition" in split[0]:
        return None
    headers, start = split
    kind = _PLAIN_TYPE.fullmatch(headers.get("content-type", "text/plain"))
    encoding = headers.get("content-transfer-encoding", "").lower()
    if kind is None or encoding not in _PLAIN_ENCODINGS:
        return None
    payload = raw[start:]
    if encoding == "quoted-printable":
        payload = binascii.a2b_qp(payload)
    if not payload:
        return None
    charset = kind[2].lower() if kind[2] else None
    text = decode_bytes(payload, charset)
    if not text.strip() or text.count("\ufffd") > _MAX_REPLACED * len(text):
        return None  # the parser's path says what is wrong, or looks for other text
    message = _to_message(_Headers(headers), body=text.replace("\r\n", "\n").strip("\n"))
    if not (message.sender or message.sent or message.message_id or message.subject):
        return None
    return message


def _ascii(value: str) -> str:
    """A raw header value with undecodable 8-bit bytes dropped (IDs, dates, addresses)."""
    return value.encode("ascii", "ignore").decode("ascii") if not value.isascii() else value


def _decoded_words(value: str) -> str:
    """A raw header's text with RFC 2047 encoded words decoded; raw 8-bit read as UTF-8."""
    if not value.isascii():
        value = decode_bytes(value.encode("ascii", "surrogateescape"), "utf-8")
    if "=?" not in value:
        return value
    try:
        parts = decode_header(value)
    except Exception:  # a malformed encoded word: the raw text still groups well enough
        return value
    return "".join(
        text if isinstance(text, str) else decode_bytes(text, charset) for text, charset in parts
    )


class _Headers:
    """One message's headers: raw values gathered in one pass, decoded text on demand.

    Message-ID, In-Reply-To, References and Date are read raw (they are ASCII by the RFC
    and need no decoding), and so is any plain-ASCII value without encoded words; the
    rest (encoded words, raw 8-bit) go through the header registry in ``_header_text``.
    """

    _RAW = frozenset({"message-id", "in-reply-to", "references", "date"})

    def __init__(self, raw: dict[str, str], msg: EmailMessage | None = None) -> None:
        self.msg = msg  # None: ``read_plain`` split the headers, all ASCII
        self.raw = raw

    def __call__(self, name: str) -> str:
        key = name.lower()
        value = self.raw.get(key)
        if value is None:
            return ""
        if key in self._RAW:
            return _ascii(value)
        if value.isascii() and "=?" not in value:
            # Nothing to decode: the registry would return this text, at a cost.
            return value.replace("\r", "").replace("\n", "")
        if self.msg is None:
            return _registry_text(key, value)
        return _header_text(self.msg, name, value)


def html_to_text(html: str) -> str:
    """Plain text of an HTML body, quotes kept as ``>`` lines so history can be recovered.

    Uses ``goodwill.replies.html_to_text`` when it exists (the shared, better-tested
    converter); the fallback below only keeps ingest working until then.
    """
    convert = getattr(replies, "html_to_text", None)
    if convert is not None:
        return str(convert(html))
    return _fallback_html_to_text(html)


def _fallback_html_to_text(html: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head", "title"]):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(["p", "div", "li", "tr", "h1", "h2", "h3", "h4", "table"]):
        block.insert_after("\n")
    for quote in reversed(soup.find_all("blockquote")):
        inner = quote.get_text().strip("\n")
        quoted = "\n".join(f"> {line}".rstrip() for line in inner.splitlines())
        quote.replace_with(f"\n{quoted}\n")
    text = "\n".join(line.rstrip() for line in soup.get_text().splitlines())
    return _BLANK_RUN.sub("\n\n", text).strip()


def _to_message(text: Callable[[str], str], body: str) -> Message:
    """A Message from a header reader (name -> decoded text, "" when absent) and a body."""
    senders = _addresses(text("From")) or _addresses(text("Sender"))
    name, address = senders[0] if senders else ("", "")
    recipients = tuple(a for _, a in _addresses(text("To")) + _addresses(text("Cc")) if a)
    in_reply_to = _ids(text("In-Reply-To"))
    own_id = _ids(text("Message-ID"))
    return Message(
        sender=address,
        sender_name=name,
        body=body,
        sent=parse_date(text("Date")),
        recipients=recipients,
        subject=" ".join(text("Subject").split()),
        message_id=own_id[0] if own_id else "",
        in_reply_to=in_reply_to[-1] if in_reply_to else "",
        references=tuple(_ids(text("References"))),
    )


def _header_text(msg: EmailMessage, name: str, raw: str) -> str:
    """A header's decoded text from its raw value.

    Headers written in raw 8-bit (no encoded words, common from webmail and scripts) come
    out of ``email`` with replacement characters; they are re-read here as UTF-8, or as
    Windows-1252 when they are not UTF-8, which is what such senders nearly always used.
    """
    if not raw.isascii() and any("\udc80" <= ch <= "\udcff" for ch in raw):
        fixed = decode_bytes(raw.encode("ascii", "surrogateescape"), "utf-8")
        try:
            return str(POLICY.header_factory(name, fixed))
        except Exception:  # a header email cannot parse is still worth its plain text
            return fixed
    try:
        return str(msg[name])
    except Exception:  # malformed structured header: its raw text is better than nothing
        return raw


def _registry_text(name: str, raw: str) -> str:
    """``str(msg[name])`` for an ASCII header, without a parsed message to ask."""
    try:
        return str(_parsed(POLICY.header_factory, name, raw))
    except Exception:  # as in ``_header_text``
        return raw


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text from bytes in a declared charset that may be wrong, unknown or missing.

    Tries the declared charset, then UTF-8, strictly; then Windows-1252 with replacement,
    which accepts any byte and is the usual truth behind a wrong "iso-8859-1" label.
    """
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("windows-1252", errors="replace")


@lru_cache(maxsize=1024)
def _addresses(text: str) -> tuple[tuple[str, str], ...]:
    """(name, address) pairs of an address header's decoded text.

    Cached: a thread's From and To lines come back in every message (the support address
    in all of them), and ``getaddresses`` was a quarter of reading a message (measured).
    """
    if not text:
        return ()
    found = [(n.strip(), a.strip().lower()) for n, a in getaddresses([text]) if a or n]
    return tuple((n, a) for n, a in found if "@" in a or not a)


def _ids(text: str) -> list[str]:
    found = _MSG_ID.findall(text)
    if found:
        return found
    bare = text.strip()
    return [bare] if bare and " " not in bare else []


def _body_text(msg: EmailMessage) -> str:
    plain = msg.get_body(preferencelist=("plain",))
    text = _part_text(plain) if plain is not None else ""
    if not text.strip():
        html = msg.get_body(preferencelist=("html",))
        if html is not None:
            text = html_to_text(_part_text(html))
    if not text.strip():
        text = _any_text_part(msg)
    return text.replace("\r\n", "\n").strip("\n")


def _any_text_part(msg: EmailMessage) -> str:
    """The first inline text part, for mail whose structure ``get_body`` does not recognise."""
    for part in msg.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        if part.get_content_maintype() == "text":
            text = _part_text(part)
            if part.get_content_subtype() == "html":
                text = html_to_text(text)
            if text.strip():
                return text
    return ""


def _part_text(part: EmailMessage) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes) or not payload:
        return ""
    text = decode_bytes(payload, part.get_content_charset())
    if text.count("\ufffd") > _MAX_REPLACED * len(text):
        raise Unreadable(
            f"the text cannot be decoded (declared charset: "
            f"{part.get_content_charset() or 'none'})",
            "open it in your mail client and save or export it again as UTF-8",
        )
    return text
