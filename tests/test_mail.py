"""Reading mail: every shape a founder's inbox holds becomes Threads, oldest message first."""

from __future__ import annotations

import hashlib
import mailbox
import pathlib
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from corpus import generate_inbox

from goodwill import mime
from goodwill.mail import InboxError, parse_message, read_inbox
from goodwill.maildate import parse_date
from goodwill.model import Thread
from goodwill.problems import Unreadable
from goodwill.replies import Earlier
from goodwill.roles import assign_roles
from goodwill.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "inbox"
STAFF = Settings(staff={"tidy.example": None})


def read(*paths: Path, settings: Settings = STAFF, **kw) -> list[Thread | InboxError]:
    return list(read_inbox(paths, settings, **kw))


def threads(*paths: Path, **kw) -> list[Thread]:
    found = read(*paths, **kw)
    errors = [str(x) for x in found if isinstance(x, InboxError)]
    assert not errors, errors
    return [t for t in found if isinstance(t, Thread)]


def one(path: Path, **kw) -> Thread:
    (thread,) = threads(path, **kw)
    return thread


def fake_split(body: str) -> list[Earlier]:
    """A stand-in for replies.split_history: parts separated by lines of '=== name <addr> at'."""
    parts = []
    for chunk in body.split("=== ")[1:]:
        head, _, text = chunk.partition("\n")
        name, _, rest = head.partition(" <")
        address, _, when = rest.partition("> at ")
        sent = datetime.fromisoformat(when.strip()) if when.strip() else None
        parts.append(Earlier(text=text.strip(), name=name, address=address, sent=sent))
    return [*reversed(parts), Earlier(text=body.split("=== ")[0].strip())]


# --- one message ---------------------------------------------------------------------------


def test_plain_message_headers_are_decoded_and_dates_are_utc():
    m = parse_message((FIXTURES / "eml" / "base64-and-qp.eml").read_bytes())
    assert m.sender == "juergen@example.test"
    assert m.sender_name == "Jürgen Vogel"
    assert m.subject == "Rechnung mit Umlauten äöü"
    assert m.sent == datetime(2026, 3, 5, 7, 0, tzinfo=UTC)
    assert m.recipients == ("support@tidy.example",)
    assert m.message_id == "juergen-1@example.test"


def test_plain_text_mail_is_read_without_the_email_package_exactly_as_it_would_read_it(
    tmp_path: Path,
):
    # Most support mail is one plain-text part; it is read by a short path of its own, which
    # must say, field for field, what the parser of record (email, policy.default) says.
    generate_inbox(tmp_path, 60, seed=7)
    raws = [p.read_bytes() for p in sorted(tmp_path.glob("*.eml"))]
    raws += [m.as_bytes() for box in sorted(tmp_path.glob("*.mbox")) for m in mailbox.mbox(box)]
    raws += [p.read_bytes() for p in sorted(FIXTURES.rglob("*.eml"))]
    assert len(raws) > 60
    short = [raw for raw in raws if mime.read_plain(raw) is not None]
    assert len(short) > 0.9 * len(raws)
    for raw in short:
        assert mime.read_plain(raw) == mime.read_with_email(raw)


PLAIN = (
    b"From: Ann Example <ann@example.com>\nTo: help@tidy.example\nSubject: Hi\n"
    b"Date: Mon, 06 Jan 2025 09:35:00 -0500\nMessage-ID: <a1@example.com>\n"
    b'Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: 8bit\n\n'
    b"Thanks, it works.\n"
)


@pytest.mark.parametrize(
    "raw",
    [
        PLAIN.replace(b"Subject: Hi", b"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\n  and more"),
        PLAIN.replace(b'charset="utf-8"', b"charset=ISO-8859-1").replace(
            b"works.", "works caf\u00e9.".encode("latin-1")
        ),
        PLAIN.replace(b"8bit", b"Quoted-Printable").replace(b"works.", b"wo=\nrks =C3=A9."),
        PLAIN.replace(b'Content-Type: text/plain; charset="utf-8"\n', b""),
        PLAIN.replace(b"To: help", b"X-Empty:\n  folded\nTo: help"),
    ],
    ids=["encoded-words-and-folding", "latin-1", "quoted-printable", "no-type", "empty-value"],
)
def test_plain_text_mail_in_its_variants_is_read_as_email_reads_it(raw: bytes):
    assert mime.read_plain(raw) is not None
    assert mime.read_plain(raw) == mime.read_with_email(raw)


