"""The local secret that keys redaction digests.

Digests let the founder and the leak guard recognise a redacted value without
storing it; keyed with a secret that never enters git, a published digest of a
name or phone number cannot be reversed with a dictionary.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class KeyFileError(Exception):
    """The key file exists but cannot be used."""


def load_key(path: Path, create: bool = True) -> bytes | None:
    """The key in ``path``; made (readable by the owner only) when missing and ``create``."""
    env = os.environ.get("GOODWILL_KEY")
    if env:
        return env.encode("utf-8")
    if path.exists():
        text = path.read_text(encoding="ascii", errors="replace").strip()
        if len(text) < 32:
            raise KeyFileError(
                f"{path}: too short to be a Goodwill key; delete it to make a new one"
            )
        return text.encode("ascii")
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return load_key(path, create=False)
