"""The site's pictures, drawn with Pillow: initials avatars, share cards, clean photos.

Every function returns (or writes) the same bytes for the same inputs on the
same machine, so a rebuild leaves unchanged images untouched and a release
can be compared with the previous one. Fonts are the one thing that differs
between machines; ``content_hash_name`` folds the fonts in use into its hash
so an image drawn with another font gets another name.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

# Bump when the drawing code changes what it draws, so cached images get new names.
RENDER_VERSION = "1"

# Regular and bold faces to try, best first. DejaVu covers Latin, Greek and Cyrillic;
# the CJK fonts are there for the Debian packages that ship them. When none is
# installed, Pillow's own scalable font (ASCII only) stands in.
REGULAR_FONTS = (
    "DejaVuSans.ttf",
    "LiberationSans-Regular.ttf",
    "NotoSans-Regular.ttf",
    "NotoSansCJK-Regular.ttc",
    "wqy-microhei.ttc",
    "DroidSansFallbackFull.ttf",
)
BOLD_FONTS = (
    "DejaVuSans-Bold.ttf",
    "LiberationSans-Bold.ttf",
    "NotoSans-Bold.ttf",
    "NotoSansCJK-Bold.ttc",
    "wqy-microhei.ttc",
    "DroidSansFallbackFull.ttf",
)
BUILTIN = "<pillow default>"

FORMATS = {"JPEG", "PNG", "WEBP"}  # what a photo may be, and is written back as
SUPERSAMPLE = 4  # avatars are drawn this many times larger, then reduced: smooth edges
MISSING_PROBE = "\U0010fffd"  # a private-use code point no font draws: its glyph is "notdef"


class ImageError(Exception):
    """A photo that cannot be read or written; the message names the file."""


@dataclass(frozen=True, slots=True)
class Palette:
    """The theme's colours, as ``#rrggbb``; the defaults are a calm, warm paper and ink."""

    background: str = "#fbf7f0"  # warm off-white paper
    foreground: str = "#2b2622"  # dark brown-black ink
    accent: str = "#9a4a1f"  # burnt orange, 5.8:1 on the paper: readable as text


DEFAULT_PALETTE = Palette()

# Avatar discs: deep, distinct tones that each keep a contrast of at least 4.5:1
# (WCAG AA for text) with the default paper colour used for the initials.
AVATAR_COLOURS = (
    "#1f5f5b",  # teal
    "#6b3e75",  # plum
    "#9a3b26",  # brick
    "#34507a",  # slate blue
    "#4f5b23",  # olive
    "#7a4a12",  # umber
    "#2e5e3a",  # forest
    "#7b2f4f",  # wine
)


