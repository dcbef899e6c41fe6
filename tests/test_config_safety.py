"""Config and prose that reach the page (issue 21, sections 2 and 3): base_url is validated by one definition for
site.yaml and --base-url; no value from content or config can make the renderer's root mark, or a link or stylesheet
that leaves the site; site paths in prose work under a base path; and any single Markdown text renders in bounded
time (too complex a text is S011 at its line). Every attack is built through the CLI and the output parsed as
HTML, as a browser reads it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import ROOT, TEMPLATES, run_cli
from fuzz_targets import make_small_content

BASE = "https://x.example/repo/"


class _Page(HTMLParser):
    """What a browser takes from a page: every URL it may load or follow, inline scripts, and texts by element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value as the browser reads it)
        self.inline_scripts: list[dict[str, str]] = []
        self.brand = ""
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for name in ("href", "src"):
            if name in a:
                # Browsers drop tab/CR/LF anywhere in a URL and strip C0 controls and spaces at its ends.
                value = re.sub(r"[\t\n\r]", "", a[name]).strip("".join(map(chr, range(33))))
                self.urls.append((tag, name, value))
        if tag == "script" and "src" not in a and a.get("type") != "application/ld+json":
            self.inline_scripts.append(a)
        self._in.append("brand" if a.get("class") == "brand" else tag)

    def handle_endtag(self, tag: str) -> None:
        if self._in:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "brand":
            self.brand += data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def _off_site(page_url: str, tag: str, url: str) -> str | None:
    """Why `url` on the page at `page_url` is not a safe link of the site, or None."""
    lowered = url.lower()
    if lowered.startswith(("javascript:", "vbscript:", "data:")):
        return "script URL"
    if url.replace("\\", "/").startswith("//"):
        return "protocol-relative URL"
    target = urljoin(page_url, url.replace("\\", "/"))  # WHATWG: `\` is `/` in an http(s) URL
    if tag in ("link", "script", "img") and urlsplit(target).netloc != urlsplit(BASE).netloc:
        return f"loads {target} from another host"
    return None


def _set_field(path: Path, field: str, value: str) -> int:
    """Replace a top-level field (one line or a `|` block) by `value` as a double-quoted scalar; its line."""
    text = path.read_text(encoding="utf-8")
    pattern = rf"^{field}:(?: \|\n(?:(?:  .*)?\n)*| .*\n)"
    match = re.search(pattern, text, flags=re.M)
    assert match, field
    line = text[: match.start()].count("\n") + 1
    path.write_text(text[: match.start()] + f"{field}: {json.dumps(value)}\n" + text[match.end():], encoding="utf-8")
    return line


