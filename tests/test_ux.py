"""The site as a reader meets it in Chromium, at a phone's width (390 px) and a desk's (1280 px): comparisons that
fit a phone and lead with the decision, code pages that lead to their comparisons, a guide whose steps live in the
URL, code that never breaks inside a word, highlighted examples, and the frame (side navigation, sticky table of
contents, measure, favicon, header, badges, the picker without JavaScript). Served under a project path
(/statusdocs/), as GitHub Pages serves a project site."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import StaticServer, chromium, served_under_base
from tests.conftest import CONTENT, TEMPLATES, run_cli

pytestmark = pytest.mark.browser

COMPARISONS = sorted(p.stem for p in (CONTENT / "comparisons").glob("*.yaml"))
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def served(built_site: Path, tmp_path_factory) -> Iterator[str]:
    yield from served_under_base(built_site, tmp_path_factory)


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


# Elements that scroll sideways (or stick out of the page): none may, on a phone.
SIDEWAYS = """() => {
  const doc = document.documentElement, out = [];
  if (doc.scrollWidth > doc.clientWidth) out.push('page ' + doc.scrollWidth);
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (!r.width || getComputedStyle(el).visibility === 'hidden') continue;
    const ox = getComputedStyle(el).overflowX;
    if ((ox === 'auto' || ox === 'scroll') && el.scrollWidth > el.clientWidth + 1)
      out.push('scrolls: ' + el.tagName + '.' + el.className);
    else if (r.right > doc.clientWidth + 1 && !el.closest('[hidden], details:not([open])'))
      out.push('sticks out: ' + el.tagName + '.' + el.className);
    if (out.length > 5) break;
  }
  return out;
}"""


def test_every_comparison_fits_a_phone_with_the_codes_as_stacked_cards(served: str, browser):
    page = browser.new_page(viewport=PHONE)
    for slug in COMPARISONS:
        page.goto(f"{served}compare/{slug}/")
        assert page.evaluate(SIDEWAYS) == [], slug
        lefts = page.evaluate("[...document.querySelectorAll('#differences .pair')].map(p => "
                              "[...p.querySelectorAll('.side')].map(s => s.getBoundingClientRect().left))")
        assert lefts and all(len(pair) == 2 and pair[0] == pair[1] for pair in lefts), slug  # stacked
    page.close()
    page = browser.new_page(viewport=DESK)
    page.goto(f"{served}compare/409-vs-412/")
    tops = page.evaluate("[...document.querySelectorAll('#differences .pair')].map(p => "
                         "[...p.querySelectorAll('.side')].map(s => s.getBoundingClientRect().top))")
    assert tops and all(pair[0] == pair[1] for pair in tops)  # side by side
    page.close()


def test_409_vs_412_on_a_phone_is_short_and_opens_with_its_decision(served: str, browser):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{served}compare/409-vs-412/")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 5000
    rule = page.locator("#decision .decision").bounding_box()
    assert rule is not None and rule["y"] + 40 < PHONE["height"]  # the rule starts on the first screen
    # Only the rows where the codes differ come before the details, which are folded.
    aspects = page.locator("#differences .aspect").all_inner_texts()
    assert "Triggered by" in aspects and "Definition" not in aspects
    assert page.locator("#differences details.full").get_attribute("open") is None
    page.close()


def test_diagram_answers_link_to_their_pages_and_read_at_14px_on_a_phone(served: str, browser):
    page = browser.new_page(viewport=PHONE)
    for slug in COMPARISONS:
        page.goto(f"{served}compare/{slug}/")
        sizes = page.evaluate("""() => {
          const svg = document.querySelector('svg.decision-diagram');
          const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
          return [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
        }""")
        assert min(sizes) >= 14 - 0.01, (slug, min(sizes))
        leaves = page.locator("svg.decision-diagram text.dg-leaf-t").count()
        links = page.locator("svg.decision-diagram a.dg-link")
        assert links.count() == leaves, slug
        for i in range(links.count()):
            href = links.nth(i).get_attribute("href") or ""
            assert re.fullmatch(r"\.\./\.\./\d{3}/", href), (slug, href)
    page.goto(f"{served}compare/409-vs-412/")
    page.locator("svg.decision-diagram a.dg-link").first.click()
    page.wait_for_url(re.compile(r"/statusdocs/412/$"))
    page.close()


def test_every_code_page_links_its_comparisons_within_the_first_900px_at_1280(served: str, built_site: Path,
                                                                                browser):
    page = browser.new_page(viewport=DESK)
    by_code: dict[str, list[str]] = {}
    for slug in COMPARISONS:
        for code in slug.split("-vs-"):
            by_code.setdefault(code, []).append(slug)
    for code, slugs in sorted(by_code.items()):
        page.goto(f"{served}{code}/")
        for slug in slugs:
            top = page.evaluate(f"""Math.min(...[...document.querySelectorAll('main a[href="../compare/{slug}/"]')]
                                .map(a => a.getBoundingClientRect().top + scrollY))""")
            assert top < 900, (code, slug, top)
        confused = page.locator("p.confused")  # right under the summary
        assert confused.evaluate("el => el.previousElementSibling.classList.contains('lead')"), code
    page.close()


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["390", "1280"])
def test_the_home_page_opens_with_the_common_decisions(served: str, browser, viewport: dict[str, int]):
    page = browser.new_page(viewport=viewport)
    page.goto(served)
    tops = page.evaluate("[...document.querySelectorAll('main a[href^=\"compare/\"]')]"
                         ".map(a => a.getBoundingClientRect().top + scrollY)")
    assert len([t for t in tops if t < viewport["height"]]) >= 2, tops[:5]
    page.goto(served + "guide/")
    first_case = page.locator("#guide .gnode").first
    assert first_case.is_visible()
    page.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_guide_steps_live_in_the_url_and_back_returns_to_the_previous_question(served: str, browser,
                                                                               javascript: bool):
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(served + "guide/")
    shown = page.locator("#guide .gnode:visible")
    assert shown.count() == 1
    first = shown.locator(".question").inner_text()
    questions = [first]
    for _ in range(20):  # answer "no" until an answer shows; bounded
        if shown.locator(".verdict").count():
            break
        shown.locator(".answer-no").click()
        assert shown.count() == 1
        if shown.locator(".question").count():
            questions.append(shown.locator(".question").inner_text())
    assert re.search(r"#q-n+$", page.url), page.url
    leaf_url = page.url
    links = shown.locator("a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert any(re.fullmatch(r"\.\./\d{3}/", h or "") for h in links)  # the code
    assert any((h or "").startswith("../compare/") for h in links)  # the comparison that decides it
    page.go_back()
    assert shown.locator(".question").inner_text() == questions[-1]
    page.go_back()
    assert shown.locator(".question").inner_text() == questions[-2]
    shown.locator(".back").click()  # the step's own Back link
    assert shown.locator(".question").inner_text() == questions[-3]
    # A shared address opens at its step.
    other = context.new_page()
    other.goto(leaf_url)
    assert other.locator("#guide .gnode:visible .verdict").count() == 1
    context.close()


def test_every_guide_answer_is_a_full_sentence_with_its_code_and_comparison(built_site: Path):
    html = (built_site / "guide" / "index.html").read_text()
    leaves = re.findall(r'<section class="gnode leaf".*?</section>', html, re.S)
    assert len(leaves) >= 15
    for leaf in leaves:
        text = " ".join(re.sub(r"<[^>]+>", " ", leaf).split())
        for sentence in re.findall(r'<p class="(?:verdict|when)">(.*?)</p>', leaf, re.S):
            words = re.sub(r"<[^>]+>", "", sentence).split()
            assert sentence.rstrip().endswith((".", "?", "!")) and words[-1].lower().rstrip(".") not in {
                "when", "if", "as", "the", "a", "an", "and", "or", "to", "of", "with"}, text
        assert re.search(r'href="\.\./\d{3}/"', leaf) and 'href="../compare/' in leaf, text


# A line break between two characters of one text node of a code span: a word broken in two.
MID_WORD = """() => {
  const faults = [];
  for (const code of document.querySelectorAll('main code')) {
    if (code.closest('pre') || code.getClientRects().length < 2) continue;
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const range = document.createRange();
      let lastTop = null;
      for (let i = 0; i < node.length; i++) {
        range.setStart(node, i); range.setEnd(node, i + 1);
        const rect = range.getBoundingClientRect();
        if (!rect.width) continue;
        if (lastTop !== null && rect.top > lastTop + 2 && /\\S/.test(node.data[i - 1]) && /\\S/.test(node.data[i]))
          faults.push(code.textContent);
        lastTop = rect.top;
      }
    }
  }
  return faults;
}"""


@pytest.mark.parametrize("width", [320, 390])
def test_code_never_breaks_inside_a_word(served: str, browser, width: int):
    page = browser.new_page(viewport={"width": width, "height": 844})
    faults = []
    for url in ("409/", "412/", "428/", "304/", "compare/409-vs-412/", "compare/412-vs-428/"):
        page.goto(served + url)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        faults += [(url, f) for f in page.evaluate(MID_WORD)]
    assert faults == []
    page.close()


def test_examples_are_highlighted_pretty_printed_with_copy_in_the_corner(served: str, built_site: Path, browser):
    html = (built_site / "409" / "index.html").read_text()
    blocks = re.findall(r'<pre class="http"[^>]*><code>(.*?)</code></pre>', html, re.S)
    assert blocks and all('<span class="' in b for b in blocks)  # highlighted at build time
    bodies = [b for b in blocks if "application/" in b and "json" in b]
    # the key's quote is escaped before Pygments 2.21
    indented_key = re.compile(r'\n(?:<span class="w">)?  (?:</span>)?<span class="nt">(?:&quot;|")')
    assert bodies and all(indented_key.search(b) for b in bodies)  # pretty-printed: keys on lines of their own
    page = browser.new_page(viewport=PHONE, permissions=["clipboard-read", "clipboard-write"])
    page.goto(served + "409/")
    pre = page.locator("pre.http").nth(1)
    button = page.locator(".codeblock button.copy").nth(1)
    p, b = pre.bounding_box(), button.bounding_box()
    assert p and b and p["x"] + p["width"] - 60 <= b["x"] and b["x"] + b["width"] <= p["x"] + p["width"]
    assert p["y"] <= b["y"] <= p["y"] + 20
    page.close()


def test_a_first_visit_loads_a_favicon_and_nothing_answers_404(served: str, browser):
    context = browser.new_context()
    page = context.new_page()
    statuses: list[tuple[int, str]] = []
    page.on("response", lambda r: statuses.append((r.status, r.url)))
    for url in ("", "409/", "compare/409-vs-412/", "guide/"):
        page.goto(served + url)
        page.wait_for_load_state("networkidle")
    assert [s for s in statuses if s[0] >= 400] == []
    assert any(url.endswith("favicon.svg") and status == 200 for status, url in statuses)
    context.close()


def test_without_javascript_the_picker_is_hidden_and_the_pairs_are_links(served: str, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served + "compare/")
    assert not page.locator("form.picker").is_visible()
    assert page.locator("ul.pairs a").count() == len(COMPARISONS)
    context.close()


def test_the_picker_shows_any_pair_as_cards_with_lists_and_names_once(served: str, browser):
    page = browser.new_page(viewport=PHONE)
    page.goto(served + "compare/")
    page.select_option("select[name=a]", "418")
    page.select_option("select[name=b]", "201")
    page.click("form.picker button")
    result = page.locator("#picker-result")
    result.locator(".pair").first.wait_for()
    assert result.locator("li").count() >= 2  # 201's "when to use" is a list, kept as one
    assert "- " not in result.inner_text().replace(" - ", "")
    assert "Name" not in result.locator(".aspect").all_inner_texts()
    assert page.evaluate(SIDEWAYS) == []
    page.close()


def test_side_navigation_and_sticky_table_of_contents(served: str, browser):
    codes = len([p for p in (CONTENT / "codes").glob("*.yaml")])
    page = browser.new_page(viewport=DESK)
    page.goto(served + "409/")
    nav = page.locator("nav.sitenav")
    assert nav.is_visible() and nav.locator("a[href$='/']").count() >= codes
    assert nav.locator("a[aria-current=page]").inner_text().startswith("409")
    page.mouse.wheel(0, 4000)
    page.wait_for_function("scrollY > 3000")
    toc = page.locator("nav.toc").bounding_box()
    assert toc and 0 <= toc["y"] < 200 and page.locator("nav.toc a[href='#definition']").is_visible()
    page.close()
    page = browser.new_page(viewport=PHONE)
    page.goto(served + "409/")
    own, other = page.locator("nav.sitenav a[href='../412/']"), page.locator("nav.sitenav a[href='../200/']")
    assert not own.is_visible()  # folded on a phone
    page.locator("nav.sitenav .sitenav-all > summary").click()
    assert own.is_visible() and not other.is_visible()  # the page's own class is open
    page.locator("nav.sitenav .sitenav-class:has(a[href='../200/']) > summary").click()
    assert other.is_visible()
    page.close()


def test_text_keeps_a_readable_measure_at_1280(served: str, browser):
    page = browser.new_page(viewport=DESK)
    for url in ("409/", "compare/409-vs-412/", "about/"):
        page.goto(served + url)
        per_line = page.evaluate("""() => [...document.querySelectorAll('main p')]
          .filter(p => p.textContent.length > 300)
          .map(p => p.textContent.length
                    / (p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight)))""")
        assert per_line and max(per_line) <= 90, (url, per_line)
    page.close()


def test_the_header_has_the_same_shape_on_every_page_on_a_phone(served: str, browser):
    page = browser.new_page(viewport=PHONE)
    shapes = {}
    for url in ("", "409/", "4xx/", "compare/", "compare/409-vs-412/", "guide/", "about/"):
        page.goto(served + url)
        shapes[url] = page.evaluate("[...document.querySelectorAll('header.top > *:not([hidden])')].map(el => {"
                                    "const r = el.getBoundingClientRect(); return [el.className || el.tagName,"
                                    " Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)]})")
    assert len({repr(s) for s in shapes.values()}) == 1, shapes
    page.close()


def test_badges_stay_on_one_line_and_say_what_they_mean(served: str, built_site: Path, browser):
    page = browser.new_page(viewport={"width": 320, "height": 844})
    unofficial = sorted(p.parent.name for p in built_site.glob("[1-5][0-9][0-9]/index.html")
                        if "badge unofficial" in p.read_text())
    assert len(unofficial) >= 10
    for code in unofficial:
        page.goto(f"{served}{code}/")
        lines = page.evaluate("[...document.querySelectorAll('.badge')].map(b => b.getClientRects().length)")
        assert lines and set(lines) == {1}, code
        note = page.locator(".badge-note").inner_text()
        assert "not in the IANA registry" in note, code
    page.close()


def test_the_preview_overlay_leaves_the_header_visible_follows_dark_mode_and_quotes_the_line(tmp_path: Path,
                                                                                               browser):
    from playwright.sync_api import expect

    from tests.browser import ServeProcess

    shutil.copytree(CONTENT, tmp_path / "content")
    entry = tmp_path / "content" / "codes" / "409.yaml"
    proc = ServeProcess(tmp_path)
    try:
        page = browser.new_page(viewport=PHONE, color_scheme="dark")
        page.goto(proc.url + "409/")
        entry.write_text(entry.read_text().replace("name: Conflict", "name: [Conflict", 1))
        overlay = page.locator("#statusdocs-overlay")
        expect(overlay).to_be_visible(timeout=15_000)
        expect(overlay.locator("pre")).to_have_count(1)
        named = re.search(r"409\.yaml:(\d+):\d+: error", overlay.inner_text())
        assert named, overlay.inner_text()
        line = entry.read_text().splitlines()[int(named.group(1)) - 1]
        assert f"{named.group(1)} | {line}" in overlay.locator("pre").inner_text()  # the line the message names
        header, box = page.locator("header.top").bounding_box(), overlay.bounding_box()
        assert header and box and box["y"] >= header["y"] + header["height"]  # the header stays in view
        background = overlay.evaluate("el => getComputedStyle(el).backgroundColor")
        channels = [int(c) for c in re.findall(r"\d+", background)[:3]]
        assert sum(channels) < 3 * 80, background  # dark, as the page is
        page.close()
    finally:
        proc.stop()


def test_no_code_page_links_its_own_number(built_site: Path):
    pages = sorted(built_site.glob("[1-5][0-9][0-9]/index.html"))
    assert len(pages) > 80
    selfish = [p.parent.name for p in pages
               if f'class="code-ref" href="../{p.parent.name}/"' in p.read_text()]
    assert selfish == []


def test_every_comparison_faq_question_has_an_id_a_link_opens(served: str, built_site: Path, browser):
    """Each FAQ question of a comparison can be linked to (an id, unique on its page, the same as the code pages'
    faq-N), and following such a link opens the folded answer."""
    questions = 0
    for slug in COMPARISONS:
        html = (built_site / "compare" / slug / "index.html").read_text()
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), slug
        faq = re.search(r'<section id="faq">.*?</section>', html, re.S)
        asked = re.findall(r'<summary><h3( id="[^"]*")?>', faq.group(0)) if faq else []
        assert asked == [f' id="faq-{n}"' for n in range(1, len(asked) + 1)], slug
        questions += len(asked)
    assert questions > 20
    page = browser.new_page(viewport=PHONE)
    page.goto(served + "compare/409-vs-412/#faq-2")
    assert page.locator("#faq-2").evaluate("h => h.closest('details').open")
    assert page.locator("#faq-2").evaluate("h => h.getBoundingClientRect().top >= 0 && "
                                            "h.getBoundingClientRect().top < innerHeight")
    page.close()


FENCED_ANSWER = "HTTP has a more specific answer: 412.\n"  # the end of an answer (a `|` block) on /409/


def test_fenced_json_in_prose_is_highlighted_like_the_examples(content_copy: Path, tmp_path: Path, browser):
    """A ```json block in a FAQ answer gets the examples' markup and colours (light and dark) and the copy button in
    its corner; a block without a language stays plain."""
    entry = content_copy / "codes" / "409.yaml"
    text = entry.read_text()
    assert text.count(FENCED_ANSWER) == 1
    entry.write_text(text.replace(FENCED_ANSWER, FENCED_ANSWER + (
        "\n      The body can say which version is current:\n\n      ```json\n"
        '      {"error": "version_mismatch", "current_version": 7, "retryable": false}\n      ```\n\n'
        "      ```\n      plain text\n      ```\n")))
    out = tmp_path / "site"
    result = run_cli("build", "--content", str(content_copy), "--templates", str(TEMPLATES), "--out", str(out))
    assert result.returncode == 0, result.stderr
    html = (out / "409" / "index.html").read_text()
    assert '<div class="codeblock highlight"><pre tabindex="0"><code class="language-json">' in html
    assert "<pre><code>plain text\n</code></pre>" in html
    server = StaticServer(out)
    try:
        for scheme in ("light", "dark"):
            page = browser.new_page(viewport=PHONE, color_scheme=scheme,
                                    permissions=["clipboard-read", "clipboard-write"])
            page.goto(server.url + "409/")
            colours = page.evaluate("""() => ['.prose .nt', 'pre.http .nt', '.prose .mi', '.prose .s2', '.prose pre']
              .map(s => getComputedStyle(document.querySelector(s)).color)""")
            key, example_key, number, string, plain = colours
            assert key == example_key and len({key, number, string, plain}) == 4, (scheme, colours)
            block = page.locator(".prose .codeblock.highlight pre")
            button = page.locator(".prose .codeblock.highlight button.copy")
            p, b = block.bounding_box(), button.bounding_box()
            assert p and b and p["x"] + p["width"] - 60 <= b["x"] and b["x"] + b["width"] <= p["x"] + p["width"]
            assert p["y"] <= b["y"] <= p["y"] + 20
            page.close()
    finally:
        server.close()
