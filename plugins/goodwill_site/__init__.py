"""Goodwill's Pelican plugin: signals in, calls to ``goodwill`` out, nothing else.

Three moments matter:

* ``article_generator_pretaxonomy``: Pelican has read every file but has not yet
  built categories, feeds or archives. Stories are read into dataclasses here and
  the consent gate removes every story that may not be public from *all* of
  Pelican's lists (articles, translations, drafts, hidden), so nothing downstream
  (pages, feeds, ``output/drafts/``) ever sees them.
* ``article_writer_finalized``: the site's own pages (wall, filters, gifts,
  pledges, ``testimonials.json``, the sitemap) and the images are written.
* ``finalized``: the leak guard reads the whole output.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pelican import signals

from . import pages
from .collect import collect

logger = logging.getLogger(__name__)

STATE = "_goodwill_state"


def on_initialized(pelican: Any) -> None:
    """Escape everything in templates by default: story metadata is customer text."""
    settings = pelican.settings
    env = dict(settings.get("JINJA_ENVIRONMENT") or {})
    env["autoescape"] = True
    settings["JINJA_ENVIRONMENT"] = env
    settings["JINJA_FILTERS"] = {**(settings.get("JINJA_FILTERS") or {}), **pages.FILTERS}


def on_pretaxonomy(generator: Any) -> None:
    state = collect(generator)
    generator.context[STATE] = state
    generator.context["goodwill"] = state.model


def on_writer_finalized(generator: Any, writer: Any) -> None:
    state = generator.context.get(STATE)
    if state is not None:
        pages.write_all(generator, writer, state)


def on_finalized(pelican: Any) -> None:
    """Run the leak guard: GOODWILL_GUARD is "fail" (the default), "warn" or "off"."""
    mode = str(pelican.settings.get("GOODWILL_GUARD", "fail")).lower()
    if mode in {"off", "false", "0", "no"}:
        return
    try:
        from goodwill import guard
    except ImportError:  # pragma: no cover - only while guard.py has not landed
        logger.warning("goodwill.guard is not installed: the output was not checked for leaks")
        return
    findings = guard.scan_output(Path(pelican.output_path))
    for f in findings:
        logger.error("leak guard: %s:%s: %s: %s", f.path, f.line, f.kind, f.excerpt)
    if findings and mode != "warn":
        raise RuntimeError(
            f"leak guard: {len(findings)} possible piece(s) of personal data in "
            f"{pelican.output_path} (listed above); remove them from content/ and rebuild"
        )


def register() -> None:
    signals.initialized.connect(on_initialized)
    signals.article_generator_pretaxonomy.connect(on_pretaxonomy)
    signals.article_writer_finalized.connect(on_writer_finalized)
    signals.finalized.connect(on_finalized)
