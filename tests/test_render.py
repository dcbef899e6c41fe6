"""The theme's templates read the views as Jinja documents `a.b`: an attribute first, then a key. The renderer looks
a view's keys up directly (pages/render.py, `Environment.getattr`); what a template sees must stay what Jinja's own
lookup gives it, in the user's templates too."""

from __future__ import annotations

import re

from conftest import CONTENT, run_cli

PROBE = ("{% extends \"base.html\" %}{% block main %}"
         "<p id=\"probe\">{{ entry.code }}|{{ entry.items is callable }}|{{ entry.get('code') }}|"
         "{{ entry.keys is callable }}|{{ entry.nothing is defined }}|{{ entry.klass.id }}</p>{% endblock %}\n")


def test_dot_lookup_on_views_is_jinjas(tmp_path):
    """A key is found as `entry.code`; a dict's method stays the method (`entry.items`, `entry.get(...)`); a
    missing key is undefined (a test sees it, a plain `{{ }}` is a T001 at the template's line)."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "code.html").write_text(PROBE, encoding="utf-8")
    out = tmp_path / "site"
    result = run_cli("build", "--content", str(CONTENT), "--templates", str(templates), "--out", str(out))
    assert result.returncode == 0, result.stderr
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
