"""Every rule's documented bad and good example (`@rule`, shown by `statusdocs rules`) run as a fixture.

An example is YAML for one file of the bundled content: `code: N` names the entry (412 if not given), `codes:
[a, b]` the comparison a-vs-b (409-vs-412 for comparison fields if not given). Its keys replace the file's, a
mapping's keys and a list's items merge over the file's own (so an example shows only the fields it is about),
and `...` keeps the file's value. "(and the same sentence with A, B, ...)" writes the example to those entries
too, with the code replaced. The bad example must make the rule fire, at a field the example writes (the exact
cell: `examples[1].response`, not `examples`), and no other rule fire there; the good example must not make it
fire.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import CONTENT

from statusdocs.checks import check_content
from statusdocs.checks.registry import load_rules
from statusdocs.content.load import load_content
from statusdocs.diagnostics import Report

# Rules whose examples are not content of one file: a file name, two files, a symlink, a template.
NOT_CONTENT = {"S005": "a whole file with fields left out, where the examples show only some fields of one",
               "S006": "file names", "S007": "two files", "S008": "a comparison's codes against the entries",
               "S009": "a symlink", "S010": "a page's file name", "T001": "a template", "T002": "a template folder"}
ALSO = re.compile(r"\s*\(and the same sentence with ([\d, .]+)\)\s*$")
COMPARISON_FIELDS = {"decision_rule", "decision", "rows", "cases"}
# A documented example may describe what it stands for in words when it cannot be shown in full.
SPELLED_OUT = {"![![![![![ ... (a thousand unclosed brackets)": "![open " * 1000}
RULES = load_rules()


class _Yaml(yaml.SafeLoader):
    """Reads a content file as statusdocs does: `yes` and `no` (decision branches) are text, not booleans."""

    yaml_implicit_resolvers: dict = {}


_Yaml.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                            list("tTfF"))
_Yaml.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_Yaml.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


def _load(text: str) -> object:
    return yaml.load(text, Loader=_Yaml)  # noqa: S506 - a safe loader
RUNNABLE = sorted(r for r in RULES if r not in NOT_CONTENT)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("examples") / "content"
    shutil.copytree(CONTENT, target)
    return target


def _merge(old: object, new: object) -> object:
    if new == "...":
        return old
    if isinstance(old, dict) and isinstance(new, dict):
        return {**old, **{k: _merge(old.get(k), v) for k, v in new.items()}}
    if isinstance(old, list) and isinstance(new, list):
        return [_merge(old[i] if i < len(old) else None, item) for i, item in enumerate(new)]
    return new


def _spelled_out(text: str) -> str:
    for short, full in SPELLED_OUT.items():
        text = text.replace(short, full)
    return text


def _writes(example: str) -> list[tuple[str, dict]]:
    """The files an example writes (relative to the content folder) and what it writes to each."""
    also = ALSO.search(example)
    data = _load(_spelled_out(ALSO.sub("", example)))
    assert isinstance(data, dict), example
    if "codes" in data or COMPARISON_FIELDS & set(data):
        a, b = data.pop("codes", [409, 412])
        return [(f"comparisons/{a}-vs-{b}.yaml", data)]
    code = data.pop("code", 412)
    out = [(f"codes/{code}.yaml", data)]
    if also:
        said = re.search(r"\b[1-5]\d\d\b", example)
        assert said, example
        for other in re.findall(r"\d{3}", also.group(1)):
            text = ALSO.sub("", example).replace(said.group(0), other)
            out.append((f"codes/{other}.yaml", _load(text)))
        out[0] = (f"codes/{said.group(0)}.yaml", data)
    return out


def _leaves(data: object, path: str = "") -> list[str]:
    """The field paths of the values an example writes (`cacheable.note`, `examples[1].response`), without
    those it keeps (`...`)."""
    if isinstance(data, dict):
        return [leaf for k, v in data.items() for leaf in _leaves(v, f"{path}.{k}" if path else str(k))]
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        return [leaf for i, item in enumerate(data) for leaf in _leaves(item, f"{path}[{i}]")]
    return [] if data == "..." else [path]


TOP_KEY = re.compile(r"^([A-Za-z_]+):", re.M)


def _as_text(original: str, example: str) -> tuple[str, set[str]]:
    """For the loader's rules, whose examples are not always YAML that loads: the file without the top-level
    keys the example writes, then the example's text."""
    keys = set(TOP_KEY.findall(example))
    kept, skipping = [], False
    for line in original.splitlines(keepends=True):
        top = TOP_KEY.match(line)
        if top or not line[:1].isspace():
            skipping = bool(top) and top.group(1) in keys
        if not skipping:
            kept.append(line)
    return "".join(kept) + example + "\n", keys