@pytest.mark.parametrize(
    "raw",
    [
        PLAIN.replace(b"\n", b"\r\n"),
        b"From ann@example.com Mon Jan  6 09:35:00 2025\n" + PLAIN,
        PLAIN.replace(b"To: help", "To: J\u00fcrgen <help".encode()),
        PLAIN.replace(b"To: help", b"not a header line\nTo: help"),
        b" " + PLAIN,
        PLAIN.replace(b"8bit", b"base64").replace(b"Thanks, it works.", b"VGhhbmtz"),
        PLAIN.replace(b"text/plain", b"text/html"),
        PLAIN.replace(b'charset="utf-8"', b'format=flowed; charset="utf-8"'),
        PLAIN.replace(b"Content-Type", b"Content-Disposition: attachment\nContent-Type"),
        PLAIN.replace(b"Content-Type", b"Content-Type: text/html\nContent-Type"),
        PLAIN.replace(b"Thanks, it works.", b"  "),
        PLAIN.split(b"\n\n")[0],
    ],
    ids=[
        "crlf",
        "mbox-from-line",
        "8bit-header",
        "not-a-header",
        "opens-folded",
        "base64",
        "html",
        "other-parameters",
        "attachment",
        "two-types",
        "blank-body",
        "no-body",
    ],
)
def test_any_other_shape_is_left_to_the_email_package(raw: bytes):
    assert mime.read_plain(raw) is None
    assert parse_message(raw) == mime.read_with_email(raw)


def test_base64_body_is_decoded_and_the_attachment_ignored():
    m = parse_message((FIXTURES / "eml" / "base64-and-qp.eml").read_bytes())
    assert m.body == "Hallo, die Rechnung zeigt äöü falsch an.\nGrüße, Jürgen"


def test_quoted_printable_soft_breaks_are_joined():
    m = parse_message((FIXTURES / "eml" / "quoted-printable.eml").read_bytes())
    assert m.body == (
        "Obrigada pela ajuda rápida, a exportação funciona agora e o relatório está certo."
    )


def test_multipart_alternative_prefers_plain_text():
    m = parse_message((FIXTURES / "eml" / "multipart-alternative.eml").read_bytes())
    assert m.body == "Any chance of a dark mode? My eyes would thank you."
    assert m.sent == datetime(2026, 3, 3, 1, 15, tzinfo=UTC)  # -0500 moved to UTC


def test_empty_plain_part_falls_back_to_html():
    raw = (
        b"From: a@example.com\nSubject: x\nContent-Type: multipart/alternative; boundary=b\n\n"
        b"--b\nContent-Type: text/plain\n\n\n--b\nContent-Type: text/html\n\n"
        b"<p>Only <i>here</i></p>\n--b--\n"
    )
    assert parse_message(raw).body == "Only here"


def test_html_only_mail_becomes_text_with_its_quote_marked():
    m = parse_message((FIXTURES / "eml" / "html-only-gmail-quote.eml").read_bytes())
    assert m.body.startswith("Merci beaucoup, ça marche")
    assert "<div" not in m.body and "&nbsp;" not in m.body
    assert "> Bonjour Lucie," in m.body


@pytest.mark.parametrize(
    ("name", "subject", "body"),
    [
        ("iso-8859-1.eml", "Problème de téléchargement", "le téléchargement échoue à 99 %"),
        ("windows-1252.eml", "Invoice total off by € 0.01", "it’s “really” € 100.00 – rounding"),
        ("unknown-charset.eml", "Export works now", "Thank you — the export works now. ありがとう"),
    ],
)
def test_charsets_old_and_unknown_are_read(name: str, subject: str, body: str):
    m = parse_message((FIXTURES / "eml" / name).read_bytes())
    assert m.subject == subject
    assert body in m.body
    assert "\ufffd" not in m.body


