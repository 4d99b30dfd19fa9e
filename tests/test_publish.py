"""Publishing by `git push`: a real bare repository, real clones, real pushes, real Pelican.

Each test builds a tiny Pelican site (two settings files and a Markdown story
or two) so a build takes well under a second. What the founder sees is what
`git push` prints: git relays the hook's output as "remote: ..." lines.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import threading
from pathlib import Path

import pytest
from tinysite import PELICANCONF

from goodwill import publish, releases
from goodwill.build import read_log
from goodwill.hook import parse_updates
from goodwill.releases import Layout

# The publish settings hold the build while a file named "hold" is in the site:
# that is how the concurrency test keeps a first build running while it pushes again.
PUBLISHCONF = """\
import os
import sys
import time

sys.path.append(os.curdir)
from pelicanconf import *  # noqa

if os.path.exists("hold"):
    open({gate!r} + "/started", "w").close()
    for _ in range(600):
        if os.path.exists({gate!r} + "/go"):
            break
        time.sleep(0.05)
"""

STORY = """\
Title: {title}
Date: 2026-03-04 09:12
Slug: {slug}
Customer: Maren
Consent: given

{body}
"""


def story(title: str, body: str = "You saved my quarter-end, thank you so much!") -> str:
    return STORY.format(title=title, slug=title.lower().replace(" ", "-"), body=body)


class Site:
    """A bare repository with the hook installed, a clone to push from, and the live path."""

    def __init__(self, root: Path, keep: int | None = None) -> None:
        self.root = root
        self.bare = root / "site.git"
        self.live = root / "www" / "site"
        self.gate = root / "gate"
        self.gate.mkdir()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        self.env |= {
            "HOME": str(root),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
        }
        argv = ["init", str(self.bare), "--live", str(self.live)]
        assert publish.main(argv + (["--keep", str(keep)] if keep else [])) == 0
        self.clone = self.clone_as("laptop")
        self.write("pelicanconf.py", PELICANCONF)
        self.write("publishconf.py", PUBLISHCONF.format(gate=str(self.gate)))
        self.write("content/first-words.md", story("First words"))

    def git(self, *args: str, cwd: Path | None = None, check: bool = True):
        return subprocess.run(
            ["git", *args],
            cwd=cwd or self.clone,
            env=self.env,
            capture_output=True,
            text=True,
            check=check,
        )

    def clone_as(self, name: str) -> Path:
        folder = self.root / name
        self.git("clone", "--quiet", str(self.bare), str(folder), cwd=self.root)
        self.git("config", "user.name", "Fictional Founder", cwd=folder)
        self.git("config", "user.email", "founder@tidy.example", cwd=folder)
        self.git("checkout", "--quiet", "-B", "main", cwd=folder)
        return folder

    def write(self, name: str, text: str, clone: Path | None = None) -> None:
        path = (clone or self.clone) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def commit(self, message: str, clone: Path | None = None) -> str:
        self.git("add", "-A", cwd=clone)
        self.git("commit", "--quiet", "-m", message, cwd=clone)
        return self.git("rev-parse", "HEAD", cwd=clone).stdout.strip()

    def push(self, branch: str = "main", clone: Path | None = None):
        """`git push`; returns the completed process (its stderr holds the remote's words)."""
        return self.git("push", "origin", f"HEAD:{branch}", cwd=clone, check=False)

    @property
    def layout(self) -> Layout:
        return Layout(self.live)

    def page(self, name: str) -> str:
        return (self.live / name).read_text()


def tree_hashes(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (followed through the live link) and its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)


@pytest.fixture
def published(site: Site) -> Site:
    """A site whose first commit is live."""
    site.commit("First story")
    pushed = site.push()
    assert pushed.returncode == 0, pushed.stderr
    return site


def test_a_push_to_main_puts_the_new_story_live(published: Site):
    site = published
    site.write("content/export-fixed.md", story("The export that ate my invoices"))
    sha = site.commit("A kind word about the export fix")

    pushed = site.push()

    assert pushed.returncode == 0, pushed.stderr
    assert f"remote: goodwill: building {sha[:12]}" in pushed.stderr
    assert "is live at" in pushed.stderr
    assert "The export that ate my invoices" in site.page("the-export-that-ate-my-invoices.html")
    assert site.live.is_symlink()
    assert releases.commit_of(releases.current(site.layout)) == sha[:12]
    assert not list(site.layout.releases.glob("*.partial"))


def test_a_broken_content_file_is_refused_with_its_name_and_reason(published: Site):
    site = published
    before = tree_hashes(site.live)
    link_before = os.readlink(site.live)
    site.write("content/broken.md", "Title: Broken\nDate: the day after never\n\nHello.\n")
    site.commit("A story with a bad date")

    pushed = site.push()

    assert pushed.returncode == 0  # the ref moved; post-receive cannot refuse it, only report
    assert "was NOT published: the build failed" in pushed.stderr
    assert "content/broken.md" in pushed.stderr
    assert "'the day after never' is not a valid date" in pushed.stderr
    assert "The live site is unchanged" in pushed.stderr
    assert os.readlink(site.live) == link_before
    assert tree_hashes(site.live) == before
    assert len(releases.releases(site.layout)) == 1
    assert not list(site.layout.releases.glob("*.partial"))


def test_a_planted_email_address_is_stopped_by_the_leak_guard(published: Site):
    site = published
    before = tree_hashes(site.live)
    site.write(
        "content/planted.md",
        story("Planted", body="Write to me at jo.planted@example.com any time."),
    )
    site.commit("A story that still holds an address")

    pushed = site.push()

    assert "was NOT published: the leak guard found personal data" in pushed.stderr
    assert "planted.html" in pushed.stderr
    assert "jo.planted@example.com" not in pushed.stderr  # the guard masks what it found
    assert tree_hashes(site.live) == before
    assert len(releases.releases(site.layout)) == 1


def test_the_sites_own_address_can_be_allowed(tmp_path: Path):
    site = Site(tmp_path)
    publish.main(
        ["init", str(site.bare), "--live", str(site.live), "--allow", "hello@tidy.example"]
    )
    site.write("content/contact.md", story("Contact", body="Write to hello@tidy.example."))
    site.commit("Our own address")

    pushed = site.push()

    assert "is live at" in pushed.stderr, pushed.stderr
    assert "hello@tidy.example" in site.page("contact.html")


def test_a_push_that_waited_for_a_running_build_publishes_the_newest_commit(published: Site):
    site = published
    other = site.clone_as("second-laptop")
    site.write("hold", "")  # this commit's build waits at the gate (see PUBLISHCONF)
    site.write("content/slow.md", story("Slow one"))
    site.commit("First of two pushes")
    results: dict[str, subprocess.CompletedProcess[str]] = {}
    first = threading.Thread(target=lambda: results.__setitem__("first", site.push()))
    first.start()
    started = site.gate / "started"
    assert wait_for(started.exists), "the first build never started"

    site.git("pull", "--quiet", "--rebase", "origin", "main", cwd=other)
    site.git("rm", "--quiet", "hold", cwd=other)
    site.write("content/quick.md", story("Quick one"), clone=other)
    newest = site.commit("Second push, made while the first build runs", clone=other)
    second = threading.Thread(target=lambda: results.__setitem__("second", site.push(clone=other)))
    second.start()
    assert wait_for(lambda: bare_head(site) == newest), "the second push never landed"
    (site.gate / "go").touch()
    first.join(60)
    second.join(60)

    assert releases.commit_of(releases.current(site.layout)) == newest[:12]
    assert "Quick one" in site.page("quick-one.html")
    assert "is live at" in results["first"].stderr
    assert "is live at" in results["second"].stderr
    assert not list(site.layout.releases.glob("*.partial"))
    assert len(releases.releases(site.layout)) == 3


def test_a_waiting_push_whose_commit_is_already_live_says_so(published: Site):
    site = published
    layout = site.layout
    live = releases.current(layout)
    head = bare_head(site)

    code = publish.publish_commit(site.bare, layout, "main", head)

    assert code == 0
    assert releases.current(layout) == live  # nothing rebuilt


def test_rollback_restores_the_previous_release(published: Site):
    site = published
    first = tree_hashes(site.live)
    site.write("content/first-words.md", story("First words", body="Edited after the fact."))
    site.commit("Edit the first story")
    assert "is live at" in site.push().stderr
    assert tree_hashes(site.live) != first

    assert publish.main(["rollback", str(site.live)]) == 0

    assert tree_hashes(site.live) == first


def test_rollback_with_nothing_older_explains_itself(published: Site, capsys):
    assert publish.main(["rollback", str(published.live)]) == 1
    assert "no earlier release to go back to" in capsys.readouterr().err


def test_a_push_to_another_branch_does_nothing(published: Site):
    site = published
    link = os.readlink(site.live)
    site.write("content/idea.md", story("Work in progress"))
    site.commit("Not ready yet")

    pushed = site.push(branch="drafts")

    assert pushed.returncode == 0
    assert "goodwill" not in pushed.stderr
    assert os.readlink(site.live) == link
    assert len(releases.releases(site.layout)) == 1


def test_only_the_newest_releases_are_kept(tmp_path: Path):
    site = Site(tmp_path, keep=2)
    for n in range(3):
        site.write(f"content/story-{n}.md", story(f"Story {n}"))
        site.commit(f"Story {n}")
        assert "is live at" in site.push().stderr

    kept = releases.releases(site.layout)
    assert len(kept) == 2
    assert releases.current(site.layout) == kept[-1]


def test_build_publishes_a_folder_without_git(tmp_path: Path):
    source = tmp_path / "checkout"
    (source / "content").mkdir(parents=True)
    (source / "pelicanconf.py").write_text(PELICANCONF)
    (source / "publishconf.py").write_text(PUBLISHCONF.format(gate=str(tmp_path)))
    (source / "content" / "ci.md").write_text(story("Built in CI"))
    live = tmp_path / "public"

    code = publish.main(["build", "--live", str(live), "--source", str(source)])

    assert code == 0
    assert "Built in CI" in (live / "built-in-ci.html").read_text()
    assert releases.current(Layout(live)).name.endswith("-local")


def test_a_live_path_that_is_a_real_folder_is_left_alone(tmp_path: Path, capsys):
    source = tmp_path / "checkout"
    (source / "content").mkdir(parents=True)
    (source / "pelicanconf.py").write_text(PELICANCONF)
    (source / "publishconf.py").write_text(PUBLISHCONF.format(gate=str(tmp_path)))
    live = tmp_path / "public"
    live.mkdir()
    (live / "index.html").write_text("the old site")

    code = publish.main(["build", "--live", str(live), "--source", str(source)])

    assert code == 1
    assert "is a real folder" in capsys.readouterr().err
    assert (live / "index.html").read_text() == "the old site"


def test_the_hook_reads_the_ref_lines_git_gives_it():
    text = f"{'0' * 40} {'a' * 40} refs/heads/main\n{'b' * 40} {'0' * 40} refs/heads/old\n"
    main, old = parse_updates(text)
    assert (main.ref, main.new, main.deleted) == ("refs/heads/main", "a" * 40, False)
    assert old.deleted


def test_pelicans_log_becomes_one_line_per_problem_naming_the_file():
    log = (
        "[11:05:41] ERROR    Could not process ./broken.md      generators.py:721\n"
        "           CRITICAL RuntimeError: Warning or error encountered   __init__.py:683\n"
        "                    Traceback (most recent call last):\n"
        "                    ValueError: 'soon' is not a valid date\n"
        "                    RuntimeError: Warning or error encountered\n"
        "           WARNING  Empty alt attribute for image x.png in a.html   contents.py:1\n"
    )
    errors, warnings = read_log(log)
    assert errors == ["Could not process content/broken.md: ValueError: 'soon' is not a valid date"]
    assert warnings == ["Empty alt attribute for image x.png in a.html"]


def bare_head(site: Site) -> str:
    return site.git("rev-parse", "main", cwd=site.bare).stdout.strip()


def wait_for(condition, limit: float = 30.0) -> bool:
    """Poll ``condition`` until it holds or ``limit`` seconds pass (a bound, not a timing)."""
    import time

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
