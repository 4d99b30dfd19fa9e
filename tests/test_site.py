"""The public site, built for real by Pelican from the example content.

Each test reads like a promise the site makes: what a visitor finds, and what
never reaches ``output/``.
"""

from __future__ import annotations

import json
import logging
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from test_site_support import approve, build, copy_content, text_files

from goodwill import curate

# Unique words from the stories that must never be published in the example content.
EXPORT_STORY = "testimonials/2026-03-04-the-export-that-ate-my-invoices/index.html"
DRAFT_QUOTE = "calmest support I have ever had"  # Status: draft, Consent: pending
WITHDRAWN_QUOTE = "Moving my licence took one email"  # published, then consent withdrawn
PENDING_GIFT = "helped a customer in our forum for months"  # gift without consent
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One publish build of the example site, shared by the read-only tests below."""
    root = tmp_path_factory.mktemp("site")
    content = copy_content(root / "content")
    build(content, root / "output")
    return root / "output"


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(b) for b in blocks]


def test_the_publish_build_writes_every_section(site: Path) -> None:
    for page in [
        "index.html",
        "testimonials/index.html",
        "testimonials/2026-03-04-the-export-that-ate-my-invoices/index.html",
        "testimonials/pledge/reply-within-one-business-day/index.html",
        "testimonials/product/tidy-invoice/index.html",
        "testimonials/product/tidy-notes/index.html",
        "gifts/index.html",
        "gifts/2026-02-02-a-licence-for-a-schools-bake-sale/index.html",
        "pledges/index.html",
        "pledges/first-reply-within-four-hours/index.html",
        "feeds/testimonials.atom.xml",
        "feeds/gifts.atom.xml",
        "testimonials.json",
        "sitemap.xml",
    ]:
        assert (site / page).is_file(), page


def test_no_page_shows_markup_as_text(site: Path) -> None:
    # Pelican renders Summary fields as Markdown; a pledge once showed "<p>…</p>" as words.
    for path in site.rglob("*.html"):
        assert "&lt;p&gt;" not in path.read_text(encoding="utf-8"), path


def test_drafts_pending_and_withdrawn_stories_appear_nowhere(site: Path) -> None:
    assert not (site / "drafts").exists()
    for path, text in text_files(site).items():
        for secret in (DRAFT_QUOTE, WITHDRAWN_QUOTE, PENDING_GIFT):
            assert secret not in text, f"{secret!r} leaked into {path}"
    cards = list((site / "images/goodwill").glob("card-*.png"))
    # One share card per published testimonial page: 9 originals and 1 translation.
    assert len(cards) == 10


def test_the_wall_puts_featured_stories_first_then_newest(site: Path) -> None:
    data = json.loads((site / "testimonials.json").read_text())
    entries = data["testimonials"]
    assert [e["featured"] for e in entries[:2]] == [True, True]
    assert not any(e["featured"] for e in entries[2:])
    rest = [e["date"] for e in entries[2:]]
    assert rest == sorted(rest, reverse=True)
    assert len(entries) == 9
    assert entries[0]["url"].startswith("https://tidy.example/testimonials/")


def test_every_page_carries_valid_json_ld_and_never_a_rating(site: Path) -> None:
    pages = list(site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        html = page.read_text()
        for data in json_ld(html):
            assert data["@context"] == "https://schema.org"
        assert "Rating" not in html, page
    story = (site / EXPORT_STORY).read_text()
    (review,) = json_ld(story)
    assert review["@type"] == "Review"
    assert review["itemReviewed"] == {
        "@type": "SoftwareApplication",
        "name": "Tidy Invoice",
        "applicationCategory": "Software",
    }
    assert review["author"] == {"@type": "Person", "name": "Maren"}


def test_a_testimonial_page_shows_the_conversation_as_turns_and_its_facts(site: Path) -> None:
    html = (site / EXPORT_STORY).read_text()
    assert html.count('class="turn turn-customer"') == 2
    assert html.count('class="turn turn-staff"') == 2
    assert "First reply in 12 minutes" in html
    assert "Resolved in 3 hours 10 minutes" in html
    assert 'property="og:image" content="https://tidy.example/images/goodwill/card-' in html


def test_share_cards_and_avatars_have_their_sizes(site: Path) -> None:
    html = (site / EXPORT_STORY).read_text()
    card = re.search(r'og:image" content="https://tidy.example/([^"]+)"', html).group(1)
    with Image.open(site / card) as image:
        assert image.size == (1200, 630)
    avatar = re.search(r'<img class="avatar" src="https://tidy.example/([^"]+)"', html).group(1)
    with Image.open(site / avatar) as image:
        assert image.size == (96, 96)


def test_feeds_are_atom_and_hold_only_published_stories(site: Path) -> None:
    feed = ET.parse(site / "feeds/testimonials.atom.xml").getroot()
    titles = {e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")}
    assert "The export that ate my invoices" in titles
    assert "Quicker than my coffee" not in titles
    gifts = ET.parse(site / "feeds/gifts.atom.xml").getroot()
    assert len(list(gifts.iter(f"{ATOM}entry"))) == 4


def test_the_sitemap_lists_public_pages_only(site: Path) -> None:
    root = ET.parse(site / "sitemap.xml").getroot()
    locs = {e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert "https://tidy.example/testimonials/" in locs
    assert not any("quicker-than-my-coffee" in loc for loc in locs)


def test_a_pledge_kept_less_than_always_says_so(site: Path) -> None:
    html = (site / "pledges/first-reply-within-four-hours/index.html").read_text()
    all_time = re.search(r"All time</th><td><strong>(\d+)%</strong>", html)
    assert all_time and int(all_time.group(1)) < 100
    assert "Last 12 months" in html


def test_gift_totals_add_up_per_currency(site: Path) -> None:
    html = (site / "gifts/index.html").read_text()
    assert "<strong>4</strong> gifts told here" in html
    assert "EUR 238.00" in html  # 49 + 39 + 150; the hour of help has no price


def test_a_translation_links_to_its_original(site: Path) -> None:
    base = site / "testimonials/2025-09-12-la-facture-en-double"
    english, french = (base / "index.html").read_text(), (base / "fr/index.html").read_text()
    assert '<html lang="fr">' in french and '<html lang="en">' in english
    assert "This is a translation." in english
    assert 'href="https://tidy.example/testimonials/2025-09-12-la-facture-en-double/fr/"' in english


def test_a_mistyped_category_never_takes_a_story_past_the_gate(tmp_path: Path) -> None:
    content = copy_content(tmp_path / "content")
    draft = content / "testimonials/2026-03-18-quicker-than-my-coffee.md"
    draft.write_text(
        draft.read_text()
        .replace("Category: testimonials", "Category: Testimonial")
        .replace("Status: draft", "Status: published")
    )
    build(content, tmp_path / "output")
    for path, text in text_files(tmp_path / "output").items():
        assert DRAFT_QUOTE not in text, f"an unconsented story leaked into {path}"


def test_customer_markup_is_shown_as_text_never_run(tmp_path: Path) -> None:
    content = copy_content(tmp_path / "content")
    story = content / "testimonials/2026-03-04-the-export-that-ate-my-invoices.md"
    text = story.read_text().replace(
        "I am starting to panic a little.",
        'I am <script>alert("gw-xss")</script> <img src=x onerror="alert(2)"> '
        '<a href="javascript:alert(3)">click</a>',
    )
    story.write_text(text)
    approve(story)  # the founder re-approves the edited words
    build(content, tmp_path / "output")
    html = (tmp_path / "output/testimonials" / story.stem / "index.html").read_text()
    assert "&lt;script&gt;alert(" in html
    assert '<script>alert("gw-xss")' not in html
    assert "javascript:" not in html
    assert not re.search(r"<img[^>]*onerror", html)


def test_a_broken_file_is_reported_and_the_rest_builds(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    content = copy_content(tmp_path / "content")
    good = (content / "testimonials/2026-02-11-a-rounding-error-fixed-the-same-day.md").read_text()
    (content / "testimonials/bad-minutes.md").write_text(
        good.replace("First-Reply-Minutes: 41", "First-Reply-Minutes: soon").replace(
            "Slug: 2026-02-11-a-rounding-error-fixed-the-same-day", "Slug: bad-minutes"
        )
    )
    (content / "testimonials/bad-date.md").write_text(
        good.replace("Date: 2026-02-11 14:30", "Date: the day after tomorrow").replace(
            "Slug: 2026-02-11-a-rounding-error-fixed-the-same-day", "Slug: bad-date"
        )
    )
    with caplog.at_level(logging.ERROR):
        build(content, tmp_path / "output")
    log = caplog.text
    assert "content/testimonials/bad-minutes.md" in log
    assert "'First-Reply-Minutes: soon' is not a number" in log
    assert "bad-date.md" in log
    assert (tmp_path / "output/testimonials/index.html").is_file()
    assert not (tmp_path / "output/testimonials/bad-minutes").exists()
    rounding = "2026-02-11-a-rounding-error-fixed-the-same-day"
    assert (tmp_path / "output/testimonials" / rounding).is_dir()


def test_withdrawing_consent_removes_the_story_and_its_images_on_the_next_build(
    tmp_path: Path,
) -> None:
    content = copy_content(tmp_path / "content")
    output = tmp_path / "output"
    build(content, output)
    before = set((output / "images/goodwill").iterdir())
    story = content / "testimonials/2025-06-30-an-honest-not-yet.md"
    story.write_text(story.read_text().replace("Consent: given", "Consent: withdrawn"))
    build(content, output, DELETE_OUTPUT_DIRECTORY=False)  # even when output/ is kept
    after = set((output / "images/goodwill").iterdir())
    # Its share card goes; its avatar ("M" on green) stays, as Maren's story shows the same one.
    assert len(after) == len(before) - 1
    assert not (output / "testimonials/2025-06-30-an-honest-not-yet").exists() or (
        "dark mode" not in (output / "testimonials/index.html").read_text()
    )
    assert "dark mode was months away" not in (output / "testimonials.json").read_text()


def test_a_rebuild_draws_no_image_again(tmp_path: Path) -> None:
    content = copy_content(tmp_path / "content")
    build(content, tmp_path / "output")
    cache = tmp_path / "image-cache"
    stamps = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    build(content, tmp_path / "output")
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == stamps


def test_a_preview_build_shows_drafts_marked_but_keeps_them_out_of_json(tmp_path: Path) -> None:
    content = copy_content(tmp_path / "content")
    build(content, tmp_path / "output", publish=False)
    draft = tmp_path / "output/drafts/testimonials/2026-03-18-quicker-than-my-coffee/index.html"
    assert "Draft, not public" in draft.read_text()
    assert DRAFT_QUOTE in (tmp_path / "output/testimonials/index.html").read_text()
    assert DRAFT_QUOTE not in (tmp_path / "output/testimonials.json").read_text()


def test_a_gift_photo_is_published_resized_without_its_exif(tmp_path: Path) -> None:
    content = copy_content(tmp_path / "content")
    (content / "gifts/photos").mkdir()
    photo = content / "gifts/photos/garden.jpg"
    exif = Image.Exif()
    exif[0x010F] = "PlantedCam"  # camera make
    exif.get_ifd(0x8825)[2] = (51.0, 30.0, 0.0)  # GPS latitude
    Image.new("RGB", (2400, 1600), "green").save(photo, exif=exif)
    gift = content / "gifts/2025-04-15-tidy-notes-for-a-community-garden.md"
    gift.write_text(
        gift.read_text().replace("Lang: en", "Lang: en\nPhoto: gifts/photos/garden.jpg")
    )
    approve(gift)  # the photo is part of what the recipient agrees to
    build(content, tmp_path / "output")
    html = (tmp_path / "output/gifts" / gift.stem / "index.html").read_text()
    src = re.search(r'<img class="photo" src="https://tidy.example/([^"]+)"', html).group(1)
    published = tmp_path / "output" / src
    assert b"PlantedCam" not in published.read_bytes()
    with Image.open(published) as image:
        assert image.width == 1200 and not image.getexif()
    assert not list((tmp_path / "output").rglob("garden.jpg"))


def test_a_pledge_page_shows_a_few_stories_and_links_to_all_of_them(tmp_path: Path) -> None:
    # Eight stories show this pledge; with two per page its own page shows the first two
    # and sends the reader to the paginated wall of that pledge for the rest.
    build(copy_content(tmp_path / "content"), tmp_path / "output", GOODWILL_PER_PAGE=2)
    html = (tmp_path / "output/pledges/reply-within-one-business-day/index.html").read_text()
    cards = html.split("<h2>Testimonials that show it</h2>")[1].split("<h2>")[0]
    assert cards.count('<article class="card') == 2
    wall = "https://tidy.example/testimonials/pledge/reply-within-one-business-day/"
    assert re.search(rf'<a href="{wall}">All \d+ testimonials that show it</a>', html)
    home = (tmp_path / "output/index.html").read_text()
    assert home.count('<article class="card') <= 2
    figures = re.search(r"All time</th><td><strong>\d+%</strong></td><td>(\d+)</td>", html)
    assert figures and int(figures.group(1)) > 8  # the figures still count the whole ledger


DRAFT = "2026-03-18-quicker-than-my-coffee"


def plant_redactions(content: Path) -> None:
    """Redaction records beside the draft and beside a published story, as ingest writes them."""
    draft = content / f"testimonials/{DRAFT}.md"
    draft.write_text(
        draft.read_text().replace(
            "The search box finds nothing since this morning.",
            "Hi Support, Noor here: the search box finds nothing. Call me on [phone].",
        )
    )
    records = [
        {"kind": "name", "message": 0, "start": 3, "end": 10, "replacement": "Support"},
        {"kind": "name", "message": 0, "start": 12, "end": 16, "replacement": "Noor"},
        {"kind": "phone", "message": 0, "start": 63, "end": 70, "replacement": "[phone]"},
    ]
    for stem in (DRAFT, "2026-03-04-the-export-that-ate-my-invoices"):
        sidecar = content / f"testimonials/{stem}.redactions.json"
        sidecar.write_text(json.dumps([{**r, "digest": "0123456789abcdef"} for r in records]))


def test_the_preview_highlights_a_drafts_redactions_with_a_legend(tmp_path: Path) -> None:
    content = copy_content(tmp_path / "content")
    plant_redactions(content)
    build(content, tmp_path / "output", publish=False)
    html = (tmp_path / f"output/drafts/testimonials/{DRAFT}/index.html").read_text()
    assert "Draft, not public" in html
    assert (
        'Hi <mark class="redaction" title="name redacted">Support</mark>, '
        '<mark class="redaction" title="name redacted">Noor</mark> here' in html
    )
    assert '<mark class="redaction" title="phone redacted">[phone]</mark>' in html
    assert 'class="legend"' in html and "the 3 places where the anonymizer replaced" in html
    # A story that is already public reads in the preview as it reads on the site.
    public = (tmp_path / f"output/{EXPORT_STORY}").read_text()
    assert 'class="redaction"' not in public


def test_a_publish_build_marks_no_redaction_anywhere(tmp_path: Path) -> None:
    content = copy_content(tmp_path / "content")
    plant_redactions(content)
    build(content, tmp_path / "output")
    files = text_files(tmp_path / "output")
    assert any(EXPORT_STORY in str(path) for path in files)
    for path, text in files.items():
        assert 'class="redaction"' not in text, path


@pytest.mark.parametrize(
    ("display", "name", "shown", "in_text"),
    [("initials", "N. H.", "N. H.", "N. H."), ("anonymous", "", "A customer", "[name]")],
)
def test_the_name_the_customer_chose_is_the_only_one_on_the_page(
    tmp_path: Path, display: str, name: str, shown: str, in_text: str
) -> None:
    content = copy_content(tmp_path / "content")
    story = content / "testimonials/2026-03-18-quicker-than-my-coffee.md"
    story.write_text(
        story.read_text().replace("\n\n", "\n\nThank you, Noor, for the kind words.\n\n", 1)
    )
    curate.approve(story, "replied yes", date(2026, 3, 20), display=display, display_name=name)
    build(content, tmp_path / "output")
    page = (tmp_path / "output/testimonials" / story.stem / "index.html").read_text()
    assert "Noor" not in page  # the pseudonym would tie this story to the customer's others
    assert shown in page and f"Thank you, {in_text}, for the kind words." in page
    feed = (tmp_path / "output/feeds/testimonials.atom.xml").read_text()
    assert "Noor" not in feed


def test_a_real_name_the_customer_chose_to_show_is_not_a_leak(tmp_path: Path) -> None:
    from goodwill import guard
    from goodwill.digest import digest

    content = copy_content(tmp_path / "content")
    story = content / "testimonials/2026-03-18-quicker-than-my-coffee.md"
    curate.approve(story, "yes", date(2026, 3, 20), "first-name-initial", "Zelda Q.")
    sidecar = story.with_name(story.stem + ".redactions.json")
    key = b"k" * 32
    records = [{"kind": "name", "digest": digest(key, "name", "Zelda")}]
    sidecar.write_text(json.dumps(records))
    build(content, tmp_path / "output")
    digests = guard.load_name_digests(content)
    found = guard.scan_output(tmp_path / "output", digests, key)
    assert [f for f in found if f.kind == "name"]  # without the customer's choice: a leak
    allowed = guard.scan_output(tmp_path / "output", digests, key, curate.consented_names(content))
    assert not [f for f in allowed if f.kind == "name"]