def test_raw_8bit_sender_name_is_read_as_latin1_when_not_utf8():
    m = parse_message((FIXTURES / "eml" / "iso-8859-1.eml").read_bytes())
    assert m.sender_name == "René Lefèvre"


def test_text_no_charset_can_read_is_refused():
    raw = b"From: a@example.com\nContent-Type: text/plain; charset=x-nope\n\n" + bytes(
        [0x81, 0x8D, 0x8F, 0x90, 0x9D] * 20
    )
    with pytest.raises(Unreadable, match="cannot be decoded"):
        parse_message(raw)


@pytest.mark.parametrize(
    ("written", "utc"),
    [
        ("Tue, 3 Mar 2026 09:12:00 -0500", datetime(2026, 3, 3, 14, 12, tzinfo=UTC)),
        ("Tuesday, March 3, 2026 4:10 PM", datetime(2026, 3, 3, 16, 10, tzinfo=UTC)),
        ("Tuesday, March 3, 2026 4:10 AM", datetime(2026, 3, 3, 4, 10, tzinfo=UTC)),
        ("March 3, 2026 at 12:05 AM", datetime(2026, 3, 3, 0, 5, tzinfo=UTC)),
        ("mardi 3 mars 2026 09:12", datetime(2026, 3, 3, 9, 12, tzinfo=UTC)),
        ("3. März 2026 um 11:02", datetime(2026, 3, 3, 11, 2, tzinfo=UTC)),
        ("03.03.26 11:02", datetime(2026, 3, 3, 11, 2, tzinfo=UTC)),
        ("2026-03-03 09:12:00", datetime(2026, 3, 3, 9, 12, tzinfo=UTC)),
        ("2026-03-03T09:12:00+01:00", datetime(2026, 3, 3, 8, 12, tzinfo=UTC)),
        ("3 March", None),  # no year: never completed with this year
        ("01/03/26", None),  # day or month first? not guessed
        ("", None),
    ],
)
def test_dates_as_clients_write_them_are_read_in_utc(written: str, utc: datetime | None):
    assert parse_date(written) == utc


# --- .eml files: history recovered ----------------------------------------------------------


def test_eml_history_is_recovered_oldest_first_and_marked():
    thread = one(FIXTURES / "eml" / "gmail-quoted.eml")
    assert [m.recovered for m in thread.messages][-1] is False
    real = thread.messages[-1]
    assert real.sender == "maren.holt@example.com"
    assert "quarter-end" in real.body  # the real message keeps its whole body
    assert all(m.recovered for m in thread.messages[:-1])
    dates = [m.sent for m in thread.messages if m.sent]
    assert dates == sorted(dates)


def test_eml_history_with_a_fake_splitter(tmp_path: Path):
    raw = (
        b"From: Maren <maren@example.com>\nTo: support@tidy.example\nSubject: Re: Export\n"
        b"Date: Wed, 4 Mar 2026 10:00:00 +0000\nMessage-ID: <m3@example.com>\n"
        b"References: <m1@example.com> <a2@tidy.example>\n\nThanks!\n"
        b"=== Ada <support@tidy.example> at 2026-03-03T09:24:00+00:00\nFixed in 2.4.1.\n"
        b"=== Maren <maren@example.com> at 2026-03-03T09:12:00+00:00\nExport is broken.\n"
    )
    path = tmp_path / "x.eml"
    path.write_bytes(raw)
    thread = one(path, split=fake_split)
    assert [(m.sender, m.recovered) for m in thread.messages] == [
        ("maren@example.com", True),
        ("support@tidy.example", True),
        ("maren@example.com", False),
    ]
    assert thread.messages[0].body == "Export is broken."
    assert thread.subject == "Export"


