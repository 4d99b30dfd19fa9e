"""What was worked out from a file's bytes, kept until the file changes.

A build asks the same questions of every story file each time (has consent
been given to exactly these words? which names did the anonymizer redact?),
and on a site of thousands of stories reading and fingerprinting every file
again is most of a rebuild after one new story. The answers are pure
functions of the bytes, so they are kept in one JSON file, each beside the
file's stat signature (inode, size, modification and change times in
nanoseconds): any write to the file changes it. A memo made by another
version of a question (its ``salt``) is ignored whole; entries for files not
asked about in a run are dropped when it is saved, so the memo never grows
past the site.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any


def signature(st: os.stat_result) -> str:
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


class FileMemo:
    """Answers about files, reused while each file's stat signature is the same."""

    def __init__(self, path: Path, salt: str) -> None:
        self.path = Path(path)
        self.salt = salt
        self.kept: dict[str, list[Any]] = {}
        self.used: dict[str, list[Any]] = {}
        self.hits = 0
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(saved, dict) and saved.get("salt") == salt:
                entries = saved.get("entries")
                self.kept = dict(entries) if isinstance(entries, dict) else {}
        except (OSError, ValueError, TypeError):
            pass  # no memo, or a broken one: every answer is worked out again

    def get(
        self,
        file: Path | str,
        answer: Callable[[bytes], Any],
        read: bool = True,
        valid: Callable[[Any], bool] | None = None,
        stat: os.stat_result | None = None,
    ) -> Any:
        """``answer(bytes of file)``, from the memo while the file has not changed.

        ``read=False`` for an answer worked out from elsewhere (it is given ``b""``): the
        memo only needs the file to be unchanged. ``valid`` checks a remembered answer's
        shape: the memo is a file on disk, so one in another shape (an older version,
        damage) is worked out again rather than trusted. ``stat``: the file's, when the
        caller has it already (several memos asking about one file). ``OSError`` from
        reading the file reaches the caller, who knows what to say.
        """
        name = os.fspath(file)
        sig = signature(stat or os.stat(name))
        entry = self.kept.get(name)
        if (
            isinstance(entry, list)
            and len(entry) == 2
            and entry[0] == sig
            and (valid is None or valid(entry[1]))
        ):
            self.hits += 1
        else:
            data = b""
            if read:
                with open(name, "rb") as f:
                    data = f.read()
            entry = [sig, answer(data)]
        self.used[name] = entry
        return entry[1]

    def save(self) -> None:
        """Write what this run used; a memo that cannot be written only costs time later.

        Nothing is written when every answer came from the memo and every file in it was
        asked about: the memo on disk is already this one.
        """
        if self.hits == len(self.used) == len(self.kept):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.part")
            partial.write_text(json.dumps({"salt": self.salt, "entries": self.used}))
            partial.replace(self.path)
        except OSError:
            pass
