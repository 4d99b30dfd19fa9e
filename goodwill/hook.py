"""The git side of publishing: the bare repository, its post-receive hook, the pushed tree.

The hook is a two-line shell script that runs ``goodwill.publish`` with the
very interpreter that installed it, so a push installs nothing and needs no
network. The pushed commit is read with ``git archive`` straight into the
release folder: no working tree to keep clean, nothing left of a previous
build.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ZERO = "0" * 40
HOOK = "post-receive"


class GitError(Exception):
    """A git command failed; the message carries git's own words."""


@dataclass(frozen=True, slots=True)
class RefUpdate:
    """One line a post-receive hook reads: a ref moved from ``old`` to ``new``."""

    old: str
    new: str
    ref: str

    @property
    def deleted(self) -> bool:
        return set(self.new) == {"0"}


def parse_updates(text: str) -> list[RefUpdate]:
    """The ``<old> <new> <ref>`` lines git feeds a post-receive hook on stdin."""
    updates = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3:
            updates.append(RefUpdate(*parts))
    return updates


def branch_ref(branch: str) -> str:
    return branch if branch.startswith("refs/") else f"refs/heads/{branch}"


def _git(git_dir: Path, *args: str, stdout: int | None = subprocess.PIPE) -> str:
    # The hook runs with GIT_DIR and friends set by git for the repository being pushed to;
    # every call names its repository instead, so those variables must not steer it.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    done = subprocess.run(
        ["git", f"--git-dir={git_dir}", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise GitError(f"{git_dir}: git {' '.join(args)} failed: {done.stderr.strip()}")
    return (done.stdout or "").strip()


def resolve(git_dir: Path, branch: str) -> str | None:
    """The commit the branch points at now, or None when it does not exist."""
    try:
        return _git(git_dir, "rev-parse", "--verify", "--quiet", branch_ref(branch) + "^{commit}")
    except GitError:
        return None


def commit_time(git_dir: Path, commit: str) -> int:
    """The commit's time (seconds since 1970): the build's SOURCE_DATE_EPOCH."""
    return int(_git(git_dir, "show", "-s", "--format=%ct", commit))


def export(git_dir: Path, commit: str, destination: Path) -> None:
    """Write the commit's tree into ``destination`` (which must exist), without a checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    with subprocess.Popen(
        ["git", f"--git-dir={git_dir}", "archive", "--format=tar", commit],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as process:
        assert process.stdout is not None
        with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
            archive.extractall(destination, filter="data")
        error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0:
        raise GitError(f"{git_dir}: git archive {commit} failed: {error.strip()}")


def hook_script(
    git_dir: Path,
    live: Path,
    branch: str = "main",
    keep: int | None = None,
    allow: Sequence[str] = (),
    python: str = sys.executable,
) -> str:
    """The post-receive hook's text; absolute paths only, as git runs it from the repository."""
    command = [
        python,
        "-m",
        "goodwill.publish",
        "hook",
        "--git-dir",
        str(git_dir.resolve()),
        "--live",
        str(live.absolute()),  # not resolve(): the live path is itself a symlink
        "--branch",
        branch,
    ]
    if keep is not None:
        command += ["--keep", str(keep)]
    for value in allow:
        command += ["--allow", value]
    return (
        "#!/bin/sh\n"
        "# Installed by `goodwill publish init`: build, guard and publish on a push.\n"
        f"exec {shlex.join(command)}\n"
    )


def install(
    git_dir: Path,
    live: Path,
    branch: str = "main",
    keep: int | None = None,
    allow: Sequence[str] = (),
) -> Path:
    """Create the bare repository if missing and (re)write its post-receive hook."""
    if not git_dir.exists():
        done = subprocess.run(
            ["git", "init", "--quiet", "--bare", f"--initial-branch={branch}", str(git_dir)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise GitError(f"{git_dir}: could not create a bare repository: {done.stderr.strip()}")
    elif not (git_dir / "HEAD").is_file() or (git_dir / ".git").exists():
        raise GitError(
            f"{git_dir}: exists but is not a bare git repository; name a new folder "
            f"or one made with `git init --bare`"
        )
    hook = git_dir / "hooks" / HOOK
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(hook_script(git_dir, live, branch, keep, allow))
    hook.chmod(0o755)
    return hook
