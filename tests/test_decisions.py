"""Comparisons and the guide: structured decisions, their SVG diagrams and the guide's links, checked in
the built HTML and in headless Chromium (light and dark, phone and desktop, with screenshots)."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.browser import StaticServer, launch
from tests.conftest import CONTENT, run_cli, scaled
from tests.sitecheck import parse

COMPARISONS = sorted(p.stem for p in (CONTENT / "comparisons").glob("*.yaml"))
REQUIRED_PAIRS = ["400-vs-422", "401-vs-403", "403-vs-404", "404-vs-410", "409-vs-412", "409-vs-422", "412-vs-428",
                  "304-vs-412", "301-vs-302", "301-vs-308", "302-vs-303", "302-vs-307", "307-vs-308", "200-vs-201",
                  "200-vs-204", "201-vs-202", "405-vs-501", "406-vs-415", "413-vs-414", "408-vs-504", "429-vs-503",
                  "500-vs-502", "500-vs-503", "502-vs-504", "401-vs-407", "410-vs-451", "400-vs-409", "409-vs-423",
                  "425-vs-429", "204-vs-304"]


@settings(max_examples=scaled(1500, 150), deadline=None)  # conftest: a tenth in .ci/run's other stages
@given(st.lists(st.sampled_from(["a", "bb", "question", "If-Match", "x" * 30, " ", "  ", "\t", "\n", "\u00a0", "-",
                                 "é", "`"]), max_size=40), st.integers(min_value=1, max_value=40))
def test_diagram_wrapping_is_textwraps(pieces: list[str], width: int):
    from statusdocs.pages.diagram import wrap

    text = "".join(pieces)
    assert wrap(text, width) == textwrap.wrap(text, width, break_on_hyphens=False)


def _decisions(depth: int = 4):
    from statusdocs.content.model import Decision

    words = ["Is", "the", "If-Match", "header", "`ETag`", "stale?", "x" * 40, "<b>", "&", "100%", "%d"]
    text = st.lists(st.sampled_from(words), min_size=1, max_size=30).map(" ".join)
    leaf = st.one_of(st.integers(min_value=100, max_value=599), st.sampled_from(["409-vs-412", "a & b"]))
    if depth == 0:
        return leaf
    return st.one_of(leaf, st.builds(lambda q, yes, no: Decision(question=q, yes=yes, no=no), text,
                                     _decisions(depth - 1), _decisions(depth - 1)))


@settings(max_examples=scaled(300, 30), deadline=None)
@given(_decisions())
def test_diagram_whole_canvas_draws_as_the_general_one(decision):
    """_WholeCanvas (str() for coordinates below 10**6, each box's markup made once per text and column) draws
    what _Canvas draws with format "g" everywhere."""
    from statusdocs.pages.diagram import _box_form, _Canvas, _WholeCanvas

    def label(code: int) -> str:
        return f"{code} Some name that is rather long, 100% sure"

    _box_form.cache_clear()
    drawn = []
    for canvas in (_Canvas([], label), _WholeCanvas([], label), _WholeCanvas([], label)):  # the last from the cache
        drawn.append((canvas.node(decision, 1, 1), "".join(canvas.parts)))
    assert drawn[0] == drawn[1] == drawn[2]


def test_every_required_pair_has_a_comparison_file():
    assert sorted(set(REQUIRED_PAIRS) - set(COMPARISONS)) == []


def test_every_code_page_links_to_all_its_comparisons(built_site: Path):
    for slug in COMPARISONS:
        for code in slug.split("-vs-"):
            page = parse(built_site / code / "index.html")
            assert f"../compare/{slug}/" in {u for _, u in page.links}, (code, slug)


def test_comparison_pages_have_diagram_text_version_and_examples(built_site: Path):
    for slug in COMPARISONS:
        html = (built_site / "compare" / slug / "index.html").read_text()
        low, high = slug.split("-vs-")
        svg = re.search(r"<svg class=\"decision-diagram\".*?</svg>", html, re.S)
        assert svg, slug
        # Both of the pair's codes appear; any other answer is an exit the content file states (C012 checks it
        # has an entry), e.g. 204-vs-304's 200 for a validator that no longer matches.
        answers = set(re.findall(r'class="dg-leaf-t"><tspan[^>]*>(\d{3}) ', svg.group(0)))
        data = yaml.safe_load((CONTENT / "comparisons" / f"{slug}.yaml").read_text())

        def leaves(node) -> set[str]:
            # safe_load reads the keys yes/no as booleans (YAML 1.1)
            return leaves(node[True]) | leaves(node[False]) if isinstance(node, dict) else {str(node)}

        assert answers == leaves(data["decision"]) and {low, high} <= answers, (slug, answers)
        # A group of links named by its title: each answer that is a code links to that code's page.
        assert 'role="group" aria-labelledby="dg-title"' in svg.group(0) and '<title id="dg-title">' in svg.group(0)
        linked = set(re.findall(r'<a class="dg-link" href="\.\./\.\./(\d{3})/"><rect', svg.group(0)))
        assert linked == answers, (slug, linked)
        text = re.sub(r"<[^>]+>", "", html)  # the examples are highlighted: their text is split into tokens
        assert f'HTTP/1.1 {low} ' in text and f'HTTP/1.1 {high} ' in text  # both examples


def test_guide_leaves_all_link_to_existing_code_pages(built_site: Path):
    guide = CONTENT / "guide.yaml"
    assert guide.exists()
    page = parse(built_site / "guide" / "index.html")
    leaves = [u for _, u in page.links if re.fullmatch(r"\.\./\d{3}/", u)]
    assert len(leaves) >= 15
    for url in leaves:
        assert (built_site / "guide" / url / "index.html").resolve().is_file(), url
    via = [u for _, u in page.links if u.startswith("../compare/")]
    for url in via:
        assert (built_site / "guide" / url / "index.html").resolve().is_file(), url


def test_decision_leaves_outside_the_pair_are_findings(content_copy: Path):
    path = content_copy / "comparisons" / "409-vs-412.yaml"
    data = path.read_text()
    # A leaf outside the pair is an honest exit only when it is a code with an entry (204-vs-304's 200); 299 has none.
    bad = re.sub(r"(decision:\n(?:  .*\n)*?  yes: )412", r"\g<1>299", data, count=1)
    assert bad != data
    path.write_text(bad)
    result = run_cli("check", "--content", str(content_copy), "--select", "C012")
    assert result.returncode == 1
    assert re.search(r"409-vs-412\.yaml:\d+:\d+: error C012 decision\.yes ends in code 299, which has no entry",
                     result.stdout)
    assert "no answer of the decision leads to 412" in result.stdout


def test_decision_shape_errors_are_reported_with_position(content_copy: Path):
    path = content_copy / "comparisons" / "409-vs-412.yaml"
    text = path.read_text()
    start = text.index("decision:")
    end = text.index("\nrows:")
    path.write_text(text[:start] + "decision:\n  question: Is it a conflict\n  yes: [409]\n  no: 412" + text[end:])
    result = run_cli("check", "--content", str(content_copy))
    assert result.returncode == 1
    assert "question must be a yes/no question ending in '?'" in result.stdout
    assert re.search(r"decision\.yes must be a status code, a comparison such as 409-vs-412, or a further "
                     r"question, not a list", result.stdout)
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("levels", [12, 13, 14])
def test_decisions_nest_at_most_twelve_deep(content_copy: Path, levels: int):
    """Twelve questions, each the `yes` of the one before, load; a thirteenth is reported where it starts."""
    path = content_copy / "comparisons" / "409-vs-412.yaml"
    text = path.read_text()
    node = "412"
    for depth in range(levels, 0, -1):
        pad = "  " * depth
        node = f"\n{pad}question: Level {depth}?\n{pad}yes: {node if depth < levels else 412}\n{pad}no: 409"
    start, end = text.index("decision:"), text.index("\nrows:")
    path.write_text(text[:start] + "decision:" + node + text[end:])
    result = run_cli("check", "--content", str(content_copy))
    deep = [line for line in result.stdout.splitlines() if "decisions nest at most 12 questions deep" in line]
    if levels <= 12:
        assert deep == []
        return
    assert result.returncode == 1 and len(deep) == 1
    line = path.read_text().splitlines().index(f"{'  ' * 13}question: Level 13?") + 1
    assert re.match(rf".*409-vs-412\.yaml:{line}:\d+: error S004 ", deep[0]), deep


@pytest.fixture(scope="module")
def served(built_site: Path):
    server = StaticServer(built_site.parent)
    yield server.url + built_site.name + "/"
    server.close()


LAYOUT_CHECK = """() => {
  const svg = document.querySelector('svg.decision-diagram');
  const box = svg.getBoundingClientRect();
  const faults = [];
  if (box.width < 100 || box.height < 50) faults.push('diagram too small');
  if (box.right > document.documentElement.clientWidth + 1) faults.push('diagram wider than the page');
  for (const text of svg.querySelectorAll('text[class$="-t"]')) {
    const rect = text.previousElementSibling.getBoundingClientRect();
    const t = text.getBoundingClientRect();
    if (t.left < rect.left - 1 || t.right > rect.right + 1 || t.top < rect.top - 1 || t.bottom > rect.bottom + 1)
      faults.push('text outside its box: ' + text.textContent);
  }
  const fill = getComputedStyle(svg.querySelector('.dg-q-t')).fill;
  const bg = getComputedStyle(svg.querySelector('.dg-q')).fill;
  return {faults, fill, bg, scroll: document.documentElement.scrollWidth > document.documentElement.clientWidth};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_diagrams_render_in_chromium(served: str, scheme: str, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("STATUSDOCS_SCREENSHOTS", tmp_path))
    with sync_playwright() as p:
        browser = launch(p)
        for width in (375, 1280):
            page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
            for slug in COMPARISONS:
                page.goto(f"{served}compare/{slug}/")
                result = page.evaluate(LAYOUT_CHECK)
                assert result["faults"] == [] and not result["scroll"], (slug, width, result)
                assert result["fill"] != result["bg"]  # text readable against its box in this scheme
                if slug == "409-vs-412":
                    page.locator("figure.diagram").screenshot(path=str(shots / f"diagram-{scheme}-{width}.png"))
            page.close()
        browser.close()
    assert (shots / f"diagram-{scheme}-375.png").stat().st_size > 1000


@pytest.mark.browser
def test_guide_walk_with_the_keyboard_and_pair_picker(served: str):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(served + "guide/")
        walk = page.locator("#guide .gnode:visible")
        expect(walk.locator(".question")).to_be_visible()
        for _ in range(20):  # always answer "no" by keyboard until an answer appears; bounded
            if walk.locator(".verdict a").count():
                break
            walk.locator(".answer-no").focus()
            page.keyboard.press("Enter")
        href = walk.locator(".verdict a").first.get_attribute("href")
        assert re.fullmatch(r"\.\./\d{3}/", href or "")
        page.keyboard.press("Backspace")
        expect(walk.locator(".question")).to_be_visible()
        page.keyboard.press("y")
        expect(walk.locator(".step")).to_be_visible()

        page.goto(served + "compare/")
        page.select_option("select[name=a]", "409")
        page.select_option("select[name=b]", "412")
        page.click("form.picker button")
        page.wait_for_url(re.compile(r"/compare/409-vs-412/$"))
        page.goto(served + "compare/")
        page.select_option("select[name=a]", "418")
        page.select_option("select[name=b]", "201")
        page.click("form.picker button")
        result = page.locator("#picker-result")
        expect(result).to_contain_text("201 Created")
        expect(result).to_contain_text("418")
        assert errors == []
        browser.close()


def test_comparison_files_order_codes_low_first():
    for slug in COMPARISONS:
        data = yaml.safe_load((CONTENT / "comparisons" / f"{slug}.yaml").read_text())
        low, high = map(int, slug.split("-vs-"))
        assert data["codes"] == [low, high] and low < high