def test_recovered_local_time_later_than_the_reply_is_moved_by_the_reply_zone():
    thread = one(FIXTURES / "eml" / "html-only-gmail-quote.eml")
    recovered, real = thread.messages
    assert recovered.recovered and not real.recovered
    assert real.sent == datetime(2026, 3, 3, 10, 30, tzinfo=UTC)
    # "Le mar. 3 mars 2026 à 11:02" is Paris time, like the reply's own +0100 Date header.
    assert recovered.sent in (datetime(2026, 3, 3, 10, 2, tzinfo=UTC), None)


def test_thread_key_is_the_root_message_id_and_survives_growth():
    grown = one(FIXTURES / "eml" / "gmail-quoted.eml")
    mbox = threads(FIXTURES / "mbox" / "interleaved.mbox")[0]
    assert grown.key == mbox.key == hashlib.sha256(b"id:maren-1@mail.example.com").hexdigest()[:16]
    assert len(grown.key) == 16


def _eml(sender: str, subject: str, when: str, own_id: str, refs: str, body: str) -> bytes:
    headers = (
        f"From: {sender}\nTo: help@tidy.example\nSubject: {subject}\n"
        f"Date: Tue, 3 Mar 2026 {when} +0000\nMessage-ID: <{own_id}>\n"
    )
    if refs:
        headers += (
            f"In-Reply-To: <{refs.split()[-1]}>\nReferences: "
            + " ".join(f"<{r}>" for r in refs.split())
            + "\n"
        )
    return f"{headers}\n{body}\n".encode()


def test_loose_eml_files_of_one_conversation_are_one_thread(tmp_path: Path):
    inbox = tmp_path / "inbox"
    (inbox / "later").mkdir(parents=True)
    maren = "Maren Holt <maren@example.com>"
    (inbox / "0001-a.eml").write_bytes(
        _eml(maren, "Export broken", "09:12:00", "m1@example.com", "", "The export is broken.")
    )
    (inbox / "0002-unrelated.eml").write_bytes(
        _eml("Sam <sam@example.net>", "Dark mode?", "09:30:00", "s1@example.net", "", "Dark mode?")
    )
    (inbox / "later" / "0003-b.eml").write_bytes(  # another folder, same conversation
        _eml(
            "Ada <ada@tidy.example>", "Re: Export broken", "09:24:00", "a2@tidy.example",
            "m1@example.com", "Fixed in 2.4.1.",
        )
    )  # fmt: skip
    (inbox / "0004-c.eml").write_bytes(
        _eml(
            maren, "Re: Export broken", "10:00:00", "m3@example.com",
            "m1@example.com a2@tidy.example", "It works, thank you!",
        )
    )  # fmt: skip
    found = threads(inbox)
    assert [len(t.messages) for t in found] == [3, 1]
    export, dark = found
    assert [m.body for m in export.messages] == [
        "The export is broken.",
        "Fixed in 2.4.1.",
        "It works, thank you!",
    ]
    assert export.key == hashlib.sha256(b"id:m1@example.com").hexdigest()[:16]
    assert export.source.startswith(str(inbox / "0001-a.eml"))
    assert dark.messages[0].sender == "sam@example.net"


def test_a_bad_file_in_a_conversation_is_named_and_its_other_files_still_read(tmp_path: Path):
    (tmp_path / "1.eml").write_bytes(
        _eml("Ann <ann@example.com>", "Help", "09:00:00", "h1@example.com", "", "Help please.")
    )
    broken = _eml(
        "Ada <ada@tidy.example>", "Re: Help", "09:10:00", "h2@x.test", "h1@example.com", ""
    )
    broken = broken.replace(b"\n\n", b"\nContent-Type: multipart/mixed; boundary=zz\n\n", 1)
    (tmp_path / "2.eml").write_bytes(broken + b"no boundary ever\n")
    found = read(tmp_path)
    (error,) = [x for x in found if isinstance(x, InboxError)]
    (thread,) = [x for x in found if isinstance(x, Thread)]
    assert error.path == str(tmp_path / "2.eml") and "broken MIME" in error.problem
    assert [m.body for m in thread.messages] == ["Help please."]


