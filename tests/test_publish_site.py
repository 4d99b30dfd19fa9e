"""The example site published by `git push`, with the real plugin and its consent gate.

The other publishing tests use a tiny plain-Pelican site to test the hook itself; this one
pushes Goodwill's own example site through it: a draft stays out of the live site until
consent is recorded, a withdrawal takes it down at the next push, and a rollback refuses
to bring a withdrawn story back.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from test_publish import Site, tree_hashes

from goodwill import curate, publish
from goodwill.digest import digest

ROOT = Path(__file__).resolve().parent.parent
DRAFT = "content/testimonials/2026-03-18-quicker-than-my-coffee.md"
QUOTE = "Honestly the calmest support I have ever had"


def everywhere(live: Path) -> str:
    """Every text file of the live site, joined: pages, feeds, JSON, sitemap."""
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted(live.rglob("*"))
        if p.is_file() and p.suffix in {".html", ".xml", ".json"}
    )


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = Site(tmp_path)
    shutil.rmtree(site.clone / "content")
    for name in ("content", "theme", "plugins"):
        shutil.copytree(ROOT / name, site.clone / name)
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy(ROOT / name, site.clone / name)
    site.commit("The example site")
    pushed = site.push()
    assert "is live at" in pushed.stderr, pushed.stderr
    return site


def test_consent_decides_what_a_push_publishes(site: Site):
    assert QUOTE not in everywhere(site.live)  # a pending draft is not published

    curate.approve(site.clone / DRAFT, "replied yes to our e-mail", date(2026, 3, 20))
    site.commit("Noor said yes")
    assert "is live at" in site.push().stderr
    live = everywhere(site.live)
    assert live.count(QUOTE) >= 3  # its page, the wall, testimonials.json, the feed
    assert (site.live / "testimonials/2026-03-18-quicker-than-my-coffee/index.html").is_file()

    curate.withdraw(site.clone / DRAFT, site.clone / "content", site.root / "private")
    site.commit("Noor withdrew consent")
    assert "is live at" in site.push().stderr
    assert QUOTE not in everywhere(site.live)

    before = tree_hashes(site.live)
    assert publish.main(["rollback", str(site.live)]) == 1  # would bring Noor's words back
    assert tree_hashes(site.live) == before


def test_a_push_is_refused_when_a_name_shown_on_one_story_leaks_into_another(site: Site):
    # Zelda chose, with consent, to be shown as "Zelda Q." on her story; another story
    # redacted a different Zelda, whose name came back by hand. The live site keeps.
    key = "test-key-0123456789abcdef0123456789abcdef"
    site.env["GOODWILL_KEY"] = key  # the server is given the founder's key
    curate.approve(site.clone / DRAFT, "yes", date(2026, 3, 20), "first-name-initial", "Zelda Q.")
    export = site.clone / "content/testimonials/2026-03-04-the-export-that-ate-my-invoices.md"
    record = {"kind": "name", "message": 0, "start": 0, "end": 5, "replacement": "Ines"}
    record["digest"] = digest(key.encode(), "name", "Zelda")
    export.with_name(export.stem + ".redactions.json").write_text(json.dumps([record]))
    export.write_text(export.read_text().replace("Wonderful.", "Wonderful, Zelda."))
    curate.approve(export, "replied yes to our e-mail", date(2026, 3, 20))
    before = tree_hashes(site.live)
    site.commit("Zelda shown on her story, and by mistake on another")
    pushed = site.push()
    assert "NOT published" in pushed.stderr, pushed.stderr
    flagged = [line for line in pushed.stderr.splitlines() if ": name:" in line]
    assert flagged and all("the-export-that-ate-my-invoices" in line for line in flagged)
    assert tree_hashes(site.live) == before


def test_a_second_push_reuses_the_images_and_pages_the_first_one_made(site: Site):
    # The source of each release is a fresh export: the caches live beside the releases,
    # so a push that changes one story does not draw every image and render every page.
    cache = site.layout.cache
    images = {p.name for p in (cache / "images").iterdir()}
    assert images and any((cache / "pelican" / "goodwill-pages").rglob("*.html"))
    unchanged = "testimonials/2026-03-04-the-export-that-ate-my-invoices/index.html"
    first_page = (site.live / unchanged).stat().st_ino

    curate.approve(site.clone / DRAFT, "replied yes to our e-mail", date(2026, 3, 20))
    site.commit("Noor said yes")
    pushed = site.push()
    assert "is live at" in pushed.stderr, pushed.stderr
    drawn = {p.name for p in (cache / "images").iterdir()} - images
    assert sorted(name.split("-")[0] for name in drawn) == ["avatar", "card"]  # Noor's only
    assert QUOTE in everywhere(site.live)
    assert (site.live / unchanged).stat().st_ino == first_page  # the same page, not rendered


def cached_text(cache: Path) -> str:
    """Every page and record the publish cache holds, joined (images are checked by name)."""
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in sorted(cache.rglob("*"))
        if p.is_file() and p.suffix in {".html", ".json"}
    )


def test_a_withdrawn_story_leaves_the_publish_cache_with_the_last_release_that_showed_it(
    tmp_path: Path,
):
    site = Site(tmp_path, keep=1)  # only the live release is kept
    shutil.rmtree(site.clone / "content")
    for name in ("content", "theme", "plugins"):
        shutil.copytree(ROOT / name, site.clone / name)
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy(ROOT / name, site.clone / name)
    conf = site.clone / "pelicanconf.py"
    conf.write_text(conf.read_text() + "\nGOODWILL_PUBLISH_KEEP = 1\n")
    curate.approve(site.clone / DRAFT, "replied yes to our e-mail", date(2026, 3, 20))
    site.commit("The example site, Noor's story approved")
    assert "is live at" in site.push().stderr
    assert QUOTE in cached_text(site.layout.cache)
    cards = {p.name for p in (site.layout.cache / "images").iterdir()}

    curate.withdraw(site.clone / DRAFT, site.clone / "content", site.root / "private")
    site.commit("Noor withdrew consent")
    assert "is live at" in site.push().stderr
    assert QUOTE not in everywhere(site.live)
    assert QUOTE not in cached_text(site.layout.cache)
    gone = cards - {p.name for p in (site.layout.cache / "images").iterdir()}
    assert sorted(name.split("-")[0] for name in gone) == ["avatar", "card"]  # Noor's


def test_a_refused_build_leaves_nothing_of_its_pages_in_the_publish_cache(site: Site):
    export = site.clone / "content/testimonials/2026-03-04-the-export-that-ate-my-invoices.md"
    export.write_text(export.read_text().replace("Wonderful.", "Wonderful. Call 07700 900123."))
    curate.approve(export, "replied yes to our e-mail", date(2026, 3, 20))
    site.commit("A phone number slipped into a story")
    pushed = site.push()
    assert "NOT published" in pushed.stderr, pushed.stderr
    assert "900123" not in cached_text(site.layout.cache)


def test_a_refused_build_keeps_no_story_card_in_the_publish_cache(site: Site):
    # The build keeps its rendered cards for the next one (the plugin's guard is off in a
    # publish build; the hook's guard runs after it): a refused build's cards go too.
    cards = list(site.layout.cache.rglob("cards.json"))
    assert cards and "You saved my quarter-end" in cards[0].read_text()  # kept when published
    export = site.clone / "content/testimonials/2026-03-04-the-export-that-ate-my-invoices.md"
    export.write_text(
        export.read_text().replace("my quarter-end,", "my quarter-end (07700 900123),")
    )
    curate.approve(export, "replied yes to our e-mail", date(2026, 3, 20))
    site.commit("A phone number slipped into a story's quote")
    pushed = site.push()
    assert "NOT published" in pushed.stderr, pushed.stderr
    assert "900123" not in cached_text(site.layout.cache)
    assert not list(site.layout.cache.rglob("cards.json"))
