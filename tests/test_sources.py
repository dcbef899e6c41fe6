"""Issue 24: every vendor, browser or dated claim has a source. Entries and comparisons list `sources`, prose
cites one as `[^id]`, the page shows a numbered Sources list the citations link to, and F005 reports a claim
without one at the cell's file:line:col."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import CONTENT, run_cli

NGINX_URL = "https://nginx.org/en/docs/http/ngx_http_rewrite_module.html#return"
SOURCE = (f"sources:\n  - id: test-nginx\n    title: nginx, ngx_http_rewrite_module, return\n    url: {NGINX_URL}\n"
          "    accessed: 2026-12-06\n    quote: The non-standard code 444 closes a connection without sending a "
          "response header.\n")


@pytest.fixture()
def small(tmp_path) -> Path:
    """The minimal starter site (404, 409, 412, 200 and 409-vs-412), whose content passes check --strict."""
    assert run_cli("init", str(tmp_path / "site"), "--minimal", "-q").returncode == 0
    return tmp_path / "site" / "content"


def _replace_cell(path: Path, field: str, text: str, extra: str = "") -> int:
    """Set a top-level prose field of a YAML file to `text` (a plain scalar on one line) and append `extra`
    (`sources` last in the file, as the bundled entries keep it); returns the line of the field."""
    lines = path.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{field}:"))
    end = start + 1
    while end < len(lines) and (lines[end].startswith(" ") or not lines[end].strip()):
        end += 1
    lines[start:end] = [f"{field}: {json.dumps(text)}\n"]
    if extra.startswith("sources:\n") and "sources:\n" in lines:  # the file lists sources already: add to them
        extra = extra.removeprefix("sources:\n")
    path.write_text("".join(lines) + extra)
    return start + 1


def _f005(result) -> list[tuple[str, int, int, str]]:
    return [(Path(d["path"]).name, d["line"], d["column"], d["field"]) for d in json.loads(result.stdout)
            if d["rule"] == "F005"]


def test_bundled_content_has_no_unsourced_claims():
    result = run_cli("check", "--content", str(CONTENT), "--select", "F005", "--format", "json")
    assert result.returncode == 0, result.stdout[:2000]


@pytest.mark.parametrize("text", [
    "nginx closes the connection after sending 444, and curl reports an empty reply.",
    "Since July 2026 the proxy answers such requests itself, so clients see this code more often.",
    "As of 2024, most clients treat it like any other error and show the body to the user.",
    "Nginx closes the connection after sending 444, and the client sees an empty reply.",
], ids=["vendor", "month and year", "as of year", "lower-case name capitalised"])
def test_f005_reports_an_unsourced_claim_at_its_cell(small, text):
    path = small / "codes" / "404.yaml"
    line = _replace_cell(path, "client_behavior", text)
    result = run_cli("check", "--content", str(small), "--select", "F005", "--format", "json")
    assert result.returncode == 1
    assert _f005(result) == [("404.yaml", line, 1, "client_behavior")]


def test_f005_passes_a_cited_claim_and_reports_an_unknown_citation(small):
    path = small / "codes" / "404.yaml"
    original = path.read_text()
    _replace_cell(path, "client_behavior", "nginx closes the connection after 444 [^test-nginx].", SOURCE)
    assert run_cli("check", "--content", str(small), "--select", "F005", "--strict").returncode == 0
    path.write_text(original)
    line = _replace_cell(path, "client_behavior", "nginx closes the connection after 444 [^test-nginx].")
    result = run_cli("check", "--content", str(small), "--select", "F005", "--format", "json")
    assert _f005(result) == [("404.yaml", line, 1, "client_behavior")]
    assert "[^test-nginx]" in json.loads(result.stdout)[0]["message"]


def test_f005_reports_a_source_id_listed_twice(small):
    path = small / "codes" / "404.yaml"
    _replace_cell(path, "client_behavior", "nginx closes the connection after 444 [^test-nginx].",
                  SOURCE + SOURCE.replace("sources:\n", ""))
    lines = path.read_text().splitlines()
    items = [(i, line) for i, line in enumerate(lines, 1) if line.startswith("  - id: ")]
    index, (second, _) = [(n, item) for n, item in enumerate(items) if item[1] == "  - id: test-nginx"][1]
    result = run_cli("check", "--content", str(small), "--select", "F005", "--format", "json")
    assert _f005(result) == [("404.yaml", second, 5, f"sources[{index}].id")]


class _Refs(HTMLParser):
    """A page's Sources list (item id -> the item's first link and its rel) and its citations (the targets of
    links inside <sup>), in page order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: dict[str, tuple[str, str]] = {}
        self.cites: list[str] = []
        self._item: str | None = None
        self._sup = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "li" and a.get("id", "").startswith("source-"):
            self._item = a["id"]
        elif tag == "sup":
            self._sup = True
        elif tag == "a" and self._sup:
            self.cites.append(a.get("href", ""))
        elif tag == "a" and self._item and self._item not in self.items:
            self.items[self._item] = (a.get("href", ""), a.get("rel", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self._item = None
        elif tag == "sup":
            self._sup = False


def parse(path: Path) -> _Refs:
    refs = _Refs()
    refs.feed(path.read_text())
    return refs


def test_citations_link_to_the_numbered_sources_list(small, tmp_path):
    _replace_cell(small / "codes" / "404.yaml", "client_behavior",
                  "nginx closes the connection after 444 [^test-nginx], and the client sees an empty reply.", SOURCE)
    # The comparison cites a source of its own; its 409 column shows 409's definition, which cites 409's source.
    _replace_cell(small / "comparisons" / "409-vs-412.yaml", "decision_rule",
                  "Answer 412 when a precondition header failed [^cmp-src]; answer 409 for any other clash with "
                  "the resource's current state.",
                  SOURCE.replace("test-nginx", "cmp-src").replace(NGINX_URL, "https://example.org/cmp"))
    _replace_cell(small / "codes" / "409.yaml", "definition",
                  "The request conflicts with the current state of the target resource [^def-src], and the "
                  "client may be able to resolve the conflict and resubmit.",
                  SOURCE.replace("test-nginx", "def-src").replace(NGINX_URL, "https://example.org/def"))
    out = tmp_path / "out"
    result = run_cli("build", "--content", str(small), "--out", str(out), "--strict")
    assert result.returncode == 0, result.stdout + result.stderr

    for page_path in (out / "404" / "index.html", out / "compare" / "409-vs-412" / "index.html"):
        page = parse(page_path)
        # Numbered 1..n, every off-site link rel=noopener, every citation leads to an item of the list.
        assert sorted(page.items) == [f"source-{n}" for n in range(1, len(page.items) + 1)]
        assert all(rel == "noopener" for _, rel in page.items.values())
        assert page.cites and all(c.removeprefix("#") in page.items for c in page.cites)
        assert "[^" not in page_path.read_text()

    def number_of(page, url: str) -> int:
        return next(int(k.removeprefix("source-")) for k, (href, _) in page.items.items() if href == url)

    page = parse(out / "404" / "index.html")
    n = number_of(page, NGINX_URL)
    html = (out / "404" / "index.html").read_text()
    assert re.search(rf'after 444 <sup class="cite"><a href="#source-{n}"[^>]*>\[{n}\]</a></sup>', html)

    page = parse(out / "compare" / "409-vs-412" / "index.html")
    html = (out / "compare" / "409-vs-412" / "index.html").read_text()
    own, entrys = number_of(page, "https://example.org/cmp"), number_of(page, "https://example.org/def")
    assert own != entrys
    assert re.search(rf'failed <sup class="cite"><a href="#source-{own}"[^>]*>\[{own}\]</a></sup>', html)
    assert re.search(rf'resource <sup class="cite"><a href="#source-{entrys}"[^>]*>\[{entrys}\]</a></sup>', html)
    # The API keeps the marker and the list, for programs that resolve them themselves.
    data = json.loads((out / "api" / "404.json").read_text())
    assert NGINX_URL in [src["url"] for src in data["sources"]] and "[^test-nginx]" in data["client_behavior"]


def test_a_document_cited_by_the_comparison_and_an_entry_is_listed_once(small, tmp_path):
    shared = "https://example.org/shared"
    _replace_cell(small / "comparisons" / "409-vs-412.yaml", "decision_rule",
                  "Answer 412 when a precondition header failed [^cmp-src]; answer 409 for any other clash with "
                  "the resource's current state.", SOURCE.replace("test-nginx", "cmp-src").replace(NGINX_URL, shared))
    _replace_cell(small / "codes" / "409.yaml", "definition",
                  "The request conflicts with the current state of the target resource [^def-src], and the "
                  "client may be able to resolve the conflict and resubmit.",
                  SOURCE.replace("test-nginx", "def-src").replace(NGINX_URL, shared))
    out = tmp_path / "out"
    assert run_cli("build", "--content", str(small), "--out", str(out), "--strict").returncode == 0
    page = parse(out / "compare" / "409-vs-412" / "index.html")
    numbers = [k for k, (href, _) in page.items.items() if href == shared]
    assert len(numbers) == 1
    html = (out / "compare" / "409-vs-412" / "index.html").read_text()
    n = numbers[0].removeprefix("source-")
    assert re.search(rf'failed <sup class="cite"><a href="#source-{n}"', html)
    assert re.search(rf'resource <sup class="cite"><a href="#source-{n}"', html)


def test_the_guide_shows_a_grafted_note_without_its_citation(content_copy, tmp_path):
    """The guide grafts in 404-vs-410's decision, whose note may cite the comparison's sources: the guide has no
    Sources list, so the marker is dropped there, and linked on the comparison's own page."""
    path = content_copy / "comparisons" / "404-vs-410.yaml"
    text = path.read_text()
    old = "an unmatched route does not count."
    assert old in text and "\nsources:\n" not in text
    path.write_text(text.replace(old, "an unmatched route does not count [^guide-src].", 1).rstrip("\n") + "\n"
                    + SOURCE.replace("test-nginx", "guide-src"))
    out = tmp_path / "out"
    result = run_cli("build", "--content", str(content_copy), "--out", str(out), "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    guide = (out / "guide" / "index.html").read_text()
    assert "an unmatched route does not count." in guide and "[^guide-src]" not in guide
    page = parse(out / "compare" / "404-vs-410" / "index.html")
    assert "#source-1" in page.cites and page.items["source-1"][0] == NGINX_URL
