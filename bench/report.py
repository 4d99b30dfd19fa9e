"""How every benchmark hands in its figures: printed, and kept in bench/results/ (git-ignored).

The header names the command and the machine, so a table pasted into the README says how
it was made.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def publish(title: str, body: str, name: str) -> str:
    """Print ``body`` under a header and write it to ``bench/results/<name>``."""
    text = (
        f"# {title}\n\n`{' '.join(['python', *sys.argv])}` on {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}.\n\n{body}\n"
    )
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / name).write_text(text, encoding="utf-8")
    return text
