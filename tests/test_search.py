"""The search box on the built site: Pagefind's full text against the query set in search_queries.json, hits
labelled by kind with the matching words marked, the keyboard (`/`, arrows, Enter, Escape, focus leaving), the
fallback without Pagefind and from file://, and a byte-identical index for identical input."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import StaticServer, chromium, served_under_base
from tests.conftest import CONTENT, TEMPLATES, run_cli

QUERIES = json.loads((Path(__file__).parent / "search_queries.json").read_text())
WAIT_MS = 15_000  # for one query's hits to show (Pagefind loads its index in chunks on first use)


def _need_pagefind() -> None:
    if importlib.util.find_spec("pagefind") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must test the full-text search: the test extra installs pagefind[bin]")
        pytest.skip("pagefind is not installed: pip install -e '.[test]'")


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_search_index_is_written_and_byte_identical_for_identical_input(tmp_path: Path):
    _need_pagefind()
    trees = []
    for name in ("a", "b"):
        out = tmp_path / name
        result = run_cli("build", "--content", str(CONTENT), "--templates", str(TEMPLATES), "--out", str(out),
                         search=True)
        assert result.returncode == 0, result.stderr
        trees.append(_tree(out / "pagefind"))
    assert "pagefind.js" in trees[0] and any(p.startswith("fragment/") for p in trees[0])
    assert all(trees[0].values()), [p for p, data in trees[0].items() if not data]  # no file cut short
    assert trees[0] == trees[1]


@pytest.fixture(scope="module")
def site_url(built_site: Path, tmp_path_factory):
    """The site with its Pagefind index at /statusdocs/, as Pages serves it."""
    _need_pagefind()
    assert (built_site / "pagefind" / "pagefind.js").is_file()
    yield from served_under_base(built_site, tmp_path_factory)


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


def search(page, query: str) -> list[str]:
    """Type `query` into the search box; the hits' URLs, in order, once they answer it."""
    page.fill("#search-input", query)
    page.wait_for_function("q => { const l = document.getElementById('search-results');"
                           " return !l.hidden && l.dataset.query === q; }", arg=query, timeout=WAIT_MS)
    return page.eval_on_selector_all("#search-results [role=option] a", "links => links.map((a) => a.href)")


def paths(urls: list[str], site: str) -> list[str]:
    """Below the site's root, without the #section."""
    return [urlsplit(u)._replace(fragment="").geturl().removeprefix(site) for u in urls]


@pytest.mark.browser
def test_the_query_set_finds_its_pages(site_url: str, browser):
    page = browser.new_page()
    page.goto(site_url + "412/")
    wrong = []
    for case in QUERIES["queries"]:
        found = paths(search(page, case["query"]), site_url)
        if "first" in case and found[:1] != [case["first"]]:
            wrong.append((case["query"], "first", case["first"], found))
        missing = [p for p in case.get("top", []) if p not in found[: case.get("within", 5)]]
        if missing:
            wrong.append((case["query"], "missing", missing, found))
    for a, b in QUERIES["same"]:
        if search(page, a) != search(page, b):
            wrong.append((a, "differs from", b, search(page, a), search(page, b)))
    page.close()
    assert wrong == [], "\n".join(map(str, wrong))


@pytest.mark.browser
def test_hits_say_their_kind_and_mark_the_words_found(site_url: str, browser):
    page = browser.new_page()
    page.goto(site_url)
    search(page, "optimistic locking")
    first = page.locator("#search-results [role=option]").first
    assert first.locator(".hit-kind").inner_text().lower() == "code"
    assert first.locator(".hit-title").inner_text() == "409 Conflict"
    assert "optimistic locking" in first.locator(".hit-section").inner_text()  # the FAQ question
    assert first.locator("a").get_attribute("href").endswith("409/#faq-2")
    assert {m.lower().strip("?.,") for m in first.locator("mark").all_inner_texts()} >= {"optimistic", "locking"}
    kinds = page.locator("#search-results .hit-kind").all_inner_texts()
    assert "comparison" in {k.lower() for k in kinds}
    search(page, "which status code should I return")
    assert "guide" in {k.lower() for k in page.locator("#search-results .hit-kind").all_inner_texts()}
    page.close()


@pytest.mark.browser
def test_the_keyboard_drives_the_search(site_url: str, browser):
    page = browser.new_page()
    page.goto(site_url + "412/")
    box = page.locator("#search-input")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-input"
    page.keyboard.type("conflict")
    page.wait_for_function("() => document.getElementById('search-results').dataset.query === 'conflict'")
    options = page.locator("#search-results [role=option]")
    assert options.count() >= 3 and box.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert options.nth(0).get_attribute("aria-selected") == "true"
    assert options.nth(1).get_attribute("aria-selected") == "false"
    assert box.get_attribute("aria-activedescendant") == options.nth(0).get_attribute("id")
    page.keyboard.press("ArrowDown")
    target = options.nth(1).locator("a").get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(target)

    # Escape closes; "/" typed in the box is a character; Tab out of the box closes the list.
    search(page, "precondition")
    page.keyboard.press("Escape")
    assert page.locator("#search-results").is_hidden() and box.get_attribute("aria-expanded") == "false"
    page.keyboard.press("/")
    assert box.input_value() == "precondition/"
    search(page, "precondition")
    page.keyboard.press("Tab")
    assert page.locator("#search-results").is_hidden()
    search(page, "precondition")
    page.locator("footer.bottom p").first.click()  # anywhere outside the search box
    assert page.locator("#search-results").is_hidden()
    page.close()


@pytest.mark.browser
def test_without_pagefind_and_from_file_the_code_number_search_answers(built_site: Path, tmp_path: Path, browser):
    plain = tmp_path / "site"
    shutil.copytree(built_site, plain, ignore=shutil.ignore_patterns("pagefind"))
    server = StaticServer(plain)
    try:
        page = browser.new_page()
        for url in (server.url + "412/", (plain / "412" / "index.html").as_uri()):
            page.goto(url)
            found = search(page, "409")
            assert found[0].endswith("/409/"), (url, found)
            found = search(page, "conflict")
            assert found[0].endswith("/409/"), (url, found)
            assert page.locator("#search-results .hit-kind").first.inner_text().lower() == "code"
            assert "conflict" in [m.lower() for m in page.locator("#search-results mark").all_inner_texts()]
        page.close()
    finally:
        server.close()


def test_no_search_builds_without_the_index_and_the_cache_knows_the_difference(tmp_path: Path):
    _need_pagefind()
    out = tmp_path / "site"
    args = ("build", "--content", str(CONTENT), "--templates", str(TEMPLATES), "--out", str(out))
    assert run_cli(*args, search=True).returncode == 0
    assert (out / "pagefind" / "pagefind.js").is_file()
    result = run_cli(*args)  # --no-search
    assert result.returncode == 0, result.stderr
    assert not (out / "pagefind").exists() and (out / "search-index.js").is_file()
    assert run_cli(*args, search=True).returncode == 0
    assert (out / "pagefind" / "pagefind.js").is_file()
