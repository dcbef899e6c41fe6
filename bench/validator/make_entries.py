"""Turn the labelled corpus (bench/validator/corpus/*.yaml) into statusdocs content folders.

Each labelled cell is checked in context: it replaces one cell of a real entry or comparison of the bundled
content (the entry of the code the cell is about, or the comparison it names), and everything else stays as
the bundled content has it, which the validator passes with zero findings. A content folder can hold one
entry per code, so cells aimed at the same file go into different folders ("shards"); a shard is a full copy
of the bundled content with at most one replaced cell per file. `run.py` checks every shard and attributes
each finding to the cell at its path and field.

The corpus format (one YAML file per source):

    source: {title: ..., url: ...}          # the page the cells were read on
    cells:
      - id: zalando-429-1                   # unique across the corpus
        url: https://...#section            # optional: the exact page or section, when not source.url
        section: "6.1"                      # optional
        codes: [429]                        # the code(s) the text is about
        target: codes/429                   # optional: codes/N or comparisons/A-vs-B (default codes/<codes[0]>)
        field: when_to_use                  # definition, scenarios[0], cacheable.note, faq[0].answer, rows[1].left...
        text: "..."                         # the source's words as written (kind: real), briefly
        label: sound                        # sound | vague | contradictory | wrong
        reason: "..."                       # why; for wrong, the primary source sentence it contradicts
        kind: real                          # real (default) | patched (a real sentence put in another code's cell)
        expect: [C]                         # optional: the rule families that ought to report it

Usage: python bench/validator/make_entries.py [--content content] [--out bench/validator/out] [--limit N]
"""
from __future__ import annotations

import argparse
import copy
import re
import shutil
import sys
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = HERE / "corpus"

LABELS = ("sound", "vague", "contradictory", "wrong")
PROBLEMS = LABELS[1:]
KINDS = ("real", "patched")
FAMILIES = ("S", "V", "C", "F")
CELL_KEYS = {"id", "url", "section", "codes", "target", "field", "text", "label", "reason", "kind", "expect"}
REQUIRED = ("id", "codes", "field", "text", "label", "reason")
# Prose fields that are Markdown and so may carry a [^id] citation of the cell's source.
_PLAIN_FIELDS = re.compile(r"^(summary|name|headers\[\d+\]\.name|rows\[\d+\]\.aspect|faq\[\d+\]\.question)$")
_STEP = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")
SOURCE_ID = "src"


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans only: a decision's `yes:`/`no:` keys stay strings, as statusdocs reads them."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


class CorpusError(Exception):
    """The corpus file breaks the format above; the message names the file and the cell."""


@dataclass
class Cell:
    id: str
    file: str                  # the corpus file it comes from
    source_title: str
    url: str
    codes: list[int]
    target: str                # codes/409 or comparisons/409-vs-412
    field: str
    text: str
    label: str
    reason: str
    kind: str = "real"
    section: str = ""
    expect: list[str] = dc_field(default_factory=list)

    @property
    def problem(self) -> bool:
        return self.label != "sound"


def _fault(raw: dict[str, Any], url: Any) -> str:
    """What is wrong with a cell's keys and values, or ''."""
    unknown = set(raw) - CELL_KEYS
    missing = [key for key in REQUIRED if raw.get(key) in (None, "", [])]
    codes = raw.get("codes")
    expect = raw.get("expect", [])
    faults = [
        (bool(unknown), f"unknown keys {sorted(unknown)}"),
        (bool(missing), f"missing {', '.join(missing)}"),
        (not isinstance(url, str) or not re.match(r"^https?://\S+$", url), "no source URL"),
        (raw.get("label") not in LABELS, f"label must be one of {LABELS}"),
        (raw.get("kind", "real") not in KINDS, f"kind must be one of {KINDS}"),
        (not isinstance(codes, list) or not all(isinstance(c, int) and 100 <= c <= 599 for c in codes),
         "codes must be a list of status codes"),
        (not isinstance(expect, list) or any(f not in FAMILIES for f in expect),
         f"expect must list rule families {FAMILIES}"),
        (not isinstance(raw.get("text"), str) or not isinstance(raw.get("reason"), str),
         "text and reason must be strings"),
    ]
    return next((message for bad, message in faults if bad), "")


def _cell(raw: Any, path: Path, source: dict[str, Any], n: int) -> Cell:
    if not isinstance(raw, dict):
        raise CorpusError(f"{path.name}: cell {n}: not a mapping")
    where = f"{path.name}: {raw.get('id', f'cell {n}')}"
    url = raw.get("url") or source.get("url")
    fault = _fault(raw, url)
    if fault:
        raise CorpusError(f"{where}: {fault}")
    target = raw.get("target") or f"codes/{raw['codes'][0]}"
    if not re.match(r"^(codes/[1-5]\d\d|comparisons/[1-5]\d\d-vs-[1-5]\d\d)$", target):
        raise CorpusError(f"{where}: target must be codes/N or comparisons/A-vs-B")
    return Cell(id=str(raw["id"]), file=path.name, source_title=str(source.get("title", "")), url=str(url),
                codes=raw["codes"], target=target, field=str(raw["field"]), text=raw["text"].strip(),
                label=raw["label"], reason=raw["reason"], kind=raw.get("kind", "real"),
                section=str(raw.get("section", "")), expect=raw.get("expect", []))


