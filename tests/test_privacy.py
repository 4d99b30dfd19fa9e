"""Privacy: nothing personal from the inbox reaches content/, and the inbox is left alone.

A fictional inbox of 60 threads (``tests/corpus.py``: Gmail and Outlook replies quoting
their history, French and German mail, mbox files, pasted text with and without headers)
is ingested with the real ``goodwill ingest`` command. Every e-mail address, phone number,
card number, licence key, order number, street line and full name planted in it is then
looked for in every file ingest wrote, in every file name, in any format: phone numbers
and card numbers by their digits, keys and order numbers without punctuation.

The first tests check the corpus itself, so that the privacy tests can fail: every planted
value really is in the inbox, on reserved domains and in fictional number ranges.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import phonenumbers
import pytest
from corpus import (
    KINDS,
    STAFF_DOMAIN,
    TEST_CARDS,
    Plant,
    Truth,
    generate_inbox,
    generate_threads,
    leaked,
    words_lost,
)

from goodwill.cli import main
from goodwill.detectors import find_all

THREADS = 60
RESERVED_DOMAIN = re.compile(r"(^|\.)(example\.(com|org|net)|example|test)$")
# What must never reach content/: the brief's list. First names alone ("Hi Will") are
# measured by the benchmark's recall, not asserted here.
ASSERTED = tuple(k for k in KINDS if k != "name")
# Leaks this test found that the detectors do not handle yet. Strict: when one is fixed the
# test reports XPASS as a failure, so the entry is removed and the kind is guarded again.
# Kinds that still leak, each with the shape that gets through (strict: fixing one fails
# the test until its entry goes). Empty: every planted kind is caught.
KNOWN_LEAKS: dict[str, str] = {}


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        str(p.relative_to(folder)): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _inbox_text(inbox: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in sorted(inbox.iterdir()))


def _decoded_inbox_text(truth: Truth) -> str:
    """The inbox as people read it (quoted-printable undone): where plants must be found."""
    return "\n".join(t.text for t in truth.threads)


def _must_not_leak(truth: Truth) -> list[Plant]:
    full_names = [p for p in truth.plants("name") if p.probe == p.value and " " in p.value]
    return truth.plants(*ASSERTED) + full_names


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Truth, Path, Path, dict]:
    root = tmp_path_factory.mktemp("privacy")
    inbox, content = root / "inbox", root / "content"
    truth = generate_inbox(inbox, THREADS, seed=2026)
    before = _snapshot(inbox)
    conf = root / "pelicanconf.py"
    conf.write_text(f'GOODWILL_STAFF = ["{STAFF_DOMAIN}"]\nGOODWILL_KEY_FILE = ".goodwill/key"\n')
    code = main(["--settings", str(conf), "ingest", str(inbox), "--content", str(content)])
    assert code == 0, f"goodwill ingest exited with {code} on the fictional inbox in {inbox}"
    return truth, inbox, content, before


# -- the corpus can make these tests fail -------------------------------------------------


def test_same_seed_same_inbox(tmp_path: Path) -> None:
    a = generate_inbox(tmp_path / "a", 12, seed=7)
    b = generate_inbox(tmp_path / "b", 12, seed=7)
    assert a.planted == b.planted
    assert [v for _, v in _snapshot(tmp_path / "a").items()] != []
    assert {k: h for k, (h, _) in _snapshot(tmp_path / "a").items()} == {
        k: h for k, (h, _) in _snapshot(tmp_path / "b").items()
    }


def test_every_kind_is_planted_and_really_in_the_inbox(tmp_path: Path) -> None:
    truth = generate_inbox(tmp_path / "inbox", THREADS, seed=2026)
    kinds = {kind for kind, _ in truth.planted}
    assert kinds == set(KINDS)
    text = _decoded_inbox_text(truth)
    found = set(leaked(truth.plants(), text))
    missing = [p for p in truth.plants() if p not in found]
    assert missing == []


def test_every_shape_is_in_the_inbox(tmp_path: Path) -> None:
    truth = generate_inbox(tmp_path / "inbox", THREADS, seed=2026)
    names = {p.suffix for p in (tmp_path / "inbox").iterdir()}
    assert names == {".eml", ".mbox", ".txt"}
    shapes = {t.shape for t in truth.threads}
    assert shapes == {
        "eml-gmail",
        "eml-outlook",
        "eml-files",
        "mbox",
        "txt-pasted",
        "txt-headerless",
    }
    raw = _inbox_text(tmp_path / "inbox")
    for marker in ("-----Original Message-----", " wrote:", "a écrit :", "schrieb "):
        assert marker in raw


def test_addresses_are_on_reserved_domains_only() -> None:
    for t in generate_threads(300, seed=11):
        for m in t.messages:
            assert RESERVED_DOMAIN.search(m.address.split("@")[1]), m.address
        for p in t.plants:
            if p.kind == "email":
                assert RESERVED_DOMAIN.search(p.value.split("@")[1]), p.value


def test_phone_numbers_are_fictional_or_invalid() -> None:
    fictional = re.compile(
        r"^(20 ?7946 ?0|(113|161) ?496 ?0|7700 ?900|1632 ?960|[2-9]\d\d ?555 ?01|"
        r"1 ?99 ?00|6 ?39 ?98|30 ?23125)"
    )
    for t in generate_threads(300, seed=11):
        for p in t.plants:
            if p.kind == "phone":
                region = "US" if "555" in p.value else None
                number = phonenumbers.parse(p.value, region or _region(p.value))
                assert fictional.match(str(number.national_number)), p.value


def _region(value: str) -> str:
    if value.startswith(("+44", "0044", "07700", "01632", "020", "0113", "0161")):
        return "GB"
    if value.startswith(("+33", "01", "06")):
        return "FR"
    return "DE"


def test_card_numbers_are_published_test_numbers() -> None:
    for t in generate_threads(300, seed=11):
        for p in t.plants:
            if p.kind == "card":
                assert re.sub(r"\D", "", p.value) in TEST_CARDS


def test_a_reformatted_value_still_counts_as_a_leak() -> None:
    phone = Plant("phone", "+44 20 7946 0123", "+44 20 7946 0123")
    card = Plant("card", "4111 1111 1111 1111", "4111 1111 1111 1111")
    key = Plant("key", "TIDY-AB2C-DE3F-GH4J-KL5M", "TIDY-AB2C-DE3F-GH4J-KL5M")
    assert leaked([phone], "call 020-7946-0123") == [phone]
    assert leaked([card], "card 4111-1111-1111-1111 expired") == [card]
    assert leaked([key], "key tidy ab2c de3f gh4j kl5m") == [key]
    assert leaked([phone, card, key], "call [phone], card [card], key [key]") == []


# -- ingest publishes none of it ------------------------------------------------------------


def test_ingest_writes_a_draft_per_thread(ingested) -> None:
    truth, _, content, _ = ingested
    drafts = list(content.rglob("*.md"))
    assert len(drafts) >= len(truth.threads) * 0.9, f"only {len(drafts)} drafts in {content}"


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param(k, marks=pytest.mark.xfail(strict=True, reason=KNOWN_LEAKS[k]))
        if k in KNOWN_LEAKS
        else k
        for k in (*ASSERTED, "name")
    ],
)
def test_no_planted_value_in_any_content_file(ingested, kind: str) -> None:
    truth, _, content, _ = ingested
    plants = [p for p in _must_not_leak(truth) if p.kind == kind]
    assert plants, f"the corpus planted no {kind}"
    found = {}
    for path in sorted(p for p in content.rglob("*") if p.is_file()):
        hits = leaked(plants, path.read_text(encoding="utf-8", errors="replace"))
        if hits:
            found[str(path.relative_to(content))] = [p.value for p in hits]
    assert found == {}, f"planted {kind} values published under content/: {found}"


def test_no_planted_value_in_any_file_name(ingested) -> None:
    truth, _, content, _ = ingested
    names = "\n".join(str(p.relative_to(content)) for p in content.rglob("*"))
    spaced = names.replace("-", " ").replace("_", " ")
    plants = _must_not_leak(truth)
    assert leaked(plants, names) == []
    assert leaked([p for p in plants if p.kind == "name"], spaced.title()) == []


def test_the_inbox_is_left_byte_for_byte_unchanged(ingested) -> None:
    _, inbox, _, before = ingested
    assert _snapshot(inbox) == before


def test_an_untouched_text_loses_no_ordinary_words() -> None:
    threads = generate_threads(100, seed=3)
    assert sum(words_lost(t.words, t.text) for t in threads) == 0
    assert words_lost(["Will", "the", "fix"], "[name] the fix") == 1


# -- the detectors alone, message by message: where a leak above is easiest to debug ------


def _masked(text: str) -> str:
    out, last = [], 0
    for span in find_all(text):
        out += [text[last : span.start], f"[{span.kind}]"]
        last = span.end
    return "".join([*out, text[last:]])


# URLs are left out: whether a URL is personal depends on the names the thread taught the
# anonymizer ("davis-studio.example" is personal only next to a Davis), which the
# command-level tests above cover.
DETECTED_ALONE = ("email", "phone", "card", "key", "order", "address", "handle", "iban", "dob")
DETECTED_ALONE += ("vat", "ip")
DETECTOR_GAPS: dict[str, str] = {}  # as KNOWN_LEAKS, for the detectors alone


@pytest.fixture(scope="module")
def masked_messages() -> list[tuple[str, list[Plant], str]]:
    out = []
    for t in generate_threads(150, seed=5):
        for m in t.messages:
            out.append((f"{t.id} ({t.lang}) {m.role}", t.plants, _masked(m.text)))
    return out


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param(k, marks=pytest.mark.xfail(strict=True, reason=DETECTOR_GAPS[k]))
        if k in DETECTOR_GAPS
        else k
        for k in DETECTED_ALONE
    ],
)
def test_the_detectors_find_every_planted_value_in_the_messages(masked_messages, kind) -> None:
    missed = {}
    for where, plants, masked in masked_messages:
        hits = leaked([p for p in plants if p.kind == kind], masked)
        if hits:
            missed[where] = [p.value for p in hits]
    assert missed == {}, f"{kind} values the detectors missed: {missed}"
