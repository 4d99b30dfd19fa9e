"""Make a story's rendered HTML safe to publish: customer text is shown, never run.

Ingest escapes customer mail, but a founder may paste or edit a story by hand, so
the site does not trust the file either. Markup outside a short allow-list is
turned back into visible text (a reader sees ``<script>`` as characters, and the
story stays honest about what was written); attributes other than a safe link
target are dropped.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from bs4 import Tag

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "em", "strong", "b", "i", "u", "s", "del", "ins", "code", "pre", "kbd",
        "blockquote", "ul", "ol", "li", "a", "hr", "h3", "h4", "h5", "h6", "sub", "sup",
        "table", "thead", "tbody", "tr", "th", "td", "dl", "dt", "dd", "abbr", "q", "mark",
    }
)  # fmt: skip
# Containers that carry no behaviour: dropped, their text kept.
UNWRAP_TAGS = frozenset({"div", "span", "section", "article", "font", "center", "small", "big"})
SAFE_SCHEMES = frozenset({"http", "https", ""})
ALLOWED_ATTRS = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"colspan"}, "th": {"colspan"}}
VOID_TAGS = frozenset({"br", "hr"})
# A tag with no attributes at all: the only markup the fast path lets through unparsed.
_BARE_TAG = re.compile(r"<(/?)([a-z][a-z0-9]*)\s*/?>")


def _safe_href(href: str) -> bool:
    # Browsers ignore control characters and spaces inside a scheme ("java\tscript:").
    squeezed = "".join(ch for ch in href if ch > " ").lower()
    return urlsplit(squeezed).scheme in SAFE_SCHEMES and not squeezed.startswith("//")


def _clean(tag: Tag) -> None:
    allowed = ALLOWED_ATTRS.get(tag.name, set())
    for name in list(tag.attrs):
        if name not in allowed:
            del tag.attrs[name]
    if tag.name == "a":
        href = tag.get("href")
        if isinstance(href, str) and _safe_href(href):
            tag["rel"] = "nofollow noopener"
        else:
            tag.attrs.pop("href", None)


def is_plain(html: str) -> bool:
    """True when every ``<`` opens a bare allow-listed tag and the tags nest properly.

    Markdown of an ordinary message (paragraphs, emphasis, lists) is exactly this,
    and such HTML can carry no script, handler or link, so it is safe as it is.
    Parsing it with BeautifulSoup would cost a millisecond a turn (most of a
    story's build time) to return the same markup; anything else still is parsed.
    """
    open_tags: list[str] = []
    bare = 0
    for match in _BARE_TAG.finditer(html):
        bare += 1
        closing, name = match.group(1), match.group(2)
        if name not in ALLOWED_TAGS:
            return False
        if name in VOID_TAGS:
            if closing:
                return False
        elif closing:
            if not open_tags or open_tags.pop() != name:
                return False
        else:
            open_tags.append(name)
    return not open_tags and bare == html.count("<")


def sanitize_html(html: str) -> str:
    """Allowed markup kept (without risky attributes); everything else shown as text."""
    if is_plain(html):
        return html
    # Imported here: most stories are plain Markdown output, and a build that never needs
    # the parser does not pay for loading it (a tenth of a small site's build).
    from bs4 import BeautifulSoup, Comment, NavigableString

    soup = BeautifulSoup(html, "html.parser")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    # Outermost first, so a disallowed element becomes text with everything inside it.
    for tag in list(soup.find_all(True)):
        if tag.parent is None or tag.decomposed:
            continue
        if tag.name in ALLOWED_TAGS:
            _clean(tag)
        elif tag.name in UNWRAP_TAGS:
            tag.unwrap()
        else:
            tag.replace_with(NavigableString(str(tag)))
    return str(soup)
