"""The check file by file (`build/checking.py`): a build after an edit runs the rules of scope "file" only on the
files that changed and keeps the other files' findings, and finds exactly what a full check finds.

Each rule's declared scope is proved, not trusted: the bundled content is edited one file at a time with every
rule's bad example (so findings appear, and V005's only once a third file repeats a sentence), then restored one
file at a time; after each step the findings kept and found again are compared with a full check. A rule declared
"file" that reads other files fails it (the test shows it does, for V005 declared so), and so does one that reports
outside the files it is given.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import CONTENT, TEMPLATES, run_cli
from test_rule_examples import RUNNABLE, _load, _merge, _writes

from statusdocs.build import pipeline
from statusdocs.build.cache import digest
from statusdocs.build.checking import check, sources
from statusdocs.checks import prefilter, registry
from statusdocs.checks.registry import load_rules, run_rules
from statusdocs.content.load import load_content
from statusdocs.diagnostics import Report

RULES = load_rules()


def _steps(rules: list[str] = RUNNABLE) -> list[tuple[str, dict]]:
    """Every bad example of a rule of `rules` run over the model, one file per step."""
    return [write for rule in rules if RULES[rule].func is not None for write in _writes(RULES[rule].bad)]


def _state(folder: Path):
    content = load_content(str(folder), Report())
    assert content is not None
    hashes = {s: digest(Path(s).read_bytes()) for s in sources(content) if Path(s).is_file()}
    return content, hashes


def _replay(folder: Path, rules: list[str] = RUNNABLE) -> list[str]:
    """Edit the content one file at a time (with the bad examples of `rules`), then restore it one file at a time;
    after each step, the findings of the check file by file (from the step before's record) against a full
    check's. The steps where they differ."""
    content, hashes = _state(folder)
    found, kept = check(content, hashes, None)
    assert found == run_rules(content)
    originals: dict[Path, str] = {}
    wrong, seen = [], 0
    edits = [(folder / name, data) for name, data in _steps(rules)]
    for i, (path, data) in enumerate(edits + [(path, None) for path in reversed(list(dict.fromkeys(
            p for p, _ in edits)))]):
        originals.setdefault(path, path.read_text(encoding="utf-8"))
        text = originals[path] if data is None else \
            yaml.safe_dump(_merge(_load(path.read_text(encoding="utf-8")), data), sort_keys=False, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        content, hashes = _state(folder)
        full = run_rules(content)
        found, kept = check(content, hashes, kept)
        seen += len(full)
        if found != full:
            wrong.append(f"step {i} ({path.name}): {len(found)} findings, a full check {len(full)}")
    assert seen > 100 if rules == RUNNABLE else seen > 0  # the steps did make findings
    return wrong


@pytest.fixture()
def folder(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def test_file_by_file_finds_what_a_full_check_finds_edit_after_edit(folder):
    assert _replay(folder) == []


def test_a_rule_that_reads_other_files_declared_file_would_be_caught(folder, monkeypatch):
    """V005 (a sentence repeated in three files) declared "file": the replay finds the difference, when the third
    file repeats a sentence and the other two's findings were kept, or the runner refuses the findings V005 makes
    in those two while checking the third. V005's own bad example is replayed (it repeats a sentence in three
    files); the other rules' steps, which the full replay above runs, are not needed to show it."""
    monkeypatch.setitem(registry.RULES, "V005", dataclasses.replace(RULES["V005"], scope="file"))
    try:
        wrong = _replay(folder, ["V005"])
    except AssertionError as refused:  # or the runner refuses it: V005 reported in a file it was not given
        assert "'V005'" in str(refused)
        return
    assert wrong != []


def test_a_rule_that_reports_outside_its_files_is_refused(folder, monkeypatch):
    """A rule declared "file" whose body iterates every entry, not the run's (`Run.entries`)."""
    def every_entry(run):
        for entry in run.content.entries.values():
            yield registry.Diagnostic("F003", "error", entry.loc("code"), "x", field="code", codes=(entry.code,))

    monkeypatch.setitem(registry.RULES, "F003", dataclasses.replace(RULES["F003"], func=every_entry))
    content, _ = _state(folder)
    one = next(iter(content.entries.values())).source
    with pytest.raises(AssertionError):
        run_rules(content, scope="file", files=[one])


def test_each_file_alone_finds_what_the_whole_site_finds(folder):
    """Every rule of scope "file" run on groups of files finds, together, what it finds over the whole site, on
    the bundled content with every bad example written (a rule that missed files, or reported in others, fails)."""
    for name, data in _steps():
        path = folder / name
        path.write_text(yaml.safe_dump(_merge(_load(path.read_text(encoding="utf-8")), data), sort_keys=False,
                                       allow_unicode=True), encoding="utf-8")
    content, _ = _state(folder)
    whole = run_rules(content, scope="file")
    assert len(whole) > 20
    files = sources(content)
    parts = [run_rules(content, scope="file", files=files[k::3]) for k in range(3)]
    assert sorted(map(repr, whole)) == sorted(repr(d) for part in parts for d in part)


def _printed(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if ": error " in line or ": warning " in line]


def test_cached_builds_report_what_statusdocs_check_reports(folder, tmp_path):
    """Builds with the cache after edits, an added and a deleted file, introducing and removing findings of both
    scopes (V003 in one file, V005 across three), each against a fresh `statusdocs check`."""
    out = str(tmp_path / "site")

    def build_and_check() -> list[str]:
        built = run_cli("build", "--content", str(folder), "--templates", str(TEMPLATES), "--out", out)
        checked = run_cli("check", "--content", str(folder))
        assert built.returncode == checked.returncode, (built.stderr, checked.stdout)
        assert _printed(built.stdout + built.stderr) == _printed(checked.stdout), built.stderr
        return _printed(checked.stdout)

    assert build_and_check() == []
    entry = folder / "codes" / "412.yaml"
    original = entry.read_text(encoding="utf-8")
    entry.write_text(re.sub(r"^summary: .*$", "summary: TBD", original, count=1, flags=re.M), encoding="utf-8")
    assert any(" V003 " in line for line in build_and_check())
    entry.write_text(original, encoding="utf-8")
    repeated = "Returning this code for the wrong reason breaks client expectations and the monitoring."
    third = folder / "comparisons" / "409-vs-423.yaml"
    for path in (folder / "codes" / "410.yaml", folder / "codes" / "412.yaml", third):
        data = _load(path.read_text(encoding="utf-8"))
        if path == third:
            data["summary"] = f"{data['summary']} {repeated}"
        else:
            data["mistakes"] = [*data.get("mistakes", []), repeated]
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        assert any(" V005 " in line for line in build_and_check()) == (path == third)
    saved = third.read_bytes()
    third.unlink()  # deleted: the V005 findings go with the third file
    assert not any(" V005 " in line for line in build_and_check())
    third.write_bytes(saved)  # added again
    assert any(" V005 " in line for line in build_and_check())


def test_a_build_after_an_edit_checks_only_the_edited_file_by_the_file_rules(folder, tmp_path, monkeypatch):
    """The second build's check runs the rules of scope "file" on the edited file only, and reads the sentences
    of no other file: V005 takes the others' sentence records from the last build."""
    args = (str(folder), str(TEMPLATES), str(tmp_path / "site"))
    assert pipeline.build(*args, jobs=1, search=False).ok
    runs: list[object] = []
    read: set[str] = set()  # the files whose cells the check scanned or split into sentences
    real, make_index, records = registry.check_rules, registry.Run.make_index, prefilter.sentence_records

    def spying(*a, **kw):
        runs.append((kw.get("scope"), sorted(kw["files"]) if kw.get("files") is not None else None))
        return real(*a, **kw)

    def indexing(run, *a, **kw):
        read.update(cell.owner.source for cell in run.cells)
        return make_index(run, *a, **kw)

    def splitting(content, cells, *a, **kw):
        read.update(cell.owner.source for cell in cells)
        return records(content, cells, *a, **kw)

    monkeypatch.setattr(registry, "check_rules", spying)
    monkeypatch.setattr(registry.Run, "make_index", indexing)
    monkeypatch.setattr(prefilter, "sentence_records", splitting)
    entry = folder / "codes" / "412.yaml"
    entry.write_text(entry.read_text(encoding="utf-8").replace("\nsummary: ", "\nsummary: Edited. ", 1),
                     encoding="utf-8")
    result = pipeline.build(*args, jobs=1, search=False)
    assert result.ok and result.rendered
    assert runs == [("file", [str(entry)]), ("site", None)]
    assert read == {str(entry)}
    assert result.diagnostics == []
