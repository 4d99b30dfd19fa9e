"""Goodwill's Pelican plugin: signals in, calls to ``goodwill`` out, nothing else.

The moments that matter:

* ``initialized``: templates escape by default, and the leak guard's worker
  processes start warming up (``leakcheck.Readers``); ``generator_init`` gives each
  template environment its compiled-template cache.
* ``article_generator_preread``: before Pelican reads its first article, the
  Markdown files it will parse are parsed ahead on every core (``preread``).
* ``article_generator_pretaxonomy``: Pelican has read every file but has not yet
  built categories, feeds or archives. Stories are read into dataclasses here and
  the consent gate removes every story that may not be public from *all* of
  Pelican's lists (articles, translations, drafts, hidden), so nothing downstream
  (pages, feeds, ``output/drafts/``) ever sees them. Story pages the page cache
  holds are taken off Pelican's hands (``pagecache``), missing images start
  drawing on the other cores (``media``), the leak guard gets its settings and
  ``testimonials.json`` is written.
* ``article_generator_finalized``: Pelican's category and author lists get a
  constant-time ``in`` (``_Members``).
* ``content_written`` and ``feed_written``: each page and feed Pelican writes goes
  to the guard's workers, and each story page into the page cache.
* ``article_writer_finalized``: the site's own pages (wall, filters, gifts,
  pledges, the sitemap) and the images are written, and reused pages linked into
  the output.
* ``finalized``: the leak guard (``leakcheck``) judges the whole output, with the
  redacted names when the key is there.

Settings besides the content's: ``GOODWILL_GUARD`` ("fail", "warn", "off"),
``GOODWILL_GUARD_ALLOW`` (values public on purpose), ``GOODWILL_KEY_FILE``
(default ``.goodwill/key``, relative to where the build runs; ``GOODWILL_KEY`` in
the environment also works), ``GOODWILL_PAGE_CACHE`` (False renders every page)
and ``GOODWILL_PAGE_CACHE_PATH`` (default ``CACHE_PATH/goodwill-pages``) and
``GOODWILL_TEMPLATE_CACHE`` (compiled templates; see ``on_generator_init``).
"""

from __future__ import annotations

import gc
import logging
import os
from pathlib import Path
from typing import Any

from pelican import signals

from goodwill import curate, guardrecords
from goodwill.keys import KeyFileError

from . import leakcheck, pagecache, pages, preread
from .collect import collect
from .outfiles import Background

logger = logging.getLogger(__name__)

STATE = "_goodwill_state"
# A build whose guard has no readers started with it (the second build of ``pelican -r``,
# which sends no ``initialized``) forks its own once the stories are read; below this many
# story pages, reading the output at the end costs less than forking.
PARALLEL_GUARD_FROM = 50
# The guard of each build under way, by its settings object (Pelican hands the same dict to
# the generators and to ``finalized``); not in the settings, which Pelican pickles.
_GUARDS: dict[int, Any] = {}
# The guard's worker processes, started with the build, until its guard takes them.
_READERS: dict[int, leakcheck.Readers] = {}


def on_initialized(pelican: Any) -> None:
    """Set up a build: templates escape by default (story metadata is customer text), and
    the leak guard's readers start warming up while Pelican starts and reads.

    Also cleared: what a build that failed in this process left, its heap frozen, its
    pages still being linked into an output folder this build is about to clean, its
    guard's worker processes (``pelican -r``).
    """
    gc.unfreeze()
    Background.join_all()
    _close_guards()
    signals.article_generator_preread.connect(on_preread)
    settings = pelican.settings
    cores = os.cpu_count() or 1
    if _guard_mode(settings) != "off" and cores > 1:
        readers = leakcheck.start_readers(cores - 1)
        if readers is not None:
            _READERS[id(settings)] = readers
    env = dict(settings.get("JINJA_ENVIRONMENT") or {})
    env["autoescape"] = True
    # Templates do not change during a build (each build is a new environment): without
    # this, Jinja looks at the template file's time on every page, 18,000 times at 5,000.
    env.setdefault("auto_reload", False)
    settings["JINJA_ENVIRONMENT"] = env
    settings["JINJA_FILTERS"] = {**(settings.get("JINJA_FILTERS") or {}), **pages.FILTERS}


