"""A big site builds on every core and comes out as it would on one.

The plugin hands the Markdown files of a full build to worker processes before
Pelican reads them (``plugins/goodwill_site/preread.py``), and on a site of more
than a few dozen pages the leak guard reads each page on another core as soon as
it is written. These builds put the same content through both ways and compare
every byte, and plant a leak the guard must still find.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_site_support import ROOT, approve, build, copy_content

KEY = "test-key-0123456789abcdef0123456789abcdef"

STORY = "2026-02-11-a-rounding-error-fixed-the-same-day"
COPIES = 70  # above the plugin's threshold: fewer files are not worth the workers


def many_stories(content: Path) -> None:
    """The example site and seventy more approved stories, each with its own title."""
    source = (content / f"testimonials/{STORY}.md").read_text()
    for n in range(COPIES):
        slug = f"2026-01-{n % 28 + 1:02d}-a-rounding-error-number-{n}"
        story = content / f"testimonials/{slug}.md"
        story.write_text(
            source.replace(f"Slug: {STORY}", f"Slug: {slug}")
            .replace("Date: 2026-02-11 14:30", f"Date: 2026-01-{n % 28 + 1:02d} 10:{n % 60:02d}")
            .replace("Title: ", f"Title: Number {n}: ", 1)
            .replace("Featured: true\n", "")
        )
        approve(story)


def edit_approved(content: Path, change: Callable[[str], str]) -> None:
    """One of the seventy stories, changed by the founder and approved again."""
    story = content / "testimonials/2026-01-05-a-rounding-error-number-4.md"
    story.write_text(change(story.read_text()))
    approve(story)


def _noting(join, seen: list[bool]):
    """``Background.join``, noting whether the work ran in a forked process."""

    def noted(self) -> None:
        seen.append(self.process is not None)
        join(self)

    return noted


def files(output: Path) -> dict[str, bytes]:
    return {
        p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()
    }


def test_parsing_ahead_on_two_cores_builds_the_same_site_byte_for_byte(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    content = copy_content(tmp_path / "content")
    many_stories(content)
    with caplog.at_level(logging.INFO):
        build(content, tmp_path / "two/output", GOODWILL_READ_WORKERS=2)
    ahead = [r.getMessage() for r in caplog.records if "parsed ahead" in r.getMessage()]
    # The worker starts at the far end and this process at the first file: both took some.
    assert ahead and 0 < int(ahead[0].split()[1]) < COPIES
    build(content, tmp_path / "one/output", GOODWILL_READ_WORKERS=1)

    two, one = files(tmp_path / "two/output"), files(tmp_path / "one/output")
    assert len(two) > COPIES
    assert two.keys() == one.keys()
    assert [name for name in two if two[name] != one[name]] == []


def test_a_file_a_worker_cannot_read_is_reported_as_pelican_reports_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    content = copy_content(tmp_path / "content")
    many_stories(content)
    good = (content / f"testimonials/{STORY}.md").read_text()
    (content / "testimonials/bad-date.md").write_text(
        good.replace("Date: 2026-02-11 14:30", "Date: the day after tomorrow").replace(
            f"Slug: {STORY}", "Slug: bad-date"
        )
    )
    (content / "testimonials/two-titles.md").write_text(
        good.replace("Status: published", "Status: published\nStatus: published").replace(
            f"Slug: {STORY}", "Slug: two-titles"
        )
    )
    with caplog.at_level(logging.INFO):
        build(content, tmp_path / "output", GOODWILL_READ_WORKERS=2)
    log = caplog.text
    assert "parsed ahead" in log
    assert "bad-date.md" in log  # Pelican's own "Could not process" error, from this process
    # A warning Pelican's reader logged inside a worker reaches this process's log.
    assert "Duplicate definition of `status`" in log
    assert "two-titles.md" in log
    assert (tmp_path / "output/testimonials" / STORY / "index.html").is_file()


def test_the_guard_reading_beside_a_big_build_still_finds_a_planted_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    content = copy_content(tmp_path / "content")
    many_stories(content)
    edit_approved(content, lambda text: text + "\nWrite to maren.holt@example.com any time.\n")
    monkeypatch.setenv("GOODWILL_KEY", KEY)
    with (
        caplog.at_level(logging.INFO),
        pytest.raises(RuntimeError, match=r"leak guard: 3 possible"),
    ):
        build(content, tmp_path / "output", GOODWILL_GUARD="fail")
    # The story page and both feeds it is in.
    assert "a-rounding-error-number-4/index.html" in caplog.text
    read = [r.getMessage() for r in caplog.records if "file(s) read" in r.getMessage()]
    assert read and int(read[0].split()[2]) > COPIES  # every page was read, on the other core


def test_a_rebuild_that_links_its_unchanged_pages_from_another_process_is_the_same_site(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "plugins"))
    from goodwill_site import outfiles

    collect = importlib.import_module("goodwill_site.collect")  # the package shadows the name

    pages = importlib.import_module("goodwill_site.pages")
    forked: list[bool] = []
    monkeypatch.setattr(collect, "LINK_APART_FROM", 10)  # a real site links thousands
    monkeypatch.setattr(pages, "LINK_APART_FROM", 10)
    monkeypatch.setattr(outfiles.Background, "join", _noting(outfiles.Background.join, forked))
    content = copy_content(tmp_path / "content")
    many_stories(content)
    build(content, tmp_path / "output")
    first = files(tmp_path / "output")
    forked.clear()
    with caplog.at_level(logging.INFO):
        build(content, tmp_path / "output")  # publish settings: the output is wiped first
    # Story pages and images, then listing pages: both linked by forked processes.
    assert forked == [True, True]
    assert re.search(r"0 story page\(s\) rendered, \d+ reused", caplog.text)
    again = files(tmp_path / "output")
    assert again.keys() == first.keys()
    assert [name for name in again if again[name] != first[name]] == []


def test_category_and_author_lists_answer_membership_by_identity_and_stay_lists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Pelican asks "is this article in the category?" once per article per category; the
    # plugin makes the question a look-up, and must give Pelican's answers all the same.
    monkeypatch.syspath_prepend(str(ROOT / "plugins"))
    import goodwill_site

    class Story:  # like Pelican's Content: equal only to itself
        compared = 0

        def __init__(self, n: int) -> None:
            self.n = n

        def __eq__(self, other: object) -> bool:
            Story.compared += 1  # a list search compares each article it passes
            return self is other

        __hash__ = object.__hash__

    dated = [Story(n) for n in range(6)]
    in_notes = [dated[4], dated[1]]
    generator = type("Generator", (), {})()
    generator.categories = [("notes", in_notes), ("books", [dated[2]])]
    generator.authors = [("Support", list(dated))]
    generator.tags = {"export": [dated[3]]}
    context_categories = generator.categories  # what Pelican put in the template context

    goodwill_site.on_generator_finalized(generator)

    notes = context_categories[0][1]
    assert notes == in_notes and isinstance(notes, list)
    assert [s for s in dated if s in notes] == [dated[1], dated[4]]
    assert Story(4) not in notes  # identity, as Pelican's own list search
    assert [s for s in dated if s in generator.authors[0][1]] == dated
    assert [s.n for s in dated if s in generator.tags["export"]] == [3]
    assert Story.compared == 0  # looked up, not searched


def test_guard_readers_started_before_the_build_look_for_this_builds_names_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The guard's workers start as the build starts, forked from a process that may hold an
    # earlier build's settings (watch mode, a test run): they must scan with the settings
    # their own build sends them, here one that does not allow the address on the page.
    monkeypatch.syspath_prepend(str(ROOT / "plugins"))
    from goodwill_site import leakcheck

    from goodwill import guard

    allows_it = (guard.Allowed(["maren.holt@example.com"]), None, None, (), guard.Pieces())
    monkeypatch.setattr(leakcheck, "_CONFIG", allows_it)  # what the last build left behind
    readers = leakcheck.start_readers(1)
    assert readers is not None
    output = tmp_path / "output"
    output.mkdir()
    page = output / "index.html"
    page.write_text("<p>Write to maren.holt@example.com any time.</p>\n")
    names = leakcheck.Names(None, frozenset(), tmp_path / "no-key")
    scanner = leakcheck.Scanner(output, names, [], tmp_path / "record", 1, (), readers)
    scanner.submit(page)
    scanner._flush()
    assert scanner.pending["index.html"][0].result()[0][1]  # the worker found it, not main
    findings, _ = scanner.finish()
    assert [(f.path, f.kind) for f in findings] == [("index.html", "email")]


def test_loading_the_plugin_does_not_load_the_leak_scanner() -> None:
    # The scanner (patterns, word lists, phone metadata: 40 ms) is loaded by the processes
    # that read pages, started with the build; the one that renders never needs it.
    code = (
        "import sys; import goodwill_site; "
        "print(sorted(m for m in ('goodwill.guard', 'goodwill.detectors', 'phonenumbers', "
        "'bs4') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_a_rebuild_from_pelicans_content_cache_parses_nothing_ahead(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With Pelican's content cache loaded, the files left to parse are the few that changed:
    # handing them out is not worth listing the whole content folder a second time.
    from pelican.generators import ArticlesGenerator

    listed: list[str] = []
    get_files = ArticlesGenerator.get_files

    def listing(self, paths, *args, **kwargs):  # type: ignore[no-untyped-def]
        listed.append(str(paths))
        return get_files(self, paths, *args, **kwargs)

    monkeypatch.setattr(ArticlesGenerator, "get_files", listing)
    content = copy_content(tmp_path / "content")
    many_stories(content)
    cached = {"CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True, "GOODWILL_READ_WORKERS": 2}
    with caplog.at_level(logging.INFO):
        build(content, tmp_path / "output", **cached)
    assert "parsed ahead" in caplog.text
    first = files(tmp_path / "output")
    with_preread = len(listed)  # Pelican's own listings, and preread's
    caplog.clear()
    listed.clear()
    story = content / "testimonials/2026-01-05-a-rounding-error-number-4.md"
    story.write_text(story.read_text().replace("Number 4:", "Number four:"))
    approve(story)
    with caplog.at_level(logging.INFO):
        build(content, tmp_path / "output", **cached)
    assert "parsed ahead" not in caplog.text
    assert len(listed) == with_preread - 1  # Pelican's alone
    again = files(tmp_path / "output")
    changed = [name for name in again if again[name] != first.get(name)]
    assert "testimonials/2026-01-05-a-rounding-error-number-4/index.html" in changed
    assert (
        "Number four:"
        in again["testimonials/2026-01-05-a-rounding-error-number-4/index.html"].decode()
    )


def test_builds_that_fail_leave_no_guard_processes_behind(tmp_path: Path) -> None:
    # ``pelican -r`` builds again after every save, a broken one included: the workers of a
    # guard whose build failed must stop, not pile up one set per failed build.
    import multiprocessing
    import shutil
    import time

    content = copy_content(tmp_path / "content")
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    wall = theme / "templates/wall.html"
    good = wall.read_text()
    wall.write_text(good.replace("{% endblock %}", "{% endblok %}", 1))
    for n in range(3):
        with pytest.raises(Exception):  # noqa: B017 - Jinja's syntax error, as Pelican raises it
            build(content, tmp_path / f"broken-{n}", THEME=str(theme), GOODWILL_GUARD="warn")
    wall.write_text(good)
    build(content, tmp_path / "output", THEME=str(theme), GOODWILL_GUARD="warn")
    for _ in range(100):  # the pools stop their workers in the background
        if not multiprocessing.active_children():
            break
        time.sleep(0.05)
    assert multiprocessing.active_children() == []


def test_a_finished_build_leaves_its_heap_out_of_the_last_collection_and_the_next_frees_it(
    tmp_path: Path,
) -> None:
    # Python walks the whole heap for garbage as it exits; after a build that walk is wasted
    # time (0.3 s at 5,000 stories), so the heap is frozen out of it. A next build in the same
    # process (watch mode, ``pelican -r``) must still free the first build's objects.
    import gc

    content = copy_content(tmp_path / "content")
    many_stories(content)
    build(content, tmp_path / "one")
    first = gc.get_freeze_count()
    assert first > 10_000
    build(content, tmp_path / "two")
    second = gc.get_freeze_count()
    gc.unfreeze()
    assert second < first * 1.5  # the first build's objects were not kept frozen


def test_an_address_in_a_quote_is_found_in_the_embed_file_written_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # testimonials.json is written as soon as the stories are read and read by the guard's
    # workers while the pages render: what it holds is judged all the same.
    content = copy_content(tmp_path / "content")
    many_stories(content)

    def in_the_quote(text: str) -> str:
        quote = next(line for line in text.splitlines() if line.startswith("Quote: "))
        return text.replace(quote, quote + " Write to maren.holt@example.com.")

    edit_approved(content, in_the_quote)
    monkeypatch.setenv("GOODWILL_KEY", KEY)
    with caplog.at_level(logging.ERROR), pytest.raises(RuntimeError, match="leak guard"):
        build(content, tmp_path / "output", GOODWILL_GUARD="fail")
    assert re.search(r"leak guard: testimonials\.json:\d+: email", caplog.text)


def _guard(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(ROOT / "plugins"))
    from goodwill_site import leakcheck

    return leakcheck


def _wall(cards: list[str]) -> str:
    body = "".join(f'<article class="card"><p>{c}</p></article>\n' for c in cards)
    return f"<!DOCTYPE html>\n<html><body>\n<h1>Testimonials</h1>\n{body}</body></html>\n"


def _names(tmp_path: Path, leakcheck: Any, *redacted: str) -> Any:
    """What the guard looks for: "Maren Holt" and ``redacted``, under the tests' key."""
    from goodwill.digest import digest

    key = KEY.encode()
    digests = frozenset(digest(key, "name", n) for n in ("Maren Holt", *redacted))
    return leakcheck.Names(key, digests, tmp_path / "k")