def _build(content: Path, out: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    result = run_cli("build", "--content", str(content), "--templates", str(TEMPLATES), "--out", str(out), *args,
                     timeout=timeout)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return result


@pytest.fixture()
def small(tmp_path: Path) -> Path:
    return make_small_content(tmp_path / "content")


# ---------------------------------------------------------------- base_url: one definition, both ways in

# Each passed the old test (`https?://[^\s/?#]+(/[^\s?#]*)?`) and reached the pages.
BAD_BASE_URLS = [
    "https://x.example//evil.example/",              # 404.html loaded its CSS and scripts from evil.example
    'https://x.example/"><script>alert(1)</script>/',
    "https://x.example/a\\b/",
    "https://x.example/docs/../",
    "https://x.example/%2e%2E/",
    "https://x.example/a%2F/b/",
    "https://user@x.example/",
    "https://x.example/'x/",
    "https://x.example/a`b/",
    "https://x.example:99999/",
    "https://-x.example/",
]


@pytest.mark.parametrize("url", BAD_BASE_URLS)
def test_bad_base_url_in_site_yaml_is_a_finding_at_its_line(url: str, small: Path, tmp_path: Path):
    site = small / "site.yaml"
    text = site.read_text(encoding="utf-8")
    line = text[: text.index("\nbase_url:")].count("\n") + 2
    site.write_text(re.sub(r"^base_url: .*$", lambda _: "base_url: " + json.dumps(url), text, count=1, flags=re.M),
                    encoding="utf-8")
    result = _build(small, tmp_path / "site")
    assert result.returncode == 1, result.stderr
    assert re.search(rf"site\.yaml:{line}:11: error S004 base_url must be an absolute http\(s\) URL", result.stderr), \
        result.stderr
    assert not (tmp_path / "site").exists()
    check = run_cli("check", "--content", str(small))
    assert check.returncode == 1 and re.search(rf"site\.yaml:{line}:11: error S004 base_url", check.stdout)


@pytest.mark.parametrize("url", BAD_BASE_URLS)
def test_bad_base_url_flag_is_a_usage_error(url: str, small: Path, tmp_path: Path):
    result = _build(small, tmp_path / "site", "--base-url", url)
    assert result.returncode == 2, result.stderr
    assert "argument --base-url" in result.stderr
    assert not (tmp_path / "site").exists()


def test_base_url_is_normalised_the_same_from_the_flag_and_site_yaml(small: Path, tmp_path: Path):
    """A trailing slash is added either way; a percent-encoded path is kept as written."""
    url = "https://x.example/caf%C3%A9"
    site = small / "site.yaml"
    site.write_text(re.sub(r"^base_url: .*$", f"base_url: {url}", site.read_text(encoding="utf-8"), count=1,
                           flags=re.M), encoding="utf-8")
    from_yaml, from_flag = tmp_path / "a", tmp_path / "b"
    assert _build(small, from_yaml).returncode == 0
    assert _build(small, from_flag, "--base-url", url).returncode == 0
    for out in (from_yaml, from_flag):
        sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
        assert f"<loc>{url}/409/</loc>" in sitemap, sitemap[:500]
        links = [u for tag, _, u in _parse(out / "404.html").urls if tag == "link"]
        assert "/caf%C3%A9/static/style.css" in links, links


# ---------------------------------------------------------------- the root mark and config values in HTML

def test_site_title_holding_the_root_mark_is_text_on_every_page(small: Path, tmp_path: Path):
    """The attack of issue 21: a title holding the renderer's root mark was replaced by the 404 page's base path,
    unescaped (with a `"` in base_url, a live <script>). The title must read as written, with the old mark and the
    current one, and a mark in prose must make no link."""
    for i, mark in enumerate(["\x1aroot/", "\x1a'root/"]):
        title = f"T{mark}<script>alert(1)</script>"
        _set_field(small / "site.yaml", "title", title)
        _set_field(small / "codes/412.yaml", "definition",
                   f"The server did not apply the method because a condition failed: {mark}409/ and [x]({mark}409/) "
                   "after.")
        out = tmp_path / f"site{i}"
        result = _build(small, out, "--base-url", BASE)
        assert result.returncode == 0, result.stderr
        for name in ("404.html", "index.html", "412/index.html", "compare/409-vs-412/index.html"):
            page = _parse(out / name)
            assert page.inline_scripts == [], name
            assert page.brand == title, (name, page.brand)
        main = (out / "412/index.html").read_text(encoding="utf-8").split("<main", 1)[1].split("</main>", 1)[0]
        assert "\x1a" not in main.replace(f"T{mark}", ""), "a mark from prose survived into the page"
        assert re.search(r"failed: \ufffd'?root/409/ and <a>x</a> after\.</p>", main), main[:3000]


# ---------------------------------------------------------------- prose links

HOSTILE_LINKS = ("[a](/\\evil.example/a) [b](/&#47;evil.example/b) [c](../javascript:alert(1)) "
                 "[d](/javascript:alert(1)) [e](..///evil.example/e) [f](</\t/evil.example/f>) [g](\\\\evil.example/g)")


@pytest.mark.parametrize("field", ["definition", "client_behavior"])
def test_prose_links_stay_on_the_site_and_site_paths_work_under_the_base_path(field: str, small: Path,
                                                                           tmp_path: Path):
    """`/\\host` is `//host` to a browser; `../javascript:` must not become `javascript:` at the site root; `/409/`
    goes to the site's 409 page under the base path. Both renderers: a plain paragraph (direct path) and one with
    emphasis (Python-Markdown's)."""
    text = f"See [the conflict page](/409/) and [home](/).\n\n*Hostile*: {HOSTILE_LINKS}.\n\n{HOSTILE_LINKS}\n"
    entry = small / "codes/412.yaml"
    _set_field(entry, field, text)
    # The hostile links are no pages of the site (M003 says so); the build must still render them inert.
    entry.write_text(entry.read_text(encoding="utf-8") + f"ignore:\n  - {{rule: M003, field: {field}, reason: hostile "
                     "links on purpose}\n", encoding="utf-8")
    out = tmp_path / "site"
    result = _build(small, out, "--base-url", BASE)
    assert result.returncode == 0, result.stderr
    checked = 0
    for name, url in (("412/index.html", BASE + "412/"), ("compare/409-vs-412/index.html",
                                                          BASE + "compare/409-vs-412/"), ("404.html", BASE + "x/y/")):
        page = _parse(out / name)
        problems = [(tag, attr, u, why) for tag, attr, u in page.urls if (why := _off_site(url, tag, u))]
        assert problems == [], (name, problems)
        hrefs = [urljoin(url, u) for tag, _, u in page.urls if tag == "a"]
        if name != "404.html":
            assert BASE + "409/" in hrefs and BASE in hrefs, (name, hrefs)
            assert not any("evil.example" in urlsplit(h).netloc for h in hrefs), hrefs
            checked += 1
    assert checked == 2


# ---------------------------------------------------------------- Markdown in bounded time

BLOW_UPS = {"![ x 16 KB": "![" * 8_000, "![ x 57 KB": "![" * 28_500, "[ x 16 KB": "[" * 16_000,
            "[a]( x 16 KB": "[a](" * 4_000, "=\\n x 57 KB": "a\n=\n" * 14_250, "1. x 3 KB": "1. " * 1_000}


@pytest.mark.parametrize("name", sorted(BLOW_UPS))
def test_blow_up_text_is_a_finding_at_its_field_in_bounded_time(name: str, small: Path, tmp_path: Path):
    """Python-Markdown took 24 s for 16 KB of `![` and never finished 57 KB; nested list markers raised
    RecursionError. Each is S011 at the field, within a generous bound (the timeout fails the test)."""
    line = _set_field(small / "codes/412.yaml", "definition", BLOW_UPS[name])
    result = _build(small, tmp_path / "site", timeout=90)
    assert result.returncode == 1, result.stderr[-2000:]
    assert re.search(rf"codes/412\.yaml:{line}:\d+: error S011 definition cannot be rendered in bounded time",
                     result.stderr), result.stderr[-2000:]
    check = run_cli("check", "--content", str(small), timeout=90)
    assert check.returncode == 1 and f"412.yaml:{line}:" in check.stdout and "S011" in check.stdout


def test_blow_up_in_a_page_body_and_a_class_description_is_reported_there(small: Path, tmp_path: Path):
    (small / "pages").mkdir()
    (small / "pages/notes.md").write_text("---\ntitle: Notes\ndescription: Notes on codes.\n---\nIntro.\n\n" +
                                          "[" * 16_000 + "\n", encoding="utf-8")
    site = small / "site.yaml"
    text = site.read_text(encoding="utf-8")
    text = re.sub(r"(^  4xx:\n    title: .*\n    description: )(?:>-\n(?:      .*\n)+|.*\n)",
                  lambda m: m.group(1) + json.dumps("![" * 8_000) + "\n", text, count=1, flags=re.M)
    site.write_text(text, encoding="utf-8")
    description_line = text[: text.index('"![![')].count("\n") + 1
    result = _build(small, tmp_path / "site", timeout=90)
    assert result.returncode == 1
    assert re.search(r"pages/notes\.md:5:1: error S011 body", result.stderr), result.stderr[-2000:]
    assert re.search(rf"site\.yaml:{description_line}:\d+: error S011 classes\.4xx\.description", result.stderr), \
        result.stderr[-2000:]


def test_blow_up_text_renders_in_bounded_time_when_its_finding_is_ignored(small: Path, tmp_path: Path):
    """The renderer itself is bounded (the preview renders while its lint runs apart): with S011 ignored for the
    field, the build writes the page, showing the text as plain, inert text."""
    entry = small / "codes/412.yaml"
    line = _set_field(entry, "definition", "![" * 28_500 + "<script>x</script>")
    entry.write_text(entry.read_text(encoding="utf-8") + "ignore:\n  - rule: S011\n    field: definition\n"
                     "    reason: testing the renderer's bound\n  - rule: V008\n    field: definition\n"
                     "    reason: no words\n", encoding="utf-8")
    assert line > 0
    out = tmp_path / "site"
    result = _build(small, out, "--base-url", BASE, timeout=90)
    assert result.returncode == 0, result.stderr[-2000:]
    page = _parse(out / "412/index.html")
    assert page.inline_scripts == []
    assert "![" * 100 in (out / "412/index.html").read_text(encoding="utf-8")


def test_prose_renderer_is_bounded_on_every_blow_up_text():
    """What the preview's rebuild worker runs for a text, whatever the check says: each text in a process of its
    own, killed past the bound."""
    texts = [*BLOW_UPS.values(), "*a" * 28_500, "\\" * 57_000, "> - " * 50_000, "+ " * 4_000, "[`" * 8_000]
    script = ("import json, sys; from statusdocs.pages.prose import Prose; p = Prose({409}); "
              "[p.html(t) for t in json.load(sys.stdin)]; print('done')")
    result = subprocess.run([sys.executable, "-c", script], input=json.dumps(texts), capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    assert result.returncode == 0 and result.stdout.strip() == "done", result.stderr[-2000:]
