"""The build as a user sees it: run the CLI, open the produced files, follow the links."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
import yaml
from conftest import CONTENT, TEMPLATES, run_cli
from sitecheck import crawl, parse, tree_bytes


def codes_in_content() -> list[int]:
    return sorted(int(p.stem) for p in (CONTENT / "codes").glob("*.yaml"))


def comparisons_in_content() -> list[str]:
    return sorted(p.stem for p in (CONTENT / "comparisons").glob("*.yaml"))


def test_every_page_type_exists(built_site):
    codes = codes_in_content()
    assert codes, "the bundled content has entries"
    for code in codes:
        page = parse(built_site / str(code) / "index.html")
        assert page.title.startswith(f"{code} "), page.title
        assert (built_site / "api" / f"{code}.json").is_file()
    for slug in comparisons_in_content():
        assert (built_site / "compare" / slug / "index.html").is_file()
    for klass in sorted({f"{c // 100}xx" for c in codes}):
        assert (built_site / klass / "index.html").is_file()
    for name in ("index.html", "compare/index.html", "404.html", "sitemap.xml", "robots.txt", "api/codes.json",
                 ".nojekyll"):
        assert (built_site / name).is_file(), name
    for md in (CONTENT / "pages").glob("*.md"):
        assert (built_site / md.stem / "index.html").is_file()


def test_code_page_shows_the_entry(built_site):
    entry = yaml.safe_load((CONTENT / "codes" / "412.yaml").read_text())
    page = parse(built_site / "412" / "index.html")
    text = " ".join(" ".join(page.text).split())
    assert entry["name"] in text
    for section in ("Quick reference", "Definition", "When to use it", "When not to use it", "What clients do",
                    "Caching", "Retrying", "Typical scenarios", "Examples", "Common mistakes", "FAQ",
                    "Constants in libraries", "Related codes", "Comparisons"):
        assert section in text, section
    for constant in entry["constants"].values():
        assert constant in text
    for faq in entry["faq"]:
        assert " ".join(faq["question"].split()) in text
    hrefs = {href for _, href in page.links}
    for code in entry["related"]:
        assert f"../{code}/" in hrefs
    assert "../compare/409-vs-412/" in hrefs
    assert "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.13" in hrefs


def test_comparison_page_has_generated_and_own_rows(built_site):
    pair = yaml.safe_load((CONTENT / "comparisons" / "409-vs-412.yaml").read_text())
    page = parse(built_site / "compare" / "409-vs-412" / "index.html")
    text = " ".join(" ".join(page.text).split())
    for aspect in ("Definition", "When to use", "Client behaviour", "Caching", "Safe to retry", "Defined in",
                   "Typical scenarios", "Headers"):
        assert aspect in text
    for row in pair["rows"]:
        assert row["aspect"] in text
    assert "Which one?" in text and "Decision between 409 and 412" in text


_BLOCKS = {"div", "p", "pre", "ul", "ol", "li", "table", "tr", "td", "th", "br", "blockquote", "h4"}


class _FaqParser(HTMLParser):
    """The JSON-LD of a page, and its FAQ section as a reader sees it: (question, answer text) pairs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.jsonld = ""
        self.faq: list[list[str]] = []
        self._in: str | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("type") == "application/ld+json":
            self._in = "jsonld"
        elif tag == "section" and a.get("id") == "faq":
            self._in = "faq"
        elif self._in == "faq" and tag == "h3":
            self.faq.append(["", ""])
            self._depth = 0
        elif self._in == "faq" and self.faq and (tag == "div" or self._depth):
            self._depth += tag == "div"
            if tag in _BLOCKS:
                self.faq[-1][1] += " "  # where a reader sees a break, not inside a line (links, code)

    def handle_endtag(self, tag):
        if tag in ("script", "section"):
            self._in = None
        elif tag == "div" and self._depth:
            self._depth -= 1

    def handle_data(self, data):
        if self._in == "jsonld":
            self.jsonld += data
        elif self._in == "faq" and self.faq:
            self.faq[-1][1 if self._depth else 0] += data


def test_structured_data_says_what_the_page_says(built_site):
    """FAQPage answers are the answers' text as shown (no tags, no Markdown), descriptions hold no Markdown."""
    pages = [p for p in built_site.rglob("index.html") if "<section id=\"faq\">" in p.read_text()]
    assert len(pages) > 50
    for path in pages:
        parser = _FaqParser()
        parser.feed(path.read_text())
        data = json.loads(parser.jsonld)
        assert data["@type"] == "FAQPage", path
        shown = [(" ".join(q.split()), " ".join(a.split())) for q, a in parser.faq]
        said = [(q["name"], q["acceptedAnswer"]["text"]) for q in data["mainEntity"]]
        assert said == shown, path
    for path in built_site.rglob("index.html"):
        description = parse(str(path)).meta.get("description", "")
        assert "`" not in description and "](" not in description and "<" not in description, path
    for path in (built_site / "compare").glob("*/index.html"):  # whole sentences, or words and an ellipsis
        page = parse(str(path))
        description, shown = page.meta["description"], "".join("".join(page.text).split())
        assert 40 <= len(description) <= 160 and description[-1] in ".!?\u2026", (path, description)
        assert "".join(description.rstrip("\u2026").split()) in shown, path  # words as the page shows them