def _wall_read_once(tmp_path: Path, leakcheck: Any) -> tuple[Any, Path, list[str]]:
    """A wall page of five cards, read clean by a first build: the names, the page and
    the cards (the newest, story 0, not on the page yet)."""
    names = _names(tmp_path, leakcheck)
    output = tmp_path / "output"
    output.mkdir()
    page = output / "index.html"
    cards = [f"Story {n} was answered within the hour." for n in range(6)]
    page.write_text(_wall(cards[1:]))
    assert leakcheck.Scanner(output, names, [], tmp_path / "record", 0).finish()[0] == []
    return names, page, cards


def test_a_card_read_clean_by_the_last_build_is_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, guard_reads: list[str]
) -> None:
    # A story dated mid-range moves a card onto the next wall page: the page is new, but of
    # its cards only the one that moved in was never read. The guard's record keeps the cards
    # it read clean, and the next build reads the rest of the page only.
    leakcheck = _guard(monkeypatch)
    names, page, cards = _wall_read_once(tmp_path, leakcheck)
    guard_reads.clear()  # what the first build read
    page.write_text(_wall(cards[:5]))  # the newest card in, the oldest out
    findings, _ = leakcheck.Scanner(page.parent, names, [], tmp_path / "record", 0).finish()
    assert findings == []
    # Read: the card that moved in, and the last one, whose piece runs to the page's end.
    assert [n for n in range(6) if any(f"Story {n} " in text for text in guard_reads)] == [0, 4]


