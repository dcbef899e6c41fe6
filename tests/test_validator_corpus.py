"""The validator benchmark's labelled corpus (bench/validator/) stays usable: every cell keeps its source, label and
reason, fits a real template cell, and the benchmark attributes findings to the cells that caused them."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench" / "validator"
HELD_OUT = ("developer.mozilla.org", "httpstatuses.com", "know-your-http-well")


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


make_entries = _load("make_entries")


@pytest.fixture(scope="module")
def cells():
    return make_entries.load_corpus()


def test_every_cell_has_source_label_and_reason(cells):
    assert len({c.id for c in cells}) == len(cells)
    assert sum(c.kind == "real" for c in cells) >= 300
    for c in cells:
        assert c.url.startswith(("http://", "https://")), c.id
        assert c.label in make_entries.LABELS, c.id
        assert c.reason.strip() and c.text.strip(), c.id
        assert not any(h in c.url for h in HELD_OUT), f"{c.id}: the held-out set stays out of the corpus"
    assert {c.label for c in cells} == set(make_entries.LABELS)


def test_every_cell_fits_its_template(cells):
    """Each cell's field exists in the bundled entry or comparison it goes into (the converter refuses otherwise)."""
    templates = make_entries.load_templates(cells, ROOT / "content")
    for c in cells:
        doc = make_entries.apply(templates[c.target], c, cite=True)
        assert c.text in str(_get(doc, c.field)), c.id


def test_the_converter_writes_a_slice(cells, tmp_path):
    """A slice of the corpus, an entry's and a comparison's cells, written as content folders: one changed cell per
    file and folder, half of them citing their source."""
    slice_ = cells[::30] + [next(c for c in cells if c.target.startswith("comparisons/"))]
    shards = make_entries.build(slice_, ROOT / "content", tmp_path / "out", frozenset(c.id for c in slice_[::2]))
    placed = 0
    for folder, shard in shards:
        assert len({c.target for c in shard}) == len(shard)
        for c in shard:
            doc = yaml.safe_load((folder / f"{c.target}.yaml").read_text(encoding="utf-8"))
            assert c.text in str(_get(doc, c.field)), c.id
            placed += 1
    assert placed == len(slice_)


def _get(doc, dotted: str):
    node = doc
    for step in dotted.split("."):
        name, _, index = step.partition("[")
        node = node[name]
        if index:
            node = node[int(index.rstrip("]"))]
    return node


def test_a_cell_without_a_source_is_refused(tmp_path):
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump({"source": {"title": "t"}, "cells": [
        {"id": "x-1", "codes": [404], "field": "definition", "text": "Gone.", "label": "vague", "reason": "r"}]}))
    with pytest.raises(make_entries.CorpusError, match="x-1: no source URL"):
        make_entries.load_corpus(tmp_path)


def test_benchmark_attributes_findings_to_cells(tmp_path):
    """A labelled contradiction the validator documents as bad is counted caught; a sound RFC sentence is not a
    false positive, nor is a sound vendor sentence (checked with its source cited); RESULTS.md says so, with the
    command."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "slice.yaml").write_text(yaml.safe_dump({"source": {"title": "slice", "url": "https://example.org/"},
                                                       "cells": [
        {"id": "bad-cache", "codes": [412], "field": "cacheable.note", "label": "contradictory",
         "text": "412 responses are heuristically cacheable.", "reason": "C001's documented bad example",
         "expect": ["C"]},
        {"id": "rfc-412", "codes": [412], "field": "definition", "label": "sound",
         "url": "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.13",
         "text": "The 412 (Precondition Failed) status code indicates that one or more conditions given in the "
                 "request header fields evaluated to false when tested on the server.",
         "reason": "RFC 9110 section 15.5.13"},
        {"id": "vendor-405", "codes": [405], "field": "scenarios[0]", "label": "sound",
         "url": "https://docs.djangoproject.com/en/stable/ref/request-response/",
         "text": "Django's HttpResponseNotAllowed takes the list of permitted methods and sends them in Allow.",
         "reason": "Django's documentation; checked with its source cited, as F005 asks"}]}))
    results = tmp_path / "RESULTS.md"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, str(BENCH / "run.py"), "--corpus", str(corpus), "--out",
                           str(tmp_path / "out"), "--results", str(results)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stderr
    text = results.read_text()
    assert "| 3 | 1 | 2 | 100% (1/1) | 100% (1/1) | 0 |" in text
    assert "| C | 1 | 100% (1/1) |" in text
    assert "--corpus" in text
