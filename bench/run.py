"""Run every benchmark in one go (`make bench`): ingest, site build, publish, leak guard.

Each script prints its own Markdown table and writes it under bench/results/; this only
runs them in turn with the same interpreter, so all figures come from one machine and
one session. `--quick` passes the scripts' quick modes through, for trying it out.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ("bench_ingest.py", "bench_site.py", "bench_publish.py", "bench_guard.py")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    parser.add_argument("only", nargs="*", help="script names to run (default: all)")
    args = parser.parse_args()
    failed = []
    for name in args.only or SCRIPTS:
        script = HERE / name
        if not script.exists():
            print(f"bench: {name} is missing, skipped", file=sys.stderr)
            continue
        command = [sys.executable, str(script), *(["--quick"] if args.quick else [])]
        print(f"\n## {name}\n", flush=True)
        if subprocess.run(command, check=False).returncode != 0:
            failed.append(name)
    if failed:
        print(f"bench: failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