def test_crawl_from_index_reaches_every_page_without_broken_links(built_site):
    reached, broken = crawl(str(built_site), "https://statusdocs.github.io/statusdocs/")
    assert broken == []
    html_files = {str(p) for p in built_site.rglob("*.html") if p.name != "404.html"}
    assert html_files - reached == set()


def test_links_work_under_a_sub_path(tmp_path):
    base = "https://example.github.io/some/project/"
    out = tmp_path / "site"
    result = run_cli("build", "--content", str(CONTENT), "--templates", str(TEMPLATES), "--out", str(out),
                     "--base-url", base)
    assert result.returncode == 0, result.stderr
    reached, broken = crawl(str(out), base)
    assert broken == []
    assert len(reached) > len(codes_in_content())
    # No root-absolute links anywhere but the 404 page, which is served at arbitrary depths.
    for page in out.rglob("*.html"):
        hrefs = [h for _, h in parse(page).links]
        bad = [h for h in hrefs
               if h.startswith("/") and not (page.name == "404.html" and h.startswith("/some/project/"))]
        assert bad == [], (page, bad)
    canonical = parse(out / "412" / "index.html")
    assert f'{base}412/' in (out / "412" / "index.html").read_text()
    assert canonical.title
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    locs = [el.text for el in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"{base}412/" in locs and base in locs
    assert all(loc.startswith(base) for loc in locs)


def test_json_api(built_site):
    all_codes = json.loads((built_site / "api" / "codes.json").read_text())
    assert [e["code"] for e in all_codes] == codes_in_content()
    one = json.loads((built_site / "api" / "412.json").read_text())
    assert one["name"] == "Precondition Failed" and one["spec"]["section"] == "15.5.13"
    assert one["cacheable"]["default"] is False


def test_two_builds_are_byte_identical_and_end_with_the_summary_line(tmp_path):
    """Two builds (`python -m statusdocs`, as run_cli runs it) into two folders write the same bytes, and each
    ends with its summary line."""
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        result = run_cli("build", "--content", str(CONTENT), "--templates", str(TEMPLATES), "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert re.search(r"^wrote \d+ pages to .* in \d+ ms$", result.stdout.strip().splitlines()[-1])
        outs.append(tree_bytes(str(out)))
    assert outs[0] == outs[1]
    assert len(outs[0]) > 20


def test_prose_html_is_escaped_not_executed(built_site, content_copy, tmp_path):
    entry_path = content_copy / "codes" / "409.yaml"
    data = yaml.safe_load(entry_path.read_text())
    data["definition"] += "\n\n<script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror=alert(3)>"
    entry_path.write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp_path / "site"
    result = run_cli("build", "--content", str(content_copy), "--templates", str(TEMPLATES), "--out", str(out))
    assert result.returncode == 0, result.stderr
    html = (out / "409" / "index.html").read_text()
    assert "<script>" not in html and "javascript:" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("kind", ["entry", "comparison", "site", "page"])
def test_schema_command_prints_json_schema(kind):
    result = run_cli("schema", kind)
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["type"] == "object" and schema["required"]
    if kind == "entry":
        assert set(schema["properties"]["constants"]["properties"]) >= {"python", "go", "rails", "httpcomponents"}
        assert "code" in schema["required"] and "ignore" not in schema["required"]


def test_new_scaffolds_an_entry_that_the_checker_rejects_until_written(content_copy):
    (content_copy / "codes" / "409.yaml").unlink()
    result = run_cli("new", "409", "--content", str(content_copy))
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((content_copy / "codes" / "409.yaml").read_text())
    assert data["name"] == "Conflict" and data["spec"] == {"document": "RFC 9110", "section": "15.5.10"}
    assert data["constants"]["go"] == "http.StatusConflict"
    assert run_cli("new", "409", "--content", str(content_copy)).returncode == 1
    check = run_cli("check", "--content", str(content_copy))
    assert check.returncode == 1 and "409.yaml" in check.stdout


def test_usage_errors_exit_2():
    assert run_cli("build", "--base-url", "not a url").returncode == 2
    assert run_cli("frobnicate").returncode == 2
