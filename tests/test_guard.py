"""The leak guard: what it finds in a rendered site, and what it lets through."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from goodwill.digest import digest, digester, normalise
from goodwill.guard import (
    Finding,
    GuardError,
    NameMatcher,
    ShownName,
    find_leaks,
    format_findings,
    load_name_digests,
    luhn_valid,
    main,
    mask,
    mask_not_phones,
    readable_text,
    scan_output,
    scan_text,
)

KEY = b"a fictional test key, never a real one"


def test_normalise_folds_case_whitespace_and_unicode_forms():
    assert normalise("  MAREN\n\tHolt ") == "maren holt"
    assert normalise("Ame\u0301lie") == normalise("Amélie") == "amélie"


def test_digest_is_keyed_kinded_and_sixteen_hex_characters():
    value = digest(KEY, "name", "Maren Holt")
    assert len(value) == 16 and int(value, 16) >= 0
    assert digest(KEY, "name", "maren   HOLT") == value
    assert digest(KEY, "order", "Maren Holt") != value
    assert digest(b"another key", "name", "Maren Holt") != value


# -- the guard over a built site ------------------------------------------------------------

SITE_ADDRESS = "hello@tidy.example"

CLEAN_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>The export that ate my invoices — Tidy Invoice</title>
<link rel="stylesheet" href="/theme/css/main.css?v=4.12.0">
<style>.wall { grid-template-columns: repeat(3, 1fr); }</style>
<script src="/theme/js/axe-core@4.10.2/axe.min.js"></script>
<script type="application/ld+json">{"@type": "Review", "author": {"name": "Ines"}}</script>
</head>
<body>
<img src="/images/avatar-3f2a9c0d11e4b7a6.png" srcset="/images/avatar@2x.png 2x" alt="Ines">
<blockquote>You saved my quarter-end, thank you so much!</blockquote>
<p>First reply in 12 minutes, resolved in 3 hours 10 minutes; 2,450 invoices exported.</p>
<p>Version 4.12.0, build 20260304, thread 6f1c2a9e0b7d4c3a, 1,000,000 downloads.</p>
<time datetime="2026-03-04T09:12:00+00:00">4 March 2026, 09:12</time>
<footer>Write to us: <a href="mailto:hello@tidy.example">hello@tidy.example</a></footer>
</body>
</html>
"""


def site(tmp_path: Path, files: dict[str, str]) -> Path:
    out = tmp_path / "output"
    for name, text in {"index.html": CLEAN_PAGE, **files}.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return out


def planted(page_line: str) -> str:
    """The clean page with one line added in the body, at line 14."""
    lines = CLEAN_PAGE.splitlines()
    return "\n".join([*lines[:13], page_line, *lines[13:]]) + "\n"


def kinds(findings: list[Finding]) -> list[tuple[str, int, str]]:
    return [(f.path, f.line, f.kind) for f in findings]


def test_a_clean_site_passes(tmp_path):
    out = site(tmp_path, {"feeds/all.atom.xml": "<feed><title>Tidy</title></feed>"})
    assert scan_output(out, allow=[SITE_ADDRESS]) == []


def test_the_sites_own_address_is_allowed_but_nothing_else(tmp_path):
    out = site(tmp_path, {})
    assert kinds(scan_output(out)) == [("index.html", 17, "email"), ("index.html", 17, "email")]
    assert scan_output(out, allow=["HELLO@tidy.example"]) == []


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("<p>Write to maren.holt@example.com any time</p>", "email"),
        ("<p>Call me on 07700 900123 after six</p>", "phone"),
        ("<p>Our office: (202) 555-0143</p>", "phone"),
        ("<p>Mobile +33 1 99 00 12 34</p>", "phone"),
        ("<p>My card is 4111 1111 1111 1111, please refund</p>", "card"),
        ("<p>maren&#64;example&#46;com</p>", "email"),
    ],
)
def test_personal_data_in_a_page_is_found_with_file_and_line(tmp_path, line, kind):
    out = site(tmp_path, {"testimonials/export/index.html": planted(line)})
    assert kinds(scan_output(out, allow=[SITE_ADDRESS])) == [
        ("testimonials/export/index.html", 14, kind)
    ]


def test_personal_data_in_an_attribute_is_found_on_its_own_line(tmp_path):
    line = '<a class="x"\n   href="tel:+441632960123"\n   title="from jo@example.com">call</a>'
    out = site(tmp_path, {"t.html": planted(line)})
    assert kinds(scan_output(out, allow=[SITE_ADDRESS])) == [
        ("t.html", 15, "phone"),
        ("t.html", 16, "email"),
    ]


