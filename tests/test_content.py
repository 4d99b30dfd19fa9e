"""Re-ingesting never loses the founder's work: unchanged threads are skipped,
grown threads update untouched drafts, and edited drafts get a new version beside them."""

import json
from dataclasses import asdict, replace
from datetime import UTC, date, datetime

import pytest

from goodwill import content
from goodwill.drafts import Draft
from goodwill.model import LedgerRow, Redaction


def draft(source: str, text: str = "Thanks!") -> Draft:
    meta = {
        "Title": "Export drops invoices",
        "Date": "2026-03-03 09:00",
        "Status": "draft",
        "Slug": "2026-03-03-export",
        "Thread": "t" * 16,
        "Source": source,
    }
    return Draft("2026-03-03-export", meta, f"{text}\n", [])


def write(tmp_path, d: Draft) -> content.Plan:
    index = content.scan(tmp_path)
    planned = content.plan(d, index, tmp_path)
    content.apply(planned, d, index)
    return planned


def test_the_same_thread_twice_is_skipped(tmp_path):
    assert write(tmp_path, draft("a")).action is content.Action.NEW
    before = sorted(p.name for p in (tmp_path / "testimonials").iterdir())
    assert write(tmp_path, draft("a")).action is content.Action.SKIP
    assert sorted(p.name for p in (tmp_path / "testimonials").iterdir()) == before


def test_a_grown_thread_updates_an_untouched_draft_in_place(tmp_path):
    write(tmp_path, draft("a"))
    planned = write(tmp_path, draft("b", "Thanks! And one more question."))
    assert planned.action is content.Action.UPDATE
    files = sorted(p.name for p in (tmp_path / "testimonials").glob("*.md"))
    assert files == ["2026-03-03-export.md"]
    assert "one more question" in (tmp_path / "testimonials" / files[0]).read_text()


def test_a_grown_thread_never_overwrites_the_founders_edit(tmp_path):
    write(tmp_path, draft("a"))
    path = tmp_path / "testimonials" / "2026-03-03-export.md"
    edited = path.read_text().replace("Thanks!", "Thanks, truly!")
    path.write_text(edited)
    planned = write(tmp_path, draft("b", "Thanks! And one more question."))
    assert planned.action is content.Action.BESIDE
    assert path.read_text() == edited
    beside = tmp_path / "testimonials" / "2026-03-03-export-v2.md"
    assert "one more question" in beside.read_text()
    assert "Slug: 2026-03-03-export-v2" in beside.read_text()
    # and a third version of the thread, with v2 untouched, updates v2
    assert write(tmp_path, draft("c", "Third")).action is content.Action.UPDATE
    assert "Third" in beside.read_text() and path.read_text() == edited


def test_two_threads_with_the_same_title_and_day_get_distinct_files(tmp_path):
    write(tmp_path, draft("a"))
    other = draft("z")
    other.metadata["Thread"] = "u" * 16
    assert write(tmp_path, other).path.name == "2026-03-03-export-2.md"


ROW = LedgerRow("t1", "s1", datetime(2026, 3, 3, 9, tzinfo=UTC), 12.0, 190.5, 2, 1, ("p",), True)


def test_the_ledger_keeps_one_row_per_thread(tmp_path):
    path = tmp_path / "ledger.csv"
    assert content.update_ledger(path, [ROW]) == 1
    assert content.update_ledger(path, [ROW]) == 0
    grown = replace(ROW, source="s2", staff_messages=2)
    assert content.update_ledger(path, [grown, replace(ROW, thread="t2")]) == 2
    rows = list(content.read_ledger(path))
    assert [r.thread for r in rows] == ["t1", "t2"]
    assert rows[0] == grown
    assert path.read_text().splitlines()[0] == ",".join(content.LEDGER_FIELDS)


def test_a_broken_ledger_names_the_file_and_line(tmp_path):
    path = tmp_path / "ledger.csv"
    content.update_ledger(path, [ROW])
    path.write_text(path.read_text() + "t9,s9,not-a-date,,,1,0,,yes\n")
    with pytest.raises(
        content.ContentError, match=r"ledger\.csv:3: not a ledger row: .not-a-date. in column date"
    ):
        list(content.read_ledger(path))


