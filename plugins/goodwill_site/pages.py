"""Write the plugin's own pages through Pelican's writer, plus JSON, sitemap and images."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import BytecodeCache, Environment, FileSystemBytecodeCache, pass_context
from jinja2.bccache import Bucket
from jinja2.runtime import Context
from markupsafe import Markup

from goodwill import cardstore, evidence, stories, structured

from . import pagecache
from .outfiles import LINK_APART_FROM, Background, link_all

logger = logging.getLogger(__name__)


def money(pair: tuple[str, Any]) -> str:
    """``(currency, value)|money``; a named function, as Pelican pickles settings in its cache."""
    return evidence.money(pair[1], pair[0])


# Testimonial cards already rendered, by the story's page key (which covers everything a
# card shows, the settings and the templates), heading level and SITEURL (relative URLs
# differ with a page's depth). A story's card is on the wall, its pledges' walls and its
# product's wall: at 5,000 stories, 17,600 renderings of 5,000 distinct cards.
_CARDS: dict[tuple[str, str, str], Markup] = {}
_MAX_CARDS = 50_000  # a long watch session renders many builds in one process
# The macros module, made once per template environment and SITEURL and kept on the
# environment: making it takes the page's whole context, and a card, like its cached HTML
# above, depends on nothing else of the page (the macros read SITEURL alone).
_MACROS = "_goodwill_macros"


# The stories on this build's walls (their page keys) and the file cards are kept in
# between builds (``goodwill.cardstore``; None: not kept). Kept only when the build's leak
# guard passed.
_SHOWN: list[frozenset[str]] = [frozenset()]
_RENDERED = [0]  # cards the template rendered this build, not read back
_KEPT_AT: list[Path | None] = [None]
_IN_FILE: dict[Path, frozenset[tuple[str, str, str]]] = {}  # what this process read or wrote


@pass_context
def card(context: Context, article: Any, heading: str = "h2") -> Markup:
    """``{{ a|card }}``: the theme's ``testimonial_card`` macro, rendered once per story."""
    siteurl = str(context.get("SITEURL", ""))
    key = (getattr(article, "goodwill_page_key", ""), heading, siteurl)
    html = _CARDS.get(key) if key[0] else None
    if html is None:
        env = context.environment
        made = env.__dict__.setdefault(_MACROS, {})
        macros = made.get(siteurl)
        if macros is None:
            template = env.get_template("macros.html")
            macros = made[siteurl] = template.make_module(context.get_all())
        html = macros.testimonial_card(article, context["goodwill"]["pledge_titles"], heading)
        _RENDERED[0] += 1
        if key[0]:
            if len(_CARDS) >= _MAX_CARDS:
                _CARDS.clear()
            _CARDS[key] = html
    return html


def begin_cards(folder: Path | None, shown: Iterable[str]) -> None:
    """A build starts: read the cards the last one kept, unless this process holds them.

    ``folder`` is the page cache's (None when the page cache is off: nothing kept);
    ``shown`` the page keys of the stories on this build's walls."""
    _RENDERED[0] = 0
    _SHOWN[0] = frozenset(shown)
    path = _KEPT_AT[0] = folder / cardstore.FILE if folder is not None else None
    if path is not None and not _CARDS:
        kept = cardstore.load(path)
        _CARDS.update((k, Markup(v)) for k, v in kept.items())
        _IN_FILE[path] = frozenset(kept)


def keep_cards() -> None:
    """The build passed its leak guard: keep the cards of the stories on its walls for the
    next build (in a new process), whether this build showed them or reused the page they
    are on; a story no longer shown (withdrawn, edited) loses its card."""
    path = _KEPT_AT[0]
    _KEPT_AT[0] = None
    if path is None:
        return
    kept = {k: v for k, v in _CARDS.items() if k[0] in _SHOWN[0]}
    if not _RENDERED[0] and _IN_FILE.get(path) == set(kept):
        return
    if kept:
        cardstore.save(path, kept)
    else:
        path.unlink(missing_ok=True)
    _IN_FILE[path] = frozenset(kept)


FILTERS = {
    "minutes": stories.humanize_minutes,
    "slug": stories.slugify,
    "money": money,
    "card": card,
}


def _named(value: object) -> str:
    """A setting as the cache key sees it: a function by its name (its repr holds an
    address, new in every process), anything else by its repr."""
    return str(getattr(value, "__qualname__", None) or repr(value))


