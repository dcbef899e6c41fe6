"""The preview under load: concurrent clients on loopback while an entry is edited and rebuilt repeatedly.
Every response is the whole old page or the whole new one, never a 5xx, never a file outside the site."""

from __future__ import annotations

import http.client
import re
import shutil
import threading
import time
from pathlib import Path

import pytest

from tests.browser import ServeProcess
from tests.conftest import CONTENT, TEMPLATES

CLIENTS = 50
SECONDS = 10
MAX_REQUESTS_PER_CLIENT = 2000
PATHS = ["409/", "", "compare/409-vs-412/", "4xx/", "api/409.json", "static/style.css"]
TRAVERSAL = ["../../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd", "..%2f..%2fsecret.txt", "/etc/passwd"]


@pytest.mark.slow
def test_fifty_clients_while_editing(tmp_path: Path):
    shutil.copytree(CONTENT, tmp_path / "content")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    (tmp_path / "secret.txt").write_text("must never be served")
    server = ServeProcess(tmp_path)
    entry = tmp_path / "content" / "codes" / "409.yaml"
    original = entry.read_text()
    written: list[int] = [-1]   # versions of the summary written so far (-1: the original)
    stop = time.monotonic() + SECONDS
    lock = threading.Lock()
    stats = {"requests": 0, "ok": 0, "not_found": 0}
    failures: list[str] = []

    def edit() -> None:
        version = 0
        while time.monotonic() < stop:
            text = re.sub(r"^summary: .*$", f"summary: Load test version {version} of the conflict summary text.",
                          original, count=1, flags=re.M)
            written.append(version)
            entry.write_text(text)
            version += 1
            time.sleep(0.25)

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
        for i in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= stop:
                break
            path = "/statusdocs/" + (TRAVERSAL[i % len(TRAVERSAL)] if (i + n) % 25 == 0 else PATHS[i % len(PATHS)])
            try:
                conn.request("GET", path)
                res = conn.getresponse()
                body = res.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
                with lock:
                    failures.append(f"{path}: {exc!r}")
                continue
            problem = _check(path, res.status, body, written)
            with lock:
                stats["requests"] += 1
                stats["ok" if res.status == 200 else "not_found"] += 1
                if problem:
                    failures.append(problem)
        conn.close()

    threads = [threading.Thread(target=edit)] + [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(SECONDS + 30)
    rebuilds = server.count(r"rebuilt \d+ page")
    code = server.stop()
    print(f"\nserve under load: {stats['requests']} requests from {CLIENTS} clients in {SECONDS} s "
          f"({stats['ok']} x 200, {stats['not_found']} x 404), {len(written) - 1} edits, {rebuilds} builds, "
          f"{len(failures)} failures")
    assert failures == [], failures[:10]
    assert stats["requests"] > CLIENTS * 5 and rebuilds >= 3
    assert code == 0


def _check(path: str, status: int, body: bytes, written: list[int]) -> str | None:
    if any(t in path for t in ("etc/passwd", "secret")):
        if status != 404 or b"must never be served" in body or b"root:" in body:
            return f"{path}: traversal answered {status}"
        return None
    if status != 200:
        return f"{path}: status {status}"
    if path.endswith("409/"):
        if not body.rstrip().endswith(b"</html>"):
            return f"{path}: truncated page ({len(body)} bytes)"
        m = re.search(rb"Load test version (\d+) of", body)
        shown = int(m.group(1)) if m else -1
        if shown not in written:
            return f"{path}: shows version {shown}, which was never written"
    return None