def on_generator_init(generator: Any) -> None:
    """Keep the theme's compiled templates between builds, as Python keeps its bytecode.

    Pelican compiles every template from source on every build (a tenth of a second
    for this theme, a fifth of a small site's build). ``GOODWILL_TEMPLATE_CACHE`` is the
    folder; the default is Jinja's own, a private folder of the user's in the system's
    temporary directory; False compiles every time. A compiled template is used only
    while its source, Jinja's version and the environment's options are the same
    (``pages.TemplateCache``). A bytecode cache set up in ``JINJA_ENVIRONMENT`` is left
    alone.
    """
    env = getattr(generator, "env", None)
    if env is None or env.bytecode_cache is not None:
        return
    env.bytecode_cache = pages.template_cache(generator.settings.get("GOODWILL_TEMPLATE_CACHE"))


def on_preread(generator: Any) -> None:
    """Pelican is about to read its first article: parse the Markdown ahead on every core.

    Pelican sends this before every article; only the first matters, so the plugin stops
    listening (5,000 calls cost 70 ms) until the next build's ``initialized``.
    """
    signals.article_generator_preread.disconnect(on_preread)
    preread.start(generator)


def on_pretaxonomy(generator: Any) -> None:
    preread.finish(generator)
    # Every story is read: what is on the heap now lives until the build ends. Moved out of
    # the cyclic collector's sight, it is not walked again each time the plugin, Jinja or
    # json make objects (at 5,000 stories, loading the plugin's memos alone took 0.3 s of
    # collections over Pelican's articles).
    gc.freeze()
    state = collect(generator)
    gc.freeze()  # and the stories as the plugin dressed them
    shown_file = generator.settings.get("GOODWILL_SHOWN_NAMES_FILE")
    if shown_file:  # for a leak guard run on the output after the build (the publish hook)
        guardrecords.write_shown(Path(shown_file), state.shown)
    generator.context[STATE] = state
    generator.context["goodwill"] = state.model
    pages.begin_cards(
        state.pages.folder if state.pages.enabled else None,
        (a.goodwill_page_key for a in state.model["testimonials"]),
    )
    pages_to_write = len(generator.articles) + len(generator.translations)
    # The guard reads beside the rendering on the other cores: one core stays Pelican's, or
    # the guard's processes would take turns with it and slow the build they wait for.
    cores = os.cpu_count() or 1
    workers = cores - 1 if pages_to_write >= PARALLEL_GUARD_FROM else 0
    scanner = _start_guard(generator.settings, Path(generator.output_path), workers, state.shown)
    embed = pages.write_embed(generator.settings, state, Path(generator.output_path))
    if scanner is not None:
        scanner.submit(embed)


class _Members(list):  # type: ignore[type-arg]
    """A category's (or author's, or tag's) articles, whose ``in`` is a look-up.

    Pelican lists each category's articles in date order with
    ``[a for a in dates if a in articles]``: a list search per article, per
    category, even where no category page is written (at 5,000 stories, 0.2 s
    for the one category and 0.2 s for the one author, every build). Articles
    compare by identity (Pelican's ``Content`` defines no ``__eq__``), so a set
    of their ids gives the same answers. Made when Pelican has finished the lists
    (``article_generator_finalized``): a plugin that changed one afterwards would
    have to wrap it again.
    """

    def __init__(self, items: list[Any]) -> None:
        super().__init__(items)
        self._ids = {id(item) for item in items}

    def __contains__(self, item: object) -> bool:
        return id(item) in self._ids


def on_generator_finalized(generator: Any) -> None:
    """Give Pelican's per-category, per-author and per-tag lists a constant-time ``in``."""
    for name in ("categories", "authors", "tags"):
        groups = getattr(generator, name, None)
        if isinstance(groups, dict):  # tags: {tag: articles}
            for key, items in groups.items():
                if type(items) is list:
                    groups[key] = _Members(items)
        elif isinstance(groups, list):  # categories, authors: [(name, articles)], in place
            for n, group in enumerate(groups):  # (the context holds the same list)
                if isinstance(group, tuple) and len(group) == 2 and type(group[1]) is list:
                    groups[n] = (group[0], _Members(group[1]))


def _guard_mode(settings: dict[str, Any]) -> str:
    mode = str(settings.get("GOODWILL_GUARD", "fail")).lower()
    return "off" if mode in {"off", "false", "0", "no"} else mode