def compiled_with(env: Environment) -> str:
    """Everything of an environment that is built into a compiled template.

    Jinja keys its bytecode cache by the template's name and file only, and checks
    the source: a template compiled with other delimiters, white-space rules,
    extensions or escaping would be loaded as it was. Its own version, too: the
    bytecode format it checks is Python's, not what its compiler makes of a template.
    """
    return repr(
        (
            jinja2.__version__,
            env.block_start_string, env.block_end_string,
            env.variable_start_string, env.variable_end_string,
            env.comment_start_string, env.comment_end_string,
            env.line_statement_prefix, env.line_comment_prefix,
            env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
            sorted(env.extensions), env.optimized, env.is_async,
            _named(env.autoescape), _named(env.finalize),
        )
    )  # fmt: skip


class TemplateCache(FileSystemBytecodeCache):
    """Jinja's file cache, keyed as Jinja keys it (the template's name and file) and by
    ``compiled_with``. The file stays in the key although the same theme in another
    folder compiles to the same code: the compiled code names its file, and an error
    in a template must point at the one the build used."""

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        bucket = Bucket(
            environment,
            self.get_cache_key(f"{name}\x1f{compiled_with(environment)}", filename),
            self.get_source_checksum(source),
        )
        self.load_bytecode(bucket)
        return bucket


_TEMPLATE_CACHES: dict[str | None, BytecodeCache] = {}


def template_cache(setting: object) -> BytecodeCache | None:
    """The bytecode cache ``GOODWILL_TEMPLATE_CACHE`` names: a folder, None for Jinja's
    default one, False for none. One object per folder: each generator asks."""
    if setting is False:
        return None
    folder = None if setting in (None, True, "") else os.fspath(setting)  # type: ignore[arg-type]
    if folder not in _TEMPLATE_CACHES:
        if folder is not None:
            os.makedirs(folder, exist_ok=True)
        _TEMPLATE_CACHES[folder] = TemplateCache(folder)
    return _TEMPLATE_CACHES[folder]


def _write_text(output: Path, name: str, text: str) -> Path:
    path = output / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_embed(settings: dict[str, Any], state: Any, output: Path) -> Path:
    """``testimonials.json``, written as soon as the stories are read.

    Machine-readable files carry public stories only, even in a preview build. Everything
    in it is known once the stories are read, and it is the site's largest file (3 MB at
    5,000 stories, 0.15 s for the leak guard): written first, it is read beside the rest
    of the build rather than after it.
    """
    siteurl = settings.get("SITEURL", "")

    def absolute(url: str) -> str:
        return structured.absolute_url(siteurl, url)

    entries = [
        structured.embed_entry(
            a.goodwill,
            absolute(a.url),
            absolute(a.goodwill_avatar) if a.goodwill_avatar else "",
        )
        for a in state.public_testimonials
    ]
    text = structured.testimonials_json(entries, settings.get("SITENAME", ""), siteurl)
    return _write_text(output, "testimonials.json", text)


def _identity(article: Any) -> str:
    """What decides whether a story ends a wall page: its address, the same in every build."""
    return str(article.url)


def _day(article: Any) -> str:
    """What names the wall page a story opens: its day."""
    return str(article.date.strftime("%Y-%m-%d"))


