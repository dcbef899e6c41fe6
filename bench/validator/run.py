"""Validator benchmark: precision and recall of `statusdocs check` on the labelled real-world corpus.

    python bench/validator/run.py [--python PYTHON] [--out bench/validator/out] [--results bench/validator/RESULTS.md]

make_entries.py puts every labelled cell into a copy of the bundled content (see its docstring); this script
runs `python -m statusdocs check --format json` once per shard (a shard holds many cells; shards run side by
side) and scores the findings:

- a finding is on a cell when it is in the cell's file and its `field` is the cell's field or inside it;
- a problem cell (vague, contradictory, wrong) is caught when at least one finding is on it;
- any finding on a sound cell is a false positive; so is a finding on a file a cell changed but at another
  field (listed as "off-cell"; it is counted against the family, not against a cell).

Precision and recall are counted per cell: recall = caught problem cells / problem cells; precision = caught
problem cells / (caught problem cells + sound cells with a finding). Per rule family, a cell counts for the
family when a finding of that family is on it; the family's recall is over the problem cells whose `expect`
names it. Writes RESULTS.md (tables, misses, false positives) and out/results.json.

A cell that names a vendor or a date is checked with a citation of the page it was read on (a second run of
the shards that hold such cells), as a writer following the house rule (F005) would write it.
"""
from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_entries import CORPUS, FAMILIES, HERE, PROBLEMS, ROOT, Cell, build, load_corpus  # noqa: E402


@dataclass
class Scored:
    cell: Cell
    findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def families(self) -> set[str]:
        return {f["rule"][0] for f in self.findings}

    @property
    def flagged(self) -> bool:
        return bool(self.findings)


def on_cell(finding_field: str, cell_field: str) -> bool:
    """`scenarios[1]` is on `scenarios[1]`; `faq[0].answer` on `faq[0]`; `scenarios` (the whole list) is not."""
    return finding_field == cell_field or finding_field.startswith((cell_field + ".", cell_field + "["))


def check(python: str, folder: Path) -> list[dict[str, Any]]:
    proc = subprocess.run([python, "-m", "statusdocs", "check", "--content", str(folder), "--format", "json",
                           "--jobs", "1", "-q"], capture_output=True, text=True, timeout=600, cwd=ROOT)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"check failed on {folder} (exit {proc.returncode}):\n{proc.stderr}")
    try:
        return json.loads(proc.stdout or "[]")
    except json.JSONDecodeError as exc:
        raise SystemExit(f"check on {folder} printed no JSON: {exc}\n{proc.stdout[:2000]}\n{proc.stderr}") from exc


def score(shards: list[tuple[Path, list[Cell]]], results: list[list[dict[str, Any]]]
          ) -> tuple[list[Scored], list[dict[str, Any]]]:
    scored: list[Scored] = []
    off_cell: list[dict[str, Any]] = []
    for (folder, cells), findings in zip(shards, results, strict=True):
        by_file: dict[str, list[Scored]] = defaultdict(list)
        for cell in cells:
            s = Scored(cell)
            scored.append(s)
            by_file[str((folder / f"{cell.target}.yaml").resolve())].append(s)
        for finding in findings:
            path = str(Path(finding.get("path", "")).resolve())
            owners = by_file.get(path)
            if not owners:
                # A finding on a file no cell touched: the template itself or a side effect elsewhere.
                off_cell.append({**finding, "cell": None})
                continue
            hit = [s for s in owners if on_cell(str(finding.get("field") or ""), s.cell.field)]
            for s in hit:
                s.findings.append(finding)
            if not hit:
                off_cell.append({**finding, "cell": owners[0].cell.id})
    return scored, off_cell


def _unsourced(shards: list[tuple[Path, list[Cell]]], results: list[list[dict[str, Any]]]) -> frozenset[str]:
    """Cells that F005 asks to cite a source (they name a vendor or a date): a writer quoting them would."""
    scored, _ = score(shards, results)
    return frozenset(s.cell.id for s in scored if any(f["rule"] == "F005" for f in s.findings))


def measure(cells: list[Cell], args: argparse.Namespace
            ) -> tuple[list[tuple[Path, list[Cell]]], list[list[dict[str, Any]]]]:
    """Check every shard; then check again, with their source cited, the shards of cells that needed one. The
    corpus carries no citation of its own, because a [^id] adds words to every cell it is in."""
    def run(todo: list[tuple[Path, list[Cell]]]) -> list[list[dict[str, Any]]]:
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            return list(pool.map(lambda sh: check(args.python, sh[0]), todo))

    shards = build(cells, args.content, args.out)
    results = run(shards)
    cited = _unsourced(shards, results)
    if cited:
        shards = build(cells, args.content, args.out, cited)
        again = [n for n, (_, shard) in enumerate(shards) if any(c.id in cited for c in shard)]
        for n, found in zip(again, run([shards[n] for n in again]), strict=True):
            results[n] = found
    return shards, results


def ratio(num: int, den: int) -> str:
    return f"{100 * num / den:.0f}% ({num}/{den})" if den else "n/a"


def _overall(scored: list[Scored]) -> list[str]:
    problems = [s for s in scored if s.cell.problem]
    caught = sum(s.flagged for s in problems)
    fp = sum(s.flagged for s in scored if not s.cell.problem)
    return ["## Overall", "",
            "| cells | problem cells | sound cells | recall | precision | sound cells with a finding |",
            "|---|---|---|---|---|---|",
            f"| {len(scored)} | {len(problems)} | {len(scored) - len(problems)} | {ratio(caught, len(problems))} "
            f"| {ratio(caught, caught + fp)} | {fp} |", ""]


