"""The theme's templates read the views as Jinja documents `a.b`: an attribute first, then a key. The renderer looks
a view's keys up directly (pages/render.py, `Environment.getattr`); what a template sees must stay what Jinja's own
lookup gives it, in the user's templates too."""

from __future__ import annotations

import re

from conftest import CONTENT, run_cli

PROBE = ("{% extends \"base.html\" %}{% block main %}"
         "<p id=\"probe\">{{ entry.code }}|{{ entry.items is callable }}|{{ entry.get('code') }}|"
         "{{ entry.keys is callable }}|{{ entry.nothing is defined }}|{{ entry.klass.id }}</p>{% endblock %}\n")


def built_with_theme(tmp_path, templates: dict[str, str], content=CONTENT, *options: str):
    """The site `statusdocs build` makes of `content` with a theme of these templates (name: text) in
    tmp_path/templates, over the shipped ones: its folder."""
    folder = tmp_path / "templates"
    folder.mkdir()
    for name, text in templates.items():
        (folder / name).write_text(text, encoding="utf-8")
    out = tmp_path / "site"
    result = run_cli("build", "--content", str(content), "--templates", str(folder), "--out", str(out), *options)
    assert result.returncode == 0, result.stderr
    return out


def test_dot_lookup_on_views_is_jinjas(tmp_path):
    """A key is found as `entry.code`; a dict's method stays the method (`entry.items`, `entry.get(...)`); a
    missing key is undefined (a test sees it, a plain `{{ }}` is a T001 at the template's line)."""
    out = built_with_theme(tmp_path, {"code.html": PROBE})
    templates = tmp_path / "templates"
    probe = re.search(r'<p id="probe">(.*?)</p>', (out / "404" / "index.html").read_text(encoding="utf-8"))
    assert probe is not None
    assert probe.group(1) == "404|True|404|True|False|4xx"

    (templates / "code.html").write_text('{% extends "base.html" %}{% block main %}\n{{ entry.nothing }}'
                                         "{% endblock %}\n", encoding="utf-8")
    result = run_cli("build", "--content", str(CONTENT), "--templates", str(templates), "--out", str(out))
    assert result.returncode == 1
    assert re.search(r"code\.html:2: error T001 undefined", result.stderr), result.stderr


def test_code_spans_break_only_where_a_reader_expects(built_site):
    """A short token with hyphens never wraps; a long one may break after punctuation and between camel-case humps
    (`<wbr>`); whitespace between tokens stays; text is escaped once."""
    page = (built_site / "409" / "index.html").read_text(encoding="utf-8")
    assert '<code><span class="nobreak">If-Match</span></code>' in page
    assert "<code>version_<wbr>conflict_<wbr>engine_<wbr>exception</code>" in page
    page = (built_site / "compare" / "301-vs-302" / "index.html").read_text(encoding="utf-8")
    assert "<code>Location: https:<wbr>/<wbr>/<wbr>app.<wbr>example/<wbr>cb?<wbr>code=<wbr>.<wbr>.<wbr>.</code>" in page
    spans = re.findall(r"<code>(.*?)</code>", "".join(p.read_text(encoding="utf-8")
                                                      for p in sorted(built_site.glob("**/index.html"))))
    assert spans and not any("&amp;amp;" in s or "&amp;lt;" in s for s in spans)
    assert any("&amp;" in s and "<wbr>" in s for s in spans)


def test_rendering_pages_leaves_no_reference_cycles(tmp_path):
    """`statusdocs build` runs with the cyclic garbage collector off (cli.run): a page whose render leaves a
    reference cycle (a macro defined in the page's template holds the page's context; json.dumps with an indent)
    keeps all it refers to until the build ends, in every render process: memory then grows with the number of
    pages. The pages of the bundled site, rendered again with the collector off, leave nothing for it to find
    (the first round makes what is made once per build or per distinct text, and imports what pages need)."""
    import gc

    from statusdocs.build.pipeline import BuildContext, load, plan

    ctx = BuildContext(str(CONTENT), None, str(tmp_path / "site"), jobs=1, use_cache=False, search=False, check=False)
    assert load(ctx)
    plan(ctx)
    assert ctx.builder is not None
    # Made once per build whatever its size: the JSON schemas, the home page's walk of the guide.
    pages = [page for page in ctx.todo if page.kind not in ("schema", "index")]
    assert {"code", "comparison", "guide", "class", "compare-index"} <= {page.kind for page in pages}
    for page in pages:
        ctx.builder.render_recorded(page)
    was_on = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for page in pages:
            ctx.builder.render_recorded(page)
        gc.set_debug(gc.DEBUG_SAVEALL)
        found = gc.collect()
        left = sorted({type(o).__name__ for o in gc.garbage})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_on:
            gc.enable()
    assert found == 0, f"{found} objects in reference cycles: {left[:20]}"


MORE_PROBE = ("{% extends \"base.html\" %}{% block main %}<ul id=\"loop\">{% for c in others %}<li><a href=\"{{ root }}"
              "{{ c.url }}\">{{ c.title }}</a></li>{% endfor %}</ul>\n<ul id=\"made\">{{ others_html }}</ul>"
              "{% endblock %}\n")


