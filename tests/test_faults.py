"""Faults while writing the site: a build killed at any moment, a full disk, an output that cannot be
written, two builds at once. In every case site/ is the previous build or the new one, whole; never a mix."""

from __future__ import annotations

import functools
import itertools
import math
import os
import random
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import CONTENT, ROOT, TEMPLATES, budgeted, run_cli
from sitecheck import tree_bytes

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
STAGING = ".site.build-"  # write.staging_prefix("…/site")
# Trials of each kind, a time budget for each (seconds) and the floor it never goes below (conftest.budgeted)
ANY_MOMENT_TRIALS = (20, 6, 30)   # killed 0..(one build's time) after the start
WRITE_PHASE_TRIALS = (12, 4, 20)  # killed 0..(the write phase's time) after the staging folder appears
ERROR_LINE = r"error: cannot write the site: {reason}; the previous site is unchanged"


class Run(NamedTuple):
    returncode: int       # -SIGKILL when the kill landed before the build ended
    seconds: float        # start to exit
    staged: float | None  # start to the moment its staging folder was seen (None: never)
    stderr: str


def watch_build(cmd: list[str], parent: Path, kill_after: float = math.inf, from_staging: bool = False) -> Run:
    """Run a build, looking every millisecond for its staging folder in `parent`; SIGKILL it `kill_after`
    seconds after its start, or after its staging folder appeared (`from_staging`)."""
    with tempfile.TemporaryFile() as err:  # not a pipe: nobody reads it while we poll, and a full pipe blocks
        proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=err)
        mine = f"{STAGING}{proc.pid}-"
        started = time.monotonic()
        staged = None
        try:
            while proc.poll() is None and time.monotonic() - started < 120:
                now = time.monotonic()
                if staged is None and any(n.startswith(mine) for n in os.listdir(parent)):
                    staged = now - started
                origin = None if from_staging and staged is None else started + (staged if from_staging else 0)
                if origin is not None and now - origin >= kill_after:
                    proc.kill()  # a no-op if it has just exited: the return code says which happened
                    break
                time.sleep(0.001)
            proc.wait(timeout=60)  # reaped, so output.py sees its pid as dead
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err.seek(0)
        return Run(proc.returncode, time.monotonic() - started, staged, err.read().decode())


class Sites:
    """Snapshots of the templates and two versions of the content: "a" as bundled, "b" edited (new
    description on every page, one more page), with their complete builds (`ref`, `tree`), the wall time
    of one build and of its write phase. Snapshots, so the references stay valid while the tree is edited."""

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copytree(TEMPLATES, root / "templates")
        shutil.copytree(CONTENT, root / "content-a")
        edited = root / "content-b"
        shutil.copytree(CONTENT, edited)
        site_yaml = edited / "site.yaml"
        site_yaml.write_text(site_yaml.read_text().replace("HTTP status codes explained",
                                                           "HTTP status codes, explained"))
        about = (edited / "pages/about.md").read_text()
        (edited / "pages/notes.md").write_text(about.replace("title: About statusdocs", "title: Notes on statusdocs"))
        self.ref = {v: root / f"ref-{v}" / "site" for v in "ab"}  # named site/, as STAGING expects
        self.tree: dict[str, dict[str, bytes]] = {}
        self.seconds = self.write_seconds = 0.0
        for v in "ab":
            self.ref[v].parent.mkdir()
            run = watch_build(self.cmd(v, self.ref[v]), self.ref[v].parent)
            assert run.returncode == 0 and run.staged is not None, run.stderr
            self.seconds = max(self.seconds, run.seconds)
            self.write_seconds = max(self.write_seconds, run.seconds - run.staged)
            self.tree[v] = tree_bytes(str(self.ref[v]))
        a, b = self.tree["a"], self.tree["b"]
        assert set(b) - set(a) and a["index.html"] != b["index.html"]

    def cmd(self, version: str, out: Path) -> list[str]:
        return [sys.executable, "-m", "statusdocs", "build", "--content", str(self.root / f"content-{version}"),
                "--templates", str(self.root / "templates"), "--out", str(out), "--no-search"]  # pages only


def staging_left(parent: Path) -> list[str]:
    return sorted(n for n in os.listdir(parent) if n.startswith(STAGING))


def assert_clean_failure(result: subprocess.CompletedProcess, line: str) -> None:
    """Exit 1 and exactly one line on stderr, naming the path and the reason; no traceback."""
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert re.fullmatch(line, result.stderr.strip()), result.stderr


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> Sites:
    return Sites(tmp_path_factory.mktemp("faults"))


