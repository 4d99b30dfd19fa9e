"""Rebuilds do only the work that changed, and never leave a withdrawn story behind.

Each test is a real Pelican build of the example site into a kept output
folder, then a change, then a second build. A page that was not rendered
again is the very same file as before (same inode, same time), because the
plugin links pages it reuses from its cache instead of rendering them.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest
from test_site_support import ROOT, approve, build, copy_content, text_files

from goodwill import curate
from goodwill.digest import digest
from goodwill.sanitize import is_plain, sanitize_html

EXPORT = "2026-03-04-the-export-that-ate-my-invoices"
WITHDRAWN = "2025-06-30-an-honest-not-yet"
WITHDRAWN_QUOTE = "dark mode was months away"
KEY = "test-key-0123456789abcdef0123456789abcdef"


def stamps(output: Path, folder: str) -> dict[str, tuple[int, int]]:
    """Each page under ``folder`` with its inode and modification time."""
    return {
        p.relative_to(output).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in (output / folder).rglob("index.html")
    }


def story_pages(output: Path) -> dict[str, tuple[int, int]]:
    pages = stamps(output, "testimonials") | stamps(output, "gifts")
    listing = re.compile(r"^(testimonials|gifts)/(index\.html|page/|pledge/|product/)")
    return {path: stamp for path, stamp in pages.items() if not listing.match(path)}


def add_story(content: Path) -> Path:
    """A new testimonial (a copy of the export story, new words), approved by the founder."""
    source = (content / f"testimonials/{EXPORT}.md").read_text()
    new = content / "testimonials/2026-03-19-the-reminder-that-came-on-time.md"
    new.write_text(
        source.replace("The export that ate my invoices", "The reminder that came on time")
        .replace(EXPORT, "2026-03-19-the-reminder-that-came-on-time")
        .replace("Date: 2026-03-04 09:12", "Date: 2026-03-19 08:00")
        .replace("You saved my quarter-end", "You saved my Monday")
        .replace("Featured: true\n", "")
    )
    approve(new)
    return new


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    """The example content, built once into an output folder that later builds keep."""
    content = copy_content(tmp_path / "content")
    output = tmp_path / "output"
    build(content, output, DELETE_OUTPUT_DIRECTORY=False)
    return content, output


def test_a_new_testimonial_renders_only_its_page_its_card_and_the_listings(
    site: tuple[Path, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    content, output = site
    pages_before = story_pages(output)
    images_before = {p.name for p in (tmp_path / "image-cache").iterdir()}
    wall_before = stamps(output, "testimonials")["testimonials/index.html"]
    add_story(content)
    with caplog.at_level(logging.INFO):
        build(content, output, DELETE_OUTPUT_DIRECTORY=False)

    pages_after = story_pages(output)
    new_page = "testimonials/2026-03-19-the-reminder-that-came-on-time/index.html"
    assert set(pages_after) == set(pages_before) | {new_page}
    assert {p: pages_after[p] for p in pages_before} == pages_before  # not one written again
    assert "1 story page(s) rendered, 14 reused from the cache" in caplog.text
    drawn = {p.name for p in (tmp_path / "image-cache").iterdir()} - images_before
    assert [name[:5] for name in drawn] == ["card-"]  # Maren's avatar already existed
    assert stamps(output, "testimonials")["testimonials/index.html"] != wall_before
    assert "You saved my Monday" in (output / "testimonials/index.html").read_text()


def test_an_edited_template_renders_every_page_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    content = copy_content(tmp_path / "content")
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    output = tmp_path / "output"
    build(content, output, DELETE_OUTPUT_DIRECTORY=False, THEME=str(theme))
    before = story_pages(output)
    base = theme / "templates/base.html"
    base.write_text(base.read_text().replace("<footer", "<!-- new footer -->\n  <footer"))
    with caplog.at_level(logging.INFO):
        build(content, output, DELETE_OUTPUT_DIRECTORY=False, THEME=str(theme))
    after = story_pages(output)
    assert set(after) == set(before)
    assert all(after[page] != before[page] for page in before)
    assert "14 story page(s) rendered, 0 reused from the cache" in caplog.text
    assert "<!-- new footer -->" in (output / f"testimonials/{EXPORT}/index.html").read_text()


def test_compiled_templates_are_kept_and_an_edited_template_is_compiled_again(
    tmp_path: Path,
) -> None:
    content = copy_content(tmp_path / "content")
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    compiled = tmp_path / "compiled-templates"
    build(content, tmp_path / "output", THEME=str(theme), GOODWILL_TEMPLATE_CACHE=str(compiled))
    kept = {p.name: p.stat().st_mtime_ns for p in compiled.iterdir()}
    assert len(kept) >= 8  # the theme's templates, one file each

    base = theme / "templates/base.html"
    base.write_text(base.read_text().replace("<footer", "<!-- new footer -->\n  <footer"))
    build(content, tmp_path / "output", THEME=str(theme), GOODWILL_TEMPLATE_CACHE=str(compiled))
    assert (
        "<!-- new footer -->" in (tmp_path / f"output/testimonials/{EXPORT}/index.html").read_text()
    )
    again = {p.name: p.stat().st_mtime_ns for p in compiled.iterdir()}
    assert again.keys() == kept.keys()
    assert [name for name in kept if again[name] != kept[name]] != []  # base.html, compiled anew

    build(
        content,
        tmp_path / "off",
        THEME=str(theme),
        GOODWILL_TEMPLATE_CACHE=False,
        CACHE_PATH=str(tmp_path / "cache-off"),
    )
    assert {p.name: p.stat().st_mtime_ns for p in compiled.iterdir()} == again


def test_compiled_templates_are_not_reused_under_other_jinja_options(tmp_path: Path) -> None:
    # Jinja's options (white space, delimiters, extensions) are built into the compiled
    # code: a template compiled under others must be compiled again, not loaded.
    content = copy_content(tmp_path / "content")
    compiled = str(tmp_path / "compiled-templates")
    trimmed = {"trim_blocks": True, "lstrip_blocks": True, "extensions": []}
    untrimmed = {"trim_blocks": False, "lstrip_blocks": False, "extensions": []}
    build(content, tmp_path / "a", JINJA_ENVIRONMENT=trimmed, GOODWILL_TEMPLATE_CACHE=compiled)
    build(content, tmp_path / "b", JINJA_ENVIRONMENT=untrimmed, GOODWILL_TEMPLATE_CACHE=compiled)
    build(content, tmp_path / "c", JINJA_ENVIRONMENT=untrimmed, GOODWILL_TEMPLATE_CACHE=False)
    page = f"testimonials/{EXPORT}/index.html"
    assert (tmp_path / "b" / page).read_text() == (tmp_path / "c" / page).read_text()
    assert (tmp_path / "b" / page).read_text() != (tmp_path / "a" / page).read_text()


def test_a_rebuild_with_nothing_changed_renders_no_page_of_the_plugin(
    site: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    content, output = site
    before = story_pages(output)
    with caplog.at_level(logging.INFO):
        build(content, output)  # publish settings: the output folder is wiped first
    assert "0 story page(s) rendered, 14 reused from the cache" in caplog.text
    assert "0 listing page(s) rendered" in caplog.text  # walls, gifts and pledges as well
    assert set(story_pages(output)) == set(before)


def test_an_edited_and_reapproved_story_renders_its_own_page_again_and_no_other(
    site: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    # A story's page is keyed by the bytes of its file: any edit is a new page, even one
    # deep in the conversation that changes neither the quote nor any image.
    content, output = site
    story = content / f"testimonials/{EXPORT}.md"
    story.write_text(story.read_text().replace("good luck with the quarter", "enjoy Friday"))
    approve(story)
    with caplog.at_level(logging.INFO):
        build(content, output)
    assert "1 story page(s) rendered, 13 reused from the cache" in caplog.text
    page = (output / f"testimonials/{EXPORT}/index.html").read_text()
    assert "enjoy Friday" in page
    assert "good luck with the quarter" not in page


def test_new_url_settings_move_every_story_on_the_next_build(
    site: tuple[Path, Path],
) -> None:
    # URLs are kept between builds (with the settings that made them): new settings, new URLs.
    content, output = site
    moved = {"ARTICLE_URL": "stories/{slug}/", "ARTICLE_SAVE_AS": "stories/{slug}/index.html"}
    build(content, output, **moved)
    assert (output / f"stories/{EXPORT}/index.html").is_file()
    assert not (output / f"testimonials/{EXPORT}/index.html").exists()
    assert f"stories/{EXPORT}/" in (output / "testimonials/index.html").read_text()


def test_new_plugin_code_keys_every_page_anew(
    site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A page is keyed by its story file's bytes: the code that turns them into the page
    # (a sanitizer fix, new JSON-LD) keys it too, or an upgrade would keep old pages.
    content, output = site
    pagecache = sys.modules["goodwill_site.pagecache"]  # as the fixture's build loaded it
    collect = sys.modules["goodwill_site.collect"]
    settings = build(content, output)
    before = collect._page_cache(settings).salt
    monkeypatch.setattr(pagecache, "code_digest", lambda: "the next version")
    assert collect._page_cache(settings).salt != before


def test_a_damaged_memo_is_worked_out_again_and_the_site_builds(
    site: tuple[Path, Path], tmp_path: Path
) -> None:
    content, output = site
    memos = list((tmp_path / "cache" / "goodwill-pages").glob("*.json"))
    assert {m.name for m in memos} >= {"stories.json", "places.json"}
    for memo in memos:
        saved = json.loads(memo.read_text())
        if isinstance(saved, dict) and isinstance(saved.get("entries"), dict):  # old shapes
            saved["entries"] = {name: [entry[0], 5] for name, entry in saved["entries"].items()}
            memo.write_text(json.dumps(saved))
    build(content, output)
    assert (output / f"testimonials/{EXPORT}/index.html").is_file()


def test_withdrawn_consent_leaves_no_page_image_or_entry_behind(
    site: tuple[Path, Path], tmp_path: Path
) -> None:
    content, output = site
    build(content, output, DELETE_OUTPUT_DIRECTORY=False, GOODWILL_PER_PAGE=3)
    walls = {p for p in stamps(output, "testimonials") if "/page/" in p}
    story = content / f"testimonials/{WITHDRAWN}.md"
    html = (output / f"testimonials/{WITHDRAWN}/index.html").read_text()
    card = re.search(r'og:image" content="https://tidy.example/([^"]+)"', html).group(1)
    story.write_text(story.read_text().replace("Consent: given", "Consent: withdrawn"))

    build(content, output, DELETE_OUTPUT_DIRECTORY=False, GOODWILL_PER_PAGE=3)

    assert not (output / "testimonials" / WITHDRAWN).exists()
    assert not (output / card).exists()
    for path, text in text_files(output).items():
        assert WITHDRAWN not in text and WITHDRAWN_QUOTE not in text, path
    # The wall has fewer pages now: the ones it lost are gone from the output, and what is
    # left is what its pages link to, from the front page on.
    left = {p for p in stamps(output, "testimonials") if "/page/" in p}
    linked, page = set(), "testimonials/index.html"
    while found := re.search(
        r'rel="next" href="https://tidy.example/([^"]+)"', (output / page).read_text()
    ):
        page = found.group(1) + "index.html"
        linked.add(page)
    assert walls - left and left == linked
    data = json.loads((output / "testimonials.json").read_text())
    assert len(data["testimonials"]) == 8


def test_the_leak_guard_checks_redacted_names_when_it_has_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = copy_content(tmp_path / "content")
    # Ingest recorded "Maren" as a redacted name: the pseudonym left in by hand is a leak.
    sidecar = content / f"testimonials/{EXPORT}.redactions.json"
    record = {"kind": "name", "message": 0, "start": 0, "end": 5, "replacement": "Ines"}
    record["digest"] = digest(KEY.encode(), "name", "Maren")
    sidecar.write_text(json.dumps([record]))
    monkeypatch.setenv("GOODWILL_KEY", KEY)
    with pytest.raises(RuntimeError, match=r"leak guard: \d+ possible piece"):
        build(content, tmp_path / "output", GOODWILL_GUARD="fail")


def test_a_name_shown_with_consent_is_allowed_on_its_story_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Zelda chose to be shown as "Zelda Q." on her story. Another story redacted a different
    # Zelda, and her name came back into that story by hand: the guard must still see it.
    content = copy_content(tmp_path / "content")
    coffee = content / "testimonials/2026-03-18-quicker-than-my-coffee.md"
    curate.approve(coffee, "yes", date(2026, 3, 20), "first-name-initial", "Zelda Q.")
    record = {"kind": "name", "message": 0, "start": 0, "end": 5, "replacement": "Ines"}
    record["digest"] = digest(KEY.encode(), "name", "Zelda")
    export = content / f"testimonials/{EXPORT}.md"
    export.with_name(f"{EXPORT}.redactions.json").write_text(json.dumps([record]))
    export.write_text(export.read_text().replace("Wonderful.", "Wonderful, Zelda."))
    approve(export)
    monkeypatch.setenv("GOODWILL_KEY", KEY)
    with caplog.at_level(logging.ERROR), pytest.raises(RuntimeError, match="leak guard"):
        build(content, tmp_path / "output", GOODWILL_GUARD="fail")
    flagged = {m.group(1) for m in re.finditer(r"leak guard: (\S+?):\d+: name:", caplog.text)}
    assert f"testimonials/{EXPORT}/index.html" in flagged
    assert not any("quicker-than-my-coffee" in path for path in flagged)


def test_a_story_whose_page_is_reused_reaches_the_feed_as_its_page_shows_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Zelda chose to be shown as "Zelda Q.": her conversation says so on her page and in
    # the feed. On a rebuild her page comes from the cache and her story is not dressed
    # for it; the feed, which still needs her conversation, must get it dressed all the same.
    content = copy_content(tmp_path / "content")
    coffee = content / "testimonials/2026-03-18-quicker-than-my-coffee.md"
    curate.approve(coffee, "yes", date(2026, 3, 20), "first-name-initial", "Zelda Q.")
    pseudonym = re.search(r"^Customer: (.+)$", coffee.read_text(), re.M).group(1)
    build(content, tmp_path / "output")
    feed = (tmp_path / "output/feeds/all.atom.xml").read_text()
    with caplog.at_level(logging.INFO):
        build(content, tmp_path / "output")  # publish settings: the output is wiped first
    assert "0 story page(s) rendered" in caplog.text
    again = (tmp_path / "output/feeds/all.atom.xml").read_text()
    assert again == feed
    entry = again[again.index("quicker-than-my-coffee") :]
    entry = entry[: entry.index("</entry>")]
    assert 'author="Zelda Q."' in entry
    assert f'author="{pseudonym}"' not in entry


def test_a_name_redacted_later_is_found_in_pages_that_did_not_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = copy_content(tmp_path / "content")
    monkeypatch.setenv("GOODWILL_KEY", KEY)
    first = {"kind": "name", "digest": digest(KEY.encode(), "name", "Holt")}
    (content / f"testimonials/{EXPORT}.redactions.json").write_text(json.dumps([first]))
    build(content, tmp_path / "output", GOODWILL_GUARD="fail")  # clean: no "Holt" anywhere
    # A new thread's sidecar records "Maren" as redacted; her old page still names her.
    later = {"kind": "name", "digest": digest(KEY.encode(), "name", "Maren")}
    (content / "testimonials/2026-03-19-new.redactions.json").write_text(json.dumps([later]))
    with pytest.raises(RuntimeError, match=r"leak guard: \d+ possible piece"):
        build(content, tmp_path / "output", GOODWILL_GUARD="fail")


def test_without_the_key_the_guard_says_names_were_not_checked_and_checks_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    content = copy_content(tmp_path / "content")
    sidecar = content / f"testimonials/{EXPORT}.redactions.json"
    sidecar.write_text(json.dumps([{"kind": "name", "digest": "0123456789abcdef"}]))
    monkeypatch.delenv("GOODWILL_KEY", raising=False)
    missing = tmp_path / "no-such-key"
    with caplog.at_level(logging.INFO):
        build(content, tmp_path / "output", GOODWILL_GUARD="fail", GOODWILL_KEY_FILE=str(missing))
    assert f"redacted names not checked: no key at {missing}" in caplog.text

    story = content / f"testimonials/{EXPORT}.md"
    story.write_text(story.read_text().replace("by Friday", "by Friday, maren.holt@example.com"))
    approve(story)
    with pytest.raises(RuntimeError, match="leak guard"):
        build(content, tmp_path / "output", GOODWILL_GUARD="fail", GOODWILL_KEY_FILE=str(missing))


@pytest.mark.parametrize(
    ("html", "plain"),
    [
        ("<p>Hi, the <em>export</em> stops at 100.</p>\n<ul>\n<li>one</li>\n</ul>", True),
        ("<p>Line one<br />\nline two</p><hr>", True),
        ('<p>See <a href="https://tidy.example">this</a></p>', False),  # attributes: parsed
        ("<p>Hi <script>alert(1)</script></p>", False),
        ("<p>unclosed <em>emphasis</p>", False),
        ("<p>a < b</p>", False),
        ("<p>note</p><!-- hidden -->", False),
    ],
)
def test_plain_markdown_html_is_published_as_it_is_anything_else_is_parsed(
    html: str, plain: bool
) -> None:
    assert is_plain(html) is plain
    if plain:
        assert sanitize_html(html) == html
    else:
        assert "<script>" not in sanitize_html(html) and "<!--" not in sanitize_html(html)


def test_a_newly_redacted_name_no_page_has_a_word_for_sends_no_page_to_be_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Every new story brings new redacted names; the guard remembers the digest of each word
    # and phrase of the pages it found clean, so a name none of them has costs no reading.
    content = copy_content(tmp_path / "content")
    monkeypatch.setenv("GOODWILL_KEY", KEY)
    first = {"kind": "name", "digest": digest(KEY.encode(), "name", "Holt")}
    (content / f"testimonials/{EXPORT}.redactions.json").write_text(json.dumps([first]))
    build(content, tmp_path / "output", GOODWILL_GUARD="fail")
    later = {"kind": "name", "digest": digest(KEY.encode(), "name", "Zebulon Quartermaine")}
    (content / "testimonials/2026-03-19-new.redactions.json").write_text(json.dumps([later]))
    with caplog.at_level(logging.INFO):
        build(content, tmp_path / "output", GOODWILL_GUARD="fail")
    assert "leak guard: 0 file(s) read" in caplog.text


def redacted(story: Path, name: str) -> None:
    """Give ``story`` (its path without suffix) a redaction record listing ``name``."""
    record = {"kind": "name", "digest": digest(KEY.encode(), "name", name)}
    story.with_suffix(".redactions.json").write_text(json.dumps([record]))


def test_a_deleted_story_sends_only_the_pages_it_changed_to_be_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A page found clean of a set of redacted names is clean of fewer: deleting a story with
    # its redaction record must not make the guard read the whole site again.
    content = copy_content(tmp_path / "content")
    monkeypatch.setenv("GOODWILL_KEY", KEY)
    redacted(content / "testimonials/2026-02-11-a-rounding-error-fixed-the-same-day", "Holt")
    export = content / f"testimonials/{EXPORT}"
    redacted(export, "Zelda")
    build(content, tmp_path / "output", GOODWILL_GUARD="fail")
    export.with_suffix(".md").unlink()
    export.with_suffix(".redactions.json").unlink()
    with caplog.at_level(logging.INFO):
        build(content, tmp_path / "output", GOODWILL_GUARD="fail")
    read = re.search(r"leak guard: (\d+) file\(s\) read", caplog.text)
    scanned = [
        p for p in (tmp_path / "output").rglob("*") if p.suffix in {".html", ".xml", ".json"}
    ]
    assert read and 0 < int(read.group(1)) < len(scanned) // 2


def test_a_name_left_on_a_page_is_still_found_after_another_story_is_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # The guard's record survives a deleted story; a page it found a name on is read again
    # on every build all the same.
    content = copy_content(tmp_path / "content")
    monkeypatch.setenv("GOODWILL_KEY", KEY)
    rounding = content / "testimonials/2026-02-11-a-rounding-error-fixed-the-same-day"
    redacted(rounding, "Holt")
    story = rounding.with_suffix(".md")
    story.write_text(story.read_text().replace("Small, but", "Small, but Mr Holt noticed, and", 1))
    approve(story)
    export = content / f"testimonials/{EXPORT}"
    for build_number in (1, 2):
        caplog.clear()
        with caplog.at_level(logging.ERROR), pytest.raises(RuntimeError, match="leak guard"):
            build(content, tmp_path / "output", GOODWILL_GUARD="fail")
        assert "2026-02-11-a-rounding-error-fixed-the-same-day/index.html" in caplog.text
        if build_number == 1:
            export.with_suffix(".md").unlink()  # another story goes


def test_a_page_changed_behind_the_builds_back_is_read_again(
    site: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    # The guard recognises unchanged files from their inode, size and time; a page written
    # over in place (here by hand, with a leak) no longer matches and is read.
    content, output = site
    build(content, output, DELETE_OUTPUT_DIRECTORY=False, GOODWILL_GUARD="fail")
    page = output / f"testimonials/{EXPORT}/index.html"
    with page.open("a", encoding="utf-8") as f:
        f.write("<p>maren.holt@example.com</p>\n")
    with pytest.raises(RuntimeError, match=r"leak guard: 1 possible piece"):
        build(content, output, DELETE_OUTPUT_DIRECTORY=False, GOODWILL_GUARD="fail")


def test_the_guards_record_depends_on_the_guards_own_code_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A clean verdict is kept while modules the guard never runs (ingest, curation) change.
    monkeypatch.syspath_prepend(str(ROOT / "plugins"))
    from goodwill_site.leakcheck import _guard_sources

    package = tmp_path / "pkg"
    package.mkdir()
    (package / "guard.py").write_text("from pkg.words import WORDS\nimport pkg.digest\n")
    (package / "words.py").write_text("from pkg import model\nWORDS = 1\n")
    (package / "digest.py").write_text("import hashlib\n")
    (package / "model.py").write_text("")
    (package / "ingest.py").write_text("from pkg import guard\n")
    names = [p.name for p in _guard_sources(package)]
    assert names == ["digest.py", "guard.py", "model.py", "words.py"]


def backdated_story(content: Path) -> None:
    """A new story dated in the middle of the range: every newer wall page shifts by one."""
    new = add_story(content)
    new.write_text(new.read_text().replace("Date: 2026-03-19 08:00", "Date: 2025-10-01 08:00"))
    approve(new)


def walls(output: Path) -> dict[str, str]:
    return {
        p.relative_to(output).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted((output / "testimonials").rglob("index.html"))
        if re.match(
            r"^testimonials/(index\.html|page/|pledge/|product/)", p.relative_to(output).as_posix()
        )
    }


def test_cards_kept_by_one_build_are_read_back_by_the_next_and_walls_come_out_the_same(
    tmp_path: Path,
) -> None:
    # A later build runs in a new process: it reads the cards the last build kept, renders
    # only the new story's card, and its walls are what a build from nothing makes.
    content = copy_content(tmp_path / "content")
    output = tmp_path / "output"
    build(content, output, DELETE_OUTPUT_DIRECTORY=False, GOODWILL_PER_PAGE=3)
    pages = sys.modules["goodwill_site.pages"]
    kept = json.loads((tmp_path / "cache/goodwill-pages/cards.json").read_text())
    assert len(kept["cards"]) > 1  # one per public story

    pages._CARDS.clear()  # what a new process starts with
    pages._IN_FILE.clear()
    backdated_story(content)
    build(content, output, DELETE_OUTPUT_DIRECTORY=False, GOODWILL_PER_PAGE=3)
    assert pages._RENDERED[0] == 1  # the new story's card, once for all the walls it is on

    fresh = copy_content(tmp_path / "fresh" / "content")
    backdated_story(fresh)
    pages._CARDS.clear()
    build(fresh, tmp_path / "fresh" / "output", GOODWILL_PER_PAGE=3)
    assert walls(output) == walls(tmp_path / "fresh" / "output")


def test_a_build_its_leak_guard_stops_keeps_no_cards(tmp_path: Path) -> None:
    content = copy_content(tmp_path / "content")
    export = content / f"testimonials/{EXPORT}.md"
    export.write_text(
        export.read_text().replace("my quarter-end,", "my quarter-end (07700 900123),")
    )
    approve(export)
    plugin_pages = sys.modules.get("goodwill_site.pages")
    if plugin_pages is not None:
        plugin_pages._CARDS.clear()
    with pytest.raises(Exception, match="leak guard"):
        build(content, tmp_path / "output", GOODWILL_GUARD="fail")
    assert not list((tmp_path / "cache").rglob("cards.json"))


def test_cards_on_reused_wall_pages_stay_kept_and_a_withdrawn_storys_card_goes(
    tmp_path: Path,
) -> None:
    # A rebuild that renders only the front wall pages still keeps the cards of the stories
    # on the pages it reused; a story withdrawn since loses its card.
    content = copy_content(tmp_path / "content")
    output = tmp_path / "output"
    kept_at = tmp_path / "cache/goodwill-pages/cards.json"
    build(content, output, DELETE_OUTPUT_DIRECTORY=False, GOODWILL_PER_PAGE=3)
    pages = sys.modules["goodwill_site.pages"]
    before = len(json.loads(kept_at.read_text())["cards"])

    pages._CARDS.clear()  # a new process
    pages._IN_FILE.clear()
    add_story(content)  # the newest story: only the front pages change
    build(content, output, DELETE_OUTPUT_DIRECTORY=False, GOODWILL_PER_PAGE=3)
    assert len(json.loads(kept_at.read_text())["cards"]) == before + 1

    export = content / f"testimonials/{EXPORT}.md"
    curate.withdraw(export, content, tmp_path / "private")
    build(content, output, DELETE_OUTPUT_DIRECTORY=False, GOODWILL_PER_PAGE=3)
    assert "You saved my quarter-end" not in kept_at.read_text()
    # The added story is a copy of the export story's thread, withdrawn with it.
    assert len(json.loads(kept_at.read_text())["cards"]) == before - 1