def _per_label(scored: list[Scored]) -> list[str]:
    lines = ["## Per label kind", "",
             "| label | cells | caught (recall) | of them real text | real text caught |", "|---|---|---|---|---|"]
    for label in PROBLEMS:
        group = [s for s in scored if s.cell.label == label]
        real = [s for s in group if s.cell.kind == "real"]
        lines.append(f"| {label} | {len(group)} | {ratio(sum(s.flagged for s in group), len(group))} "
                     f"| {len(real)} | {ratio(sum(s.flagged for s in real), len(real))} |")
    sound = [s for s in scored if not s.cell.problem]
    lines.append(f"| sound | {len(sound)} | false positives: {ratio(sum(s.flagged for s in sound), len(sound))} | "
                 f"{sum(s.cell.kind == 'real' for s in sound)} | |")
    return lines


def _per_family(scored: list[Scored], off_cell: list[dict[str, Any]]) -> list[str]:
    lines = ["", "## Per rule family", "",
             "Recall: problem cells the family reports, of those whose `expect` names it. Precision: problem cells "
             "it reports / all cells it reports. Off-cell: its findings in a changed file at a field no cell "
             "occupies.", "",
             "| family | expected | recall | cells reported | precision | off-cell findings |",
             "|---|---|---|---|---|---|"]
    for fam in FAMILIES:
        expected = [s for s in scored if s.cell.problem and fam in s.cell.expect]
        got = [s for s in scored if fam in s.families]
        good = sum(s.cell.problem for s in got)
        off = sum(1 for f in off_cell if f["rule"].startswith(fam))
        lines.append(f"| {fam} | {len(expected)} | {ratio(sum(fam in s.families for s in expected), len(expected))} "
                     f"| {len(got)} | {ratio(good, len(got))} | {off} |")
    return lines


def _per_rule(scored: list[Scored]) -> list[str]:
    rules: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for s in scored:
        for rule in {f["rule"] for f in s.findings}:
            rules[rule][0 if s.cell.problem else 1] += 1
    return (["", "## Per rule", "", "| rule | on problem cells | on sound cells |", "|---|---|---|"]
            + [f"| {r} | {a} | {b} |" for r, (a, b) in sorted(rules.items())])


def tables(scored: list[Scored], off_cell: list[dict[str, Any]]) -> list[str]:
    return _overall(scored) + _per_label(scored) + _per_family(scored, off_cell) + _per_rule(scored)


def _short(text: str, n: int = 140) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= n else text[:n - 1] + "…"


def details(scored: list[Scored], off_cell: list[dict[str, Any]]) -> list[str]:
    lines = ["", "## Misses (problem cells without a finding)", "",
             "| cell | label | code(s) | field | text | reason |", "|---|---|---|---|---|---|"]
    for s in scored:
        if s.cell.problem and not s.flagged:
            c = s.cell
            lines.append(f"| {c.id} | {c.label} | {', '.join(map(str, c.codes))} | {c.field} | {_short(c.text)} "
                         f"| {_short(c.reason, 160)} |")
    lines += ["", "## False positives (findings on sound cells)", "", "| cell | field | rules | message | text |",
              "|---|---|---|---|---|"]
    for s in scored:
        if not s.cell.problem and s.flagged:
            c = s.cell
            msg = "; ".join(sorted({_short(f["message"], 100) for f in s.findings}))
            rules = ", ".join(sorted({f["rule"] for f in s.findings}))
            lines.append(f"| {c.id} | {c.field} | {rules} | {msg} | {_short(c.text, 100)} |")
    lines += ["", "## Off-cell findings (in a changed file, at another field)", "",
              "| cell | rule | field | message |", "|---|---|---|---|"]
    for f in off_cell:
        lines.append(f"| {f['cell']} | {f['rule']} | {f.get('field')} | {_short(f['message'], 120)} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="the interpreter whose statusdocs is measured")
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    started = time.monotonic()
    cells = load_corpus(args.corpus)
    shards, results = measure(cells, args)
    scored, off_cell = score(shards, results)
    elapsed = time.monotonic() - started
    command = " ".join(["python bench/validator/run.py", *map(shlex.quote, sys.argv[1:] if argv is None else argv)])
    head = ["# Validator benchmark: the labelled real-world corpus", "",
            f"Produced by `{command}` ({len(cells)} cells from {len({c.file for c in cells})} corpus files, "
            f"{len(shards)} content folders, {elapsed:.0f} s). The corpus, its format and how a finding is "
            "attributed: `bench/validator/corpus/`, `make_entries.py` and `run.py`'s docstrings.", ""]
    body = tables(scored, off_cell)
    args.results.write_text("\n".join(head + body + details(scored, off_cell)) + "\n", encoding="utf-8")
    (args.out / "results.json").write_text(json.dumps(
        [{"id": s.cell.id, "label": s.cell.label, "kind": s.cell.kind, "expect": s.cell.expect,
          "findings": [{k: f.get(k) for k in ("rule", "field", "message")} for f in s.findings]} for s in scored]
        + [{"off_cell": off_cell}], indent=1), encoding="utf-8")
    print("\n".join(body))
    print(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