def test_stylesheets_and_script_urls_are_not_read(tmp_path):
    head = (
        '<link rel="stylesheet" href="https://cdn.example/x@y.test/a.css">'
        '<script src="https://cdn.example/lib@jo.example.com/x.js"></script>'
        "<style>a::after { content: 'css@example.com'; }</style>"
        "<p style=\"--x: 'inline@example.com'\">ok</p>"
    )
    assert scan_output(site(tmp_path, {"s.html": planted(head)}), allow=[SITE_ADDRESS]) == []


def test_json_ld_in_a_page_is_read(tmp_path):
    line = '<script type="application/ld+json">{"author": "jo\\u0040example.com"}</script>'
    out = site(tmp_path, {"p.html": planted(line)})
    assert kinds(scan_output(out, allow=[SITE_ADDRESS])) == [("p.html", 14, "email")]


def test_a_json_file_is_read(tmp_path):
    data = json.dumps(
        {"testimonials": [{"quote": "Great help", "author": "Ines"}, {"phone": "07700 900456"}]},
        indent=1,
    )
    out = site(tmp_path, {"testimonials.json": data})
    phone_line = data.splitlines().index('   "phone": "07700 900456"') + 1
    assert kinds(scan_output(out, allow=[SITE_ADDRESS])) == [
        ("testimonials.json", phone_line, "phone")
    ]


def test_an_atom_feed_with_escaped_html_is_read(tmp_path):
    feed = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        "<title>Tidy Invoice testimonials</title>\n"
        "<entry><title>Export</title>\n"
        '<content type="html">&lt;p&gt;Thanks! Reach me at '
        "&lt;a href=&quot;mailto:maren@example.com&quot;&gt;here&lt;/a&gt;&lt;/p&gt;</content>\n"
        "</entry>\n</feed>\n"
    )
    out = site(tmp_path, {"feeds/testimonials.atom.xml": feed})
    assert kinds(scan_output(out, allow=[SITE_ADDRESS])) == [
        ("feeds/testimonials.atom.xml", 5, "email")
    ]


def test_files_that_are_not_text_pages_are_not_read(tmp_path):
    out = site(tmp_path, {"theme/css/main.css": "/* maren@example.com */", "x.js": "a@b.example"})
    assert scan_output(out, allow=[SITE_ADDRESS]) == []


def test_a_missing_output_folder_says_to_build_first(tmp_path):
    with pytest.raises(GuardError, match="build the site first"):
        scan_output(tmp_path / "output")


# -- what is not personal: figures that only look like phone numbers ---------------------

