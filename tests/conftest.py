"""What every test needs: a fresh memory of Pelican's log.

Pelican's ``LimitFilter`` drops any record whose text it has logged before in the
process. Several tests read the build's log ("1 story page(s) rendered, 14 reused");
without this, one of them would miss its line whenever an earlier test had logged the
very same text, and pass or fail by the order and timing of the tests before it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pelican.log import LimitFilter


@pytest.fixture(autouse=True)
def _fresh_pelican_log() -> Iterator[None]:
    LimitFilter._ignore.clear()
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
    yield


@pytest.fixture
def guard_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the leak guard reads for leaks in this process, in order: how a test
    shows that a piece it has read before is not read again."""
    from goodwill import guard

    read: list[str] = []
    real_found = guard._found

    def counting(text, *args):  # type: ignore[no-untyped-def]
        read.append(text)
        return real_found(text, *args)

    monkeypatch.setattr(guard, "_found", counting)
    return read