# --- mbox ------------------------------------------------------------------------------------


def test_mbox_interleaved_threads_are_separated_with_and_without_references():
    first, second = threads(FIXTURES / "mbox" / "interleaved.mbox")
    assert first.source.endswith("interleaved.mbox#1")
    assert first.subject == "CSV export stops at 100 invoices"
    assert [m.sender for m in first.messages] == [
        "maren.holt@example.com",
        "support@tidy.example",
        "maren.holt@example.com",  # the duplicate copy of this message is dropped
    ]
    assert second.subject == "Licence key not accepted"
    assert [m.body for m in second.messages] == [
        "My licence key is rejected since this morning.\nFrom what I can see it has a typo.",
        "Hello Jonas, I have issued a fresh key.",
        "Thanks, the new key works.",
    ]


def test_mbox_from_escaping_is_undone():
    first = threads(FIXTURES / "mbox" / "interleaved.mbox")[0]
    assert first.messages[0].body.endswith("\nFrom the 101st on, nothing.")


def test_digest_changes_when_a_thread_grows_but_the_key_does_not(tmp_path: Path):
    box = tmp_path / "inbox.mbox"
    text = (FIXTURES / "mbox" / "interleaved.mbox").read_text()
    cut = text.index("From maren.holt@example.com Wed Mar  4")
    box.write_text(text[:cut])
    before = {t.subject: t for t in threads(box)}
    box.write_text(text)
    after = {t.subject: t for t in threads(box)}
    grown = "CSV export stops at 100 invoices"
    assert before[grown].key == after[grown].key
    assert before[grown].digest != after[grown].digest
    assert len(after[grown].digest) == 64


def _write_mbox(path: Path, threads: int) -> int:
    """``threads`` two-message threads of ~18 KB messages; returns the file's size."""
    filler = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 40 + "\n") * 8
    with path.open("w") as f:
        for t in range(threads):
            for n in range(2):
                f.write(
                    f"From c{t}@example.com Tue Mar  3 09:00:00 2026\n"
                    f"From: Customer {t} <c{t}@example.com>\nTo: support@tidy.example\n"
                    f"Subject: Question {t}\nDate: Tue, 3 Mar 2026 09:{n:02d}:00 +0000\n"
                    f"Message-ID: <{t}-{n}@example.com>\n"
                    + (f"In-Reply-To: <{t}-0@example.com>\n" if n else "")
                    + f"\n{filler}\n"
                )
    return path.stat().st_size


def _peak(path: Path) -> tuple[int, int]:
    import tracemalloc

    tracemalloc.start()
    count = sum(1 for _ in read_inbox([path], STAFF, split=lambda b: [Earlier(b)]))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return count, peak


def test_a_large_mbox_streams_in_little_memory(tmp_path: Path):
    small_size = _write_mbox(tmp_path / "small.mbox", 6)
    big_size = _write_mbox(tmp_path / "big.mbox", 60)
    assert big_size > 2_000_000
    threads(FIXTURES / "mbox" / "interleaved.mbox")  # warm the email package's header caches
    small_count, small_peak = _peak(tmp_path / "small.mbox")
    big_count, big_peak = _peak(tmp_path / "big.mbox")
    assert (small_count, big_count) == (6, 60)
    # Ten times the file costs only the few hundred bytes of headers kept per message for
    # grouping; bodies are read one thread at a time.
    assert big_peak - small_peak < (big_size - small_size) / 10, (small_peak, big_peak)
    assert big_peak < big_size / 3  # measured: about a fifth, most of it one parsed thread


# --- Maildir ---------------------------------------------------------------------------------