FEED_WITH_TIMESTAMPS = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Tidy Software</title><updated>2026-03-04T09:12:00+00:00</updated>
<entry><title>Export</title><published>2026-03-04T09:12:00+00:00</published><updated>2026-03-03T09:00:00+00:00</updated><summary type="html">Fixed in 2.4.1 the same day.</summary></entry>
<entry><title>Notes</title><published>2026-02-11T14:30:00Z</published><updated>2026-02-11T14:30:00.250000+01:00</updated></entry>
</feed>
"""  # noqa: E501


def test_an_entry_two_feeds_share_is_found_in_each_on_its_own_line(monkeypatch):
    # The site-wide feed and a category's feed carry the same entries; the guard reports
    # such an entry in every feed, at that feed's line. (An entry that opens with its title
    # is read with the one before it: see the test of a name split between two entries.)
    import goodwill.guard as guard_module

    entry = (
        '<entry><title>Export fixed</title><content type="html">'
        "&lt;p&gt;Mail me at maren.holt@example.com&lt;/p&gt;</content></entry>\n"
    )
    clean = "<entry><title>Licence moved</title><content>All good.</content></entry>\n"
    site_wide = f"<?xml version='1.0'?>\n<feed><title>Tidy</title>\n{clean}{entry}</feed>\n"
    category = f"<?xml version='1.0'?>\n<feed><title>Tidy: testimonials</title>\n{entry}</feed>\n"
    monkeypatch.setattr(guard_module, "_ENTRIES", guard_module.Pieces())
    found = scan_text(site_wide, "feeds/all.atom.xml", ".xml")
    found += scan_text(category, "feeds/testimonials.atom.xml", ".xml")
    assert [(f.path, f.line, f.kind) for f in found] == [
        ("feeds/all.atom.xml", 4, "email"),
        ("feeds/testimonials.atom.xml", 3, "email"),
    ]


def test_a_later_builds_name_matcher_reads_the_feed_again_and_records_its_words():
    # The guard's record keeps the digest of every word it read, so that a name redacted
    # later is looked for on pages that did not change. A feed entry read by one build's
    # matcher must still reach the next build's record (``pelican -r`` builds in one process).
    feed = (
        "<?xml version='1.0'?>\n<feed><title>Tidy</title>\n"
        "<entry><title>Export fixed</title><content>Quinn wrote back the same day."
        "</content></entry>\n</feed>\n"
    )
    looked_for = {digest(KEY, "name", "Oskarsson")}
    first = NameMatcher(KEY, looked_for)
    scan_text(feed, "feeds/all.atom.xml", ".xml", names=first)
    assert digest(KEY, "name", "Quinn") in first.drain()
    second = NameMatcher(KEY, looked_for)
    scan_text(feed, "feeds/all.atom.xml", ".xml", names=second)
    assert digest(KEY, "name", "Quinn") in second.drain()


def test_a_feed_of_adjacent_timestamps_is_clean(tmp_path):
    out = site(tmp_path, {"feeds/all.atom.xml": FEED_WITH_TIMESTAMPS})
    assert scan_output(out, allow=[SITE_ADDRESS]) == []


def test_a_phone_beside_a_feeds_timestamps_is_still_found(tmp_path):
    feed = FEED_WITH_TIMESTAMPS.replace(
        "Fixed in 2.4.1", "Call 07700 900123 if not; fixed in 2.4.1"
    ).replace("</published>", "</published>\n", 1)
    out = site(tmp_path, {"feeds/all.atom.xml": feed})
    assert kinds(scan_output(out, allow=[SITE_ADDRESS])) == [("feeds/all.atom.xml", 4, "phone")]


def test_json_ld_and_json_dates_are_clean(tmp_path):
    json_ld = (
        '<script type="application/ld+json">{"@type": "Review", "datePublished":'
        ' "2026-03-04T09:12:00+00:00", "dateModified": "2026-03-05T10:00:00+00:00",'
        ' "reviewRating": {"ratingValue": 5, "bestRating": 5}}</script>'
    )
    data = json.dumps(
        {"testimonials": [{"date": "2026-03-04", "sent": ["2026-03-04T09:12:00+00:00",
          "2026-03-04T09:24:00+00:00"], "first_reply_minutes": 12, "version": "2.4.1"}]},
        indent=1,
    )  # fmt: skip
    out = site(tmp_path, {"p.html": planted(json_ld), "testimonials.json": data})
    assert scan_output(out, allow=[SITE_ADDRESS]) == []


@pytest.mark.parametrize(
    "line",
    [
        # dates and times, alone and side by side
        '<time datetime="2026-03-04T09:12:00+00:00">4 March</time>'
        '<time datetime="2026-03-05T10:00:00+00:00">5 March</time>',
        '<meta property="article:published_time" content="2026-03-04T09:12:00+00:00">'
        '<meta property="article:modified_time" content="2026-03-04T09:12:00+00:00">',
        "<p>Sent 2026-03-04 09:12:00 +0000, answered 2026-03-04 09:24</p>",
        "<p>04/03/2026 05/03/2026, 04.03.2026 06.03.2026</p>",
        "<p>Mon, 04 Mar 2026 09:12:00 +0000; at 09:12:00.5 +0100 and 10:15:30</p>",
        "<td>2026</td><td>03</td><td>04</td><td>09</td><td>12</td>",
        # durations, counts and versions
        "<p>PT1H30M, 1:30:00 and 2:45:10, 12 min, 2 450 invoices, 1 000 000 downloads</p>",
        "<p>Version 4.12.0, build 10.0.19045.3803, v2.3.4-rc.1, Python 3.11.4</p>",
        "<ol><li>1</li><li>2</li><li>3</li><li>4</li><li>5</li><li>6</li><li>7</li></ol>",
        "<nav><span>1</span> <span>2</span> <span>3</span> <span>4</span> <span>5</span>"
        " <span>6</span> <span>7</span> <span>8</span> <span>9</span> <span>10</span></nav>",
        "<p>Page 1 2 3 4 5 6 7 8 9 10</p>",
        "<p>Years 2019-2021 and 2025–2026; server 192.168.100.200</p>",
        # hashes and numbers of drawing and layout
        "<p>digest 0123456789012345, thread 6f1c2a9e0b7d4c3a</p>",
        '<svg viewBox="0 0 240 240"><path d="M100 200 L300 400 L500 600 Z"/>'
        '<polygon points="100 200 300 400 500 600"/></svg>',
        '<svg><path d="M12 2C6.48 2 2 6.48 2 12s4.48 10 10 10 10-4.48 10-10S17.52 2 12 2z"/></svg>',
        '<img src="/a.png" width="1200" height="630" alt="a card"><img width="600" height="315">',
        # prices
        "<p>€1 234,56, $1,234.56, £12 345 678, EUR 150.00, 150.00 EUR, 1 234 567 €, 98.7 %</p>",
        "<td>150.00</td><td>150.00</td><td>1 234 567</td>",
    ],
)
def test_figures_that_are_not_phone_numbers_pass(tmp_path, line):
    out = site(tmp_path, {"p.html": planted(line)})
    assert scan_output(out, allow=[SITE_ADDRESS]) == []


@pytest.mark.parametrize(
    "line",
    [
        "<p>Sent 2026-03-04T09:12:00+00:00 from 07700 900123</p>",
        "<p>Call 07700 <b>900123</b> after six</p>",
        "<p>Tel:+44 7700 900123</p>",
        "<p>€150.00, or ring (202) 555-0143</p>",
        "<p>My mobile: 555-0143, any time</p>",
        "<dl><dt>Phone</dt><dd>555 0143</dd></dl>",
    ],
)
def test_a_phone_among_figures_is_still_found(tmp_path, line):
    out = site(tmp_path, {"p.html": planted(line)})
    assert kinds(scan_output(out, allow=[SITE_ADDRESS])) == [("p.html", 14, "phone")]


@pytest.mark.parametrize(
    "number",
    ["07700 900123", "+33 1 99 00 12 34", "01.99.00.12.34", "(202) 555-0143", "202.555.0143",
     "612 345 678", "02.123.45.67", "Tel:+44 7700 900123"],
)  # fmt: skip
def test_masking_figures_never_hides_a_phone_number(number):
    assert mask_not_phones(f"On 2026-03-04 at 09:12, for €150: {number}.").endswith(f" {number}.")


def test_an_unlabelled_short_local_number_is_taken_for_a_figure(tmp_path):
    """Seven digits with no phone word before them could be anything: a known gap."""
    out = site(tmp_path, {"p.html": planted("<p>Order 555-0143 shipped</p>")})
    assert scan_output(out, allow=[SITE_ADDRESS]) == []


def test_text_nodes_are_read_apart_but_bare_inline_tags_are_read_through():
    text = "<td>07</td><td>700</td>\n<p>Call <em>07700</em> 900123</p>"
    lines = readable_text(text, ".html").split("\n")
    assert lines[0].split() == ["07", "700"] and "\x1f07\x1f" in lines[0]
    assert " ".join(lines[1].split()) == "Call 07700 900123"


# -- redacted names -------------------------------------------------------------------------


def test_a_redacted_name_is_found_when_the_key_is_given(tmp_path):
    digests = {digest(KEY, "name", "Maren Holt"), digest(KEY, "name", "Oskarsson")}
    line = "<p>Maren\n   Holt wrote again, and so did <b>OSKARSSON</b>.</p>"
    out = site(tmp_path, {"t.html": planted(line)})
    assert kinds(scan_output(out, digests, KEY, [SITE_ADDRESS])) == [
        ("t.html", 14, "name"),
        ("t.html", 15, "name"),
    ]
    assert scan_output(out, digests, None, [SITE_ADDRESS]) == []  # no key: names unknowable
    assert scan_output(out, digests, b"a different key", [SITE_ADDRESS]) == []


def test_a_name_in_two_table_cells_is_still_a_name(tmp_path):
    line = "<table><tr><td>Maren</td><td>Holt</td></tr></table>"
    out = site(tmp_path, {"t.html": planted(line)})
    found = scan_output(out, {digest(KEY, "name", "Maren Holt")}, KEY, [SITE_ADDRESS])
    assert kinds(found) == [("t.html", 14, "name")]


COMMON_WORD_NAMES = NameMatcher(
    KEY, {digest(KEY, "name", n) for n in ("Will", "Rose", "May", "Mar")}
)


@pytest.mark.parametrize(
    "text",
    [
        "We will fix it tomorrow, and the rose garden photo is lovely.",
        "WILL IT EXPORT? Yes.",
        "The Export That Will Not Finish",
        "Will you fix it? Rose gold is the new colour.",  # sentence starts: see below
        "In May we shipped the fix.",
        "<h2>Will</h2><p>Rose</p>",
        '{"title": "Will it export?", "quote": "Rose to the occasion"}',
        "Why: Rose gold was sold out. Asked in return: Will it ship?",
        "See https://tidy.example/help/Will and /2005/Rose.",
        "Sent 4 Mar 2026, answered Mar 5, 2026, shipped in May 2026.",
    ],
)
def test_a_redacted_name_that_is_also_a_word_does_not_flag_the_word(text):
    assert find_leaks(readable_text(text, ".html"), names=COMMON_WORD_NAMES) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Thanks so much, Will! It works.", ["Will"]),
        ("Hi Rose, the export is fixed.", ["Rose"]),
        ("Ms Rose wrote again, and so did Mr. Will.", ["Rose", "Will"]),
        ("Mrs May called; in May we fixed it.", ["May"]),
    ],
)
def test_a_redacted_name_that_is_also_a_word_is_found_where_it_is_a_name(text, found):
    assert [h.value for h in find_leaks(text, names=COMMON_WORD_NAMES)] == found


def test_a_name_that_is_no_ordinary_word_is_found_in_any_case_and_place():
    names = NameMatcher(KEY, {digest(KEY, "name", "Oskarsson")})
    hits = find_leaks("Oskarsson wrote. thanks, oskarsson! OSKARSSON", names=names)
    assert [h.value for h in hits] == ["Oskarsson", "oskarsson", "OSKARSSON"]


def test_a_full_name_is_found_even_when_its_words_are_ordinary():
    names = NameMatcher(KEY, {digest(KEY, "name", "Rose Will")})
    assert [h.value for h in find_leaks("Rose Will wrote again.", names=names)] == ["Rose Will"]


def test_the_fast_digester_agrees_with_digest():
    of = digester(KEY, "name")
    for name in ("Maren Holt", "  maren\tHOLT", "Zoë", "O'Brien", "李小龍"):
        assert of(name) == digest(KEY, "name", name)


def test_a_pseudonym_that_shares_no_word_with_the_name_passes():
    names = NameMatcher(KEY, {digest(KEY, "name", "Maren Holt")})
    assert find_leaks("Maren Iversen and Ines Holt wrote", names=names) == []


def test_name_digests_come_from_the_redaction_sidecars(tmp_path):
    drafts = tmp_path / "content" / "testimonials"
    drafts.mkdir(parents=True)
    records = [
        {"kind": "name", "message": 0, "start": 3, "end": 8, "replacement": "Ines",
         "digest": "aaaaaaaaaaaaaaaa"},
        {"kind": "email", "message": 0, "start": 9, "end": 20, "replacement": "[email]",
         "digest": "bbbbbbbbbbbbbbbb"},
    ]  # fmt: skip
    (drafts / "2026-03-04-export.redactions.json").write_text(json.dumps(records))
    assert load_name_digests(tmp_path / "content") == {"aaaaaaaaaaaaaaaa"}
    (drafts / "broken.redactions.json").write_text("{not json")
    with pytest.raises(GuardError, match=r"broken\.redactions\.json"):
        load_name_digests(tmp_path / "content")


# -- the report -----------------------------------------------------------------------------


def test_the_report_masks_the_values_it_found():
    report = format_findings(
        [Finding("t/index.html", 14, "email", "write to " + mask("maren.holt@example.com"))]
    )
    assert report.startswith("t/index.html:14: email: write to ma…om — ")
    assert "--allow" in report
    assert "maren" not in report


def test_excerpts_mask_every_value_in_them(tmp_path):
    line = "<p>Maren Holt, maren@example.com, 07700 900123</p>"
    out = site(tmp_path, {"t.html": planted(line)})
    findings = scan_output(out, {digest(KEY, "name", "Maren Holt")}, KEY, [SITE_ADDRESS])
    assert [f.kind for f in findings] == ["name", "email", "phone"]
    for finding in findings:
        assert "Maren" not in finding.excerpt and "maren@" not in finding.excerpt
        assert "900123" not in finding.excerpt


def test_luhn():
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


def test_markup_becomes_text_and_attribute_values_with_lines_kept():
    text = '<p class="q">Hi <b>there</b></p>\n<!-- note -->\n<img\n alt="Ines">'
    lines = readable_text(text, ".html").split("\n")
    assert [" ".join(line.split()) for line in lines] == ["q Hi there", "note", "", "Ines"]


# -- the command ----------------------------------------------------------------------------


def test_check_exits_0_with_a_one_line_summary_when_clean(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOODWILL_KEY", raising=False)
    out = site(tmp_path, {})
    assert main([str(out), "--allow", SITE_ADDRESS]) == 0
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1 and "OK" in printed and "1 file in" in printed


def test_check_exits_1_and_lists_every_finding(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOODWILL_KEY", raising=False)
    key_file = tmp_path / "key"
    key_file.write_text("f" * 64 + "\n")
    drafts = tmp_path / "content" / "testimonials"
    drafts.mkdir(parents=True)
    name_digest = digest(("f" * 64).encode(), "name", "Maren Holt")
    (drafts / "a.redactions.json").write_text(json.dumps([{"kind": "name", "digest": name_digest}]))
    out = site(tmp_path, {"t.html": planted("<p>Maren Holt: 07700 900123</p>")})
    code = main([str(out), "--key-file", str(key_file), "--allow", SITE_ADDRESS])
    printed = capsys.readouterr()
    assert code == 1
    assert printed.out.splitlines()[0].startswith("t.html:14: name: ")
    assert printed.out.splitlines()[1].startswith("t.html:14: phone: ")
    assert "2 possible leak(s)" in printed.err


def test_check_exits_2_when_there_is_nothing_to_check(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main([str(tmp_path / "nowhere")]) == 2
    assert "build the site first" in capsys.readouterr().err


def test_check_refuses_a_key_file_that_is_not_there(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOODWILL_KEY", raising=False)
    out = site(tmp_path, {})
    assert main([str(out), "--key-file", str(tmp_path / "missing-key")]) == 2
    assert "missing-key" in capsys.readouterr().err


def test_no_upper_case_letter_lies_beyond_the_guards_list():
    # The name check finds runs of capitalised words with a list of upper-case letters made
    # below UPPER_BELOW; a newer Unicode with capitals past it would need a higher bound.
    from goodwill.guard import UPPER_BELOW

    letter = re.compile(r"[^\W\d_]")
    beyond = [c for c in range(UPPER_BELOW, sys.maxunicode + 1) if chr(c).isupper()]
    assert not [c for c in beyond if letter.match(chr(c))]


def test_a_name_a_customer_chose_to_show_is_allowed_on_their_story_and_nowhere_else():
    # Zelda chose, with consent, to be shown as "Zelda Q." on her story. Another story
    # redacted a different Zelda: her name on any page that is not about the first is a leak.
    names = NameMatcher(KEY, {digest(KEY, "name", "Zelda")})
    zelda = ShownName(("Zelda", "Q."), "testimonials/coffee/index.html", "testimonials/coffee/")
    page = "<html><body><p>Thanks, Zelda. Glad it helped.</p></body></html>"
    card = '<a href="https://tidy.example/testimonials/coffee/">Quicker</a><p>Zelda Q.</p>'

    def found(path: str, text: str) -> list[str]:
        return [f.kind for f in scan_text(text, path, ".html", (), names, [zelda])]

    assert found("testimonials/coffee/index.html", page) == []  # her own story
    assert found("testimonials/index.html", card) == []  # a wall card linking to it
    assert found("testimonials/export/index.html", page) == ["name"]  # someone else's story


def test_a_story_address_counts_as_a_link_only_whole():
    # "ann.html" is no link to Ann's story inside "joann.html".
    ann = ShownName(("Ann",), "ann.html", "ann.html")
    assert ann.on("index.html", '<a href="stories/ann.html">Ann</a>')
    assert ann.on("feed.xml", '"url": "https://tidy.example/ann.html#top"')
    assert not ann.on("index.html", '<a href="stories/joann.html">Jo Ann</a>')


def _card(quote: str) -> str:
    return (
        '<article class="card" lang="en">\n'
        f'  <h2 class="card-title"><a href="/testimonials/x/">A story</a></h2>\n'
        f"  <blockquote><p>{quote}</p></blockquote>\n"
        "</article>\n"
    )


def test_a_card_on_two_walls_is_read_once_and_found_on_each_at_its_own_line(
    monkeypatch, guard_reads
):
    # A story's card is on the wall and on its pledges' and product's walls, and a story
    # dated mid-range shifts every newer wall page by one card: the guard reads each card
    # once per build and still reports it on every page, at that page's line.
    import goodwill.guard as guard_module

    leaky = _card("Thanks! Write to maren.holt@example.com any time.")
    clean = _card("Answered within the hour, on a Sunday.")
    head = '<!DOCTYPE html>\n<html><body>\n<h1>Testimonials</h1>\n<div class="cards">\n'
    wall = head + clean + leaky + clean + "</div>\n</body></html>\n"
    pledge_wall = head + leaky + clean + "</div>\n</body></html>\n"
    monkeypatch.setattr(guard_module, "_ENTRIES", guard_module.Pieces())
    found = scan_text(wall, "testimonials/index.html", ".html")
    found += scan_text(pledge_wall, "testimonials/pledge/p/index.html", ".html")
    assert [(f.path, f.line, f.kind) for f in found] == [
        ("testimonials/index.html", 11, "email"),
        ("testimonials/pledge/p/index.html", 7, "email"),
    ]
    assert sum("maren.holt" in piece for piece in guard_reads) == 1  # read once, reported twice


def test_values_at_a_cards_edges_are_found_as_the_whole_page_finds_them():
    # Reading a page card by card finds what reading it whole finds, at the same lines: a
    # card's text opens with its class, "card", which no name or phone number runs into.
    names = NameMatcher(KEY, {digest(KEY, "name", "Maren Holt"), digest(KEY, "name", "Holt")})
    cards = [
        _card("maren.holt@example.com"),  # first thing in a card
        _card("Call 07700 900123"),
        _card("Best, Maren Holt"),  # last thing in a card
        '<article class="card">Holt</article>\n',
        _card("4111 1111 1111 1111"),
    ]
    page = "<html><body>\n" + "".join(cards) + "</body></html>\n"
    pieces = scan_text(page, "testimonials/page/2/index.html", ".html", names=names)
    whole = NameMatcher(KEY, {digest(KEY, "name", "Maren Holt"), digest(KEY, "name", "Holt")})
    import goodwill.guard as guard_module

    expected = guard_module._scan(page, ".html", guard_module.Allowed(()), whole)
    assert [(f.line, f.kind) for f in pieces] == [(line, kind) for line, kind, _ in expected]
    assert {f.kind for f in pieces} == {"email", "phone", "name", "card"}


@pytest.mark.parametrize(
    ("first", "second", "kind"),
    [
        ("Thanks, from Maren", "<p>Holt Farm says hi</p>", "name"),  # a name across two nodes
        ("For help, call", "<p>555-0143</p>", "phone"),  # a label before, the number after
    ],
)
def test_what_reading_a_page_whole_finds_across_a_cards_edge_is_still_found(
    first: str, second: str, kind: str
):
    # Names are matched across tags, and a phone label reaches the number after it: a piece
    # whose text opens with a capital or a digit is read together with the one before it.
    looked_for = {digest(KEY, "name", "Maren Holt")}
    page = f'<html><body>\n<div class="cards">\n{_card(first)}{second}\n</div>\n</body></html>\n'
    import goodwill.guard as guard_module

    whole = guard_module._scan(
        page, ".html", guard_module.Allowed(()), NameMatcher(KEY, looked_for)
    )
    pieces = scan_text(page, "testimonials/index.html", ".html", names=NameMatcher(KEY, looked_for))
    assert [(line, k) for line, k, _ in whole] == [(f.line, f.kind) for f in pieces]
    assert kind in {f.kind for f in pieces}


def test_a_feed_entry_opening_with_its_title_is_read_with_the_entry_before_it():
    # "Maren" closes one entry, "Holt Farm review" titles the next: read whole, the feed
    # names Maren Holt; read entry by entry it did not.
    feed = (
        "<?xml version='1.0'?>\n<feed><title>Tidy</title>\n"
        "<entry><title>Export</title><content>Thanks, Maren</content></entry>\n"
        "<entry><title>Holt Farm review</title><content>Five stars.</content></entry>\n"
        "</feed>\n"
    )
    names = NameMatcher(KEY, {digest(KEY, "name", "Maren Holt")})
    found = scan_text(feed, "feeds/all.atom.xml", ".xml", names=names)
    assert [(f.line, f.kind) for f in found] == [(3, "name")]
