"""Images for published stories: avatars, share cards, gift photos.

Each image is named by a hash of everything that shapes it (text, size, the
drawing code's version, the fonts), rendered once into a cache folder and
copied into the output only for stories that passed the consent gate. A
rebuild therefore draws nothing that has not changed, and a story whose
consent is withdrawn loses its images on the next build.

A share card costs Pillow about 16 ms, so a first build of thousands of
stories spends most of its time drawing. Those images are drawn by worker
processes, started while Pelican is still rendering pages, so the drawing
uses the machine's other cores instead of adding to the build's length.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from goodwill import images as _images

from .outfiles import place

logger = logging.getLogger(__name__)


URL_DIR = "images/goodwill"
# Below this many images to draw, forking workers costs more than it saves.
PARALLEL_FROM = 24


@dataclass(frozen=True, slots=True)
class Job:
    """How to make one image: plain data, so a worker process can be handed it."""

    kind: str  # "avatar", "card" or "photo"
    args: tuple[object, ...]


def draw(job: Job, dest: Path) -> None:
    """Make ``job``'s image at ``dest``; a module-level function so workers can run it."""
    if job.kind == "avatar":
        initials, seed, size = job.args
        dest.write_bytes(_images.initials_avatar(str(initials), str(seed), size=int(size)))
    elif job.kind == "card":
        quote, attribution = job.args
        dest.write_bytes(_images.share_card(str(quote), str(attribution)))
    else:
        src, max_width = job.args
        _images.strip_and_resize(Path(str(src)), dest, max_width=int(max_width))


def _draw_into_cache(job: Job, cached: Path) -> None:
    partial = cached.with_name(f"{cached.name}.{os.getpid()}.part")
    try:
        draw(job, partial)
        partial.replace(cached)
    finally:
        partial.unlink(missing_ok=True)


def _signature() -> str:
    return f"{_images.RENDER_VERSION}|{_images.font_signature()}"


@dataclass
class ImagePlan:
    """The images this build needs: output name -> how to make it."""

    cache_dir: Path
    wanted: dict[str, Job] = field(default_factory=dict)
    signature: str = field(default_factory=_signature)
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    _pool: ProcessPoolExecutor | None = None
    _drawing: dict[str, Future[None]] = field(default_factory=dict)
    _ready: list[str] = field(default_factory=list)  # in the cache when the build began
    _linked: set[str] = field(default_factory=set)  # handed over to be linked (take_links)

    def _name(self, kind: str, suffix: str, *parts: object) -> str:
        text = "\x1f".join([kind, self.signature, *map(str, parts)])
        return f"{kind}-{hashlib.sha256(text.encode()).hexdigest()[:20]}{suffix}"

    def avatar(self, initials: str, seed: str, size: int = 96) -> str:
        """The URL of an initials avatar."""
        # The image depends on the seed only through its colour: customers who share
        # initials and a colour share one avatar, drawn once.
        colour = _images.avatar_colour(seed)
        name = self._name("avatar", ".png", initials, colour, size)
        self.wanted.setdefault(name, Job("avatar", (initials, seed, size)))
        return f"{URL_DIR}/{name}"

    def share_card(self, quote: str, attribution: str) -> str:
        """The URL of an Open Graph card for a quote."""
        name = self._name("card", ".png", quote, attribution)
        self.wanted[name] = Job("card", (quote, attribution))
        return f"{URL_DIR}/{name}"

    def photo(self, src: Path, max_width: int = 1200) -> str:
        """The URL of a gift photo with its EXIF (and GPS) removed; '' if unreadable."""
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
        self.wanted[name] = Job("photo", (str(src), max_width))
        return f"{URL_DIR}/{name}"

    def start(self) -> None:
        """Begin drawing what the cache lacks in worker processes, if there is enough of it.

        Called once every story is read; ``write`` waits for the drawings. With
        few images missing (every rebuild) nothing is forked.
        """
        if self._pool is not None:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        present = set(os.listdir(self.cache_dir))  # one listing, not a stat per image
        missing = [n for n in self.wanted if n not in present]
        absent = set(missing)
        self._ready = [n for n in self.wanted if n not in absent]
        if len(missing) < PARALLEL_FROM or self.workers < 2:
            return
        try:
            context = multiprocessing.get_context("fork")
        except ValueError:  # pragma: no cover - no fork on this platform: draw in write()
            return
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        for name in missing:
            job = self.wanted[name]
            self._drawing[name] = self._pool.submit(_draw_into_cache, job, self.cache_dir / name)

    def _finish(self, name: str) -> bool:
        """Whether ``name`` is in the cache now (drawn here if no worker did it)."""
        cached = self.cache_dir / name
        future = self._drawing.pop(name, None)
        try:
            if future is not None:
                future.result()
            else:
                _draw_into_cache(self.wanted[name], cached)
        except Exception as exc:  # one bad photo must not stop the site
            logger.error("could not draw %s: %s", name, exc)
            return False
        return True

    def take_links(self, output_dir: Path) -> list[tuple[str, str]]:
        """The images already in the cache, as (cache file, output file) for ``link_all``.

        Called after ``start``; ``write`` counts them as reused and links the rest.
        """
        cache, out = os.fspath(self.cache_dir), os.fspath(output_dir / URL_DIR)
        names = [n for n in self._ready if n not in self._linked]
        self._linked.update(names)
        return [(os.path.join(cache, n), os.path.join(out, n)) for n in names]

    def write(self, output_dir: Path) -> tuple[int, int]:
        """Draw what the cache lacks, copy the wanted set out, delete the rest.

        Returns (drawn, reused). Stale images (a withdrawn story's card) are removed
        from the output, since the output folder may be kept between builds.
        """
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        target = output_dir / URL_DIR
        target.mkdir(parents=True, exist_ok=True)
        drawn = reused = 0
        try:
            for name in self.wanted:
                if name in self._linked:
                    reused += 1
                    continue
                cached = self.cache_dir / name
                if name not in self._drawing and cached.exists():
                    reused += 1
                elif self._finish(name):
                    drawn += 1
                else:
                    continue
                out = target / name
                if not out.exists():
                    place(cached, out)
        finally:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)
                self._pool = None
        for old in target.iterdir():
            if old.name not in self.wanted and old.is_file():
                old.unlink()
        return drawn, reused
