"""Images for published stories: avatars, share cards, gift photos.

Each image is named by a hash of everything that shapes it (text, size, the
drawing code's version, the fonts), rendered once into a cache folder and
copied into the output only for stories that passed the consent gate. A
rebuild therefore draws nothing that has not changed, and a story whose
consent is withdrawn loses its images on the next build.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

try:  # written by another part of the project; the site builds without it
    from goodwill import images as _images
except ImportError:  # pragma: no cover - only while images.py has not landed
    _images = None  # type: ignore[assignment]

URL_DIR = "images/goodwill"


def available() -> bool:
    return _images is not None


def _signature() -> str:
    if _images is None:
        return ""
    version = getattr(_images, "RENDER_VERSION", "")
    fonts = _images.font_signature() if hasattr(_images, "font_signature") else ""
    return f"{version}|{fonts}"


@dataclass
class ImagePlan:
    """The images this build needs: output name -> how to make it."""

    cache_dir: Path
    wanted: dict[str, Callable[[Path], None]] = field(default_factory=dict)
    signature: str = field(default_factory=_signature)

    def _name(self, kind: str, suffix: str, *parts: object) -> str:
        text = "\x1f".join([kind, self.signature, *map(str, parts)])
        return f"{kind}-{hashlib.sha256(text.encode()).hexdigest()[:20]}{suffix}"

    def avatar(self, initials: str, seed: str, size: int = 96) -> str:
        """The URL of an initials avatar; empty when images cannot be drawn here."""
        if _images is None:
            return ""
        name = self._name("avatar", ".png", initials, seed, size)
        self.wanted[name] = lambda dest: dest.write_bytes(
            _images.initials_avatar(initials, seed, size=size)
        )
        return f"{URL_DIR}/{name}"

    def share_card(self, quote: str, attribution: str) -> str:
        """The URL of an Open Graph card for a quote."""
        if _images is None:
            return ""
        name = self._name("card", ".png", quote, attribution)
        self.wanted[name] = lambda dest: dest.write_bytes(_images.share_card(quote, attribution))
        return f"{URL_DIR}/{name}"

    def photo(self, src: Path, max_width: int = 1200) -> str:
        """The URL of a gift photo with its EXIF (and GPS) removed; '' if unreadable."""
        if _images is None:
            return ""
        try:
            digest = hashlib.sha256(src.read_bytes()).hexdigest()
        except OSError as exc:
            logger.error(
                "%s: the photo cannot be read (%s); the story is shown without it",
                src,
                exc.strerror or exc,
            )
            return ""
        name = self._name("photo", src.suffix.lower() or ".jpg", digest, max_width)
        self.wanted[name] = lambda dest: _images.strip_and_resize(src, dest, max_width=max_width)
        return f"{URL_DIR}/{name}"

    def write(self, output_dir: Path) -> tuple[int, int]:
        """Draw what the cache lacks, copy the wanted set out, delete the rest.

        Returns (drawn, reused). Stale images (a withdrawn story's card) are removed
        from the output, since the output folder may be kept between builds.
        """
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        target = output_dir / URL_DIR
        target.mkdir(parents=True, exist_ok=True)
        drawn = reused = 0
        for name, make in self.wanted.items():
            cached = self.cache_dir / name
            if cached.exists():
                reused += 1
            else:
                partial = cached.with_name(cached.name + ".part")
                try:
                    make(partial)
                except Exception as exc:  # one bad photo must not stop the site
                    logger.error("could not draw %s: %s", name, exc)
                    partial.unlink(missing_ok=True)
                    continue
                partial.replace(cached)
                drawn += 1
            out = target / name
            if not out.exists():
                shutil.copyfile(cached, out)
        for old in target.iterdir():
            if old.name not in self.wanted and old.is_file():
                old.unlink()
        return drawn, reused