def _findings_at(folder: Path, example: str, rule: str | None = None, loader: bool = False) \
        -> list[tuple[str, str, str]]:
    """Write the example, check the content, and restore the files: (file, field, rule) of the findings at the
    fields the example writes. `loader`: written as text (see _as_text) to the file of code 412."""
    saved: dict[Path, str] = {}
    written: set[tuple[str, str]] = set()
    report = Report()
    try:
        for name, data in [("codes/412.yaml", {})] if loader else _writes(example):
            path = folder / name
            saved[path] = path.read_text(encoding="utf-8")
            if loader:
                text, keys = _as_text(saved[path], example)
                path.write_text(text, encoding="utf-8")
                written |= {(str(path), key) for key in keys} | {(str(path), "")}
                continue
            merged = _merge(_load(saved[path]), data)
            path.write_text(yaml.safe_dump(merged, sort_keys=False, allow_unicode=True), encoding="utf-8")
            written |= {(str(path), leaf) for leaf in _leaves(data)}
        content = load_content(str(folder), report)
        if content is not None:
            report.extend(check_content(content, {rule} if rule else None))
    finally:
        for path, text in saved.items():
            path.write_text(text, encoding="utf-8")

    def at(path: str, field: str) -> bool:
        # At a written value, inside it, or at the object holding written fields (`spec` for `spec.section`),
        # but not at a list when an item is written (`examples` for `examples[1].response`).
        return any(path == p and (field == k or field.startswith((k + ".", k + "[")) or k.startswith(field + "."))
                   for p, k in written)
    return [(d.loc.path, d.field, d.rule) for d in report.items if at(d.loc.path, d.field)]


@pytest.mark.parametrize("rule_id", RUNNABLE)
def test_bad_example_fires_the_rule_there_and_no_other(folder, rule_id):
    doc = RULES[rule_id]
    found = _findings_at(folder, doc.bad, loader=doc.func is None)
    assert {r for _, _, r in found} == {rule_id}, (doc.bad, found)


@pytest.mark.parametrize("rule_id", RUNNABLE)
def test_good_example_does_not_fire_the_rule(folder, rule_id):
    doc = RULES[rule_id]
    found = _findings_at(folder, doc.good, None if doc.func is None else rule_id, loader=doc.func is None)
    assert [f for f in found if f[2] == rule_id] == [], doc.good


def test_every_rule_has_an_example_run_or_a_reason():
    assert set(RULES) == set(RUNNABLE) | set(NOT_CONTENT)
    assert all(RULES[r].func is None for r in NOT_CONTENT)  # the loader's and the renderer's own


def test_each_module_of_the_rules_folder_registers_its_own_rules():
    """A family is a module in checks/rules/: importing the folder imports it, and its rules register themselves
    (no list to edit), each rule in the module of its family and in id order there."""
    import pkgutil

    from statusdocs.checks import rules as family_package

    modules = {f"{family_package.__name__}.{m.name}" for m in pkgutil.iter_modules(family_package.__path__)}
    assert modules == {r.func.__module__ for r in RULES.values() if r.func is not None}
    for module in modules:
        ids = [r.id for r in RULES.values() if r.func is not None and r.func.__module__ == module]
        assert ids == sorted(ids), module
        assert len({i[0] for i in ids}) == 1 or module.endswith(".structure"), module
