"""Answers worked out from a file's bytes are reused until the file changes."""

from __future__ import annotations

from pathlib import Path

from goodwill.filememo import FileMemo


def count_words(asked: list[bytes]):
    def answer(data: bytes) -> int:
        asked.append(data)
        return len(data.split())

    return answer


def test_an_unchanged_file_is_not_read_again_and_a_changed_one_is(tmp_path: Path) -> None:
    story, memo_file = tmp_path / "story.md", tmp_path / "memo.json"
    story.write_text("three little words")
    asked: list[bytes] = []

    first = FileMemo(memo_file, "v1")
    assert first.get(story, count_words(asked)) == 3
    first.save()
    again = FileMemo(memo_file, "v1")
    assert again.get(story, count_words(asked)) == 3
    assert (len(asked), again.hits) == (1, 1)

    story.write_text("now four little words")
    changed = FileMemo(memo_file, "v1")
    assert changed.get(story, count_words(asked)) == 4
    assert (len(asked), changed.hits) == (2, 0)


def test_a_memo_of_another_question_is_ignored(tmp_path: Path) -> None:
    story, memo_file = tmp_path / "story.md", tmp_path / "memo.json"
    story.write_text("one two")
    asked: list[bytes] = []
    old = FileMemo(memo_file, "rules of last year")
    old.get(story, count_words(asked))
    old.save()
    assert FileMemo(memo_file, "rules of this year").get(story, count_words(asked)) == 2
    assert len(asked) == 2


def test_files_no_longer_asked_about_leave_the_memo(tmp_path: Path) -> None:
    kept, gone, memo_file = tmp_path / "kept.md", tmp_path / "gone.md", tmp_path / "memo.json"
    kept.write_text("a")
    gone.write_text("b")
    memo = FileMemo(memo_file, "v1")
    memo.get(kept, count_words([]))
    memo.get(gone, count_words([]))
    memo.save()
    later = FileMemo(memo_file, "v1")
    later.get(kept, count_words([]))
    later.save()
    assert set(FileMemo(memo_file, "v1").kept) == {str(kept)}


def test_a_broken_memo_costs_only_time(tmp_path: Path) -> None:
    story, memo_file = tmp_path / "story.md", tmp_path / "memo.json"
    story.write_text("still counted")
    memo_file.write_text("{not json")
    assert FileMemo(memo_file, "v1").get(story, count_words([])) == 2


def test_a_memo_that_answered_everything_is_not_written_again(tmp_path: Path) -> None:
    story, memo_file = tmp_path / "story.md", tmp_path / "memo.json"
    story.write_text("unchanged")
    first = FileMemo(memo_file, "v1")
    first.get(story, count_words([]))
    first.save()
    memo_file.chmod(0o444)  # a write would fail silently; the inode shows whether it happened
    inode = memo_file.stat().st_ino
    again = FileMemo(memo_file, "v1")
    again.get(story, count_words([]))
    again.save()
    assert again.hits == 1
    assert memo_file.stat().st_ino == inode  # not replaced by a new file


def test_a_remembered_answer_of_another_shape_is_worked_out_again(tmp_path: Path) -> None:
    # An older version of the build remembered something else, or the file was damaged.
    story, memo_file = tmp_path / "story.md", tmp_path / "memo.json"
    story.write_text("two words")
    old = FileMemo(memo_file, "v1")
    old.get(story, lambda data: "not a number")
    old.save()
    asked: list[bytes] = []
    again = FileMemo(memo_file, "v1")
    assert again.get(story, count_words(asked), valid=lambda v: isinstance(v, int)) == 2
    assert len(asked) == 1
    memo_file.write_text('{"salt": "v1", "entries": 5}')
    assert FileMemo(memo_file, "v1").get(story, count_words(asked)) == 2