def test_more_comparisons_list_is_the_one_a_loop_over_others_writes(content_copy, tmp_path):
    """A comparison page's "More comparisons" list is made once per comparison (`others_html`), not per page: it is
    what a template's loop over `others` writes, byte for byte, on every comparison page, with the page's own
    root in its links, and a name that holds HTML's special characters or a citation's syntax escaped as text."""
    entry = content_copy / "codes" / "412.yaml"
    entry.write_text(entry.read_text(encoding="utf-8").replace(
        "name: Precondition Failed", "name: \"Precondition <Failed> & 'x' [^rfc9110]\"", 1) +
        "ignore:\n  - {rule: F001, field: name, reason: a name with HTML's special characters}\n", encoding="utf-8")
    out = built_with_theme(tmp_path, {"compare.html": MORE_PROBE}, content_copy)
    pages = sorted((out / "compare").glob("*/index.html"))
    assert len(pages) > 10
    special = listed = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        loop = re.search(r'<ul id="loop">(.*?)</ul>', html, re.S)
        made = re.search(r'<ul id="made">(.*?)</ul>', html, re.S)
        assert loop is not None and made is not None, page
        assert made.group(1) == loop.group(1), page
        assert "\x1a" not in html
        listed += bool(made.group(1))
        special += "412 Precondition &lt;Failed&gt; &amp; &#39;x&#39; [^rfc9110]" in made.group(1)
    assert listed > 10 and special >= 3
    assert '<li><a href="../../compare/304-vs-412/">' in (out / "compare" / "412-vs-428" / "index.html").read_text()


ROWS_PROBE = ("{% extends \"base.html\" %}{% block main %}<div id=\"loop\">"
              "{% for r in facts + rows %}|{% for side, cell in ((left, r.left), (right, r.right)) %}"
              "<div class=\"side\"><p class=\"side-code\"><span class=\"num\">{{ side.code }}</span> "
              "{{ side.name }}</p><div class=\"prose\">"
              "{% if r.kind == 'link' %}{% if cell.link %}<a href=\"{{ cell.link }}\">{{ cell.label }}</a>"
              "{% else %}{{ cell.label }}{% endif %}"
              "{% elif r.kind == 'list' %}{% if cell %}<ul>{% for item in cell %}<li>{{ item }}</li>{% endfor %}</ul>"
              "{% else %}None in particular{% endif %}{% else %}{{ cell }}{% endif %}</div></div>{% endfor %}"
              "{% endfor %}</div>\n<div id=\"made\">{% for r in facts + rows %}|{{ r.sides }}{% endfor %}</div>"
              "{% endblock %}\n")


def test_comparison_rows_sides_are_what_a_loop_over_both_sides_writes(tmp_path):
    """Each row's two sides on a comparison page are made by the views (`r.sides`; a generated row's side once per
    code, not once per page): the same bytes as a template's loop over `left`/`right` and `r.left`/`r.right`
    writes, for every kind of row (prose, link, list, the differing facts), on every comparison page."""
    out = built_with_theme(tmp_path, {"compare.html": ROWS_PROBE}, CONTENT, "--jobs", "1")
    pages = sorted((out / "compare").glob("*/index.html"))
    assert len(pages) > 10
    kinds = set()
    for page in pages:
        html = page.read_text(encoding="utf-8")
        loop = re.search(r'<div id="loop">(.*?)</div>\n<div id="made">', html, re.S)
        made = re.search(r'<div id="made">(.*?)</div>\s*</main>', html, re.S)
        assert loop is not None and made is not None, page
        assert made.group(1).replace("  <div", "<div").replace("</div></div>\n", "</div></div>") == loop.group(1)
        kinds |= {"link" for _ in re.finditer(r'<div class="prose"><a href=', made.group(1))}
        kinds |= {"list" for _ in re.finditer(r'<div class="prose"><ul>', made.group(1))}
    assert kinds == {"link", "list"}


def test_a_field_shown_in_a_shared_side_rebuilds_every_comparison_of_its_code(content_copy, tmp_path):
    """A generated row's side (here 412's "Safe to retry") is written once per process and shown by every
    comparison of 412: an edit of the field it shows makes each of those pages again, in one process too, where
    the later pages reuse the side made for the first (a side kept across builds would leave them stale)."""
    out = tmp_path / "site"
    args = ("build", "--content", str(content_copy), "--out", str(out), "--jobs", "1")
    assert run_cli(*args).returncode == 0
    entry = content_copy / "codes" / "412.yaml"
    text = entry.read_text(encoding="utf-8")
    old = "Sending the same request again carries the same stale validator and fails the same way."
    assert old in text
    entry.write_text(text.replace(old, "Sending it again unchanged fails the same way, as marked."), encoding="utf-8")
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    pages = sorted((out / "compare").glob("*412*/index.html"))
    assert len(pages) >= 3
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "fails the same way, as marked." in html and old not in html, page


NAV_PROBE = ("{% extends \"base.html\" %}{% from \"_macros.html\" import site_nav %}{% block main %}"
             "<div id=\"probe\">{{ site_nav(nav_codes, page, root) }}</div>{% endblock %}\n")


def test_side_navigation_is_one_macro_whatever_the_page(tmp_path):
    """The side navigation of every code is the theme's `site_nav` macro: on a comparison page made once per build
    for every such page, on a code's page with its own class open and the page marked current; a theme's template
    that calls it gets the navigation the frame shows, byte for byte."""
    out = built_with_theme(tmp_path, {"compare.html": NAV_PROBE, "code.html": NAV_PROBE})
    navs = set()
    for page in ("compare/409-vs-412", "compare/301-vs-302", "412", "301"):
        html = (out / page / "index.html").read_text(encoding="utf-8")
        frame = re.findall(r'<nav class="sitenav".*?</nav>', html, re.S)
        assert len(frame) == 2, page
        assert frame[0] == frame[1], page
        navs.add(frame[0])
        current = re.findall(r'<details class="sitenav-class" open><summary>(\dxx) ', frame[0])
        assert current == ([] if page.startswith("compare/") else [page[0] + "xx"]), page
        assert ('aria-current="page"' in frame[0]) == (not page.startswith("compare/")), page
        assert 'href="../' in frame[0] and "\x1a" not in html
    assert len(navs) == 3  # both comparison pages the same; each code page its own
