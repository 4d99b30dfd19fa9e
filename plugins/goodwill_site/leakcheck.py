"""The leak guard after a build, with names, and without reading the same page twice.

``goodwill.guard`` decides what a leak is; this module only feeds it and
remembers. It passes the redacted-name digests and the key, so names are
checked as well as addresses and numbers; a build without the key (a server
that was not given it) still checks everything else and says so once.

A page that was scanned clean and has not changed since (same bytes) is clean
again as long as the scanner, its word lists, the key, the digests and the
allow-list are the same: the guard costs as much as Pelican's own rendering,
and a rebuild after one new story would otherwise re-read thousands of pages.
The record holds hashes of clean files only; a file with a finding is scanned
on every build, so a finding is never forgotten.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

RECORD = "guard-clean.json"


@dataclass(frozen=True, slots=True)
class Names:
    """What the name check needs: the key (None on a server without it) and the digests."""

    key: bytes | None
    digests: frozenset[str]
    key_file: Path


def key_file(settings: dict[str, Any]) -> Path:
    """``GOODWILL_KEY_FILE`` (default ``.goodwill/key``), relative to where the build runs."""
    return Path(str(settings.get("GOODWILL_KEY_FILE") or ".goodwill/key"))


def load_names(settings: dict[str, Any]) -> Names:
    from goodwill import guard
    from goodwill.keys import load_key

    path = key_file(settings)
    key = load_key(path, create=False)  # GOODWILL_KEY in the environment works too
    digests = frozenset(guard.load_name_digests(Path(settings["PATH"])))
    return Names(key, digests, path)


def _scanner_digest() -> str:
    """Hash of the guard's code and word lists, and of the phone library's version."""
    import phonenumbers

    import goodwill

    package = Path(goodwill.__file__).parent
    digest = hashlib.sha256(str(getattr(phonenumbers, "__version__", "")).encode())
    for path in sorted([*package.glob("*.py"), *package.glob("data/*")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _salt(names: Names, allow: Iterable[str]) -> str:
    key_id = ""
    if names.key:  # which key, without keeping anything that could reveal it
        key_id = hmac.new(names.key, b"goodwill guard record", "sha256").hexdigest()
    parts = [_scanner_digest(), key_id, *sorted(names.digests), "\0", *sorted(allow)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _files(output_dir: Path, suffixes: frozenset[str]) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(output_dir):
        dirs.sort()
        found += [Path(root, f) for f in sorted(files) if Path(f).suffix.lower() in suffixes]
    return found


def scan(output_dir: Path, names: Names, allow: Iterable[str], cache_dir: Path) -> tuple[list, int]:
    """Every finding in ``output_dir``; also how many files were read (not known clean)."""
    from goodwill import guard

    allow = list(allow)
    salt = _salt(names, allow)
    record = cache_dir / RECORD
    try:
        saved = json.loads(record.read_text(encoding="utf-8"))
        known = set(saved["clean"]) if saved.get("salt") == salt else set()
    except (OSError, ValueError, KeyError, TypeError):
        known = set()
    allowed = guard.Allowed(allow)
    matcher = guard.NameMatcher(names.key, names.digests) if names.key and names.digests else None
    findings: list = []
    clean: set[str] = set()
    read = 0
    for file in _files(output_dir, guard.SCANNED_SUFFIXES):
        data = file.read_bytes()
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        if digest in known:
            clean.add(digest)
            continue
        read += 1
        rel = file.relative_to(output_dir).as_posix()
        text = data.decode("utf-8", errors="replace")
        found = guard.scan_text(text, rel, file.suffix.lower(), allowed, matcher)
        if found:
            findings.extend(found)
        else:
            clean.add(digest)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = record.with_name(f"{record.name}.{os.getpid()}.part")
    partial.write_text(json.dumps({"salt": salt, "clean": sorted(clean)}), encoding="utf-8")
    partial.replace(record)
    return findings, read
