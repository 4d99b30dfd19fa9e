"""HTML mail as plain text that keeps the shape reply extraction needs.

Quotes stay visible as ``>`` lines and a horizontal rule becomes Outlook's
underscore line, so the plain-text rules in ``replies`` can find history in
HTML mail exactly as they do in plain mail; the mail reader uses the same
conversion for HTML-only messages so earlier messages can be recovered.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

# beautifulsoup4 is imported on the first HTML message, not with this module: importing it
# (and soupsieve) was a sixth of ``goodwill ingest``'s start-up, paid before the worker
# processes start, and a plain-text inbox never needs it.

_DROP = {"script", "style", "head", "title", "meta", "link", "noscript", "template", "xml"}
_BLOCK = {
    "p",
    "div",
    "tr",
    "li",
    "ul",
    "ol",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "address",
    "center",
    "section",
    "article",
    "header",
    "footer",
    "form",
    "dl",
    "dt",
    "dd",
    "body",
    "html",
    "pre",
    "tbody",
    "thead",
    "tfoot",
    "figure",
    "nav",
    "aside",
}
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre"}
RULE = "_" * 32
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u200b]+")
# Markers while inline text is being joined: a <br> always breaks the line; the edge
# of a block only ends a line that has text on it; a paragraph leaves a blank line.
_BREAK = "\x00"
_PARA = "\x01"
_EDGE = "\x02"
_MARKERS = re.compile("([\x00\x01\x02])")

# Containers that hold quoted history in the clients we know of. Removing them
# before conversion is more reliable than recognising their text afterwards.
_QUOTE_CLASSES = {
    "gmail_quote",
    "yahoo_quoted",
    "moz-cite-prefix",
    "protonmail_quote",
    "ms-outlook-mobile-reference-message",
    "zmail_extra",
    "felamimail-quote",
}
_QUOTE_IDS = {"olk_src_body_section"}
# Outlook marks where history starts; everything after the marker goes.
_CUT_IDS = {"divrplyfwdmsg", "x_divrplyfwdmsg", "stopspelling", "appendonsend"}


def _parse(html: str) -> BeautifulSoup:
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def _render(node: Tag, out: list[str], pre: bool = False) -> None:
    from bs4 import Comment, Doctype, NavigableString, ProcessingInstruction, Tag

    for child in node.children:
        if isinstance(child, Comment | Doctype | ProcessingInstruction):
            continue
        if isinstance(child, NavigableString):
            text = str(child)
            out.append(text.replace("\n", _BREAK) if pre else _SPACES.sub(" ", text))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name.lower() if child.name else ""
        if name in _DROP or (":" in name and name.split(":")[0] in {"v", "w", "m"}):
            continue
        if name == "br":
            out.append(_BREAK)
        elif name == "hr":
            out.append(f"{_PARA}{RULE}{_PARA}")
        elif name == "blockquote":
            inner = _tidy(_collect(child, pre))
            quoted = "\n".join(f"> {ln}".rstrip() for ln in inner.split("\n"))
            out.append(f"{_PARA}{quoted.replace(chr(10), _BREAK)}{_PARA}")
        elif name in _BLOCK:
            mark = _PARA if name in _PARAGRAPH else _EDGE
            out.append(mark)
            _render(child, out, pre or name == "pre")
            out.append(mark)
        elif name in {"td", "th"}:
            _render(child, out, pre)
            out.append(" ")
        else:
            _render(child, out, pre)


def _collect(node: Tag, pre: bool = False) -> str:
    out: list[str] = []
    _render(node, out, pre)
    return "".join(out)


def _tidy(raw: str) -> str:
    """Markers to newlines; at most one blank line in a row; no stray spaces."""
    out_chars: list[str] = []
    for part in _MARKERS.split(raw):
        if part == _BREAK:
            out_chars.append("\n")
        elif part in (_EDGE, _PARA):
            tail = "".join(out_chars[-3:]).rstrip(" ")
            if part == _EDGE and tail and not tail.endswith("\n"):
                out_chars.append("\n")
            elif part == _PARA:
                out_chars.append("\n\n")
        elif part.strip() or (out_chars and not out_chars[-1].endswith("\n")):
            out_chars.append(part)
    text = "".join(out_chars)
    lines = [ln.strip() if not ln.startswith(">") else ln.rstrip() for ln in text.split("\n")]
    out: list[str] = []
    for ln in lines:
        if not ln and (not out or not out[-1]):
            continue
        out.append(ln)
    return "\n".join(out).strip()


def soup_to_text(soup: BeautifulSoup) -> str:
    try:
        return _tidy(_collect(soup))
    except RecursionError:  # absurdly deep markup: flat text is better than nothing
        return soup.get_text("\n").strip()


def html_to_text(html: str) -> str:
    """Readable text of an HTML mail body, quotes kept as ``>`` lines."""
    return soup_to_text(_parse(html))


def strip_quote_containers(html: str) -> BeautifulSoup:
    """The parsed HTML without the elements that mail clients put history in.

    One walk over the tree (no CSS selector engine), so large bodies stay fast.
    """
    soup = _parse(html)
    doomed: list[Tag] = []
    cut: Tag | None = None
    for el in soup.find_all(True):
        classes = el.get("class") or []
        ident = str(el.get("id") or "").lower()
        if (
            _QUOTE_CLASSES.intersection(classes)
            or ident in _QUOTE_IDS
            or (el.name == "blockquote" and str(el.get("type") or "").lower() == "cite")
        ):
            doomed.append(el)
        elif cut is None and ident in _CUT_IDS:
            cut = el
    if cut is not None:
        # The history follows the marker as siblings of it and of its parents.
        for parent in [cut, *cut.parents]:
            if parent.name in {"body", "html", "[document]"}:
                break
            for sib in list(parent.next_siblings):
                sib.extract()
        doomed.append(cut)
    for el in doomed:
        if not el.decomposed:  # an inner one may have gone with its container
            el.decompose()
    return soup
