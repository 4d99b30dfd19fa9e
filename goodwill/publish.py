"""Publishing: build into a fresh release, run the leak guard, and only then go live.

The live site changes in exactly one place, ``releases.point_live_at``, and
only after Pelican succeeded and the guard found nothing; every failure
before that removes the half-made release and leaves the live link alone.
All of it runs under the site's lock, so two pushes never build at once, and
the push that waited builds the branch as it is *then*: the newest commit
always ends live, and no push is dropped without a word.

Everything printed goes to stderr, which git relays to the pusher as
``remote: ...`` lines.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from goodwill import content as goodwill_content
from goodwill import curate, guard, hook, releases
from goodwill.build import clean_env, run_pelican
from goodwill.keys import KeyFileError, load_key
from goodwill.releases import Layout, ReleaseError
from goodwill.settings import Settings, SettingsError, load

OK, FAILED, USAGE = 0, 1, 2


def say(message: str) -> None:
    print(f"goodwill: {message}", file=sys.stderr, flush=True)


def guard_output(
    output: Path,
    source: Path,
    content: str = "content",
    allow: Sequence[str] = (),
    shown: Path | None = None,
) -> list[str]:
    """The leak guard's findings over a built site, as lines for the pusher; [] when clean.

    Redacted names are looked for too when the server is given the founder's
    key (GOODWILL_KEY): the digests come from the release's own sidecars.
    ``shown`` is the build's list of names shown with consent and their stories'
    places (``guard.write_shown``): each is allowed on its story's pages only.
    Without it they are allowed on every page.
    """
    content_dir = source / content
    try:
        digests = guard.load_name_digests(content_dir) if content_dir.is_dir() else set()
        places: list[guard.ShownName] = []
        allowed = list(allow)
        if shown is not None and shown.is_file():
            places = guard.read_shown(shown)
        elif content_dir.is_dir():
            allowed += curate.consented_names(content_dir)
        findings = guard.scan_output(output, digests, _key(source), allowed, places)
    except guard.GuardError as exc:
        return [str(exc)]
    return guard.format_findings(findings).splitlines() if findings else []


def _key(source: Path) -> bytes | None:
    # The redaction key never enters git: on a server it comes from GOODWILL_KEY, if given.
    try:
        return load_key(source / ".goodwill" / "key", create=False)
    except KeyFileError:
        return None


def build_release(
    layout: Layout,
    commit: str,
    fill: Callable[[Path], Path],
    *,
    settings_file: str = "publishconf.py",
    content: str = "content",
    keep: int | None = None,
    allow: Sequence[str] = (),
    source_date_epoch: int | None = None,
) -> int:
    """Build, guard and swap one release; call with ``releases.locked(layout)`` held.

    ``fill`` puts the site into the folder it is given (or returns another
    folder that already holds it) and returns where the site is.
    """
    started = time.perf_counter()
    releases.current(layout)  # a live path that is a real folder is refused before any work
    stale = releases.clear_partials(layout)
    if stale:
        say(f"removed {len(stale)} unfinished release(s) a stopped build left behind")
    partial = releases.start(layout, commit)
    try:
        source = fill(partial / "src")
        output = partial / releases.OUTPUT
        shown = partial / "shown-names.json"
        result = run_pelican(
            source,
            output,
            settings_file,
            content,
            env=clean_env(home=partial, source_date_epoch=source_date_epoch),
            # The guard runs below on the finished output, with the key and the allow-list;
            # running the plugin's copy inside the build as well would only double its cost.
            # The build says which consented names it showed on which story's pages.
            extra={
                "GOODWILL_GUARD": "off",
                "GOODWILL_SHOWN_NAMES_FILE": str(shown),
                # The source is a fresh export each time; the caches live beside the releases.
                # Not Pelican's own: it knows files by their path, new with every export.
                "CACHE_PATH": str(layout.cache / "pelican"),
                "GOODWILL_IMAGE_CACHE": str(layout.cache / "images"),
                "CACHE_CONTENT": False,
                "LOAD_CONTENT_CACHE": False,
            },
        )
        for warning in result.warnings:
            say(f"warning: {warning}")
        if not result.ok:
            return _refuse(layout, partial, commit, "the build failed", result.errors)
        guard_started = time.perf_counter()
        findings = guard_output(output, source, content, allow, shown)
        shown.unlink(missing_ok=True)
        guard_seconds = time.perf_counter() - guard_started
        if findings:
            return _refuse(layout, partial, commit, "the leak guard found personal data", findings)
        keep = keep if keep is not None else _keep_setting(source)
        record_stories(partial, source / content)
        releases.discard(partial / "src")  # a release is what is served; git keeps the source
        release = releases.finish(partial)
        releases.point_live_at(layout, release)
    except BaseException:
        releases.discard(partial)
        _sweep(layout, refused=True)
        raise
    removed = releases.prune(layout, keep)
    _sweep(layout)
    total = time.perf_counter() - started
    say(
        f"{release.name} is live at {layout.live} in {total:.2f} s "
        f"(Pelican {result.seconds:.2f} s, guard {guard_seconds:.2f} s, "
        f"other {total - result.seconds - guard_seconds:.2f} s)"
        + (f"; removed {len(removed)} old release(s)" if removed else "")
    )
    return OK


def _sweep(layout: Layout, *, refused: bool = False) -> None:
    """Drop from the publish cache what no kept release shows (``releases.sweep_cache``)."""
    try:
        releases.sweep_cache(layout, refused=refused)
    except OSError as exc:
        say(f"warning: {layout.cache}: could not be cleaned ({exc.strerror}); remove it by hand")


def _refuse(layout: Layout, partial: Path, commit: str, why: str, lines: list[str]) -> int:
    releases.discard(partial)
    _sweep(layout, refused=True)  # pages the refused build rendered, the leak among them
    label = f"commit {commit[:12]}" if commit else "this build"
    say(f"{label} was NOT published: {why}. The live site is unchanged.")
    for line in lines:
        say(f"  {line}")
    say("Fix the file named above and publish again.")
    return FAILED


def _keep_setting(source: Path) -> int:
    conf = source / "pelicanconf.py"
    if not conf.is_file():
        return Settings().publish_keep
    try:
        return load(conf).publish_keep
    except SettingsError as exc:
        say(f"warning: {exc}; keeping {Settings().publish_keep} releases")
        return Settings().publish_keep


def publish_commit(
    git_dir: Path,
    layout: Layout,
    branch: str,
    pushed: str | None = None,
    *,
    keep: int | None = None,
    allow: Sequence[str] = (),
    settings_file: str = "publishconf.py",
) -> int:
    """Publish the branch's newest commit, waiting for any build already running."""
    with releases.locked(layout):
        newest = hook.resolve(git_dir, branch)
        if newest is None:
            say(f"branch {branch} does not exist in {git_dir}; nothing to publish")
            return OK
        live = releases.current(layout)
        if live is not None and releases.commit_of(live) == newest[:12]:
            say(f"{newest[:12]} is already live (a build that waited for this one published it)")
            return OK
        if pushed and pushed != newest:
            say(f"{branch} moved on to {newest[:12]} while this push waited; publishing that")
        say(f"building {newest[:12]} ...")

        def fill(folder: Path) -> Path:
            folder.mkdir()
            hook.export(git_dir, newest, folder)
            return folder

        return build_release(
            layout,
            newest,
            fill,
            settings_file=settings_file,
            keep=keep,
            allow=allow,
            source_date_epoch=hook.commit_time(git_dir, newest),
        )


