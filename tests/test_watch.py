"""The watch mode: a real watcher, real Pelican builds, a real local web server.

Every wait is bounded (30 s) and ends as soon as the expected page is there;
nothing here depends on how fast the machine is.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tinysite import PELICANCONF

from goodwill.settings import load
from goodwill.watch import Rebuild, Session, describe, serve, site_from, sort_changes


def story(title: str, body: str = "Thank you for the quick fix!") -> str:
    slug = title.lower().replace(" ", "-")
    return f"Title: {title}\nDate: 2026-03-04 09:12\nSlug: {slug}\n\n{body}\n"


class Running:
    """A watch session on a tiny site, run in a thread, stopped at the end of the test."""

    def __init__(self, root: Path, on_build_start: Callable[[int], None] | None = None) -> None:
        (root / "content").mkdir()
        (root / "inbox").mkdir()
        (root / "pelicanconf.py").write_text(PELICANCONF)
        (root / "content" / "hello.md").write_text(story("Hello"))
        settings = load(root / "pelicanconf.py")
        self.site = site_from(root / "pelicanconf.py", settings)
        self.root = root
        self.rebuilds: list[Rebuild] = []
        self.messages: list[str] = []
        self.stop = threading.Event()
        self.session = Session(
            self.site,
            settings,
            report=self.messages.append,
            on_build_start=on_build_start,
            on_build=self.rebuilds.append,
        )
        self.server = serve(self.site.output, 0)
        self.thread = threading.Thread(target=self.session.run, args=(self.stop,), daemon=True)
        self.thread.start()
        assert wait_for(lambda: len(self.rebuilds) >= 1), "the first build never finished"

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/{name}"

    def fetch(self, name: str) -> str | None:
        try:
            with urllib.request.urlopen(self.url(name), timeout=5) as response:
                return response.read().decode()
        except urllib.error.HTTPError:
            return None

    def close(self) -> None:
        self.stop.set()
        self.thread.join(15)
        self.server.shutdown()


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    session = Running(tmp_path)
    yield session
    session.close()


def test_a_new_story_is_served_after_the_rebuild(running: Running):
    assert running.fetch("hello.html") is not None

    (running.root / "content" / "new-words.md").write_text(story("New words"))

    assert wait_for(lambda: "New words" in (running.fetch("new-words.html") or ""))
    assert wait_for(lambda: len(running.rebuilds) == 2)
    assert running.rebuilds[-1].changed == ("content/new-words.md",)
    assert any(
        m.startswith("rebuilt in ") and "content/new-words.md" in m for m in running.messages
    )


def test_ten_files_saved_together_rebuild_once(running: Running):
    for n in range(10):
        (running.root / "content" / f"story-{n}.md").write_text(story(f"Story {n}"))

    assert wait_for(lambda: (running.site.output / "story-9.html").exists())
    assert wait_for(lambda: len(running.rebuilds) == 2)
    assert len(running.rebuilds[1].changed) == 10
    assert not running.session._pending  # nothing left over for a third build


def test_an_edit_made_during_a_rebuild_triggers_another(tmp_path: Path):
    content = tmp_path / "content"

    def edit_during_second_build(number: int) -> None:
        if number == 2:  # runs in the builder, just before Pelican starts
            (content / "during.md").write_text(story("Written during a build"))

    session = Running(tmp_path, on_build_start=edit_during_second_build)
    try:
        (content / "before.md").write_text(story("Before"))

        assert wait_for(lambda: (session.site.output / "written-during-a-build.html").exists())
        assert wait_for(lambda: len(session.rebuilds) >= 3)
        assert "content/during.md" in session.rebuilds[2].changed
    finally:
        session.close()


def test_a_broken_file_reports_the_reason_and_keeps_serving(running: Running):
    (running.root / "content" / "broken.md").write_text("Title: Broken\nDate: someday\n\nHi.\n")

    assert wait_for(lambda: len(running.rebuilds) == 2)
    assert not running.rebuilds[1].result.ok
    assert any("content/broken.md" in m and "not a valid date" in m for m in running.messages)
    assert running.fetch("hello.html") is not None


THREAD = """\
From: Maren Holt <maren.holt@example.com>
To: Support <help@tidy.example>
Subject: Export drops invoices
Date: Wed, 04 Mar 2026 09:12:00 +0000
Message-ID: <export-1@example.com>

Hi, the export to CSV drops every invoice after the 100th. Thank you so much for any help!

Maren
"""


def test_a_thread_dropped_in_the_inbox_becomes_a_draft_page(running: Running):
    (running.root / "inbox" / "export.eml").write_text(THREAD)

    page = running.site.output / "drafts" / "2026-03-04-export-drops-invoices.html"
    assert wait_for(page.exists)
    assert "Export drops invoices" in page.read_text()
    assert "Holt" not in page.read_text()  # anonymized before it reached content/
    assert "maren.holt" not in page.read_text()
    assert any(m.startswith("ingested in ") for m in running.messages)


def test_a_broken_ledger_is_reported_and_the_preview_keeps_running(running: Running):
    (running.root / "content" / "ledger.csv").write_text(
        "thread,source,date,first_reply_minutes,resolution_minutes,customer_messages,"
        "staff_messages,pledges,dated\nt1,s1,soon,,,1,0,,yes\n"
    )
    (running.root / "inbox" / "export.eml").write_text(THREAD)
    assert wait_for(lambda: any("ledger.csv:2" in m for m in running.messages))
    assert running.thread.is_alive()
    (running.root / "content" / "later.md").write_text(story("Later"))
    assert wait_for(lambda: running.fetch("later.html") is not None)


def test_changes_are_sorted_by_what_they_call_for(tmp_path: Path):
    (tmp_path / "theme").mkdir()
    site = site_from(tmp_path / "pelicanconf.py", load(None))
    site = type(site)(
        root=tmp_path,
        settings_file=tmp_path / "pelicanconf.py",
        content=tmp_path / "content",
        output=tmp_path / "output",
        inbox=tmp_path / "inbox",
    )
    changes = sort_changes(
        site,
        [
            tmp_path / "content" / "a.md",
            tmp_path / "theme" / "static" / "site.css",
            tmp_path / "pelicanconf.py",
            tmp_path / "inbox" / "thread.eml",
            tmp_path / "output" / "index.html",
            tmp_path / "notes.txt",
        ],
    )
    assert changes.site == {
        tmp_path / "content" / "a.md",
        tmp_path / "theme" / "static" / "site.css",
        tmp_path / "pelicanconf.py",
    }
    assert changes.inbox == {tmp_path / "inbox" / "thread.eml"}
    assert describe(site, sorted(changes.site), limit=2) == (
        "content/a.md, pelicanconf.py and 1 more"
    )


def wait_for(condition: Callable[[], bool], limit: float = 30.0) -> bool:
    """Poll until ``condition`` holds or ``limit`` seconds pass (a bound, not a timing)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
