"""One Pelican build in a clean subprocess, and what went wrong in it, in a person's words.

Publishing and the watch mode both build this way. A subprocess rather than
Pelican in-process: a plugin's module state never leaks from one build to the
next, a crash cannot take the watcher or the git hook down with it, and
``goodwill`` itself never imports Pelican. The environment is rebuilt from
nothing so a build on the server matches a build on the founder's laptop, and
proxies point nowhere so a build cannot fetch anything.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

# Where any HTTP(S) request from a build goes: a closed local port, so it fails at once.
NOWHERE = "http://127.0.0.1:9"

# A rich-formatted Pelican log record: "[12:00:01] ERROR    message    generators.py:721";
# records within the same second leave the time column blank.
_RECORD = re.compile(
    r"^(?:\[[\d:]+\]|\s{10})\s(DEBUG|INFO|WARNING|ERROR|CRITICAL)\s+(.*?)(?:\s{2,}[\w.]+\.py:\d+)?\s*$"
)
_CONTINUATION = re.compile(r"^\s{20}(.*?)\s*$")
_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception)\b:?.*")
_FRAME = re.compile(r'^File "([^"]+)", line (\d+)')
_FATAL_WRAPPER = "RuntimeError: Warning or error encountered"


@dataclass(slots=True)
class BuildResult:
    """What a build did: whether its output can be used, and why not."""

    ok: bool
    seconds: float
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    log: str = ""


def clean_env(home: Path, source_date_epoch: int | None = None) -> dict[str, str]:
    """The whole environment of a build: nothing inherited but the bare minimum."""
    env = {
        "PATH": os.defpath,
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "COLUMNS": "1000",  # Pelican's log is rich-formatted: wide lines never wrap a file name
        "NO_COLOR": "1",
        "TERM": "dumb",
        "http_proxy": NOWHERE,
        "https_proxy": NOWHERE,
        "HTTP_PROXY": NOWHERE,
        "HTTPS_PROXY": NOWHERE,
        "PIP_NO_INDEX": "1",
    }
    if source_date_epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(source_date_epoch)
    if "GOODWILL_KEY" in os.environ:  # the founder's redaction key, when the server is given it
        env["GOODWILL_KEY"] = os.environ["GOODWILL_KEY"]
    return env


def pelican_command(
    output: Path,
    settings_file: str,
    content: str = "content",
    extra: dict[str, object] | None = None,
) -> list[str]:
    # --fatal errors: Pelican otherwise logs a file it could not read and still exits 0,
    # publishing a site without that page.
    overrides = [f"{k}={json.dumps(v)}" for k, v in (extra or {}).items()]
    return [
        sys.executable,
        "-m",
        "pelican",
        content,
        "-o",
        str(output),
        "-s",
        settings_file,
        "--fatal",
        "errors",
        *(["-e", *overrides] if overrides else []),
    ]


def run_pelican(
    source: Path,
    output: Path,
    settings_file: str = "publishconf.py",
    content: str = "content",
    *,
    env: dict[str, str] | None = None,
    extra: dict[str, object] | None = None,
) -> BuildResult:
    """Build ``source`` (a site folder) into ``output`` and read the log for problems."""
    if not (source / settings_file).is_file():
        return BuildResult(
            ok=False,
            seconds=0.0,
            errors=[f"{settings_file}: no such settings file in the site; add it or name another"],
        )
    started = time.perf_counter()
    done = subprocess.run(
        pelican_command(output, settings_file, content, extra),
        cwd=source,
        env=env if env is not None else clean_env(home=source),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        check=False,
    )
    seconds = time.perf_counter() - started
    log = done.stdout.replace(f"{source}{os.sep}", "")
    errors, warnings = read_log(log, content)
    if done.returncode != 0 and not errors:
        tail = [line.strip() for line in log.splitlines() if line.strip()][-15:]
        errors = [f"Pelican stopped with status {done.returncode}:", *tail]
    return BuildResult(
        ok=done.returncode == 0 and not errors,
        seconds=seconds,
        errors=errors,
        warnings=warnings,
        log=log,
    )


def read_log(log: str, content: str = "content") -> tuple[list[str], list[str]]:
    """Errors and warnings from a Pelican log, each one line that names the file.

    With ``--fatal errors`` the real cause of a failed file (a bad date, say)
    only appears inside the traceback of Pelican's final "Warning or error
    encountered"; it is joined to the error that named the file.
    """
    records: list[tuple[str, str, list[str]]] = []
    for line in log.splitlines():
        record = _RECORD.match(line)
        if record:
            records.append((record.group(1), record.group(2), []))
            continue
        more = _CONTINUATION.match(line)
        if more and records and more.group(1):
            records[-1][2].append(more.group(1).strip())
    errors: list[str] = []
    warnings: list[str] = []
    for level, message, rest in records:
        message = _content_relative(message, content)
        if level == "WARNING":
            warnings.append(message)
        elif level in ("ERROR", "CRITICAL"):
            if message.startswith(_FATAL_WRAPPER):
                causes = [c for c in rest if _EXCEPTION.match(c) and _FATAL_WRAPPER not in c]
                if causes and errors:
                    errors[-1] += f": {causes[0]}"
                elif causes:
                    errors.append(causes[0])
                continue
            where = _site_frame(rest)
            errors.append(f"{where}: {message}" if where else message)
    return errors, warnings


def _site_frame(traceback: list[str]) -> str:
    """The innermost traceback frame in the site's own files (a settings file, a plugin).

    Frames in Python's or Pelican's code say nothing the founder can act on.
    """
    for line in reversed(traceback):
        frame = _FRAME.match(line)
        if frame and "site-packages" not in frame.group(1) and not frame.group(1).startswith("<"):
            return f"{frame.group(1)}, line {frame.group(2)}"
    return ""


def _content_relative(message: str, content: str) -> str:
    # Pelican names files relative to its content folder ("./broken.md"); the founder
    # knows them by their place in the repository.
    return re.sub(r"(?<![\w/.])\./(?=\S)", f"{content}/", message)