def publish_folder(
    source: Path,
    layout: Layout,
    *,
    keep: int | None = None,
    allow: Sequence[str] = (),
    settings_file: str = "publishconf.py",
) -> int:
    """Publish a site folder as it is (any CI's checkout): the same build, guard and swap."""
    commit = _head(source) or "local"
    with releases.locked(layout):
        return build_release(
            layout,
            commit,
            lambda _unused: source,
            settings_file=settings_file,
            keep=keep,
            allow=allow,
        )


def _head(source: Path) -> str | None:
    done = subprocess.run(
        ["git", "-C", str(source), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else None


STORIES = "stories.json"  # beside a release's output: its thread keys, nothing personal


def record_stories(release: Path, content_dir: Path) -> None:
    """Note which threads a release tells and which were excluded when it was built, so a
    rollback can tell whether it would bring back a story withdrawn since."""
    told = set()
    for path in curate.story_files(content_dir):
        thread = goodwill_content.parse_metadata(path.read_text("utf-8", "replace")).get("Thread")
        if thread:
            told.add(thread)
    record = {
        "stories": sorted(told),
        "excluded": sorted(goodwill_content.excluded_threads(content_dir)),
    }
    (release / STORIES).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def _recorded(release: Path) -> tuple[set[str], set[str]]:
    try:
        record = json.loads((release / STORIES).read_text(encoding="utf-8"))
        return set(record["stories"]), set(record["excluded"])
    except (OSError, ValueError, KeyError, TypeError):
        return set(), set()


def rollback(layout: Layout) -> Path:
    """Point the live link at the release before the live one; returns it.

    Refused when that release still tells a story that was withdrawn or rejected since:
    going back in time must not undo a customer's decision.
    """
    with releases.locked(layout):
        target = releases.previous(layout)
        live = releases.current(layout)
        excluded_now = _recorded(live)[1] if live else set()
        told_then, excluded_then = _recorded(target)
        back = told_then & (excluded_now - excluded_then)
        if back:
            raise ReleaseError(
                f"{target.name} still shows {len(back)} story(ies) withdrawn or rejected since "
                "it was built; rolling back would publish them again. Fix forward instead: "
                "revert the bad commit and push."
            )
        releases.point_live_at(layout, target)
        return target


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--live", type=Path, required=True, metavar="DIR")
    parser.add_argument(
        "--keep",
        type=int,
        default=None,
        help="releases to keep (default: GOODWILL_PUBLISH_KEEP in pelicanconf.py, or 5)",
    )
    parser.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="ADDR",
        help="a value public on purpose, like the site's contact address (repeatable)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="goodwill publish",
        description="Build the site into a fresh release, run the leak guard, and only then "
        "switch the live folder to it. A failed build leaves the live site as it was.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = commands.add_parser(
        "init",
        help="publish on `git push`: install the post-receive hook in a bare repository",
        description="Create BARE_REPO (a bare git repository) if missing and install a "
        "post-receive hook that publishes every push to the branch into DIR.",
    )
    init.add_argument("bare", type=Path, metavar="BARE_REPO")
    init.add_argument("--branch", default="main", help="the publishing branch (default: main)")
    _add_common(init)

    build = commands.add_parser(
        "build",
        help="publish a site folder without git (for CI)",
        description="Build SOURCE into a new release beside DIR, guard it, and point DIR at it.",
    )
    build.add_argument("--source", type=Path, default=Path("."), metavar="DIR")
    build.add_argument("--settings", default="publishconf.py", metavar="FILE")
    _add_common(build)

    back = commands.add_parser("rollback", help="point DIR back at the previous release")
    back.add_argument("live", type=Path, metavar="DIR")

    run = commands.add_parser("hook", help=argparse.SUPPRESS)  # what post-receive runs
    run.add_argument("--git-dir", type=Path, required=True)
    run.add_argument("--branch", default="main")
    run.add_argument("--settings", default="publishconf.py")
    _add_common(run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        if args.command == "init":
            installed = hook.install(args.bare, args.live, args.branch, args.keep, args.allow)
            say(f"installed {installed}; pushes to {args.branch} now publish into {args.live}")
            return OK
        if args.command == "build":
            if not args.source.is_dir():
                say(f"{args.source}: no such folder; --source names the site to build")
                return USAGE
            return publish_folder(
                args.source.resolve(),
                Layout(args.live.absolute()),
                keep=args.keep,
                allow=args.allow,
                settings_file=args.settings,
            )
        if args.command == "rollback":
            target = rollback(Layout(args.live.absolute()))
            say(f"{args.live} now serves {target.name}")
            return OK
        return _hook(args)
    except (ReleaseError, hook.GitError, OSError) as exc:
        say(str(exc))
        return FAILED


def _hook(args: argparse.Namespace) -> int:
    wanted = hook.branch_ref(args.branch)
    updates = [u for u in hook.parse_updates(sys.stdin.read()) if u.ref == wanted]
    if not updates:
        return OK  # a push to another branch: nothing to publish
    if updates[-1].deleted:
        say(f"{args.branch} was deleted; the live site stays as it is")
        return OK
    return publish_commit(
        args.git_dir,
        Layout(args.live.absolute()),
        args.branch,
        updates[-1].new,
        keep=args.keep,
        allow=args.allow,
        settings_file=args.settings,
    )


if __name__ == "__main__":
    sys.exit(main())
