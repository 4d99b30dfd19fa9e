"""Machine-readable forms of the stories: schema.org JSON-LD and ``testimonials.json``.

Deliberately no ``reviewRating`` or ``aggregateRating``: a business showing
reviews of itself gets no stars from search engines, and inventing a rating
the customer never gave would make the markup dishonest. ``Review`` with
``itemReviewed`` says exactly what is true: this person said this about that product.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from goodwill.stories import Gift, Testimonial

CONTEXT = "https://schema.org"


def absolute_url(site_url: str, url: str) -> str:
    """A site-relative ``url`` ("testimonials/x/") made absolute: what JSON-LD, the embed
    file and the sitemap need, whatever the pages themselves link with."""
    return f"{site_url.rstrip('/')}/{url}"


def _organization(site_name: str, site_url: str) -> dict[str, Any]:
    org: dict[str, Any] = {"@type": "Organization", "name": site_name}
    if site_url:
        org["url"] = site_url
    return org


def testimonial_json_ld(
    story: Testimonial, url: str, site_name: str, site_url: str = "", image: str = ""
) -> dict[str, Any]:
    """A ``Review`` of the product (or of the company when no product is named)."""
    reviewed: dict[str, Any] = (
        {"@type": "SoftwareApplication", "name": story.product, "applicationCategory": "Software"}
        if story.product
        else _organization(site_name, site_url)
    )
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Review",
        "name": story.title,
        "url": url,
        "reviewBody": story.quote,
        "author": {"@type": "Person", "name": story.customer},
        "datePublished": story.date.date().isoformat(),
        "inLanguage": story.lang,
        "itemReviewed": reviewed,
        "publisher": _organization(site_name, site_url),
    }
    if image:
        data["image"] = image
    return data


def gift_json_ld(
    story: Gift, url: str, site_name: str, site_url: str = "", image: str = ""
) -> dict[str, Any]:
    """A gift story is an ``Article`` told by the company; nothing in it is a rating."""
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Article",
        "headline": story.title,
        "url": url,
        "datePublished": story.date.date().isoformat(),
        "inLanguage": story.lang,
        "about": story.gift,
        "author": _organization(site_name, site_url),
        "publisher": _organization(site_name, site_url),
    }
    if image:
        data["image"] = image
    return data


def collection_json_ld(name: str, url: str, item_urls: Iterable[str]) -> dict[str, Any]:
    """A listing page (wall, gifts, pledges) as a ``CollectionPage`` of its items."""
    return {
        "@context": CONTEXT,
        "@type": "CollectionPage",
        "name": name,
        "url": url,
        "mainEntity": {
            "@type": "ItemList",
            "itemListElement": [
                {"@type": "ListItem", "position": i, "url": u}
                for i, u in enumerate(item_urls, start=1)
            ],
        },
    }


def embed_entry(story: Testimonial, url: str, avatar: str = "") -> dict[str, Any]:
    """One testimonial for ``testimonials.json``: what another site needs to show it."""
    return {
        "slug": story.slug,
        "url": url,
        "title": story.title,
        "quote": story.quote,
        "customer": story.customer,
        "initials": story.initials,
        "avatar": avatar,
        "product": story.product,
        "pledges": list(story.pledges),
        "date": story.date.date().isoformat(),
        "lang": story.lang,
        "featured": story.featured,
    }


def testimonials_json(entries: Iterable[Mapping[str, Any]], site_name: str, site_url: str) -> str:
    """The embed file: a stable, versioned shape so other sites can rely on it.

    One testimonial per line: readable in a diff, and written by ``json``'s C
    encoder (an indented dump, which only the slow Python encoder can write, took
    a tenth of a second at 5,000 stories, on every build).
    """
    head = json.dumps(
        {"version": 1, "site": {"name": site_name, "url": site_url}}, ensure_ascii=False
    )
    rows = ",\n".join(json.dumps(dict(entry), ensure_ascii=False) for entry in entries)
    listed = f"[\n{rows}\n]" if rows else "[]"
    return f'{head[:-1]}, "testimonials": {listed}}}\n'


def script_tag_json(data: Mapping[str, Any]) -> str:
    """JSON safe inside ``<script type="application/ld+json">``: no '</' can close it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def sitemap_xml(urls: Iterable[str]) -> str:
    """A sitemap of the given absolute URLs; built from public pages only, by the caller."""
    from xml.sax.saxutils import escape

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        *(f"  <url><loc>{escape(u)}</loc></url>" for u in dict.fromkeys(urls)),
        "</urlset>",
    ]
    return "\n".join(lines) + "\n"
