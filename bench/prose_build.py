"""A whole `statusdocs build`, with the original Prose (bench/prose_reference.py) and with statusdocs.pages.prose: the
wall time of each, and whether the two sites are byte-identical.

    python3 bench/prose_build.py [CONTENT] [--jobs N] [--keep]      # default: bench/corpus/5000, one job

Both builds run with --no-cache, each in a fresh interpreter (so neither warms the other's caches); the
reference run swaps statusdocs.pages.prose.Prose for the original class before anything imports it.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_CHILD = """
import importlib.util, sys
sys.path.insert(0, {root!r})
if {reference!r}:
    spec = importlib.util.spec_from_file_location("prose_reference", {ref_path!r})
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import statusdocs.pages.prose
    statusdocs.pages.prose.Prose = module.Prose
from statusdocs.cli import main
sys.exit(main(["build", "--content", {content!r}, "--templates", {templates!r}, "--out", {out!r}, *{extra!r}]))
"""


def build(content: str, out: str, reference: bool, extra: list[str]) -> float:
    code = _CHILD.format(root=ROOT, reference=reference, ref_path=os.path.join(ROOT, "bench", "prose_reference.py"),
                         content=content, templates=os.path.join(ROOT, "templates"), out=out, extra=extra)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"build failed ({'reference' if reference else 'new'}):\n{result.stdout}{result.stderr}")
    return seconds


def differences(a: str, b: str) -> list[str]:
    """Relative paths that differ, or exist on one side only."""
    found: list[str] = []
    todo = [filecmp.dircmp(a, b)]
    while todo:
        cmp = todo.pop()
        rel = os.path.relpath(cmp.left, a)
        found += [os.path.join(rel, n) for n in cmp.left_only + cmp.right_only + cmp.funny_files]
        # dircmp compares shallowly (size and mtime); compare the bytes.
        found += [os.path.join(rel, n) for n in cmp.common_files
                  if not filecmp.cmp(os.path.join(cmp.left, n), os.path.join(cmp.right, n), shallow=False)]
        todo += cmp.subdirs.values()
    return sorted(found)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("content", nargs="?", default=os.path.join(ROOT, "bench", "corpus", "5000"))
    parser.add_argument("--keep", action="store_true", help="leave the two sites in the temporary folder")
    parser.add_argument("--jobs", default="1", help="statusdocs build --jobs (default 1: Markdown's cost on one core)")
    args = parser.parse_args()
    # No build cache: both builds render every page (a cache would also hide which Prose rendered what).
    extra = ["--jobs", args.jobs, "--no-cache"]
    work = tempfile.mkdtemp(prefix="prose-build-")
    try:
        old = build(args.content, os.path.join(work, "reference"), True, extra)
        new = build(args.content, os.path.join(work, "new"), False, extra)
        diff = differences(os.path.join(work, "reference"), os.path.join(work, "new"))
        print(f"{args.content}: build with reference Prose {old:.2f} s, with new Prose {new:.2f} s "
              f"({old - new:+.2f} s saved, x{old / new:.2f})")
        print(f"  sites identical: {not diff}" + (f" ({len(diff)} files differ, e.g. {diff[:5]})" if diff else ""))
        return 1 if diff else 0
    finally:
        if args.keep:
            print(f"  sites kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