def _maildir(tmp_path: Path) -> Path:
    root = tmp_path / "Mail"
    box = mailbox.Maildir(root)
    box.add((FIXTURES / "eml" / "multipart-alternative.eml").read_bytes())
    sent = box.add_folder("Sent")
    sent.add(
        b"From: Ada <support@tidy.example>\nTo: sam@example.net\nSubject: Re: Dark mode request\n"
        b"Date: Tue, 3 Mar 2026 09:00:00 +0000\nMessage-ID: <ada-dm@tidy.example>\n"
        b"In-Reply-To: <sam-1@example.net>\n\nIt is on the roadmap for April.\n"
    )
    trash = box.add_folder("Trash")
    trash.add(b"From: x@example.com\nSubject: spam\n\nignore me\n")
    (root / "tmp" / "half-delivered").write_bytes(b"From: y@example.com\n\npartial")
    return root


def test_maildir_is_one_source_with_its_sent_folder(tmp_path: Path):
    thread = one(_maildir(tmp_path), split=lambda b: [Earlier(b)])
    assert [m.sender for m in thread.messages] == ["sam@example.net", "support@tidy.example"]
    assert thread.messages[1].body == "It is on the roadmap for April."


# --- the inbox as a whole -------------------------------------------------------------------


def test_broken_inputs_are_reported_and_the_rest_still_read(tmp_path: Path, monkeypatch):
    inbox = tmp_path / "inbox"
    shutil.copytree(FIXTURES / "broken", inbox)
    (inbox / "empty.eml").write_bytes(b"")
    (inbox / "scan.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n")
    (inbox / "blob.eml").write_bytes(b"From: a\x00\x01\x02")
    (inbox / "huge.mbox").write_bytes(b"From x\n" + b"a" * (1024 * 1024 + 1))
    (inbox / "locked.eml").write_bytes((FIXTURES / "broken" / "good.eml").read_bytes())
    (inbox / ".goodwill").mkdir()
    (inbox / ".goodwill" / "key").write_bytes(b"secret")
    real_open = pathlib.Path.open

    def deny_locked(self: Path, *args, **kwargs):
        if self.name == "locked.eml":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", deny_locked)
    monkeypatch.setattr(pathlib.Path, "read_bytes", lambda self: deny_locked(self, "rb").read())
    found = read(inbox, settings=Settings(max_file_mb=1))
    problems = {Path(e.path).name: e for e in found if isinstance(e, InboxError)}
    assert {t.subject for t in found if isinstance(t, Thread)} == {"Still readable"}
    assert set(problems) == {
        "blob.eml",
        "broken-mime.eml",
        "empty.eml",
        "huge.mbox",
        "locked.eml",
        "no-headers.eml",
        "notes.rtf",
        "scan.pdf",
        "truncated.json",
    }
    assert "empty file" in problems["empty.eml"].problem
    assert "binary" in problems["blob.eml"].problem
    assert "PDF" in problems["scan.pdf"].problem
    assert "over the 1 MB limit" in problems["huge.mbox"].problem
    assert "GOODWILL_MAX_FILE_MB" in problems["huge.mbox"].hint
    assert "permission denied" in problems["locked.eml"].problem
    assert "broken MIME" in problems["broken-mime.eml"].problem
    assert ".txt" in problems["no-headers.eml"].hint
    assert "unsupported file type (.rtf)" in problems["notes.rtf"].problem
    assert "not valid JSON" in problems["truncated.json"].problem
    line = str(problems["empty.eml"])
    assert line.startswith(str(inbox / "empty.eml") + ": empty file; ") and "\n" not in line


def test_a_missing_path_is_an_error_not_an_exception(tmp_path: Path):
    (error,) = read(tmp_path / "nowhere")
    assert isinstance(error, InboxError) and "no such file or folder" in error.problem


def test_extensionless_files_are_sniffed(tmp_path: Path):
    (tmp_path / "message").write_bytes((FIXTURES / "eml" / "quoted-printable.eml").read_bytes())
    (tmp_path / "archive").write_bytes((FIXTURES / "mbox" / "interleaved.mbox").read_bytes())
    assert len(threads(tmp_path)) == 3


