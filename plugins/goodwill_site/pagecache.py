"""Pages rendered once and reused while nothing that shapes them changes.

Pelican renders every article on every build, even with its content cache on,
and rendering is most of a build's time. A story page is fully decided by the
story itself (its dressed fields), its place (URL, translations, original),
the pledge titles it names, the settings and the templates; its *key* is a
hash of all of those. A page whose key was rendered before is copied from
the cache folder and Pelican is told not to write it (an empty ``save_as``,
which Pelican's writer skips); any other page is rendered by Pelican as usual
and stored on its way out (``content_written``). The plugin's listing pages
(walls, gifts, pledges) are keyed the same way, their stories by page key.

The output folder may be wiped (``DELETE_OUTPUT_DIRECTORY``, a fresh release
folder) or kept: reused pages are hard links to the cached file (``outfiles``),
so a page that did not change keeps its time too, and a record of what the plugin wrote into each
output folder lets the next build delete pages that are no longer wanted (a
withdrawn story, a wall page that no longer exists).

A theme whose story template shows site-wide lists (say, "latest stories" in
a sidebar) makes pages depend on more than the key sees: such a site sets
``GOODWILL_PAGE_CACHE = False``.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .outfiles import link_all, make_way, place

logger = logging.getLogger(__name__)

# Bumped when what the plugin puts in front of the story templates changes shape.
VERSION = "1"
# Settings that say where things are on this machine or how the build runs, never what a
# page shows: a publish build reuses the pages of a preview-less local build.
PLACE_SETTINGS = frozenset(
    {
        "OUTPUT_PATH", "PATH", "CACHE_PATH", "GOODWILL_IMAGE_CACHE", "PLUGIN_PATHS", "THEME",
        "DELETE_OUTPUT_DIRECTORY", "OUTPUT_RETENTION", "CACHE_CONTENT", "LOAD_CONTENT_CACHE",
        "CONTENT_CACHING_LAYER", "CHECK_MODIFIED_METHOD", "GZIP_CACHE", "WRITE_SELECTED",
        "DEBUG", "LOG_FILTER", "GOODWILL_GUARD", "GOODWILL_GUARD_ALLOW", "GOODWILL_KEY_FILE",
        "GOODWILL_PAGE_CACHE", "GOODWILL_PAGE_CACHE_PATH", "GOODWILL_READ_WORKERS",
        "GOODWILL_SHOWN_NAMES_FILE", "GOODWILL_TEMPLATE_CACHE",
    }
)  # fmt: skip


def folder(settings: Mapping[str, Any]) -> Path:
    """Where the plugin keeps pages and records between builds."""
    return Path(
        settings.get("GOODWILL_PAGE_CACHE_PATH")
        or os.path.join(settings.get("CACHE_PATH", "cache"), "goodwill-pages")
    )


def _stable(value: object) -> object:
    """A JSON stand-in for settings values that have no JSON form and no stable repr."""
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}"
    if isinstance(value, set | frozenset):
        return sorted(map(str, value))
    return type(value).__name__ if " at 0x" in repr(value) else repr(value)


def settings_digest(settings: Mapping[str, Any]) -> str:
    """Hash of every setting a template could read, stable from one process to the next."""
    shown = {k: v for k, v in settings.items() if k not in PLACE_SETTINGS}
    text = json.dumps(shown, sort_keys=True, default=_stable)
    return hashlib.sha256(text.encode()).hexdigest()


def templates_digest(folders: Iterable[Path]) -> str:
    """Hash of every template file (name and bytes) the site can render with."""
    digest = hashlib.sha256()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Hash of the code that dresses and renders stories: ``goodwill`` and this plugin.

    Pages are keyed by their inputs, so an upgrade of the code between them (a sanitizer
    fix, new JSON-LD) must change every key; measured once per process.
    """
    import goodwill

    digest = hashlib.sha256()
    for package in (Path(goodwill.__file__).parent, Path(__file__).parent):
        for path in sorted(package.glob("*.py")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def extension_versions(settings: Mapping[str, Any]) -> list[str]:
    """The versions of the Markdown extensions the settings load from other packages.

    Markdown's own extensions go with its version; Pygments colours code blocks.
    """
    configured = (settings.get("MARKDOWN") or {}).get("extensions") or []
    tops = {"pygments"} | {
        str(e).split(".", 1)[0] for e in configured if isinstance(e, str) and "." in e
    }
    found = []
    for top in sorted(tops - {"markdown"}):
        # The package's own __version__ where it has one: importing importlib.metadata to
        # ask the installed distributions costs a small site a twentieth of its build.
        try:
            version = getattr(importlib.import_module(top), "__version__", None)
        except ImportError:
            version = None
        if version is None:
            from importlib import metadata

            try:
                version = metadata.version(top)
            except metadata.PackageNotFoundError:
                version = "?"
        found.append(f"{top}=={version}")
    return found


def page_key(salt: str, fields: Iterable[object]) -> str:
    """The key of one page: the build's salt and every value the page shows, in order."""
    digest = hashlib.sha256(salt.encode())
    for value in fields:
        digest.update(b"\x1f" + repr(value).encode())
    return digest.hexdigest()[:32]


@dataclass
class PageCache:
    """The pages of one build: which to copy from the cache, which Pelican renders."""

    folder: Path
    salt: str
    output: Path
    enabled: bool = True
    reuse: dict[str, str] = field(default_factory=dict)  # save_as -> key, copied from cache
    rendered: dict[str, str] = field(default_factory=dict)  # save_as -> key, Pelican renders
    written: set[str] = field(default_factory=set)  # every file the plugin owns this build
    stories: set[str] = field(default_factory=set)  # which of them are story pages
    _made: set[Path] = field(default_factory=set)  # folders known to exist
    # Reused pages handed over to be linked beside the rendering (``take_links``).
    _linked: set[str] = field(default_factory=set, repr=False)
    _keys: set[str] | None = field(default=None, repr=False)  # pages in the cache folder

    def _file(self, key: str) -> Path:
        return Path(self._name(key))

    def _name(self, key: str) -> str:
        return f"{os.fspath(self.folder)}/{key[:2]}/{key}.html"

    def _holds(self, key: str) -> bool:
        """Whether a page is cached under ``key``: the folder is listed once, not asked
        about page by page (thousands of ``stat`` calls on a large site)."""
        if self._keys is None:
            self._keys = set()
            try:
                parts = [e for e in os.scandir(self.folder) if e.is_dir()]
            except OSError:
                parts = []
            for part in parts:
                with os.scandir(part.path) as entries:
                    self._keys.update(e.name[:-5] for e in entries if e.name.endswith(".html"))
        return key in self._keys

    def plan(self, save_as: str, key: str, story: bool = True) -> bool:
        """Record the page; True when it is cached and Pelican need not render it."""
        self.written.add(save_as)
        if story:
            self.stories.add(save_as)
        if self.enabled and self._holds(key):
            self.reuse[save_as] = key
            return True
        self.rendered[save_as] = key
        make_way(self.output / save_as)  # it may be linked to a cached page from an earlier build
        return False

    def store(self, save_as: str, path: Path) -> None:
        """Keep a page Pelican just rendered, and give it the cached copy's time."""
        key = self.rendered.get(save_as)
        if not self.enabled or key is None:
            return
        cached = self._file(key)
        self._folder_for(cached)
        try:
            os.link(path, cached)  # the usual case: nothing cached under this key yet
        except OSError:
            place(path, cached)

    def _record(self, output: Path) -> Path:
        name = hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:16]
        return self.folder / f"written-{name}.json"

    def _folder_for(self, path: Path) -> None:
        parent = path.parent
        if parent not in self._made:
            parent.mkdir(parents=True, exist_ok=True)
            self._made.add(parent)

    def take_links(self) -> list[tuple[str, str]]:
        """The reused pages planned so far, as (cache file, output file) for ``link_all``.

        Taken to be linked beside the build (``outfiles.Background``); ``finish``
        links the ones planned later (the listing pages).
        """
        root = os.fspath(self.output)
        pairs = [
            (self._name(key), os.path.join(root, save_as))
            for save_as, key in self.reuse.items()
            if save_as not in self._linked
        ]
        self._linked.update(self.reuse)
        return pairs

    def finish(self, output: Path) -> int:
        """Link the reused pages in, delete what an earlier build wrote and this one did not.

        Returns how many stale files were removed.
        """
        root = os.fspath(output)
        link_all(
            (self._name(key), os.path.join(root, save_as))
            for save_as, key in self.reuse.items()
            if save_as not in self._linked
        )
        return self._remove_stale(output)

    def _remove_stale(self, output: Path) -> int:
        record = self._record(output)
        try:
            before = set(json.loads(record.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            before = set()
        removed = 0
        for save_as in sorted(before - self.written):
            path = output / save_as
            if path.is_file():
                path.unlink()
                removed += 1
                parent = path.parent
                while parent != output and parent.is_dir() and not any(parent.iterdir()):
                    parent.rmdir()
                    parent = parent.parent
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = record.with_name(f"{record.name}.{os.getpid()}.part")
        partial.write_text(json.dumps(sorted(self.written)), encoding="utf-8")
        partial.replace(record)
        return removed