def _start_guard(
    settings: dict[str, Any], output: Path, workers: int, shown: list[Any] | None = None
) -> Any:
    """The build's leak guard, ready to read pages as they are written.

    ``shown``: the names customers chose, with consent, to be shown by, each with its
    story's place (``guardrecords.ShownName``), as the consent gate found them: allowed on those
    stories' pages only. Without them (no article read), allowed site-wide, read from the
    content folder.
    """
    if _guard_mode(settings) == "off":
        return None
    try:
        names = leakcheck.load_names(settings)
    except (guardrecords.GuardError, KeyFileError, OSError) as exc:
        raise RuntimeError(f"leak guard: {exc}") from exc
    if names.key is None:
        logger.info(
            "leak guard: redacted names not checked: no key at %s and no GOODWILL_KEY "
            "(e-mails, phones and cards are checked)",
            names.key_file,
        )
    allow = list(settings.get("GOODWILL_GUARD_ALLOW") or ())
    if shown is None:
        allow += curate.consented_names(Path(settings["PATH"]))
    folder = pagecache.folder(settings)
    readers = _READERS.pop(id(settings), None)  # started and warm: used on any site
    left = _GUARDS.pop(id(settings), None)
    if left is not None:  # ``pelican -r``: the same settings, a build that failed
        left.close()
    scanner = leakcheck.Scanner(output, names, allow, folder, workers, shown or (), readers)
    _GUARDS[id(settings)] = scanner
    return scanner


def on_writer_finalized(generator: Any, writer: Any) -> None:
    state = generator.context.get(STATE)
    if state is not None:
        scanner = _GUARDS.get(id(state.settings))
        pages.write_all(generator, writer, state, scanner.submit if scanner else None)


def on_content_written(path: str, context: dict[str, Any] | None = None) -> None:
    """Hand each written page to the guard, and keep each story page for the next build."""
    context = context or {}
    state = context.get(STATE)
    scanner = _GUARDS.get(id(state.settings)) if state is not None else None
    if scanner is not None:
        scanner.submit(Path(path))
    article = context.get("article")
    if state is None or article is None or not hasattr(article, "goodwill_save_as"):
        return
    state.pages.store(article.goodwill_save_as, Path(path))


def on_feed_written(path: str, context: dict[str, Any] | None = None, feed: Any = None) -> None:
    """A feed holds the newest stories whole: the guard reads it while the pages render."""
    state = (context or {}).get(STATE)
    scanner = _GUARDS.get(id(state.settings)) if state is not None else None
    if scanner is not None:
        scanner.submit(Path(path))


def on_finalized(pelican: Any) -> None:
    """Run the leak guard: GOODWILL_GUARD is "fail" (the default), "warn" or "off"."""
    gc.unfreeze()  # the build's objects may be collected again (several builds, one process)
    # ``pelican -r`` builds again without ``initialized``: the next one parses ahead too.
    signals.article_generator_preread.connect(on_preread)
    try:
        if _judge(pelican):
            pages.keep_cards()  # only after a clean verdict: no card with a leak is kept
    finally:
        # The build is over. Python's last act before exiting is to walk the whole heap for
        # garbage: at 5,000 stories, 0.3 s of a 3 s rebuild, to free memory the process is
        # about to hand back anyway. Frozen, the heap is left out of that walk; the next build
        # in this process (``initialized``, or this function) lets it be collected again.
        gc.freeze()


def _judge(pelican: Any) -> bool:
    """The guard's verdict on the whole output; findings stop the build in "fail" mode.

    True when nothing was found (or the guard is off); False in "warn" mode with findings."""
    settings = pelican.settings
    mode = _guard_mode(settings)
    scanner = _GUARDS.pop(id(settings), None)
    if scanner is None:
        cores = os.cpu_count() or 1
        scanner = _start_guard(settings, Path(pelican.output_path), cores if cores > 1 else 0)
    if scanner is None:
        return True
    findings, read = scanner.finish()
    logger.info("leak guard: %d file(s) read, the rest unchanged since a clean scan", read)
    for f in findings:
        logger.error("leak guard: %s:%s: %s: %s", f.path, f.line, f.kind, f.excerpt)
    if findings and mode != "warn":
        raise RuntimeError(
            f"leak guard: {len(findings)} possible piece(s) of personal data in "
            f"{pelican.output_path} (listed above); remove them from content/ and rebuild"
        )
    return not findings


def _close_guards() -> None:
    """Stop the worker processes of guards no build will finish (it failed first)."""
    for readers in _READERS.values():
        readers.close()
    _READERS.clear()
    for scanner in _GUARDS.values():
        scanner.close()
    _GUARDS.clear()


def register() -> None:
    signals.initialized.connect(on_initialized)
    signals.generator_init.connect(on_generator_init)
    signals.article_generator_preread.connect(on_preread)
    signals.article_generator_pretaxonomy.connect(on_pretaxonomy)
    signals.article_generator_finalized.connect(on_generator_finalized)
    signals.article_writer_finalized.connect(on_writer_finalized)
    signals.content_written.connect(on_content_written)
    signals.feed_written.connect(on_feed_written)
    signals.finalized.connect(on_finalized)