def _snapshot(root: Path) -> dict[str, tuple[int, int, str]]:
    return {
        str(p.relative_to(root)): (
            p.stat().st_mtime_ns,
            p.stat().st_mode,
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "",
        )
        for p in sorted(root.rglob("*"))
    }


def test_reading_never_changes_the_inbox(tmp_path: Path):
    inbox = tmp_path / "inbox"
    shutil.copytree(FIXTURES, inbox)
    _maildir(inbox)
    before = _snapshot(inbox)
    found = read(inbox)
    assert sum(isinstance(x, Thread) for x in found) > 15
    assert _snapshot(inbox) == before


def test_a_mail_threads_digest_is_known_from_its_bytes_before_it_is_read():
    """Ingest skips an unchanged thread by this digest without parsing any message."""
    from goodwill.mail import job_digest, plan_inbox, read_job

    inbox = Path(__file__).parent / "fixtures" / "inbox"
    jobs = [j for j in plan_inbox([inbox], STAFF) if not isinstance(j, InboxError)]
    mail = [j for j in jobs if j.kind == "mail"]
    assert len(mail) >= 5
    for job in mail:
        read_back = [t for t in read_job(job, STAFF) if isinstance(t, Thread)]
        if read_back:  # a job whose every message is unreadable has no thread
            assert job_digest(job) == read_back[0].digest, job.source
    assert {job_digest(j) for j in jobs if j.kind != "mail"} == {None}  # pastes: read first


# --- recovered history across time zones --------------------------------------------------


def _reply_eml(tmp_path: Path, date: str, body: str) -> Path:
    path = tmp_path / "reply.eml"
    head = (
        "From: Lea Roux <lea.roux@example.com>\nTo: Ben <ben@tidy.example>\n"
        f"Subject: Re: Export\nDate: {date}\nMessage-ID: <r3@example.com>\n"
        "References: <r1@example.com> <r2@tidy.example>\n"
        'Content-Type: text/plain; charset="utf-8"\n\n'
    )
    path.write_bytes((head + body).encode("utf-8"))
    return path


def test_attribution_times_are_read_in_the_zone_of_whoever_wrote_them(tmp_path: Path):
    # Lea in Paris quotes Ben (who wrote at 20:16 UTC) as "à 21:16", her own time; Ben had
    # quoted Lea's first message in UTC, his time. The order is the order of the quotes.
    body = (
        "Ça marche, merci !\n\n"
        "Le jeu. 9 janv. 2025 à 21:16, Ben <ben@tidy.example> a écrit :\n"
        "> Bonjour Lea, une version corrigée arrive.\n"
        ">\n"
        "> On Thu, 9 Jan 2025 at 19:48, Lea Roux <lea.roux@example.com> wrote:\n"
        ">> Bonjour, l'export s'arrête à la facture 100.\n"
    )
    thread = one(_reply_eml(tmp_path, "Thu, 09 Jan 2025 22:35:00 +0100", body))
    assert [(m.sender, m.sent) for m in thread.messages] == [
        ("lea.roux@example.com", datetime(2025, 1, 9, 19, 48, tzinfo=UTC)),
        ("ben@tidy.example", datetime(2025, 1, 9, 20, 16, tzinfo=UTC)),
        ("lea.roux@example.com", datetime(2025, 1, 9, 21, 35, tzinfo=UTC)),
    ]


def test_a_quoted_time_later_than_the_quote_around_it_is_dropped_not_reordered(tmp_path: Path):
    # Ben's reply quotes Lea "at 19:48" in a zone nobody wrote down, so it reads later than
    # Ben's own message: the quotes still decide the order, and the impossible time goes.
    body = (
        "Merci !\n\n"
        "Le jeu. 9 janv. 2025 à 19:16, Ben <ben@tidy.example> a écrit :\n"
        "> Bonjour Lea, une version corrigée arrive.\n"
        ">\n"
        "> On Thu, 9 Jan 2025 at 19:48, Lea Roux <lea.roux@example.com> wrote:\n"
        ">> Bonjour, l'export s'arrête à la facture 100.\n"
    )
    thread = one(_reply_eml(tmp_path, "Thu, 09 Jan 2025 21:35:00 +0000", body))
    assert [(m.sender, m.sent) for m in thread.messages] == [
        ("lea.roux@example.com", None),
        ("ben@tidy.example", datetime(2025, 1, 9, 19, 16, tzinfo=UTC)),
        ("lea.roux@example.com", datetime(2025, 1, 9, 21, 35, tzinfo=UTC)),
    ]


