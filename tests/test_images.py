"""Pictures for the public site: avatars, share cards, and photos cleaned of metadata."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms, ImageFont

from goodwill.images import (
    AVATAR_COLOURS,
    DEFAULT_PALETTE,
    ImageError,
    Palette,
    avatar_colour,
    clean_initials,
    content_hash_name,
    contrast_ratio,
    fit_quote,
    initials_avatar,
    readable_on,
    share_card,
    strip_and_resize,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _has_font(name: str) -> bool:
    try:
        ImageFont.truetype(name, 10)
    except OSError:
        return False
    return True


HAS_DEJAVU = _has_font("DejaVuSans-Bold.ttf")


def open_png(data: bytes) -> Image.Image:
    assert data.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    return image


# -- colours --------------------------------------------------------------------------------


def test_default_palette_reads_as_text():
    p = DEFAULT_PALETTE
    assert contrast_ratio(p.foreground, p.background) >= 7  # body text: AAA
    assert contrast_ratio(p.accent, p.background) >= 4.5  # attribution on share cards: AA


@pytest.mark.parametrize("disc", AVATAR_COLOURS)
def test_every_avatar_colour_keeps_its_initials_readable(disc):
    assert contrast_ratio(readable_on(disc, DEFAULT_PALETTE), disc) >= 4.5


def test_initials_stay_readable_with_a_dark_theme():
    dark = Palette(background="#111111", foreground="#eeeeee", accent="#ffcc66")
    for disc in AVATAR_COLOURS:
        assert contrast_ratio(readable_on(disc, dark), disc) >= 4.5


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#fff", "#ffffff") == pytest.approx(1)


def test_a_malformed_colour_says_how_to_write_one():
    with pytest.raises(ValueError, match="#rrggbb"):
        contrast_ratio("teal", "#ffffff")


# -- avatars --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("MH", "MH"),
        ("j. w.", "JW"),
        ("Maren Holt", "MH"),
        ("Maren", "M"),
        ("Anna Maria Holt", "AH"),
        ("e\u0301mile zola", "ÉZ"),  # a decomposed accent stays on its letter
        ("ßabc", "ß"),  # upper-casing would make it two letters
        ("李", "李"),
        ("", ""),
        (" -- ", ""),
    ],
)
def test_initials_are_one_or_two_letters(given, shown):
    assert clean_initials(given) == shown


def test_avatar_is_a_png_of_the_requested_size_with_a_round_edge():
    image = open_png(initials_avatar("MH", seed="thread-1", size=64))
    assert image.size == (64, 64)
    assert image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0  # corner outside the disc: transparent
    assert image.getpixel((32, 4))[3] == 255  # inside the disc: opaque


def test_avatar_is_the_same_bytes_for_the_same_inputs():
    assert initials_avatar("MH", "thread-1") == initials_avatar("MH", "thread-1")


def test_avatar_colour_follows_the_seed_not_the_initials():
    seeds = [f"thread-{i}" for i in range(40)]
    assert len({avatar_colour(s) for s in seeds}) > 3
    assert avatar_colour("thread-7") == avatar_colour("thread-7")
    disc = open_png(initials_avatar("", seed="thread-7", size=48)).getpixel((24, 3))
    assert "#{:02x}{:02x}{:02x}".format(*disc[:3]) == avatar_colour("thread-7")


def test_empty_initials_draw_a_neutral_person_instead_of_nothing():
    empty = initials_avatar("", seed="s")
    assert empty == initials_avatar("  .  ", seed="s")
    assert empty != initials_avatar("MH", seed="s")
    assert len(open_png(empty).getcolors(96 * 96)) > 2  # something is drawn on the disc


@pytest.mark.skipif(not HAS_DEJAVU, reason="needs DejaVu (Debian fonts-dejavu-core)")
def test_cyrillic_initials_are_drawn_as_letters():
    assert initials_avatar("Жанна", seed="s") != initials_avatar("", seed="s")


def test_initials_no_installed_font_can_draw_fall_back_to_the_person():
    # U+10FFFD is a private-use code point no font draws.
    assert initials_avatar("\U0010fffd", seed="s") == initials_avatar("", seed="s")


# -- share cards ----------------------------------------------------------------------------


def test_share_card_is_an_open_graph_png():
    data = share_card("You saved my quarter-end, thank you!", "— Maren, Tidy Invoice")
    image = open_png(data)
    assert image.size == (1200, 630)
    assert image.convert("RGB").getpixel((5, 5)) == (0xFB, 0xF7, 0xF0)  # the theme's paper


def test_share_card_is_the_same_bytes_for_the_same_inputs():
    args = ("Answered on a Sunday, and kindly.", "— Jonas, Tidy Invoice")
    assert share_card(*args) == share_card(*args)
    assert share_card(*args) != share_card(*args, palette=Palette("#ffffff", "#000000", "#225"))


def test_share_card_takes_other_sizes():
    assert open_png(share_card("Short.", "— A", size=(600, 315))).size == (600, 315)


def test_short_quotes_are_set_larger_than_long_ones():
    from goodwill.images import BUILTIN

    short_size, short_lines = fit_quote("Thank you!", BUILTIN, 1000, 400)
    long_size, _ = fit_quote("word " * 80, BUILTIN, 1000, 400)
    assert short_size > long_size
    assert short_lines == ["Thank you!"]


def test_a_quote_too_long_for_the_card_ends_with_an_ellipsis():
    from goodwill.images import BUILTIN

    size, lines = fit_quote("all work and no play " * 40, BUILTIN, 1000, 400)
    assert len(lines) * size * 1.28 <= 400
    assert lines[-1].endswith(("…", "..."))


def test_a_very_long_quote_still_makes_a_card_of_the_right_size():
    data = share_card("https://tidy.example/" + "x" * 500 + " " + "long " * 400, "— B")
    assert open_png(data).size == (1200, 630)


# -- photos ---------------------------------------------------------------------------------

ORIENTATION = 0x0112
ROTATE_90_CW = 6  # "the camera was turned: rotate 90° clockwise to view"


def photo_with_metadata(path: Path, size=(400, 200), fmt="JPEG") -> Path:
    """A two-colour photo (red left, blue right) carrying GPS, orientation, XMP and ICC."""
    image = Image.new("RGB", size, (220, 30, 30))
    image.paste((30, 30, 220), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[ORIENTATION] = ROTATE_90_CW
    exif[ExifTags.Base.Make] = "Fictional Camera Co"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 0.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 0.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    options = {"exif": exif, "icc_profile": icc}
    if fmt == "JPEG":
        options["comment"] = "shot at 12 Example Street"
        options["xmp"] = b"<x:xmpmeta>GPS 51.5 -0.12</x:xmpmeta>"
    image.save(path, format=fmt, **options)
    return path


def test_stripping_removes_exif_gps_xmp_comment_and_icc(tmp_path):
    src = photo_with_metadata(tmp_path / "gift.jpg")
    assert Image.open(src).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # planted
    dest = tmp_path / "out" / "gift.jpg"
    strip_and_resize(src, dest)
    with Image.open(dest) as clean:
        assert clean.format == "JPEG"
        assert dict(clean.getexif()) == {}
        for key in ("exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile"):
            assert key not in clean.info
    raw = dest.read_bytes()
    assert b"Exif" not in raw and b"xmpmeta" not in raw and b"Example Street" not in raw


def test_stripping_applies_the_orientation_first_so_the_photo_stays_upright(tmp_path):
    src = photo_with_metadata(tmp_path / "gift.jpg", size=(400, 200))
    strip_and_resize(src, tmp_path / "upright.jpg")
    with Image.open(tmp_path / "upright.jpg") as clean:
        assert clean.size == (200, 400)  # turned a quarter
        top = clean.getpixel((100, 20))
        bottom = clean.getpixel((100, 380))
    # Rotating clockwise brings the left (red) half to the top.
    assert top[0] > 150 and top[2] < 100
    assert bottom[2] > 150 and bottom[0] < 100


def test_wide_photos_are_resized_down_keeping_their_ratio(tmp_path):
    src = tmp_path / "wide.png"
    Image.new("RGB", (3000, 1000), (10, 120, 90)).save(src)
    strip_and_resize(src, tmp_path / "small.png", max_width=1200)
    with Image.open(tmp_path / "small.png") as small:
        assert (small.format, small.size) == ("PNG", (1200, 400))


def test_narrow_photos_keep_their_size(tmp_path):
    src = tmp_path / "narrow.webp"
    Image.new("RGB", (300, 500), (10, 120, 90)).save(src, exif=Image.Exif())
    strip_and_resize(src, tmp_path / "out.webp")
    with Image.open(tmp_path / "out.webp") as out:
        assert (out.format, out.size) == ("WEBP", (300, 500))


def test_png_text_chunks_and_exif_are_dropped_and_transparency_kept(tmp_path):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Maren Holt, maren@example.com")
    src = tmp_path / "logo.png"
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(src, pnginfo=info, exif=Image.Exif())
    strip_and_resize(src, tmp_path / "clean.png")
    assert b"maren" not in (tmp_path / "clean.png").read_bytes()
    with Image.open(tmp_path / "clean.png") as clean:
        assert clean.mode == "RGBA" and clean.getpixel((0, 0))[3] == 0


def test_stripping_is_reproducible(tmp_path):
    src = photo_with_metadata(tmp_path / "gift.jpg")
    strip_and_resize(src, tmp_path / "a.jpg")
    strip_and_resize(src, tmp_path / "b.jpg")
    assert (tmp_path / "a.jpg").read_bytes() == (tmp_path / "b.jpg").read_bytes()


def test_a_broken_photo_is_reported_with_its_name(tmp_path):
    broken = tmp_path / "broken-gift.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 this is not really a JPEG")
    with pytest.raises(ImageError, match=r"broken-gift\.jpg"):
        strip_and_resize(broken, tmp_path / "out.jpg")
    assert not (tmp_path / "out.jpg").exists()


def test_a_truncated_photo_is_reported_with_its_name(tmp_path):
    whole = photo_with_metadata(tmp_path / "whole.jpg").read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ImageError, match=r"cut\.jpg.*not a readable image"):
        strip_and_resize(cut, tmp_path / "out.jpg")


def test_a_photo_in_another_format_is_refused_with_what_to_do(tmp_path):
    gif = tmp_path / "anim.gif"
    Image.new("P", (10, 10)).save(gif)
    with pytest.raises(ImageError, match=r"anim\.gif.*JPEG, PNG or WebP"):
        strip_and_resize(gif, tmp_path / "out.gif")


def test_a_missing_photo_is_named(tmp_path):
    with pytest.raises(ImageError, match=r"nowhere\.jpg"):
        strip_and_resize(tmp_path / "nowhere.jpg", tmp_path / "out.jpg")


# -- names ----------------------------------------------------------------------------------


def test_hash_names_change_exactly_when_the_inputs_do():
    name = content_hash_name("avatar", "MH", "thread-1", "96")
    assert name.startswith("avatar-") and len(name) == len("avatar-") + 16
    assert name == content_hash_name("avatar", "MH", "thread-1", "96")
    assert name != content_hash_name("avatar", "MH", "thread-1", "128")
    assert content_hash_name("card", "a", "bc") != content_hash_name("card", "ab", "c")


def test_hash_names_refuse_a_kind_that_is_not_a_safe_file_name():
    with pytest.raises(ValueError, match="lower-case"):
        content_hash_name("../avatar", "x")
