"""How a bad inbox file is reported: one line a founder can act on, never a traceback.

Readers raise ``Unreadable`` deep inside; ``goodwill.mail.read_inbox`` turns it into an
``InboxError`` carrying the path, so one broken file never stops the rest of the inbox.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InboxError:
    """One input that could not be read, yielded in place of its threads."""

    path: str
    problem: str
    hint: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}; {self.hint}"


class Unreadable(Exception):
    """Raised by a reader for input it cannot turn into messages; the caller adds the path."""

    def __init__(self, problem: str, hint: str) -> None:
        super().__init__(f"{problem}; {hint}")
        self.problem = problem
        self.hint = hint

    def at(self, path: str) -> InboxError:
        return InboxError(path=path, problem=self.problem, hint=self.hint)