def test_a_name_redacted_since_is_looked_for_in_cards_read_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A card the last build read clean was read for the names redacted then. When a new
    # story's record adds a name, a moved card is read again: here the card names the
    # customer redacted since.
    leakcheck = _guard(monkeypatch)
    output = tmp_path / "output"
    output.mkdir()
    page = output / "index.html"
    cards = ["Quinn Harlow says the export works.", "Fixed the same day."]
    page.write_text(_wall(cards))
    record = tmp_path / "record"
    assert leakcheck.Scanner(output, _names(tmp_path, leakcheck), [], record, 0).finish()[0] == []

    page.write_text(_wall(["A new card in front.", *cards]))
    later = _names(tmp_path, leakcheck, "Quinn Harlow")
    findings, _ = leakcheck.Scanner(output, later, [], record, 0).finish()
    assert [(f.path, f.kind) for f in findings] == [("index.html", "name")]


def test_the_words_of_a_page_read_then_removed_still_reach_the_guards_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A worker hashes a word once and hands its digest over with the first page it met it
    # on. That page was removed after the worker read it: the word must still be recorded,
    # or a name redacted later goes unseen on the other page.
    leakcheck = _guard(monkeypatch)
    output = tmp_path / "output"
    output.mkdir()
    first, second = output / "a.html", output / "b.html"
    first.write_text("<p>Quinn wrote back within the hour.</p>\n")
    second.write_text("<p>Quinn said thanks.</p>\n")
    record = tmp_path / "record"
    scanner = leakcheck.Scanner(output, _names(tmp_path, leakcheck), [], record, 1)
    scanner.submit(first)
    scanner.submit(second)
    scanner._flush()
    scanner.pending["b.html"][0].result()  # both read by the one worker
    first.unlink()
    assert scanner.finish()[0] == []

    later = _names(tmp_path, leakcheck, "Quinn")
    findings, _ = leakcheck.Scanner(output, later, [], record, 0).finish()
    assert [(f.path, f.kind) for f in findings] == [("b.html", "name")]