def load_corpus(folder: Path = CORPUS) -> list[Cell]:
    """Every cell of every corpus file, validated; raises CorpusError on the first fault."""
    cells: list[Cell] = []
    ids: set[str] = set()
    for path in sorted(folder.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(doc, dict) or not isinstance(doc.get("cells"), list):
            raise CorpusError(f"{path.name}: needs a `cells:` list")
        source = doc.get("source") or {}
        if not isinstance(source, dict):
            raise CorpusError(f"{path.name}: `source` must be a mapping")
        for n, raw in enumerate(doc["cells"]):
            cell = _cell(raw, path, source, n)
            if cell.id in ids:
                raise CorpusError(f"{path.name}: duplicate id {cell.id}")
            ids.add(cell.id)
            cells.append(cell)
    return cells


def _set(doc: dict[str, Any], dotted: str, value: str) -> None:
    """Replace the cell at `dotted` (definition, scenarios[2], faq[0].answer, rows[1].left, cacheable.note)."""
    steps = dotted.split(".")
    node: Any = doc
    for i, step in enumerate(steps):
        m = _STEP.fullmatch(step)
        if not m:
            raise CorpusError(f"bad field path {dotted!r}")
        name, index = m.group(1), m.group(2)
        last = i == len(steps) - 1
        if index is None:
            if last:
                if name not in node:
                    raise CorpusError(f"field {dotted!r} does not exist in the template")
                node[name] = value
                return
            node = node[name]
            continue
        items = node.get(name)
        if not isinstance(items, list) or int(index) >= len(items):
            raise CorpusError(f"field {dotted!r} does not exist in the template")
        if last:
            items[int(index)] = value
            return
        node = items[int(index)]


def apply(doc: dict[str, Any], cell: Cell, cite: bool = False) -> dict[str, Any]:
    """The template document with the cell put in place; with `cite`, followed by [^src] naming the page it was
    read on (Markdown fields only), as a writer does where the house rule asks for a source (F005)."""
    doc = copy.deepcopy(doc)
    text = cell.text
    if cite and not _PLAIN_FIELDS.match(cell.field):
        text = f"{text} [^{SOURCE_ID}]"
        sources = [s for s in doc.get("sources", []) if s.get("id") != SOURCE_ID]
        sources.append({"id": SOURCE_ID, "title": cell.source_title or cell.url, "url": cell.url})
        doc["sources"] = sources
    _set(doc, cell.field, text)
    # A reviewed exception of the template must not hide a finding on the cell that replaced the reviewed one.
    ignores = [i for i in doc.get("ignore", []) if not (i.get("field") == cell.field
                                                         or str(i.get("field", "")).startswith(cell.field + "."))]
    if ignores:
        doc["ignore"] = ignores
    else:
        doc.pop("ignore", None)
    return doc


def _sentences(text: str) -> set[str]:
    """The cell's sentences with codes and parenthesised names masked, as the boilerplate rule compares them."""
    masked = re.sub(r"\([^)]*\)", "", re.sub(r"\b[1-5]\d\d\b", "N", text.lower()))
    return {" ".join(s.split()) for s in re.split(r"(?<=[.;:!?])\s+", masked) if len(s.split()) >= 4}


def shard_cells(cells: list[Cell]) -> list[list[Cell]]:
    """Cells in shards: no two cells of one shard aim at the same file, and no masked sentence occurs in more than
    two cells of a shard. A source that says the same thing of several codes ("A 404 response is heuristically
    cacheable") would otherwise put that sentence in three files of one folder, where the boilerplate rule (V005)
    would judge the corpus's arrangement rather than the cell."""
    shards: list[list[Cell]] = []
    used: list[set[str]] = []
    seen: list[dict[str, int]] = []
    for cell in cells:
        keys = _sentences(cell.text)
        for shard, targets, counts in zip(shards, used, seen, strict=True):  # noqa: B007 (the loop picks the shard)
            if cell.target not in targets and all(counts.get(k, 0) < 2 for k in keys):
                break
        else:
            shard, targets, counts = [], set(), {}
            shards.append(shard)
            used.append(targets)
            seen.append(counts)
        shard.append(cell)
        targets.add(cell.target)
        for k in keys:
            counts[k] = counts.get(k, 0) + 1
    return shards


def load_templates(cells: list[Cell], content: Path) -> dict[str, dict[str, Any]]:
    """The bundled entry or comparison each cell goes into, by target (codes/409, comparisons/409-vs-412)."""
    templates: dict[str, dict[str, Any]] = {}
    for cell in cells:
        if cell.target not in templates:
            path = content / f"{cell.target}.yaml"
            if not path.is_file():
                raise CorpusError(f"{cell.file}: {cell.id}: no template {path}")
            templates[cell.target] = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    return templates


def build(cells: list[Cell], content: Path, out: Path, cited: frozenset[str] = frozenset()
          ) -> list[tuple[Path, list[Cell]]]:
    """Write one content folder per shard under `out`, the cells whose ids are in `cited` with a citation of their
    source; returns each folder with its cells."""
    templates = load_templates(cells, content)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    result = []
    for n, shard in enumerate(shard_cells(cells)):
        folder = out / f"shard-{n:02d}"
        shutil.copytree(content, folder)
        for cell in shard:
            doc = apply(templates[cell.target], cell, cell.id in cited)
            (folder / f"{cell.target}.yaml").write_text(
                yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100000), encoding="utf-8")
        result.append((folder, shard))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=ROOT / "content", help="the template content folder")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--limit", type=int, default=0, help="only the first N cells (a quick slice)")
    args = parser.parse_args(argv)
    try:
        cells = load_corpus(args.corpus)
        if args.limit:
            cells = cells[:args.limit]
        shards = build(cells, args.content, args.out)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{len(cells)} cells in {len(shards)} content folders under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
