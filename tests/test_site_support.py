"""Real Pelican builds of the example site (or a variant of it) into a temporary folder.

Shared by the site and browser tests: a build is a copy of ``content/`` (plus any
extra files a test plants), ``pelicanconf.py`` or ``publishconf.py``, and paths
pointing into ``tmp``.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

from pelican import Pelican
from pelican.settings import read_settings

from goodwill import curate

ROOT = Path(__file__).resolve().parent.parent


def copy_content(dest: Path) -> Path:
    """A private copy of the example site's content, for a test to change."""
    shutil.copytree(ROOT / "content", dest)
    return dest


def approve(path: Path) -> None:
    """Record consent the way a founder does, so the story passes the gate."""
    curate.approve(path, how="replied yes to our e-mail (test)", when=date(2026, 3, 20))


def build(content: Path, output: Path, publish: bool = True, **overrides: Any) -> dict[str, Any]:
    """Build ``content`` into ``output``; returns the settings used."""
    conf = ROOT / ("publishconf.py" if publish else "pelicanconf.py")
    settings = read_settings(
        str(conf),
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(output),
            "CACHE_PATH": str(output.parent / "cache"),
            "GOODWILL_IMAGE_CACHE": str(output.parent / "image-cache"),
            "PLUGIN_PATHS": [str(ROOT / "plugins")],
            "THEME": str(ROOT / "theme"),
            "GOODWILL_GUARD": "off",  # the guard has its own tests; these check the site
            **overrides,
        },
    )
    Pelican(settings).run()
    return settings


def text_files(output: Path) -> dict[Path, str]:
    """Every text file of a build, for 'appears nowhere' assertions."""
    found = {}
    for path in output.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".xml", ".json", ".txt", ".css"}:
            found[path] = path.read_text(encoding="utf-8")
    return found
