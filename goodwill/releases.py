"""Release folders beside the live site, and the symlink that says which one is live.

A reader of the site must see either the old site or the new one, complete:
so a build never writes where the web server looks. Each build goes into its
own folder, named ``<UTC time>-<commit>`` so that names sort by age, and the
live path is a symlink that is replaced in one ``rename`` (atomic on POSIX).
A folder still being built carries the ``.partial`` suffix and is never a
candidate for the live link, for pruning or for rollback.

For a live path ``/srv/site`` the layout is::

    /srv/site                 -> site.releases/20260304T091200.000000Z-1a2b3c4d5e6f/output
    /srv/site.releases/       one folder per release, newest last by name
    /srv/site.lock            the lock that serialises builds (fcntl.flock)
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from goodwill import cardstore

PARTIAL = ".partial"
OUTPUT = "output"  # the folder inside a release that the live link points at


class ReleaseError(Exception):
    """The live path or its releases are not in a state Goodwill can safely change."""


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the live link, the releases and the lock of one site live."""

    live: Path

    @property
    def releases(self) -> Path:
        return self.live.parent / f"{self.live.name}.releases"

    @property
    def lock_file(self) -> Path:
        return self.live.parent / f"{self.live.name}.lock"

    @property
    def cache(self) -> Path:
        """What one build leaves the next: drawn images and rendered pages.

        Every page and image is keyed by what made it (a story file's bytes, the
        settings, the templates, the code), so any release may use any other's;
        without it each push drew every image and rendered every page again. What no
        kept release shows any more is removed after each build (``sweep_cache``).
        """
        return self.live.parent / f"{self.live.name}.cache"


def release_name(commit: str, now: datetime | None = None) -> str:
    """A release folder's name: sorts by build time, and says which commit it holds.

    Microseconds keep two builds in the same second apart and in order.
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{moment:%Y%m%dT%H%M%S.%fZ}-{commit[:12]}"


def commit_of(release: Path) -> str:
    """The (abbreviated) commit a release folder was built from; "" for a non-git build."""
    _, _, commit = release.name.partition("Z-")
    return commit


def releases(layout: Layout) -> list[Path]:
    """Complete releases, oldest first."""
    if not layout.releases.is_dir():
        return []
    return sorted(
        p for p in layout.releases.iterdir() if p.is_dir() and not p.name.endswith(PARTIAL)
    )


def current(layout: Layout) -> Path | None:
    """The release the live link points at, or None before the first publish."""
    if not layout.live.is_symlink():
        if layout.live.exists():
            raise ReleaseError(
                f"{layout.live}: is a real folder, not a link Goodwill manages; move it "
                f"away (its content is not lost) and publish again"
            )
        return None
    target = Path(os.readlink(layout.live))
    if not target.is_absolute():
        target = layout.live.parent / target
    return target.parent if target.name == OUTPUT else target


def start(layout: Layout, commit: str, now: datetime | None = None) -> Path:
    """A fresh, empty ``.partial`` folder to build a release in."""
    layout.releases.mkdir(parents=True, exist_ok=True)
    folder = layout.releases / (release_name(commit, now) + PARTIAL)
    folder.mkdir()
    return folder


def finish(partial: Path) -> Path:
    """Mark a built release complete: one rename, so it is never seen half done."""
    done = partial.with_name(partial.name.removesuffix(PARTIAL))
    partial.rename(done)
    return done


def discard(folder: Path) -> None:
    """Remove a failed or outdated release folder, whatever it holds."""
    shutil.rmtree(folder, ignore_errors=True)


def clear_partials(layout: Layout) -> list[Path]:
    """Remove ``.partial`` folders a killed build left behind; call with the lock held."""
    if not layout.releases.is_dir():
        return []
    stale = [p for p in layout.releases.iterdir() if p.name.endswith(PARTIAL)]
    for folder in stale:
        discard(folder)
    return stale


def point_live_at(layout: Layout, release: Path) -> None:
    """Switch the live link to ``release`` atomically.

    A new link is made under a temporary name and renamed over the old one:
    ``rename`` replaces a symlink in one step, so a request never finds the
    live path missing. The link is relative, so the whole tree can be moved.
    """
    current(layout)  # refuses to replace a real folder
    target = os.path.relpath(release / OUTPUT, layout.live.parent)
    temporary = layout.live.with_name(f".{layout.live.name}.{os.getpid()}.new")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    os.replace(temporary, layout.live)


def prune(layout: Layout, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` releases; the live one is always kept."""
    live = current(layout)
    every = releases(layout)
    old = every[: max(len(every) - max(keep, 1), 0)]
    removed = [p for p in old if p != live]
    for folder in removed:
        discard(folder)
    return removed


# What the cache holds of the site's content (pages and images), as against the plugin's
# own records (digests, verdicts, addresses), which each build rewrites.
_PUBLISHED_SUFFIXES = frozenset({".html", ".png", ".jpg", ".jpeg", ".webp", ".gif", ".part"})


def sweep_cache(layout: Layout, *, refused: bool = False) -> int:
    """Remove the cached pages and images no kept release shows; how many were removed.

    A release's pages and images are hard links to the cache's files, so a file
    with no other link is one no kept release uses: a withdrawn or edited story's,
    or one a refused build rendered (its release was discarded, the page with the
    leak in it included). The site stops showing it; its cache must not keep it
    either. Where hard links are not possible every page is a copy, and the whole
    cache goes: slower pushes, nothing kept. Also removed: the plugin's lists of
    what it wrote into each output folder, one per release and of no use to the next;
    and after a ``refused`` (or failed) build, the story cards it kept for the next
    (``goodwill.cardstore``): the build ran with its guard off, and one may hold the leak.
    """
    removed = 0
    for root, _, files in os.walk(layout.cache):
        for name in files:
            path = os.path.join(root, name)
            stale = (name.startswith("written-") and name.endswith(".json")) or (
                refused and name == cardstore.FILE
            )
            try:
                if stale or (
                    os.path.splitext(name)[1].lower() in _PUBLISHED_SUFFIXES
                    and os.lstat(path).st_nlink == 1
                ):
                    os.unlink(path)
                    removed += 1
            except FileNotFoundError:
                pass
    return removed


def previous(layout: Layout) -> Path:
    """The release just older than the live one: what a rollback goes back to."""
    live = current(layout)
    every = releases(layout)
    if live is None or live not in every:
        raise ReleaseError(f"{layout.live}: no release is live, so there is nothing to roll back")
    index = every.index(live)
    if index == 0:
        raise ReleaseError(
            f"{layout.live}: the live release {live.name} is the oldest one kept; "
            f"there is no earlier release to go back to"
        )
    return every[index - 1]


@contextmanager
def locked(layout: Layout) -> Iterator[None]:
    """Hold the site's build lock; a second holder waits here until the first is done.

    ``flock`` is released by the kernel when the process dies, so a killed
    build never leaves the site locked.
    """
    layout.lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(layout.lock_file, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