def test_sigkill_at_any_moment_leaves_old_or_new_site_whole(sites, tmp_path):
    out = tmp_path / "site"
    shutil.copytree(sites.ref["a"], out)  # the previous good build
    rng = random.Random(9)
    now = "a"
    counts = {kind: {"trials": 0, "mid-build": 0, "in write phase": 0, "left old": 0, "left new": 0, "finished": 0}
              for kind in ("any moment", "write phase")}
    kinds = itertools.chain(("any moment" for _ in budgeted(*ANY_MOMENT_TRIALS)),
                            ("write phase" for _ in budgeted(*WRITE_PHASE_TRIALS)))
    for trial, kind in enumerate(kinds):
        target = "b" if now == "a" else "a"
        if kind == "any moment":
            run = watch_build(sites.cmd(target, out), tmp_path, rng.uniform(0, sites.seconds))
        else:
            run = watch_build(sites.cmd(target, out), tmp_path, rng.uniform(0, sites.write_seconds), from_staging=True)
        assert run.returncode in (0, -signal.SIGKILL), run.stderr
        got = tree_bytes(str(out))
        assert got in (sites.tree[now], sites.tree[target]), \
            f"trial {trial} ({kind}): site/ is neither the previous build nor the new one"
        c = counts[kind]
        c["trials"] += 1
        if run.returncode == 0:
            c["finished"] += 1
            assert got == sites.tree[target]
        else:
            c["mid-build"] += 1
            c["in write phase"] += run.staged is not None
            c["left old"] += got == sites.tree[now]
            c["left new"] += got == sites.tree[target]
        if got == sites.tree[target]:
            now = target
    assert counts["any moment"]["trials"] >= ANY_MOMENT_TRIALS[1] and counts["write phase"]["trials"] >= \
        WRITE_PHASE_TRIALS[1], counts
    print(f"\nSIGKILL trials (build {sites.seconds:.2f} s, write phase {sites.write_seconds:.3f} s):")
    for kind, c in counts.items():
        print(f"  killed at {kind}: " + ", ".join(f"{k} {v}" for k, v in c.items()))

    # What killed builds left behind, plus a planted folder of a dead pid, is cleared by the next build;
    # the staging folder of a live build (this process stands in for one) is not touched.
    dead = subprocess.Popen([sys.executable, "-c", ""])
    dead.wait()
    planted = tmp_path / f"{STAGING}{dead.pid}-planted_"  # as a build leaves it: mkdtemp's 8 characters, the marker
    planted.mkdir()
    (planted / ".statusdocs-site").write_bytes(b"")
    (planted / "index.html").write_text("half")
    live = tmp_path / f"{STAGING}{os.getpid()}-live"
    live.mkdir()
    target = "b" if now == "a" else "a"
    result = subprocess.run(sites.cmd(target, out), env=ENV, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert tree_bytes(str(out)) == sites.tree[target]
    assert staging_left(tmp_path) == [live.name]


def _limit_file_size(limit: int):
    def preexec() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # so a write past the limit fails with EFBIG, not a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return preexec


def test_file_size_limit_fails_cleanly_and_keeps_site(sites, tmp_path):
    out = tmp_path / "site"
    shutil.copytree(sites.ref["a"], out)
    sizes = sorted((len(data), rel) for rel, data in sites.tree["b"].items())
    (largest, name), (second, _) = sizes[-1], sizes[-2]
    assert largest > second  # so the limit stops exactly one file, and the message must name it
    result = subprocess.run(sites.cmd("b", out), env=ENV, capture_output=True, text=True,
                            timeout=120, preexec_fn=_limit_file_size(largest - 1))
    assert_clean_failure(result, re.escape(f"{out}/{name}: ") + ERROR_LINE.format(reason="File too large"))
    assert tree_bytes(str(out)) == sites.tree["a"]
    assert staging_left(tmp_path) == []


@functools.cache
def namespace_prefix() -> list[str] | None:
    """A private mount namespace, so tmpfs mounts vanish with the process and no other process sees them."""
    if not shutil.which("unshare"):
        return None
    base = ["unshare", "--mount", "--propagation", "private"]
    for prefix in (base, ["unshare", "--user", "--map-root-user", "--mount", "--propagation", "private"]):
        probe = subprocess.run([*prefix, "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"], capture_output=True)
        if probe.returncode == 0:
            return prefix
    return None


def run_on_tmpfs(sites: Sites, tmp_path: Path, size: str, read_only: bool = False):
    """Copy site "a" to site/ on a fresh tmpfs of `size` (then made read-only if asked), build "b" there, and
    copy the tmpfs's whole contents (site/, any staging folder) to tmp_path/res. Returns the build's result,
    the mount point and res."""
    prefix = namespace_prefix()
    if prefix is None:
        pytest.skip("no private mount namespace here (unshare/mount not permitted)")
    mnt, res = tmp_path / "mnt", tmp_path / "res"
    mnt.mkdir()
    res.mkdir()
    q = shlex.quote
    script = (f"mount -t tmpfs -o size={size} tmpfs {q(str(mnt))}"
              f" && cp -a {q(str(sites.ref['a']))} {q(str(mnt / 'site'))}"
              f"{' && mount -o remount,ro ' + q(str(mnt)) if read_only else ''} || exit 99\n"
              f"{shlex.join(sites.cmd('b', mnt / 'site'))}; rc=$?\n"
              f"cp -a {q(str(mnt))}/. {q(str(res))}/ && exit $rc")
    result = subprocess.run([*prefix, "sh", "-c", script], env=ENV, capture_output=True, text=True, timeout=120)
    assert result.returncode != 99, result.stderr
    return result, mnt, res


def _disk_kib(folder: Path) -> int:
    return sum(p.lstat().st_blocks * 512 for p in folder.rglob("*")) // 1024


def test_full_disk_fails_cleanly_and_keeps_site(sites, tmp_path):
    # A disk that holds the old site but not a second copy of it in the staging folder
    result, mnt, res = run_on_tmpfs(sites, tmp_path, f"{_disk_kib(sites.ref['a']) * 3 // 2}k")
    assert_clean_failure(result, re.escape(f"{mnt}/site/") + r"\S+: " +
                         ERROR_LINE.format(reason="No space left on device"))
    assert tree_bytes(str(res / "site")) == sites.tree["a"]
    assert staging_left(res) == []
    assert sorted(os.listdir(res)) == ["site"]  # nor the build cache's Markdown, which kept the disk full


def test_read_only_mount_fails_cleanly_and_keeps_site(sites, tmp_path):
    result, mnt, res = run_on_tmpfs(sites, tmp_path, "16m", read_only=True)
    assert_clean_failure(result, re.escape(f"{mnt}: ") + ERROR_LINE.format(reason="Read-only file system"))
    assert tree_bytes(str(res / "site")) == sites.tree["a"]


def test_output_below_a_regular_file_fails_cleanly(tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a folder\n")
    result = run_cli("build", "--out", str(blocker / "site"))
    assert_clean_failure(result, re.escape(f"{blocker}: ") + ERROR_LINE.format(reason="Not a directory"))
    assert blocker.read_text() == "not a folder\n"


def test_unwritable_parent_fails_cleanly_and_keeps_site(sites, tmp_path):
    """Root ignores permission bits, not the immutable attribute; anyone else gets a read-only folder."""
    parent = tmp_path / "locked"
    parent.mkdir()
    shutil.copytree(sites.ref["a"], parent / "site")
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(parent)], capture_output=True).returncode != 0:
            pytest.skip("chattr +i is not supported on this file system")
        unlock, reason = ["chattr", "-i", str(parent)], "Operation not permitted"
    else:
        parent.chmod(0o555)
        unlock, reason = ["chmod", "755", str(parent)], "Permission denied"
    try:
        result = subprocess.run(sites.cmd("b", parent / "site"), env=ENV, capture_output=True,
                                text=True, timeout=120)
    finally:
        subprocess.run(unlock, check=True)
    assert_clean_failure(result, re.escape(f"{parent}: ") + ERROR_LINE.format(reason=reason))
    assert tree_bytes(str(parent / "site")) == sites.tree["a"]


@pytest.mark.parametrize("previous", ["no site yet", "previous site"])
def test_two_builds_at_once_leave_a_clean_site(sites, tmp_path, previous):
    out = tmp_path / "site"
    if previous == "previous site":
        shutil.copytree(sites.ref["a"], out)
    procs = [subprocess.Popen(sites.cmd("b", out), env=ENV, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = []
    try:
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            results.append((proc.returncode, err))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert all(rc == 0 for rc, _ in results) or sorted(rc for rc, _ in results) == [0, 1], results
    for rc, err in results:
        assert "Traceback" not in err, err
        if rc == 1:
            assert re.fullmatch(r"\S+: " + ERROR_LINE.format(reason=r"[^;\n]+"), err.strip()), err
    assert tree_bytes(str(out)) == sites.tree["b"]
    assert staging_left(tmp_path) == []
