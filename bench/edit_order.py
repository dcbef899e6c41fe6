"""The edited builds of bench/run.py, in its order and with its commands, for one size, without Hugo and MkDocs.

    python3 bench/edit_order.py [--size 1000] [--edits 3] [--verbose] [--calls]

A cold build (the site and the build cache beside it set aside first), a warm one and `statusdocs check`, then
`--edits` builds after an edit of `codes/412.yaml` (restored after each), as `run_size` and `run_edits` run them:
the same console script, arguments, folders (bench/out/work/N/statusdocs/site) and timing (`run.timed`: wall, and
the user and system CPU of the process and its reaped children). `--verbose` adds `-v` to the edited builds (their
stage timings are in bench/out/logs/N/statusdocs-edit-R.log). `--calls` runs the edited builds instead, each in a
new process of this interpreter under cProfile, with `--jobs 1` (the check in the same process), and prints each
one's number of Python function calls: unlike times, a count the machine's load does not change, so it tells
whether two builds did the same work (their times are then not the bench's).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import run  # noqa: E402 - bench/run.py, beside this file

COUNT = """import cProfile, json, pstats, sys
from statusdocs.cli import main
profile = cProfile.Profile()
profile.enable()
code = main(sys.argv[1:], kept=[])
profile.disable()
print(json.dumps([code, pstats.Stats(profile).total_calls]))
"""


def _calls(build: list[str], cwd: str) -> dict:
    """The build run in a new process of this interpreter under cProfile, `--jobs 1`: its Python function calls
    (imports included, as a new process makes them)."""
    args = build[build.index("build"):]
    res = subprocess.run([sys.executable, "-c", COUNT, *args[:1], "-q", "--jobs", "1", *args[1:]], cwd=cwd,
                         capture_output=True, text=True, timeout=run.TIMEOUT, check=True)
    code, calls = json.loads(res.stdout.splitlines()[-1])
    return {"wall": 0.0, "user": 0.0, "sys": 0.0, "rss_mib": 0.0, "rc": code, "calls": calls}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=1000, help="corpus size (default 1000)")
    p.add_argument("--edits", type=int, default=3, help="edited builds (default 3, as run.py's three rounds)")
    p.add_argument("--verbose", action="store_true", help="-v on the edited builds (stage timings in their logs)")
    p.add_argument("--calls", action="store_true", help="count each edited build's Python calls (see above)")
    args = p.parse_args(argv)
    result = run.run_size(args.size, 1, None, None, None, {}, solo=True)
    for tool, samples in result["samples"].items():
        s = samples[-1]
        print(f"{tool}: {s['wall']:.3f} s wall, {s['user']:.3f} user + {s['sys']:.3f} sys")
    result["rounds"] = args.edits
    timed = run.timed

    def edited(cmd: list[str], log: str, cwd: str = run.ROOT) -> dict:
        if args.calls:
            return _calls(cmd, cwd)
        i = cmd.index("build") + 1
        return timed([*cmd[:i], "-v", *cmd[i:]] if args.verbose else cmd, log, cwd)

    run.timed = edited
    try:
        run.run_edits(result)
    finally:
        run.timed = timed
    for r, s in enumerate(result["samples"]["statusdocs build (one entry edited)"]):
        if args.calls:
            print(f"edited build {r + 1}: {s['calls']} Python calls (exit status {s['rc']})")
        else:
            print(f"edited build {r + 1}: {s['wall']:.3f} s wall, {s['user']:.3f} user + {s['sys']:.3f} sys")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
