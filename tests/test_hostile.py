"""Hostile content: script, javascript: links, event handlers and markup breakouts in every kind of field
must come out inert. Checked in the HTML and by loading every affected page in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.browser import StaticServer, launch
from tests.conftest import CONTENT, TEMPLATES, run_cli

PAYLOADS = [
    "<script>window.__pwned = 1; console.log('PWNED')</script>",
    "<img src=x onerror=\"window.__pwned = 2; console.log('PWNED')\">",
    "[click](javascript:window.__pwned=3)",
    "[click](JaVaScRiPt:window.__pwned=4)",
    "[click](data:text/html,<script>parent.__pwned=5</script>)",
    "</textarea></code></pre><script>window.__pwned = 6</script>",
    "\"><svg onload=\"window.__pwned = 7\">",
    "<a href=\"javascript:window.__pwned=8\">x</a>",
    "<iframe srcdoc=\"<script>parent.__pwned=9</script>\"></iframe>",
    "![x](javascript:window.__pwned=10)",
]
HOSTILE = " ".join(PAYLOADS)


def _yaml_block(text: str, indent: int) -> str:
    pad = " " * indent
    return "|\n" + "\n".join(pad + line for line in text.splitlines())


def _hostile_content(dest: Path) -> None:
    shutil.copytree(CONTENT, dest)
    entry = dest / "codes" / "412.yaml"
    text = entry.read_text()
    for field in ("definition", "when_to_use", "client_behavior"):
        text = re.sub(rf"^{field}: .*?(?=^\w)", f"{field}: {_yaml_block('Plain words first. ' + HOSTILE, 2)}\n",
                      text, count=1, flags=re.M | re.S)
    text = re.sub(r"^summary: .*$", "summary: 'A summary with </title><script>window.__pwned=11</script> in it.'",
                  text, count=1, flags=re.M)
    text = re.sub(r"^(  - title: ).*$", r"\1'</figcaption><script>window.__pwned=12</script>'", text, count=1,
                  flags=re.M)
    text = text.replace("faq:\n  - question: ", "faq:\n  - question: Why <svg onload=window.__pwned=13> here? ", 1)
    entry.write_text(text)
    comp = dest / "comparisons" / "409-vs-412.yaml"
    ctext = comp.read_text().replace("decision:\n  question: ", "decision:\n  question: <script>window.__pwned=14"
                                     "</script> ", 1)
    comp.write_text(ctext)
    (dest / "pages" / "hostile.md").write_text(
        "---\ntitle: '<script>window.__pwned=15</script> page'\ndescription: '\"><script>x</script>'\n---\n\n"
        + "\n\n".join(PAYLOADS) + "\n")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    _hostile_content(root / "content")
    out = root / "site"
    result = run_cli("build", "--content", str(root / "content"), "--templates", str(TEMPLATES), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


PAGES = ["412/", "compare/409-vs-412/", "hostile/", "4xx/", "", "guide/", "compare/"]


class _Tags(HTMLParser):
    """Every real start tag with its attributes (text that merely looks like markup is not a tag)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def test_hostile_markup_is_escaped_in_the_html(hostile_site: Path):
    for url in PAGES:
        html = (hostile_site / url / "index.html").read_text()
        parser = _Tags()
        parser.feed(html)
        for tag, attrs in parser.tags:
            assert tag not in ("iframe", "object", "embed"), (url, tag, attrs)
            assert not [a for a in attrs if a.startswith("on") or a == "srcdoc"], (url, tag, attrs)
            for a in ("href", "src", "action", "formaction"):
                assert not attrs.get(a, "").strip().lower().startswith(("javascript:", "data:", "vbscript:")), \
                    (url, tag, attrs)
            if tag == "script":  # only our own files, or structured data that parses as JSON
                assert attrs.get("src", "").endswith(("static/site.js", "static/theme.js")) or \
                    attrs.get("type") == "application/ld+json", (url, attrs)
        for data in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
            assert "<" not in data and json.loads(data)["@context"] == "https://schema.org"
        assert "<script>window" not in html
    assert "&lt;script&gt;window.__pwned = 1" in (hostile_site / "412" / "index.html").read_text()


@pytest.mark.browser
def test_hostile_pages_run_no_script_in_chromium(hostile_site: Path):
    from playwright.sync_api import sync_playwright

    server = StaticServer(hostile_site.parent)
    try:
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page()
            dialogs: list[str] = []
            console: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("console", lambda m: console.append(m.text))
            for url in PAGES:
                page.goto(f"{server.url}site/{url}")
                for link in page.locator("main a").all()[:200]:  # a click must not run a javascript: URL
                    href = link.get_attribute("href") or ""
                    assert not href.lower().startswith(("javascript:", "data:")), (url, href)
                assert page.evaluate("window.__pwned") is None, url
            browser.close()
        assert dialogs == [] and not any("PWNED" in c for c in console), (dialogs, console)
    finally:
        server.close()


@pytest.mark.parametrize("name", ["a..%2f..%2fetc", "%2e%2e", "a b", "404", "compare"])
def test_page_file_names_that_would_leave_or_shadow_the_site_are_refused(tmp_path: Path, name: str):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "pages" / f"{name}.md").write_text("---\ntitle: T\ndescription: D\n---\nBody.\n")
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 1 and "S010" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists() and not (tmp_path / "etc").exists()
