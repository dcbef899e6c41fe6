"""Headless Chromium from Debian, driven by Playwright, and a `statusdocs serve` process for tests."""

from __future__ import annotations

import functools
import http.server
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def launch(playwright):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: install Debian's chromium (.ci/run does)")
        pytest.skip("Debian chromium is not installed: apt-get install chromium chromium-driver")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


class StaticServer:
    """A plain static file server on loopback for a built site (Pages serves files the same way)."""

    def __init__(self, root: Path):
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class ServeProcess:
    """`statusdocs serve` in a subprocess; its output is collected line by line as it comes."""

    def __init__(self, workdir: Path, *args: str, new_session: bool = False):
        """`new_session`: in a process group of its own, as a command started in a terminal is, so that a test can
        send Ctrl-C's SIGINT to the whole group."""
        self.port = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "statusdocs", "serve", "--port", str(self.port), *args],
                                     cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     env=env, start_new_session=new_session)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.url = self.wait_for(r"serving (http://\S+)", 60).group(1)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 10, start: int = 0) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[start:]:
                m = re.search(pattern, line)
                if m:
                    return m
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited with {self.proc.returncode}:\n" + "\n".join(self.lines))
            time.sleep(0.02)
        raise AssertionError(f"no line matching {pattern!r} within {timeout} s:\n" + "\n".join(self.lines))

    def count(self, pattern: str) -> int:
        return sum(1 for line in self.lines if re.search(pattern, line))

    def get(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        url = f"http://127.0.0.1:{self.port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=10) as res:  # noqa: S310 - loopback only
                return res.status, res.read(), dict(res.headers)
        except urllib.error.HTTPError as err:
            return err.code, err.read(), dict(err.headers)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(10)  # the last lines may still be in the pipe when the process has exited
        return self.proc.returncode


# ---------------------------------------------------------------- child processes, through /proc (Linux)

def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command's name: state, ppid, ..., start time at [19]."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def descendants(pid: int) -> set[tuple[int, str]]:
    """Every living process below `pid`, as (pid, start time): a pid alone could be reused once it has gone."""
    children: dict[int, list[tuple[int, str]]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None and fields[0] != "Z":
                children.setdefault(int(fields[1]), []).append((int(entry), fields[19]))
    found: set[tuple[int, str]] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child[0])
    return found


def still_running(procs: set[tuple[int, str]], within: float) -> set[tuple[int, str]]:
    """Those of `procs` still running after waiting up to `within` seconds for them to end (a zombie has)."""
    deadline = time.monotonic() + within
    while True:
        left = set()
        for pid, started in procs:
            fields = _stat(pid)
            if fields is not None and fields[0] != "Z" and fields[19] == started:
                left.add((pid, started))
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.02)


def served_under_base(site: Path, tmp_path_factory) -> Iterator[str]:
    """The site at /statusdocs/ on a local static server, as GitHub Pages serves a project site: its URL."""
    root = tmp_path_factory.mktemp("pages")
    (root / "statusdocs").symlink_to(site, target_is_directory=True)
    server = StaticServer(root)
    yield server.url + "statusdocs/"
    server.close()


def chromium() -> Iterator:
    """Debian's Chromium through Playwright, for a module's tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()
