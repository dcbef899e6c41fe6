"""CPU that an idle `statusdocs serve` takes (issue 23's target: under 2% of a core at 5,000 files).

    python3 bench/serve_idle.py [--content bench/corpus/5000] [--settle 45] [--seconds 30]

Starts `statusdocs serve` on loopback, waits until it serves and `--settle` seconds more (its first lint runs in
a process of its own meanwhile), then reads the server process's CPU time (utime + stime, /proc/PID/stat) over
`--seconds` with nothing changing, and prints it as a share of one core. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14 and 15


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", default=os.path.join(HERE, "corpus", "5000"))
    parser.add_argument("--settle", type=float, default=45.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    if not os.path.isdir(args.content):
        print(f"no folder {args.content}: make it with bench/make_corpus.py", file=sys.stderr)
        return 2
    cmd = [sys.executable, "-m", "statusdocs", "serve", "--content", args.content,
           "--templates", os.path.join(ROOT, "templates"), "--host", "127.0.0.1", "--port", str(free_port())]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 600
        for line in proc.stdout:  # bounded: the server prints a line per build, then "serving"
            if line.startswith("serving") or time.monotonic() > deadline:
                break
        # Keep reading what it prints: a full pipe would stop it, and it would look idle.
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        time.sleep(args.settle)
        before, started = cpu_seconds(proc.pid), time.monotonic()
        time.sleep(args.seconds)
        used, wall = cpu_seconds(proc.pid) - before, time.monotonic() - started
        print(f"idle serve, {args.content}: {100 * used / wall:.2f}% of a core over {wall:.0f} s")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