def test_outlook_blocks_below_a_reply_stay_newest_first_whatever_their_local_times(
    tmp_path: Path,
):
    # Each "Sent:" is the local time of the person who forwarded the block: Lea's (New
    # York) for Ben's message, Ben's (UTC) for Lea's first one, so they look swapped.
    body = (
        "Thanks, that did it!\n\n"
        "From: Ben <ben@tidy.example>\nSent: Wednesday, January 29, 2025 5:32 PM\n"
        "To: Lea Roux <lea.roux@example.com>\nSubject: RE: Export\n\n"
        "Hi Lea, a fixed build is on its way.\n\n"
        "From: Lea Roux <lea.roux@example.com>\nSent: Wednesday, January 29, 2025 10:01 PM\n"
        "To: Ben <ben@tidy.example>\nSubject: Export\n\n"
        "Hi, the export stops at invoice 100.\n"
    )
    thread = one(_reply_eml(tmp_path, "Wed, 29 Jan 2025 18:43:00 -0500", body))
    assert [m.sender for m in thread.messages] == [
        "lea.roux@example.com",
        "ben@tidy.example",
        "lea.roux@example.com",
    ]
    assert thread.messages[1].sent == datetime(2025, 1, 29, 22, 32, tzinfo=UTC)


def test_corpus_mail_histories_come_out_with_the_roles_the_corpus_wrote(tmp_path: Path):
    """Gmail and Outlook replies quoting the whole thread, in English, French and German,
    customers in other time zones than the staff: the recovered turns alternate as written.
    (Threads where two messages say exactly the same are left out: a copy is dropped.)"""
    truth = generate_inbox(tmp_path, 250, seed=2026, formats=("eml",))
    shaped = [t for t in truth.threads if t.shape in ("eml-gmail", "eml-outlook")]
    distinct = [t for t in shaped if len({m.text for m in t.messages}) == len(t.messages)]
    assert len(distinct) >= 100
    wrong = []
    for t in distinct:
        thread = one(tmp_path / t.files[0])
        roles = [r.value for r in assign_roles(thread.messages, STAFF.staff)]
        if roles != [m.role for m in t.messages]:
            wrong.append(t.id)
    assert wrong == []


def test_a_paste_keeps_its_name_however_the_inbox_is_reached(tmp_path: Path, monkeypatch):
    """A paste's identity is its path inside the inbox, with folders and links resolved:
    the same file walked by a relative path, an absolute one, through a linked folder or
    as a link of its own is one thread, not four."""
    from goodwill.mail import plan_inbox

    real = tmp_path / "real-inbox"
    (real / "2026").mkdir(parents=True)
    paste = real / "2026" / "thanks.txt"
    paste.write_text("Thank you so much!\n\nMaren\n")
    (tmp_path / "linked-inbox").symlink_to(real, target_is_directory=True)
    (real / "shortcut.txt").symlink_to(paste)
    monkeypatch.chdir(tmp_path)

    def names(root: str) -> dict[str, str]:
        settings = Settings(inbox=root)
        return {
            Path(job.source).name: job.name
            for job in plan_inbox([Path(root)], settings)
            if not isinstance(job, InboxError)
        }

    expected = {"thanks.txt": "2026/thanks.txt", "shortcut.txt": "2026/thanks.txt"}
    assert names("real-inbox") == expected
    assert names(str(real)) == expected
    assert names("linked-inbox") == expected
    assert names("real-inbox/../real-inbox") == expected
