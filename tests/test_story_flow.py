"""A customer's thread, from the inbox to the public wall and back out again.

ingest → review → show → approve → build: the story is on the wall, in the feed and
in testimonials.json. withdraw or reject → rebuild: it is gone from all of them, and a
re-ingest of the same thread does not bring it back.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_site_support import ROOT, build, text_files

from goodwill.cli import main

THREAD = Path(__file__).parent / "fixtures" / "ingest" / "refund-thanks.eml"
QUOTE = "Thank you so much for sorting this out so quickly!"


@pytest.fixture
def founder(tmp_path, monkeypatch):
    """The example site's content and settings, with one new thread in the inbox."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copy(ROOT / "pelicanconf.py", tmp_path / "pelicanconf.py")
    (tmp_path / "inbox").mkdir()
    shutil.copy(THREAD, tmp_path / "inbox")
    return tmp_path


def ingest_and_find(capsys) -> dict:
    assert main(["ingest"]) == 0
    capsys.readouterr()
    assert main(["review", "--json"]) == 0
    queue = json.loads(capsys.readouterr().out)
    return next(item for item in queue if item["quote"] == QUOTE)


def publish_build(founder: Path) -> dict[Path, str]:
    output = founder / "output"
    shutil.rmtree(output, ignore_errors=True)
    build(founder / "content", output, publish=True)
    return text_files(output)


def appears(files: dict[Path, str], where: str) -> bool:
    return any(QUOTE in text for path, text in files.items() if where in str(path))


def test_an_approved_story_reaches_the_wall_feed_and_json(founder, capsys):
    story = ingest_and_find(capsys)
    assert story["consent"] == "pending"
    assert not appears(publish_build(founder), "output")  # no consent, not published

    assert main(["show", story["slug"]]) == 0
    shown = capsys.readouterr().out
    assert "[phone]" in shown and "[key]" in shown and "[name: " in shown

    assert main(["approve", story["slug"], "--consent", "replied yes on 5 March"]) == 0
    files = publish_build(founder)
    assert appears(files, "testimonials/index.html")
    assert appears(files, "feeds/testimonials.atom.xml")
    assert appears(files, "testimonials.json")
    assert appears(files, f"testimonials/{story['slug']}/index.html")


@pytest.mark.parametrize("verb", ["withdraw", "reject"])
def test_a_story_that_leaves_is_gone_everywhere_and_stays_gone(founder, capsys, verb):
    story = ingest_and_find(capsys)
    main(["approve", story["slug"], "--consent", "replied yes on 5 March"])
    assert appears(publish_build(founder), "output")

    assert main([verb, story["slug"]]) == 0
    assert not appears(publish_build(founder), "output")
    capsys.readouterr()
    assert main(["ingest"]) == 0
    assert "1 thread read: 0 new drafts" in (out := capsys.readouterr().out)
    assert "1 rejected or withdrawn before, left out" in out
    assert not list((founder / "content" / "testimonials").glob(f"{story['slug']}*"))


def test_editing_the_words_after_consent_holds_the_story_back(founder, capsys):
    story = ingest_and_find(capsys)
    main(["approve", story["slug"], "--consent", "replied yes on 5 March"])
    path = Path(story["path"])
    path.write_text(path.read_text().replace("you are a star", "you are a true star"))
    assert not appears(publish_build(founder), "output")
    capsys.readouterr()
    main(["review", "--json"])
    (held,) = [s for s in json.loads(capsys.readouterr().out) if s["slug"] == story["slug"]]
    assert held["consent"] == "stale"


def test_a_whole_fictional_inbox_ingested_into_the_example_site_publishes_clean(founder, capsys):
    # Forty threads of every shape from the seeded corpus: after ingest and one approval, a
    # publish build with the leak guard set to fail (and the key, so names are checked too)
    # goes through: nothing personal, and no false alarm that would block a founder.
    from corpus import generate_inbox

    generate_inbox(founder / "inbox", 40)
    assert main(["ingest"]) == 0
    capsys.readouterr()
    story = ingest_and_find(capsys)
    assert main(["approve", story["slug"], "--consent", "replied yes"]) == 0
    output = founder / "output"
    build(
        founder / "content",
        output,
        publish=True,
        GOODWILL_GUARD="fail",
        GOODWILL_KEY_FILE=str(founder / ".goodwill" / "key"),
    )
    assert appears(text_files(output), "testimonials/index.html")
    assert main(["check", str(output), "--content", str(founder / "content")]) == 0