def test_a_page_gone_before_a_worker_reads_it_costs_its_batch_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A page handed to a worker can be unlinked before it is read (it is written again).
    # The rest of its batch is still read, and their words reach the record.
    leakcheck = _guard(monkeypatch)
    from goodwill.digest import digest

    output = tmp_path / "output"
    output.mkdir()
    page = output / "b.html"
    page.write_text("<p>Quinn said thanks.</p>\n")
    leakcheck.Scanner(output, _names(tmp_path, leakcheck), [], tmp_path / "record", 0)
    gone, read = leakcheck._scan_files([(str(output / "a.html"), "a.html"), (str(page), "b.html")])
    assert gone == ("", [], [], [])
    assert read[0] and digest(KEY.encode(), "name", "Quinn") in read[2]


def test_guard_workers_started_before_the_build_get_the_cards_read_clean_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The workers start with the build and get their settings by a queue: the cards the
    # last build read clean go with them, so a worker reads only what is new on a page.
    leakcheck = _guard(monkeypatch)
    names, page, cards = _wall_read_once(tmp_path, leakcheck)
    page.write_text(_wall(cards[:5]))
    readers = leakcheck.start_readers(1)
    assert readers is not None
    scanner = leakcheck.Scanner(page.parent, names, [], tmp_path / "record", 1, (), readers)
    scanner.submit(page)
    scanner._flush()
    (_, found, _, fresh) = scanner.pending["index.html"][0].result()[0]
    # New to it: the card that moved in, and the last card (its piece runs to the end).
    assert found == [] and len(fresh) == 2
    assert scanner.finish()[0] == []
