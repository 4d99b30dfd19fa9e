"""The leak guard: what it finds in a rendered site, and what it lets through."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from goodwill.digest import digest, digester, normalise
from goodwill.guard import (
    Finding,
    GuardError,
    NameMatcher,
    find_leaks,
    format_findings,
    load_name_digests,
    luhn_valid,
    main,
    mask,
    readable_text,
    scan_output,
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
        '<link rel="stylesheet" href="https://cdn.example/x@y.com/a.css">'
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
