"""How long the preview takes from a saved edit of one entry to the pages written (issue 23: under 50 ms on
the bundled content, under 300 ms at 5,000 pages). Runs `statusdocs serve`'s rebuild (Preview.build: the build
pipeline with the preview's options) in-process, without the server: the time from the rebuild's start (the file
watcher has reported the save) to the last page written.

With `--live`, edit to reload as a browser sees it instead: starts `statusdocs serve` on loopback, connects to its
reload socket as livereload.js does, and times each edit from the file's write to the reload message (the file
watcher's wait for the end of a burst of writes, the rebuild, the pages written, the message sent).

    python3 bench/edit_latency.py [--content content|bench/corpus/5000] [--edits 30] [--live]    # prints JSON
    python3 bench/edit_latency.py --content bench/corpus/5000 --edits 5 --profile /tmp/rebuild.prof

Prints the wall time and the CPU time (this process's user+sys: the rebuild runs in it) of each rebuild. With
`--profile FILE`, the rebuilds after the first run under cProfile (as the server runs them: in a long-lived
process, after the first build) and the stats are written to FILE (read them with `python3 -m pstats FILE`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import io
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
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
    p.add_argument("--live", action="store_true", help="time edit to reload message through `statusdocs serve`")
    p.add_argument("--profile", metavar="FILE", help="profile the rebuilds (cProfile) into FILE")
    args = p.parse_args(argv)
    if args.live:
        return live(args)
    with tempfile.TemporaryDirectory() as tmp:
        content = shutil.copytree(args.content, os.path.join(tmp, "content"))
        entry = os.path.join(content, "codes", f"{args.code}.yaml")
        with open(entry, encoding="utf-8") as fh:
            original = fh.read()
        preview = Preview(content, args.templates, os.path.join(tmp, "site"), None)
        quiet = io.StringIO()
        with contextlib.redirect_stdout(quiet):
            preview.build(None)
        gc.freeze()  # as `serve` does after its first build
        times, cpu, rendered = [], [], []
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
        try:
            for i in range(args.edits):
                summary = f"Edit {i}, the summary of this entry, changed for the latency benchmark."
                with open(entry, "w", encoding="utf-8") as fh:
                    fh.write(re.sub(r"^summary: .*$", f"summary: {summary}", original, count=1, flags=re.M))
                with contextlib.redirect_stdout(quiet):
                    if profiler is not None:
                        profiler.enable()
                    started, started_cpu = time.perf_counter(), time.process_time()
                    preview.build({entry})
                    times.append(time.perf_counter() - started)
                    cpu.append(time.process_time() - started_cpu)
                    if profiler is not None:
                        profiler.disable()
                with open(os.path.join(tmp, "site", str(args.code), "index.html"), encoding="utf-8") as fh:
                    assert summary in fh.read(), quiet.getvalue()[-2000:]
                assert not preview.problems, preview.problems
                rendered.append(int(re.findall(r"rebuilt (\d+) page", quiet.getvalue())[-1]))
        finally:
            preview.linter.close()
            preview.worker.shutdown(wait=False, cancel_futures=True)
    if profiler is not None:
        profiler.dump_stats(args.profile)
    ms = sorted(t * 1000 for t in times)
    cpu_ms = sorted(t * 1000 for t in cpu)
    print(json.dumps({"content": args.content, "edits": len(ms), "median_ms": round(statistics.median(ms), 1),
                      "p90_ms": round(ms[int(0.9 * (len(ms) - 1))], 1), "max_ms": round(ms[-1], 1),
                      "cpu_median_ms": round(statistics.median(cpu_ms), 1), "cpu_min_ms": round(cpu_ms[0], 1),
                      "pages_rendered": statistics.median(rendered)}))
    return 0


def _summary(edit: str) -> str:
    return f"Edit {edit}, the summary of this entry, changed for the latency benchmark."


def _write_edit(entry: str, original: str, edit: str) -> None:
    with open(entry, "w", encoding="utf-8") as fh:
        fh.write(re.sub(r"^summary: .*$", f"summary: {_summary(edit)}", original, count=1, flags=re.M))


async def drain(ws, quiet: float) -> None:
    """Read and drop messages until none has come for `quiet` seconds."""
    while True:
        try:
            await asyncio.wait_for(ws.read_message(), quiet)
        except TimeoutError:
            return


def live(args: argparse.Namespace) -> int:
    """Edit to reload message, through a running `statusdocs serve` (see the module's docstring)."""
    from tornado.websocket import websocket_connect

    with tempfile.TemporaryDirectory() as tmp:
        content = shutil.copytree(args.content, os.path.join(tmp, "content"))
        entry = os.path.join(content, "codes", f"{args.code}.yaml")
        with open(entry, encoding="utf-8") as fh:
            original = fh.read()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        proc = subprocess.Popen([sys.executable, "-m", "statusdocs", "serve", "--content", content, "--templates",
                                 args.templates, "--host", "127.0.0.1", "--port", str(port)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        log: list[str] = []
        try:
            assert proc.stdout is not None
            deadline = time.monotonic() + 900
            for line in proc.stdout:  # bounded by the deadline: the server prints "serving" once it serves
                log.append(line)
                if line.startswith("serving") or time.monotonic() > deadline:
                    break
            threading.Thread(target=lambda: log.extend(proc.stdout), daemon=True).start()  # type: ignore[arg-type]

            async def measure() -> list[float]:
                ws = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
                ws.write_message(json.dumps({"command": "hello", "protocols": [
                    "http://livereload.com/protocols/official-7"]}))
                await ws.read_message()
                ws.write_message(json.dumps({"command": "info", "url": f"http://127.0.0.1:{port}/",
                                             "plugins": {"statusdocs": {"shown": 0}}}))
                await asyncio.sleep(3)  # the first lint may ask for a reload: let it pass
                await drain(ws, 0.5)
                times = []
                for i in range(args.edits):
                    started = time.perf_counter()
                    _write_edit(entry, original, f"live {i}")
                    while True:  # bounded: a reload comes within 60 s, or the benchmark fails
                        message = await asyncio.wait_for(ws.read_message(), 60)
                        assert message is not None, "".join(log[-20:])
                        if json.loads(message).get("command") == "reload":
                            break
                    times.append(time.perf_counter() - started)
                    await asyncio.sleep(2.5)  # the lint after the build may reload again; let it pass
                    await drain(ws, 0.2)
                ws.close()
                return times

            times = asyncio.run(measure())
            if os.environ.get("EDIT_LATENCY_LOG"):
                print("".join(log), file=sys.stderr)
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
    ms = sorted(t * 1000 for t in times)
    print(json.dumps({"mode": "edit to reload message (statusdocs serve)", "edits": len(ms),
                      "median_ms": round(statistics.median(ms), 1), "p90_ms": round(ms[int(0.9 * (len(ms) - 1))], 1),
                      "max_ms": round(ms[-1], 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
