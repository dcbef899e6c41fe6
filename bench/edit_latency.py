"""How long the preview takes from a saved edit of one entry to the pages written (issue 8: under 50 ms on
the bundled content). Runs `statusdocs serve`'s rebuild (Preview.build: the build pipeline with the preview's
options) in-process, without the server: the time from the rebuild's start (the file watcher has reported the
save) to the last page written.

    python3 bench/edit_latency.py [--content content] [--edits 30]    # prints JSON
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from statusdocs.serve.server import Preview  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--content", default=os.path.join(ROOT, "content"))
    p.add_argument("--templates", default=os.path.join(ROOT, "templates"))
    p.add_argument("--code", type=int, default=412, help="the entry to edit (default 412)")
    p.add_argument("--edits", type=int, default=30)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        content = shutil.copytree(args.content, os.path.join(tmp, "content"))
        entry = os.path.join(content, "codes", f"{args.code}.yaml")
        with open(entry, encoding="utf-8") as fh:
            original = fh.read()
        preview = Preview(content, args.templates, os.path.join(tmp, "site"), None)
        quiet = io.StringIO()
        with contextlib.redirect_stdout(quiet):
            preview.build(None)
        times, rendered = [], []
        try:
            for i in range(args.edits):
                summary = f"Edit {i}, the summary of this entry, changed for the latency benchmark."
                with open(entry, "w", encoding="utf-8") as fh:
                    fh.write(re.sub(r"^summary: .*$", f"summary: {summary}", original, count=1, flags=re.M))
                with contextlib.redirect_stdout(quiet):
                    started = time.perf_counter()
                    preview.build({entry})
                    times.append(time.perf_counter() - started)
                with open(os.path.join(tmp, "site", str(args.code), "index.html"), encoding="utf-8") as fh:
                    assert summary in fh.read(), quiet.getvalue()[-2000:]
                assert not preview.problems, preview.problems
                rendered.append(int(re.findall(r"rebuilt (\d+) page", quiet.getvalue())[-1]))
        finally:
            preview.linter.close()
            preview.worker.shutdown(wait=False, cancel_futures=True)
    ms = sorted(t * 1000 for t in times)
    print(json.dumps({"edits": len(ms), "median_ms": round(statistics.median(ms), 1),
                      "p90_ms": round(ms[int(0.9 * (len(ms) - 1))], 1), "max_ms": round(ms[-1], 1),
                      "pages_rendered": statistics.median(rendered)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
