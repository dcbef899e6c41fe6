"""The builds after a cold one, two statusdocs installs side by side: a cold build into a new folder, then three
builds each after an edit of one entry's summary; the installs alternate, in the opposite order every other round.
The first of the three is the one with no kept site (spare) yet: it pays for a whole new tree of folders.

    python3 bench/edit_after_cold.py OLD_STATUSDOCS NEW_STATUSDOCS [--content bench/corpus/1000] [--rounds 6]
        [--delete-before]

`--delete-before` deletes the previous round's folders before each cold build (on ext4, folders and files made
within a minute of thousands deleted cost several times the system time: see README's disk note). The corpus is
copied first: the edits never touch bench/corpus. Prints each run and the medians.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EDITS = 3


def timed(cmd: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - began


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("old", help="the first install's statusdocs command")
    p.add_argument("new", help="the second install's statusdocs command")
    p.add_argument("--content", default=os.path.join(HERE, "corpus", "1000"))
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--delete-before", action="store_true")
    args = p.parse_args()
    tools = {"old": args.old, "new": args.new}
    rows: dict[str, list[list[float]]] = {name: [] for name in tools}
    with tempfile.TemporaryDirectory(prefix="edit-after-cold-") as tmp:
        corpus = os.path.join(tmp, "corpus")
        shutil.copytree(args.content, corpus)
        entry = os.path.join(corpus, "codes", "412.yaml")
        with open(entry, encoding="utf-8") as fh:
            original = fh.read()
        work = os.path.join(tmp, "work")
        run = 0
        for rnd in range(args.rounds):
            for name in tools if rnd % 2 == 0 else reversed(tools):
                run += 1
                if args.delete_before:
                    shutil.rmtree(work, ignore_errors=True)
                site = os.path.join(work, str(run), "site")
                cmd = [tools[name], "build", "--no-search", "--content", corpus, "--templates",
                       os.path.join(HERE, os.pardir, "templates"), "--out", site, "-q"]
                times = [timed(cmd)]
                for edit in range(EDITS):
                    with open(entry, "w", encoding="utf-8") as fh:
                        fh.write(re.sub(r"^summary:.*$", f"summary: Edited for the bench, run {run} edit {edit}.",
                                        original, flags=re.M))
                    times.append(timed(cmd))
                with open(entry, "w", encoding="utf-8") as fh:
                    fh.write(original)
                rows[name].append(times)
                print(name, " ".join(f"{t:.3f}" for t in times), flush=True)
    for name, runs in rows.items():
        medians = [statistics.median(r[i] for r in runs) for i in range(EDITS + 1)]
        print(f"{name}: median cold {medians[0]:.3f} s, edits " + " ".join(f"{m:.3f}" for m in medians[1:]))


if __name__ == "__main__":
    main()
