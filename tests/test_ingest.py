"""`goodwill ingest`: real support threads in, anonymized draft testimonials out.

The fixtures in tests/fixtures/ingest are fictional threads of Tidy Software
(tidy.example): an .eml that quotes its whole history, a headerless paste with
the customer's thanks on top, and an mbox.
"""

from __future__ import annotations

import gc
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from goodwill import content as content_files
from goodwill.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
PLANTED = [
    "Jonas", "Whitlock", "jonas.whitlock@example.com", "7700 900123", "7700900123",
    "TI-58213", "TIDY-7KQ2-M9XD-44PL", "14 Harbour Lane", "BS1 4XY",
    "Marisol", "Quintero", "marisol.quintero@example.com", "555-0142",
    "Priya", "Raman", "priya.raman@example.org", "Tomasz", "Wiśniewski", "Lovelace",
]  # fmt: skip


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A founder's folder: settings, a private inbox with the fixtures, an empty content/."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pelicanconf.py").write_text(
        'PATH = "content"\n'
        'GOODWILL_STAFF = {"ada@tidy.example": "Ada", "help@tidy.example": None}\n'
        'GOODWILL_PRODUCTS = ["Tidy Invoice", "Tidy Notes"]\n'
    )
    shutil.copytree(FIXTURES, tmp_path / "inbox")
    return tmp_path


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def drafts(site: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((site / "content" / "testimonials").glob("*.md"))}


def test_each_thread_becomes_an_anonymized_draft(site, capsys):
    inbox_before = snapshot(site / "inbox")
    assert main(["ingest"]) == 0
    assert "3 threads read: 3 new drafts" in capsys.readouterr().out

    written = drafts(site)
    assert len(written) == 3
    refund = next(t for t in written.values() if "Tidy Invoice" in t.split("\n\n")[0])
    meta = content_files.parse_metadata(refund)
    assert meta["Status"] == "draft" and meta["Consent"] == "pending"
    assert meta["Product"] == "Tidy Invoice"
    assert meta["First-Reply-Minutes"] == "26" and meta["Resolution-Minutes"] == "26"
    assert (meta["Customer-Messages"], meta["Staff-Messages"]) == ("2", "1")
    assert "Thank you so much" in meta["Quote"]
    assert "reply-within-one-business-day" in meta["Pledges"]
    assert refund.count("<!-- goodwill:turn") == 3
    assert 'author="Ada"' in refund  # staff keep the public name from GOODWILL_STAFF

    trial = next(t for t in written.values() if "free trial" in t)
    trial_meta = content_files.parse_metadata(trial)
    assert "help-whether-or-not-you-paid" in trial_meta["Pledges"]
    assert "First-Reply-Minutes" not in trial_meta  # a paste has no dates: no invented figures
    # the paste's three messages, told apart by greetings and sign-offs; one customer, one
    # pseudonym, and the founder keeps the public name GOODWILL_STAFF gives her
    authors = re.findall(r'role="(\w+)" author="([^"]*)"', trial)
    customer = trial_meta["Customer"]
    assert authors == [("customer", customer), ("staff", "Ada"), ("customer", customer)]
    assert "Thank you Ada, that was exactly it." in trial

    ledger = (site / "content" / "ledger.csv").read_text().splitlines()
    assert len(ledger) == 1 + 3
    assert snapshot(site / "inbox") == inbox_before  # the inbox is never modified


def test_nothing_personal_survives_anywhere_in_content(site):
    assert main(["ingest"]) == 0
    for path in (site / "content").rglob("*"):
        assert not any(p.lower() in path.name.lower() for p in PLANTED), path.name
        if path.is_file():
            text = path.read_text()
            leaks = [p for p in PLANTED if p.lower() in text.lower()]
            assert not leaks, f"{path.name} still holds {leaks}"


def test_running_again_changes_nothing(site, capsys):
    main(["ingest"])
    before = snapshot(site / "content")
    capsys.readouterr()
    assert main(["ingest"]) == 0
    assert "3 unchanged" in capsys.readouterr().out
    assert snapshot(site / "content") == before


def test_a_grown_thread_updates_its_draft_unless_the_founder_edited_it(site, capsys):
    main(["ingest"])
    mbox = site / "inbox" / "support.mbox"
    sync = next(
        p
        for p in (site / "content" / "testimonials").glob("*.md")
        if "Tomasz" not in p.read_text() and "Sync" in p.read_text()
    )
    sync.write_text(sync.read_text().replace("Status: draft", "Status: draft\nFeatured: true"))
    mbox.write_text(
        mbox.read_text() + "\nFrom MAILER-DAEMON Mon Mar  9 11:00:00 2026\n"
        "From: Priya Raman <priya.raman@example.org>\nTo: help@tidy.example\n"
        "Subject: Re: Sync stuck on Tidy Notes\nDate: Mon, 09 Mar 2026 11:00:00 +0000\n"
        "Message-ID: <sync-3@example.org>\nIn-Reply-To: <sync-2@tidy.example>\n"
        "References: <sync-1@example.org> <sync-2@tidy.example>\n\nAll synced, thanks a lot!\n"
    )
    capsys.readouterr()
    assert main(["ingest"]) == 0
    captured = capsys.readouterr()
    assert "1 written beside an edited draft" in captured.out
    assert "Featured: true" in sync.read_text()  # the founder's edit is intact
    beside = sync.with_name(sync.stem + "-v2.md")
    assert "All synced, thanks a lot!" in beside.read_text()
    assert "the new version is beside it" in captured.err