# -- colour ---------------------------------------------------------------------------------


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` (or ``#rgb``) to a tuple; themes write colours as CSS does."""
    value = colour.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    if not re.fullmatch(r"[0-9a-fA-F]{6}", value):
        raise ValueError(f"{colour!r} is not a colour: write it as #rrggbb, e.g. #2b2622")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in hex_to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours, 1 to 21; text needs 4.5 to be readable by most."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_on(background: str, palette: Palette) -> str:
    """The palette colour to write on ``background``: the theme's own if it reads, else b/w."""
    for colour in (palette.background, palette.foreground, "#ffffff", "#000000"):
        if contrast_ratio(colour, background) >= 4.5:
            return colour
    return "#ffffff"  # unreachable: white or black always reaches 4.5 on some side


def avatar_colour(seed: str) -> str:
    """The disc colour for ``seed``: a hash, so one customer keeps one colour on every page."""
    index = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:4], "big")
    return AVATAR_COLOURS[index % len(AVATAR_COLOURS)]


# -- fonts ----------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _font(name: str, size: int) -> ImageFont.FreeTypeFont | None:
    if name == BUILTIN:
        font = ImageFont.load_default(size=size)
        return font if isinstance(font, ImageFont.FreeTypeFont) else None
    try:
        return ImageFont.truetype(name, size)
    except OSError:
        return None  # not installed here


@lru_cache(maxsize=4096)
def _covers(name: str, char: str) -> bool:
    """Whether the font has a glyph for ``char``: its mask differs from the "notdef" box."""
    if char.isspace() or unicodedata.category(char).startswith("M"):
        return True
    font = _font(name, 32)
    if font is None:
        return False
    probe, mask = font.getmask(MISSING_PROBE), font.getmask(char)
    return not (probe.size == mask.size and bytes(probe) == bytes(mask))


def _installed(names: Sequence[str]) -> list[str]:
    return [n for n in (*names, BUILTIN) if _font(n, 32) is not None]


def _pick_font(text: str, names: Sequence[str]) -> tuple[str, bool]:
    """The first installed font that draws every character of ``text``, and whether one did.

    Falls back to the font that draws the most, so a card with one exotic
    character still gets the house font rather than a random one.
    """
    candidates = _installed(names)
    chars = set(text)
    best, best_count = candidates[0], -1
    for name in candidates:
        count = sum(_covers(name, c) for c in chars)
        if count == len(chars):
            return name, True
        if count > best_count:
            best, best_count = name, count
    return best, False


def font_signature() -> str:
    """Which fonts this machine draws with; part of every image name's hash."""
    return ",".join(_installed(BOLD_FONTS) + _installed(REGULAR_FONTS))


# -- avatars --------------------------------------------------------------------------------


def _letters(word: str) -> list[str]:
    """The letters of a word, each with its combining marks, so an accent stays on its letter."""
    clusters: list[str] = []
    for char in word:
        if unicodedata.category(char).startswith("M") and clusters:
            clusters[-1] += char
        elif char.isalnum():
            clusters.append(char)
    return clusters


def clean_initials(initials: str) -> str:
    """At most two letters, upper-cased: "j. w." -> "JW", "Maren Holt" -> "MH", "李" -> "李".

    Accepts initials or a whole (pseudonymous) name: with several words the
    first and last word give a letter each; a single short word ("MH") is
    taken as it stands, a longer one ("Maren") gives its first letter. A
    letter that grows when upper-cased (German ß -> SS) stays as written.
    """
    words = [w for w in (_letters(w) for w in unicodedata.normalize("NFC", initials).split()) if w]
    if not words:
        chosen: list[str] = []
    elif len(words) > 1:
        chosen = [words[0][0], words[-1][0]]
    elif len(words[0]) <= 2:
        chosen = words[0]
    else:
        chosen = words[0][:1]
    out = []
    for cluster in chosen:
        upper = cluster.upper()
        out.append(upper if len(upper) == len(cluster) else cluster)
    return "".join(out)


def _png(image: Image.Image) -> bytes:
    """PNG bytes with no text chunks and no time stamp, so the same image is the same file.

    No ``optimize``: it made share cards five times slower to write for 4% fewer bytes.
    """
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _draw_person(draw: ImageDraw.ImageDraw, size: int, colour: str) -> None:
    """A head and shoulders, for a customer whose initials cannot be shown."""
    head = size * 0.17
    cx, cy = size / 2, size * 0.40
    draw.ellipse((cx - head, cy - head, cx + head, cy + head), fill=colour)
    draw.ellipse((size * 0.22, size * 0.62, size * 0.78, size * 1.06), fill=colour)


def initials_avatar(
    initials: str, seed: str, size: int = 96, palette: Palette | None = None
) -> bytes:
    """A round PNG avatar with one or two initials on a disc coloured by ``seed``.

    Drawn in Pillow rather than shown as a photo because a pseudonymous
    customer has no face to show. Empty initials, or letters no installed font
    can draw, give a neutral person glyph instead of a tofu box.
    """
    if size < 8:
        raise ValueError(f"avatar size {size} is too small to draw: use 8 pixels or more")
    palette = palette or DEFAULT_PALETTE
    disc = avatar_colour(seed)
    ink = readable_on(disc, palette)
    letters = clean_initials(initials)
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), hex_to_rgb(disc))
    draw = ImageDraw.Draw(image)
    font_name, covered = _pick_font(letters, BOLD_FONTS) if letters else ("", False)
    if not covered:
        _draw_person(draw, big, ink)
    else:
        font_size = int(big * (0.42 if len(letters) == 1 else 0.36))
        font = _font(font_name, font_size)
        assert font is not None  # _pick_font only returns installed fonts
        draw.text((big / 2, big / 2), letters, font=font, fill=ink, anchor="mm")
    circle = Image.new("L", (big, big), 0)
    ImageDraw.Draw(circle).ellipse((0, 0, big - 1, big - 1), fill=255)
    image.putalpha(circle)  # the disc's edge clips whatever was drawn: nothing spills out
    return _png(image.resize((size, size), Image.Resampling.LANCZOS))


# -- share cards ----------------------------------------------------------------------------

CARD_MARGIN = 0.075  # of the card's width, on every side
QUOTE_SIZES = (72, 64, 56, 50, 44, 40, 36)  # tried largest first; the smallest is still legible
ATTRIBUTION_SIZE = 0.05  # of the card's height
LINE_SPACING = 1.28
MAX_QUOTE_CHARS = 500  # more than the smallest size fits on a 1200×630 card; saves wrapping


def _break_long_word(word: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Cut a word wider than the line (a URL, a long compound) into pieces that fit."""
    pieces, current = [], ""
    for char in word:
        if current and font.getlength(current + char) > width:
            pieces.append(current)
            current = char
        else:
            current += char
    return [*pieces, current] if current else pieces


def wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Greedy word wrap by measured width: lines as a reader would break them."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        pieces = [word] if font.getlength(word) <= width else _break_long_word(word, font, width)
        for piece in pieces:
            candidate = f"{current} {piece}" if current else piece
            if font.getlength(candidate) <= width:
                current = candidate
            else:
                if current:
                    lines.append(current)
                current = piece
    if current:
        lines.append(current)
    return lines


def _ellipsis_for(font_name: str) -> str:
    return "…" if _covers(font_name, "…") else "..."


def fit_quote(
    text: str, font_name: str, width: float, height: float, sizes: Sequence[int] = QUOTE_SIZES
) -> tuple[int, list[str]]:
    """The largest size at which ``text`` fits the box, and its lines.

    A short quote is set large; a long one shrinks down to the smallest size,
    and beyond that is cut at a word with an ellipsis, because a share card
    is a teaser and the full quote is one click away.
    """
    for size in sizes:
        font = _font(font_name, size)
        assert font is not None
        lines = wrap(text, font, width)
        if len(lines) * size * LINE_SPACING <= height:
            return size, lines
    size = sizes[-1]
    font = _font(font_name, size)
    assert font is not None
    lines = wrap(text, font, width)
    keep = max(1, int(height // (size * LINE_SPACING)))
    lines = lines[:keep]
    ellipsis = _ellipsis_for(font_name)
    last = lines[-1]
    while last and font.getlength(last + ellipsis) > width:
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
    lines[-1] = last.rstrip(" ,;:.—-") + ellipsis
    return size, lines


def share_card(
    quote: str,
    attribution: str,
    size: tuple[int, int] = (1200, 630),
    palette: Palette | None = None,
) -> bytes:
    """An Open Graph image: the quote in large type on the theme's paper, attribution below.

    1200×630 is the size Facebook, LinkedIn and X all crop least; the accent
    bar on the left echoes a pull-quote so the card reads as a quotation even
    as a thumbnail.
    """
    width, height = size
    if width < 200 or height < 100:
        raise ValueError(f"share card size {size} is too small: use at least 200×100 pixels")
    palette = palette or DEFAULT_PALETTE
    quote = " ".join(quote.split())
    if len(quote) > MAX_QUOTE_CHARS:
        quote = quote[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0] + "…"
    attribution = " ".join(attribution.split())
    image = Image.new("RGB", size, hex_to_rgb(palette.background))
    draw = ImageDraw.Draw(image)

    margin = round(width * CARD_MARGIN)
    bar = max(6, width // 120)
    draw.rectangle((margin, margin, margin + bar - 1, height - margin), fill=palette.accent)
    left = margin + bar + margin // 2
    text_width = width - left - margin

    attribution_size = max(14, round(height * ATTRIBUTION_SIZE))
    attribution_name, _ = _pick_font(attribution, BOLD_FONTS)
    attribution_font = _font(attribution_name, attribution_size)
    assert attribution_font is not None
    attribution_lines = wrap(attribution, attribution_font, text_width)[:2]
    attribution_height = len(attribution_lines) * attribution_size * LINE_SPACING
    gap = attribution_size * 1.5 if attribution_lines else 0

    scale = height / 630  # sizes are designed for the standard card height
    sizes = [max(12, round(s * scale)) for s in QUOTE_SIZES]
    quote_name, _ = _pick_font(quote, REGULAR_FONTS)
    quote_height = height - 2 * margin - attribution_height - gap
    quote_size, lines = fit_quote(quote, quote_name, text_width, quote_height, sizes)
    quote_font = _font(quote_name, quote_size)
    assert quote_font is not None

    # Centre the block (quote, gap, attribution) vertically between the margins.
    block = len(lines) * quote_size * LINE_SPACING + gap + attribution_height
    y = margin + max(0.0, (height - 2 * margin - block) / 2)
    for line in lines:
        draw.text((left, y), line, font=quote_font, fill=palette.foreground)
        y += quote_size * LINE_SPACING
    y += gap
    for line in attribution_lines:
        draw.text((left, y), line, font=attribution_font, fill=palette.accent)
        y += attribution_size * LINE_SPACING
    # Three colours and their anti-aliased edges: 64 palette entries look the same and
    # make the file less than half the size, which social sites fetch on every share.
    return _png(image.quantize(64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE))


# -- photos ---------------------------------------------------------------------------------


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert a photo with an embedded colour profile to sRGB before the profile is dropped.

    Phones shoot in Display P3; dropping the profile without converting would
    dull every colour. A profile Pillow cannot read is simply dropped.
    """
    icc = image.info.get("icc_profile")
    if not icc:
        return image
    try:
        from PIL import ImageCms
    except ImportError:  # Pillow built without LittleCMS
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if "A" in image.getbands() else "RGB"
        converted = ImageCms.profileToProfile(image, source, target, outputMode=mode)
        return converted if converted is not None else image
    except (OSError, ValueError, ImageCms.PyCMSError):
        return image


def _bare_copy(image: Image.Image) -> Image.Image:
    """The pixels alone: a new image carries no EXIF, XMP, ICC, comments or text chunks."""
    bare = Image.new(image.mode, image.size)
    bare.paste(image)
    if image.mode == "P":
        palette = image.getpalette()
        if palette is not None:
            bare.putpalette(palette)
    return bare


def strip_and_resize(src: Path, dest: Path, max_width: int = 1200) -> None:
    """Write ``src`` to ``dest`` upright, at most ``max_width`` wide, with no metadata at all.

    Gift-story photos come from phones: their EXIF holds the GPS position of
    the customer's home, the camera's serial number and the time. Only the
    pixels survive; the EXIF orientation is applied first, since dropping it
    would otherwise leave the photo on its side.
    """
    src, dest = Path(src), Path(dest)
    try:
        with Image.open(src) as opened:
            fmt = opened.format or ""
            if fmt not in FORMATS:
                raise ImageError(
                    f"{src}: is a {fmt or 'unknown'} image; gift photos must be JPEG, PNG or"
                    " WebP: convert it and build again"
                )
            opened.load()
            image = ImageOps.exif_transpose(opened)
    except ImageError:
        raise
    except FileNotFoundError as exc:
        raise ImageError(
            f"{src}: no such photo; check the path in the story's front matter"
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageError(
            f"{src}: is not a readable image ({exc}); replace the file with a working"
            " JPEG, PNG or WebP, or remove it from the story"
        ) from exc
    except Image.DecompressionBombError as exc:
        raise ImageError(f"{src}: is too large to process safely ({exc}); resize it first") from exc

    image = _to_srgb(image)
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")  # CMYK or odd modes: JPEG on the web is RGB
    if image.width > max_width:
        if image.mode in ("P", "1"):
            image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        height = max(1, round(image.height * max_width / image.width))
        image = image.resize((max_width, height), Image.Resampling.LANCZOS)
    bare = _bare_copy(image)

    options: dict[str, object] = {"format": fmt}
    if fmt == "JPEG":
        options.update(quality=85, optimize=True, progressive=True)
    elif fmt == "WEBP":
        options.update(quality=85, method=4)
    elif fmt == "PNG":
        options.update(optimize=True)
        if "transparency" in image.info and bare.mode in ("P", "L", "RGB"):
            options["transparency"] = image.info["transparency"]
    buffer = io.BytesIO()
    try:
        bare.save(buffer, **options)
    except (OSError, ValueError) as exc:
        raise ImageError(f"{src}: could not be re-encoded as {fmt} ({exc})") from exc
    dest.parent.mkdir(parents=True, exist_ok=True)
    temporary = dest.with_name(f".{dest.name}.tmp")
    temporary.write_bytes(buffer.getvalue())
    temporary.replace(dest)  # a reader never sees half a photo


# -- names ----------------------------------------------------------------------------------


def content_hash_name(kind: str, *parts: str) -> str:
    """``kind-<16 hex>``: a file name that changes exactly when the image would.

    Pass every input that shapes the picture (text, seed, size, palette, the
    source photo's bytes hash); the drawing code's version and this machine's
    fonts are added here. The plugin skips drawing when the name already
    exists. Add the suffix yourself (".png"; a photo keeps its own).
    """
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", kind):
        raise ValueError(f"image kind {kind!r} must be lower-case letters, digits and hyphens")
    payload = json.dumps([RENDER_VERSION, font_signature(), kind, *parts], ensure_ascii=False)
    return f"{kind}-{hashlib.sha256(payload.encode()).hexdigest()[:16]}"
