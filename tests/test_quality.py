"""Quality gates on a full build: the Nu Html Checker, axe-core in Chromium (light and dark), layout at phone
and desktop widths, and a crawl of every page in Chromium under a project sub-path and at a domain root."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser import StaticServer, launch
from tests.conftest import CONTENT, ROOT, TEMPLATES, run_cli

# Every gate here needs Chromium, Java or the npm tools (.ci/run installs them): outside the fast part.
pytestmark = pytest.mark.browser

TOOLS = ROOT / "tests" / "tools" / "node_modules"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = TOOLS / "axe-core" / "axe.min.js"
PAGE_TYPES = {"index": "", "class": "4xx/", "code": "409/", "unofficial code": "499/",
              "comparison": "compare/409-vs-412/", "compare index": "compare/", "guide": "guide/", "page": "about/",
              "404": "404.html"}


def _need(path: Path) -> None:
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: .ci/run installs it (npm ci --prefix tests/tools)")
        pytest.skip(f"{path.name} not installed: npm ci --prefix tests/tools")


def _html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_nu_html_checker_finds_no_error_on_any_page(built_site: Path):
    _need(VNU)
    if shutil.which("java") is None:
        pytest.fail("java is needed for the Nu Html Checker")
    files = _html_files(built_site)
    assert len(files) > 120
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", *map(str, files)], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr[:3000]


@pytest.fixture(scope="module")
def served(built_site: Path, tmp_path_factory):
    """The site at the path its base URL names (/statusdocs/), as Pages serves it: 404.html links from there."""
    root = tmp_path_factory.mktemp("pages")
    (root / "statusdocs").symlink_to(built_site, target_is_directory=True)
    server = StaticServer(root)
    yield server.url + "statusdocs/"
    server.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_any_page_type(served: str, scheme: str):
    _need(AXE)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(color_scheme=scheme)
        problems = {}
        for kind, url in PAGE_TYPES.items():
            page.goto(served + url)
            if kind == "guide":  # also the walk as JavaScript draws it, one answer in
                page.locator("#guide .gnode:visible .answer-no").click()
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
            if found:
                problems[kind] = found
        browser.close()
    assert problems == {}


LAYOUT = """() => {
  const doc = document.documentElement;
  const faults = [];
  if (doc.scrollWidth > doc.clientWidth) faults.push('horizontal scroll: ' + doc.scrollWidth);
  const boxes = [...document.querySelectorAll('header.top > *:not([hidden])')]
    .map((el) => [el.className || el.tagName, el.getBoundingClientRect()]).filter(([, r]) => r.width && r.height);
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, r] = boxes[i], [b, s] = boxes[j];
      if (r.left < s.right - 1 && s.left < r.right - 1 && r.top < s.bottom - 1 && s.top < r.bottom - 1)
        faults.push('header items overlap: ' + a + ' / ' + b);
    }
  const header = document.querySelector('header.top').getBoundingClientRect();
  const h1 = document.querySelector('h1').getBoundingClientRect();
  if (h1.top < header.bottom) faults.push('heading under the header');
  for (const el of document.querySelectorAll('main *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > doc.clientWidth + 1 && !el.closest('.scroll, pre')) {
      faults.push('sticks out: ' + el.tagName + '.' + el.className);
      break;
    }
  }
  return faults;
}"""


@pytest.mark.parametrize("width", [375, 1280])
def test_layout_has_no_faults_at_phone_and_desktop_width(served: str, width: int, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("STATUSDOCS_SCREENSHOTS", tmp_path))
    with sync_playwright() as p:
        browser = launch(p)
        for scheme in ("light", "dark"):
            page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
            for kind, url in PAGE_TYPES.items():
                page.goto(served + url)
                assert page.evaluate(LAYOUT) == [], (kind, width, scheme)
                if kind in ("index", "code", "comparison"):
                    page.screenshot(path=str(shots / f"{kind.replace(' ', '-')}-{width}-{scheme}.png"),
                                    full_page=True)
            page.close()
        browser.close()
    assert (shots / f"code-{width}-dark.png").stat().st_size > 10_000


@pytest.mark.parametrize("base", ["https://example.github.io/statusdocs/", "https://statusdocs.example.org/"])
def test_every_page_loads_in_chromium_without_a_404_under_its_base_path(tmp_path: Path, base: str):
    from playwright.sync_api import expect, sync_playwright

    prefix = base.split("/", 3)[3]  # "statusdocs/" or ""
    out = tmp_path / "root" / prefix / "site" if not prefix else tmp_path / "root" / prefix.rstrip("/")
    result = run_cli("build", "--content", str(CONTENT), "--templates", str(TEMPLATES), "--out", str(out),
                     "--base-url", base)
    assert result.returncode == 0, result.stderr
    server = StaticServer(tmp_path / "root" if prefix else out)
    site_url = server.url + prefix
    pages = [p.relative_to(out).as_posix() for p in _html_files(out)]
    failed: list[str] = []
    try:
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page()
            page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.on("pageerror", lambda e: failed.append(f"script error: {e}"))
            for rel in pages:
                page.goto(site_url + (rel[: -len("index.html")] if rel.endswith("index.html") else rel))
            failed = [f for f in failed if not f.endswith("/404.html")]  # fetched directly, it answers 200
            page.goto(site_url + "412/")
            page.fill("#search-input", "conflict")
            expect(page.locator("#search-results [role=option]").first).to_contain_text("409")
            page.keyboard.press("Enter")
            page.wait_for_url(site_url + "409/")
            page.fill("#search-input", "49")
            expect(page.locator("#search-results [role=option]").first).to_contain_text("49")
            page.goto(site_url + "no/such/page/")  # a missing page: the static server's 404, then ours on Pages
            browser.close()
    finally:
        server.close()
    failed = [f for f in failed if "/no/such/page/" not in f]
    assert len(pages) > 120 and failed == [], failed[:10]