def test_dry_run_prints_every_message_and_writes_nothing(site, capsys):
    assert main(["ingest", "--dry-run", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["summary"]["threads"] == 3
    assert not (site / "content").exists()
    assert not (site / ".goodwill").exists()
    refund = next(t for t in document["threads"] if t["metrics"]["first_reply_minutes"] == 26)
    assert [m["role"] for m in refund["messages"]] == ["customer", "staff", "customer"]
    assert {"phone", "key", "order", "address", "name"} <= set(refund["redactions"])
    assert not any(p in json.dumps(refund["messages"]) for p in PLANTED)


def test_a_broken_file_is_named_and_the_rest_is_still_ingested(site, capsys):
    (site / "inbox" / "empty.eml").write_bytes(b"")
    (site / "inbox" / "photo.eml").write_bytes(bytes(range(256)) * 40)
    assert main(["ingest"]) == 1
    captured = capsys.readouterr()
    assert "empty.eml" in captured.err and "photo.eml" in captured.err
    assert "3 new drafts" in captured.out and "2 errors" in captured.out
    assert len(drafts(site)) == 3


def test_a_missing_inbox_says_what_to_do(site, capsys):
    shutil.rmtree(site / "inbox")
    assert main(["ingest"]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_a_thread_kept_one_message_a_file_is_one_draft(site, capsys):
    loose = site / "inbox" / "loose"
    loose.mkdir()
    head = "To: help@tidy.example\nSubject: {s}\nDate: Wed, 04 Mar 2026 {t} +0000\n"
    files = {
        "1.eml": ("Rosa <rosa@example.net>", "Backup failed", "08:00:00", "b1@example.net", ""),
        "2.eml": ("Ada <ada@tidy.example>", "Re: Backup failed", "08:30:00", "b2@tidy.example",
                  "b1@example.net"),
        "3.eml": ("Rosa <rosa@example.net>", "Re: Backup failed", "09:00:00", "b3@example.net",
                  "b1@example.net b2@tidy.example"),
    }  # fmt: skip
    bodies = ["My backup failed twice.", "Fixed on our side, try again?", "It worked, thanks!"]
    for (name, (sender, subject, when, own, refs)), body in zip(files.items(), bodies, strict=True):
        text = f"From: {sender}\n" + head.format(s=subject, t=when) + f"Message-ID: <{own}>\n"
        if refs:
            ids = " ".join(f"<{r}>" for r in refs.split())
            text += f"In-Reply-To: <{refs.split()[-1]}>\nReferences: {ids}\n"
        (loose / name).write_text(f"{text}\n{body}\n")
    assert main(["ingest"]) == 0
    assert "4 threads read: 4 new drafts, 0 updated" in capsys.readouterr().out
    (backup,) = [t for t in drafts(site).values() if "Backup failed" in t]
    assert re.findall(r'role="(\w+)"', backup) == ["customer", "staff", "customer"]
    assert "It worked, thanks!" in backup


def test_a_broken_ledger_row_stops_ingest_before_anything_is_written(site, capsys):
    content_dir = site / "content"
    content_dir.mkdir()
    ledger = content_dir / "ledger.csv"
    ledger.write_text(",".join(content_files.LEDGER_FIELDS) + "\nt1,s1,soon,,,1,0,,yes\n")
    assert main(["ingest"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "ledger.csv:2: not a ledger row: 'soon' in column date is not a time" in err
    assert "correct or delete that line" in err
    assert [p.name for p in content_dir.rglob("*")] == ["ledger.csv"]  # nothing written


def test_drafted_threads_missing_from_the_ledger_get_their_row_back(site, capsys):
    main(["ingest"])
    ledger = site / "content" / "ledger.csv"
    full = ledger.read_text()
    ledger.write_text(full.splitlines()[0] + "\n")  # a run that stopped before the ledger
    drafts_before = drafts(site)
    capsys.readouterr()
    assert main(["ingest"]) == 0
    assert "3 unchanged" in capsys.readouterr().out
    assert ledger.read_text() == full
    assert drafts(site) == drafts_before


def test_a_withdrawn_paste_stays_out_when_its_file_is_renamed(site, capsys):
    main(["ingest"])
    (stem,) = [name[:-3] for name, text in drafts(site).items() if "free trial" in text]
    assert main(["withdraw", stem]) == 0
    (site / "inbox" / "trial-help.txt").rename(site / "inbox" / "from-the-web-form.txt")
    capsys.readouterr()
    assert main(["ingest"]) == 0
    assert "1 rejected or withdrawn before, left out" in capsys.readouterr().out
    assert not any("free trial" in text for text in drafts(site).values())


THIRD = (
    "\nFrom MAILER-DAEMON Mon Mar  9 11:00:00 2026\n"
    "From: Priya Raman <priya.raman@example.org>\nTo: help@tidy.example\n"
    "Subject: Re: Sync stuck on Tidy Notes\nDate: Mon, 09 Mar 2026 11:00:00 +0000\n"
    "Message-ID: <sync-3@example.org>\nIn-Reply-To: <sync-2@tidy.example>\n"
    "References: <sync-1@example.org> <sync-2@tidy.example>\n\nAll synced, thanks a lot!\n"
)


def first_message_alone(site: Path) -> Path:
    """The first message of the mbox's thread, also saved on its own as an .eml."""
    mbox = (site / "inbox" / "support.mbox").read_text()
    first = mbox.split("\nFrom MAILER-DAEMON")[0].split("\n", 1)[1]
    copy = site / "inbox" / "sync-first.eml"
    copy.write_text(first)
    return copy


def sync_thread(site: Path) -> tuple[str, list[str]]:
    """The sync thread's draft turns (roles) and its ledger row."""
    (text,) = [t for t in drafts(site).values() if "Sync stuck" in t]
    key = content_files.parse_metadata(text)["Thread"]
    (row,) = [r for r in (site / "content" / "ledger.csv").read_text().split() if key in r]
    return row, re.findall(r'role="(\w+)"', text)


def test_two_copies_of_one_thread_in_the_inbox_are_one_thread(site, capsys):
    with (site / "inbox" / "support.mbox").open("a") as mbox:
        mbox.write(THIRD)
    first_message_alone(site)
    assert main(["ingest"]) == 0
    assert "3 threads read: 3 new drafts, 0 updated" in capsys.readouterr().out
    row, roles = sync_thread(site)
    assert roles == ["customer", "staff", "customer"]
    assert row.split(",")[5:7] == ["2", "1"]  # customer and staff messages


def test_a_copy_of_a_thread_added_later_changes_nothing(site, capsys):
    with (site / "inbox" / "support.mbox").open("a") as mbox:
        mbox.write(THIRD)
    main(["ingest"])
    before = snapshot(site / "content")
    first_message_alone(site)
    capsys.readouterr()
    assert main(["ingest"]) == 0
    assert "3 unchanged" in capsys.readouterr().out
    assert snapshot(site / "content") == before


def test_a_thread_is_never_set_back_to_an_older_copy_of_itself(site, capsys):
    with (site / "inbox" / "support.mbox").open("a") as mbox:
        mbox.write(THIRD)
    main(["ingest"])
    before = snapshot(site / "content")
    first_message_alone(site)
    (site / "inbox" / "support.mbox").unlink()  # only the first message is left in the inbox
    capsys.readouterr()
    assert main(["ingest"]) == 0
    assert "0 updated" in capsys.readouterr().out
    assert snapshot(site / "content") == before  # the draft and the ledger keep all three


def test_a_re_run_skips_unchanged_mail_without_parsing_it(site, monkeypatch):
    from goodwill import mail
    from goodwill.ingest import ingest
    from goodwill.keys import load_key
    from goodwill.settings import load

    assert main(["ingest"]) == 0
    settings = load()
    key = load_key(Path(settings.key_file))

    def no_parsing(raw: bytes):
        raise AssertionError("an unchanged message was parsed")

    monkeypatch.setattr(mail, "parse_message", no_parsing)
    report = ingest([settings.inbox_dir], settings, key, workers=1)
    assert (report.threads, report.actions["skipped"], report.errors) == (3, 3, [])


def test_the_leak_guard_knows_every_part_of_a_redacted_name(site, capsys):
    # "Jonas Whitlock" was replaced in full; a page that later says just "Whitlock" leaks.
    assert main(["ingest"]) == 0
    output = site / "output"
    output.mkdir()
    (output / "clean.html").write_text("<p>Thank you so much for sorting this out!</p>\n")
    capsys.readouterr()
    assert main(["check", str(output), "--content", str(site / "content")]) == 0
    (output / "leak.html").write_text("<p>Thanks to our friend Whitlock for the idea.</p>\n")
    assert main(["check", str(output), "--content", str(site / "content")]) == 1
    assert "leak.html:1: name" in capsys.readouterr().out


def test_ingesting_on_two_cores_leaves_the_garbage_collector_as_it_was(site):
    # The workers are forked from a heap frozen out of the collector; `goodwill watch`
    # ingests again and again in one process, so the freeze must not outlive the fork.
    assert main(["ingest", "--workers", "2"]) == 0
    assert gc.get_freeze_count() == 0


def test_the_command_starts_without_the_html_parser_a_plain_text_inbox_never_needs():
    # Start-up is paid on one core before the workers start; beautifulsoup4 comes in with
    # the first HTML message instead.
    probe = "import sys; import goodwill.cli, goodwill.ingest; print('bs4' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_drafts_come_out_in_inbox_order_whichever_worker_finishes_first():
    # The main process writes in inbox order (numbered slugs depend on it), while a worker
    # that finished early is given the next batch rather than waiting behind a slow one.
    from concurrent.futures import Future

    from goodwill.ingest import Known, _Flow

    sent: list[Future] = []

    def submit(jobs):
        sent.append(Future())
        sent[-1].jobs = jobs
        return sent[-1]

    flow = _Flow(limit=2)
    flow.submit = submit
    flow.add(["a"])
    flow.add(["b"])
    flow.add(Known(excluded=False))
    flow.add(["c"])
    assert [f.jobs for f in sent] == [["a"], ["b"]]  # both workers busy: "c" is held
    sent[1].set_result(["B"])  # the second batch finishes first
    assert list(flow.ready()) == []  # nothing before "a" is done, so nothing comes out
    assert [f.jobs for f in sent] == [["a"], ["b"], ["c"]]  # but the idle worker got "c"
    flow.add(["d"])
    assert len(sent) == 3  # "a" and "c" are being worked on: "d" waits
    sent[0].set_result(["A"])
    assert list(flow.ready()) == ["A", "B", Known(excluded=False)]
    sent[3].set_result(["D"])  # "d" went out when "a" was written, and finishes first
    sent[2].set_result(["C"])
    assert list(flow.drain()) == ["C", "D"]


def test_a_failure_while_walking_the_inbox_stops_ingest_with_its_error(site, monkeypatch):
    # The inbox is walked in a thread of its own; what goes wrong there must reach the
    # command, not leave it waiting for jobs that will never come.
    import itertools

    from goodwill import ingest as ingest_module
    from goodwill.keys import load_key
    from goodwill.settings import load

    real = ingest_module.plan_inbox

    def failing(paths, settings):
        yield from itertools.islice(real(paths, settings), 1)
        raise OSError("the inbox disk went away")

    monkeypatch.setattr(ingest_module, "plan_inbox", failing)
    settings = load()
    with pytest.raises(OSError, match="the inbox disk went away"):
        ingest_module.ingest(
            [settings.inbox_dir], settings, load_key(Path("key"), create=True), workers=2
        )


def test_the_walk_runs_only_so_far_ahead_of_the_workers():
    # A helpdesk export's jobs carry their whole threads: a walk that planned the whole
    # export while the workers were busy would hold it all in memory.
    import threading
    import time

    from goodwill.ingest import _plan_ahead, _Walk

    walk = _Walk(room=threading.Semaphore(3))
    walk.forked.set()
    planner = threading.Thread(target=_plan_ahead, args=(iter([[n] for n in range(100)]), walk))
    planner.start()
    time.sleep(0.3)
    assert walk.events.qsize() == 3  # three batches planned, none sent: the walk waits
    walk.room.release()  # the main thread sent one
    time.sleep(0.3)
    assert walk.events.qsize() == 4
    walk.stop.set()
    planner.join(timeout=5)
    assert not planner.is_alive()  # a stopped ingest does not leave the walk running


def test_an_ingest_stopped_by_an_error_leaves_no_walk_running(site, monkeypatch):
    # `goodwill watch` ingests again in the same process: a walk left reading the inbox
    # would run beside the next ingest's fork.
    import threading
    import time

    from goodwill import content
    from goodwill import ingest as ingest_module
    from goodwill.keys import load_key
    from goodwill.problems import InboxError
    from goodwill.settings import load

    real = ingest_module.plan_inbox

    def long_walk(paths, settings):
        yield from real(paths, settings)
        yield InboxError("inbox/a.mbox", "unreadable", "export it again")
        time.sleep(1.0)  # a big mailbox being scanned when the error comes
        yield InboxError("inbox/b.mbox", "unreadable", "export it again")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ingest_module, "plan_inbox", long_walk)
    monkeypatch.setattr(content, "apply", disk_full)
    settings = load()
    key = load_key(Path("key"), create=True)
    with pytest.raises(OSError, match="No space left"):
        ingest_module.ingest([settings.inbox_dir], settings, key, workers=2)
    assert not [t for t in threading.enumerate() if t.name == "goodwill-plan"]