def test_the_redactions_record_is_one_field_a_line_and_never_the_original(tmp_path):
    d = draft("s1")
    d.redactions = [
        Redaction("name", 0, 3, 8, "Léa", "0123456789abcdef"),
        Redaction("phone", 1, 10, 17, "[phone]", "fedcba9876543210"),
    ]
    planned = write(tmp_path, d)
    record = planned.path.with_name(planned.path.stem + content.REDACTIONS_SUFFIX).read_text()
    assert record == (
        "[\n"
        ' {\n  "kind": "name",\n  "message": 0,\n  "start": 3,\n  "end": 8,\n'
        '  "replacement": "Léa",\n  "digest": "0123456789abcdef"\n },\n'
        ' {\n  "kind": "phone",\n  "message": 1,\n  "start": 10,\n  "end": 17,\n'
        '  "replacement": "[phone]",\n  "digest": "fedcba9876543210"\n }\n'
        "]\n"
    )
    assert json.loads(record)[1]["replacement"] == "[phone]"


def test_the_redactions_record_is_what_json_dumps_writes_for_every_field():
    redactions = [
        Redaction("name", -1, 0, 4, 'Ava "A." Ørn\n\\', "00ff"),
        Redaction("name", -2, 0, 0, "", "digest-only"),
        Redaction("email", 3, 120, 127, "[email]", "\u2028\t"),
    ]
    expected = json.dumps([asdict(r) for r in redactions], indent=1, ensure_ascii=False) + "\n"
    assert content.redactions_json(redactions) == expected
    assert content.redactions_json([]) == "[]\n"


def test_a_draft_with_no_redactions_has_an_empty_record(tmp_path):
    planned = write(tmp_path, draft("s2"))
    assert planned.path.with_name(planned.path.stem + ".redactions.json").read_text() == "[]\n"


def test_an_excluded_thread_is_remembered_by_key_and_by_source(tmp_path):
    content.exclude(tmp_path, "k1", "withdrawn", date(2026, 3, 2), source="s1")
    content.exclude(tmp_path, "k1", "withdrawn", date(2026, 3, 5), source="s1")  # no new row
    exclusions = content.read_exclusions(tmp_path)
    assert exclusions.covers("k1", "other") and exclusions.covers("renamed", "s1")
    assert not exclusions.covers("k2", "s2") and not exclusions.covers("k2", "")
    assert (tmp_path / "excluded.csv").read_text() == (
        "thread,reason,date,source\nk1,withdrawn,2026-03-02,s1\n"
    )


def test_an_excluded_file_from_before_sources_were_recorded_is_still_read(tmp_path):
    (tmp_path / "excluded.csv").write_text("thread,reason,date\nk1,rejected,2026-03-01\n")
    assert content.excluded_threads(tmp_path) == {"k1": "rejected"}
    content.exclude(tmp_path, "k2", "withdrawn", date(2026, 3, 2), source="s2")
    assert content.excluded_threads(tmp_path) == {"k1": "rejected", "k2": "withdrawn"}
    assert (tmp_path / "excluded.csv").read_text() == (
        "thread,reason,date,source\nk1,rejected,2026-03-01,\nk2,withdrawn,2026-03-02,s2\n"
    )


def test_an_older_or_partial_copy_of_a_drafted_thread_is_left_out(tmp_path):
    turn = '<!-- goodwill:turn role="customer" author="Léa" sent="2026-03-03T{}:00+00:00" -->\n'
    write(tmp_path, draft("whole", turn.format("09:00") + "Hi\n" + turn.format("10:00") + "Bye"))
    assert (
        write(tmp_path, draft("part", turn.format("09:00") + "Hi")).action is content.Action.OLDER
    )
    grown = draft("grown", turn.format("09:00") + "Hi\n" + turn.format("11:00") + "Later")
    assert write(tmp_path, grown).action is content.Action.UPDATE