def write_all(
    generator: Any, writer: Any, state: Any, written: Callable[[Path], None] | None = None
) -> None:
    """Every page of the plugin's own; ``written`` is told of each file Pelican's writer did
    not write (and so did not signal), for the leak guard to read it beside the rendering."""
    written = written or (lambda path: None)
    settings = generator.settings
    model = state.model
    output = Path(generator.output_path)
    per_page = int(settings.get("GOODWILL_PER_PAGE", 12))
    relative = settings.get("RELATIVE_URLS", False)
    siteurl = settings.get("SITEURL", "")

    def absolute(url: str) -> str:
        return structured.absolute_url(siteurl, url)

    # What every listing shows besides its own items: the filter links and pledge names.
    common = [
        model["preview"],
        [(v.pledge.slug, v.pledge.title, bool(v.testimonials)) for v in model["pledges"]],
        [(g.slug, g.name) for g in model["products"]],
        sorted(model["pledge_titles"].items()),
    ]

    def keys(articles: list[Any]) -> list[str]:
        return [a.goodwill_page_key for a in articles]

    def write(
        template: str,
        save_as: str,
        url: str,
        shows: list[Any],
        later: Callable[[], dict[str, Any]] | None = None,
        **extra: Any,
    ) -> None:
        """Render a listing page, unless the cache holds one with the same inputs.

        ``shows`` is what this page shows beyond ``common``; its stories count by
        their page keys, which cover everything their cards show. ``later`` makes
        more of the template's values, only if the page is rendered: values that
        ``shows`` already decides.
        """
        key = pagecache.page_key(state.pages.salt, [template, save_as, url, *common, *shows])
        if state.pages.plan(save_as, key, story=False):
            return

        def render() -> None:
            if later is not None:
                extra.update(later())
            writer.write_file(
                save_as,
                generator.get_template(template),
                generator.context,
                relative_urls=relative,
                url=url,
                template_name=template,
                page_name=url.rstrip("/") or "index",
                **extra,
            )
            state.pages.store(save_as, output / save_as)

        to_render.append(render)

    # Every listing page is planned first: the ones the cache holds are linked into the
    # output by another process while this one renders the rest (at 5,000 stories, a
    # story dated mid-range re-renders some 500 of 1,500, and linking the others is a
    # folder and a link each).
    to_render: list[Callable[[], None]] = []

    def wall(items: list[Any], base: str, heading: str, intro: str, **extra: Any) -> list[str]:
        urls = []
        for page in stories.paginate(items, per_page, base, identity=_identity, day=_day):

            def json_ld(page: stories.Page = page) -> dict[str, Any]:
                """The page's JSON-LD: its heading, its address and its stories' addresses,
                all in its key already (a story's page key holds its address)."""
                ld = structured.collection_json_ld(
                    heading, absolute(page.url), [absolute(a.url) for a in page.items]
                )
                return {"json_ld": structured.script_tag_json(ld)}

            shown = [heading, intro, extra, page.name, page.previous_url]
            shown += [page.next_url, keys(list(page.items))]
            write(
                "wall",
                page.save_as,
                page.url,
                shown,
                later=json_ld,
                page=page,
                stories=list(page.items),
                heading=heading,
                intro=intro,
                **extra,
            )
            urls.append(page.url)
        return urls

    testimonials = model["testimonials"]
    public_urls = ["", *wall(testimonials, "testimonials/", "Testimonials", "", current="all")]
    for view in model["pledges"]:
        if view.testimonials:
            public_urls += wall(
                view.testimonials,
                f"testimonials/pledge/{view.pledge.slug}/",
                f"Testimonials: {view.pledge.title}",
                view.pledge.summary,
                current=f"pledge:{view.pledge.slug}",
            )
    for group in model["products"]:
        public_urls += wall(
            list(group.items),
            f"testimonials/product/{group.slug}/",
            f"Testimonials: {group.name}",
            "",
            current=f"product:{group.slug}",
        )

    gifts = model["gifts"]
    ld = structured.collection_json_ld(
        "Gifts", absolute("gifts/"), [absolute(a.url) for a in gifts]
    )
    json_ld = structured.script_tag_json(ld)
    shown = [json_ld, model["gift_totals"], keys(gifts)]
    write("gifts", "gifts/index.html", "gifts/", shown, json_ld=json_ld)
    ld = structured.collection_json_ld(
        "Pledges", absolute("pledges/"), [absolute(v.url) for v in model["pledges"]]
    )
    json_ld = structured.script_tag_json(ld)
    shown = [json_ld, model["ledger_threads"]]
    shown += [
        (v.pledge, v.url, v.figures, len(v.testimonials), len(v.gifts)) for v in model["pledges"]
    ]
    write("pledges", "pledges/index.html", "pledges/", shown, json_ld=json_ld)
    for view in model["pledges"]:
        shown = [view.pledge, view.figures, keys(view.shown), len(view.testimonials)]
        shown += [keys(view.gifts)]
        write("pledge", f"{view.url}index.html", view.url, shown, view=view)
    public_urls += ["gifts/", "pledges/"] + [v.url for v in model["pledges"]]

    links = state.pages.take_links()
    listings = Background(partial(link_all, links), fork=len(links) >= LINK_APART_FROM)

    # Every address is known once the listings are planned: the sitemap goes to the guard
    # before the pages render, not after.
    public_urls += [a.url for a in state.public_testimonials + state.public_gifts]
    sitemap = structured.sitemap_xml(absolute(u) for u in public_urls)
    written(_write_text(output, "sitemap.xml", sitemap))

    for render in to_render:
        render()

    if state.linker is not None:
        state.linker.join()  # reused pages and images, linked beside the rendering
    drawn, reused = state.plan.write(output)
    logger.info("goodwill: %d image(s) drawn, %d reused from the cache", drawn, reused)
    listings.join()
    pages = state.pages
    removed = pages.finish(output)
    logger.info(
        "goodwill: %d story page(s) rendered, %d reused from the cache; "
        "%d listing page(s) rendered, %d reused; %d stale file(s) removed",
        len(pages.stories & set(pages.rendered)),
        len(pages.stories & set(pages.reuse)),
        len(set(pages.rendered) - pages.stories),
        len(set(pages.reuse) - pages.stories),
        removed,
    )
