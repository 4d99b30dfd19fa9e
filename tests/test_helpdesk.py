"""Helpdesk exports: CSV rows and Zendesk tickets become threads with roles set."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from goodwill.helpdesk import read_csv, read_zendesk, read_zendesk_lines
from goodwill.mail import InboxError, read_inbox
from goodwill.model import Role, Thread
from goodwill.problems import Unreadable
from goodwill.settings import Settings

HELPDESK = Path(__file__).parent / "fixtures" / "inbox" / "helpdesk"
COLUMNS = Settings().csv_columns


def test_csv_rows_are_grouped_by_thread_and_ordered_by_time():
    first, second = read_csv(HELPDESK / "export.csv", COLUMNS)
    assert first.subject == "CSV export stops at 100"
    assert [(m.sender, m.role) for m in first.messages] == [
        ("maren.holt@example.com", Role.CUSTOMER),
        ("support@tidy.example", Role.STAFF),
        ("maren.holt@example.com", Role.CUSTOMER),
    ]
    assert first.messages[0].body == "Hi, the export drops invoices after the 100th.\nCan you help?"
    assert first.messages[0].sent == datetime(2026, 3, 3, 9, 12, tzinfo=UTC)
    assert second.source.endswith("export.csv#T-200")
    assert [m.body for m in second.messages] == [
        "My licence key is rejected.",
        "Here is a fresh key.",
    ]


def test_csv_columns_are_named_in_the_settings(tmp_path: Path):
    export = tmp_path / "tickets.csv"
    export.write_text(
        "Ticket;Author;When;Text;Kind\n"
        "7;kim@example.com;2026-03-01 10:00;Is there an API?;requester\n"
        "7;support@tidy.example;2026-03-01 11:00;Yes, see the docs.;admin\n",
        encoding="utf-8-sig",
    )
    columns = {
        "thread": "Ticket",
        "sender": "Author",
        "sent": "When",
        "body": "Text",
        "role": "Kind",
    }
    (thread,) = read_csv(export, columns)
    assert [m.role for m in thread.messages] == [Role.CUSTOMER, Role.STAFF]


def test_csv_without_the_needed_columns_says_which_and_how_to_fix(tmp_path: Path):
    export = tmp_path / "export.csv"
    export.write_text("id,text\n1,hello\n")
    with pytest.raises(Unreadable) as caught:
        list(read_csv(export, COLUMNS))
    assert "'thread_id'" in caught.value.problem and "'body'" in caught.value.problem
    assert "GOODWILL_CSV_COLUMNS" in caught.value.hint


def test_zendesk_export_skips_internal_notes_and_maps_roles():
    ticket, described = read_zendesk(HELPDESK / "zendesk.json")
    assert isinstance(ticket, Thread)
    assert [(m.sender_name, m.role) for m in ticket.messages] == [
        ("Oskar Lind", Role.CUSTOMER),
        ("Ada", Role.STAFF),
        ("Oskar Lind", Role.CUSTOMER),
    ]
    assert not any("INTERNAL" in m.body for m in ticket.messages)
    assert "try again" in ticket.messages[1].body and "<b>" not in ticket.messages[1].body
    assert described.messages[0].body == "Could invoices show the week number?"
    assert described.messages[0].sender == "hana@example.test"


def test_zendesk_incremental_export_reads_every_good_line():
    found = list(read_zendesk_lines(HELPDESK / "zendesk-incremental.jsonl"))
    threads = [t for t in found if isinstance(t, Thread)]
    (error,) = [e for e in found if isinstance(e, InboxError)]
    assert [t.subject for t in threads] == ["Receipt language", "Broken line follows"]
    assert threads[0].messages[1].role is Role.STAFF  # "admin"
    assert threads[1].messages[0].role is Role.CUSTOMER  # the requester, without a user record
    assert error.path.endswith("zendesk-incremental.jsonl:3")


def test_helpdesk_keys_are_the_helpdesk_ids(tmp_path: Path):
    found = [t for t in read_inbox([HELPDESK], Settings()) if isinstance(t, Thread)]
    keys = [t.key for t in found]
    assert len(set(keys)) == len(keys) == 6
    smaller = tmp_path / "export.csv"
    smaller.write_text("".join((HELPDESK / "export.csv").read_text().splitlines(True)[:6]))
    before = {t.key: t.digest for t in read_csv(smaller, COLUMNS)}
    after = {t.key: t.digest for t in read_csv(HELPDESK / "export.csv", COLUMNS)}
    assert before.keys() == after.keys()
    assert [before[k] == after[k] for k in before] == [False, True]  # T-100 grew, T-200 did not


def errors_for(path: Path) -> list[str]:
    """What ``goodwill ingest`` would print for one inbox file: its error lines."""
    return [str(e) for e in read_inbox([path], Settings()) if isinstance(e, InboxError)]


TICKET = '{"id": 7, "subject": "Export", "requester_id": 1, '


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("list.json", "[1, 2]", "list.json: no ticket object in the list (item 1 is a number)"),
        ("none.json", '{"tickets": []}', 'none.json: no tickets in it (expected {"tickets"'),
        (
            "comments.json",
            TICKET + '"comments": "x"}',
            'comments.json#7: ticket 7: "comments" is a string, not a list of comment objects',
        ),
        (
            "null.json",
            TICKET + '"comments": [{"id": 70, "author_id": 1, "plain_body": null}]}',
            "null.json#7: ticket 7, comment 70: no text (plain_body is null); expected a"
            " string in plain_body, body or html_body",
        ),
        (
            "empty.json",
            '{"id": 7, "subject": "Export"}',
            'empty.json#7: ticket 7 has neither "comments" nor a "description"',
        ),
        ("header.csv", "thread_id,from,body\n", "header.csv: no rows under the header line"),
    ],
)
def test_an_export_that_holds_no_message_is_an_error_naming_what_was_expected(
    tmp_path: Path, name: str, text: str, expected: str
):
    (tmp_path / name).write_text(text)
    (error,) = errors_for(tmp_path / name)
    assert error.startswith(str(tmp_path / expected.split(":")[0]))
    assert expected in error.replace(str(tmp_path) + "/", "")


def test_a_bad_comment_is_named_and_the_rest_of_the_ticket_is_read(tmp_path: Path):
    export = tmp_path / "mixed.json"
    export.write_text(
        TICKET + '"comments": [{"author_id": 1, "plain_body": "The export stops at 100."},'
        ' {"author_id": 1, "plain_body": null}, "x"]}'
    )
    found = list(read_inbox([export], Settings()))
    (thread,) = [t for t in found if isinstance(t, Thread)]
    assert [m.body for m in thread.messages] == ["The export stops at 100."]
    assert [str(e).split(": ", 1)[1][:29] for e in found if isinstance(e, InboxError)] == [
        "ticket 7, comment 2: no text ",
        "ticket 7, comment 3 is a stri",
    ]


def test_a_ticket_of_internal_notes_only_is_left_out_quietly(tmp_path: Path):
    export = tmp_path / "notes.json"
    export.write_text(TICKET + '"comments": [{"public": false, "plain_body": "VIP"}]}')
    assert list(read_inbox([export], Settings())) == []


def test_a_line_of_an_incremental_export_that_is_no_ticket_is_named_by_its_line(tmp_path):
    export = tmp_path / "tickets.jsonl"
    good = '{"id": %d, "subject": "S", "comments": [{"author_id": 1, "plain_body": "Hi %d"}]}\n'
    export.write_text(good % (1, 1) + '"oops"\n' + "[1]\n" + good % (3, 3))
    found = list(read_inbox([export], Settings()))
    assert [t.messages[0].body for t in found if isinstance(t, Thread)] == ["Hi 1", "Hi 3"]
    errors = [e for e in found if isinstance(e, InboxError)]
    assert [e.path for e in errors] == [f"{export}:2", f"{export}:3"]
    assert (
        "not a ticket" in errors[0].problem and "the other lines are still read" in errors[0].hint
    )
