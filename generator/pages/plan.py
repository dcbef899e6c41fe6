"""Plan: which pages the site has, and from which content files each one is made.

Like Lektor's builder, every planned page records the sources it reads; the renderer adds the
templates it used. `serve` compares those against changed files to rebuild only what changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from statusdocs.content.model import Comparison, Content
from statusdocs.content.schema import SCHEMAS


@dataclass(frozen=True)
class PlannedPage:
    kind: str                 # code comparison class index compare-index guide page 404 sitemap robots api search
                              # schema
    url: str                  # path below the site root: "" for the index, "412/", "compare/409-vs-412/", "sitemap.xml"
    template: str | None      # Jinja template, or None for pages made directly (JSON)
    key: str | int | None = None
    sources: tuple[str, ...] = field(default=(), compare=False)
    in_sitemap: bool = True

    @property
    def output(self) -> str:
        """File path below the output folder."""
        return self.url + "index.html" if self.url == "" or self.url.endswith("/") else self.url

    @property
    def depth(self) -> int:
        return self.url.count("/")


def comparisons_by_code(comparisons: list[Comparison]) -> dict[int, list[Comparison]]:
    """Each code's comparisons, in the order given: an index, so that no page scans them all."""
    index: dict[int, list[Comparison]] = {}
    for comp in comparisons:
        for code in comp.codes:
            index.setdefault(code, []).append(comp)
    return index


def plan_site(content: Content) -> list[PlannedPage]:
    site_src = content.site.source
    codes = sorted(content.entries)
    entry_src = {c: content.entries[c].source for c in codes}
    all_entries = tuple(entry_src[c] for c in codes)
    comparisons = sorted(content.comparisons.values(), key=lambda c: tuple(c.codes))
    all_comparisons = tuple(c.source for c in comparisons)
    by_code = comparisons_by_code(comparisons)
    pages: list[PlannedPage] = [
        PlannedPage("index", "", "index.html", sources=(site_src, *all_entries)),
        PlannedPage("compare-index", "compare/", "compare_index.html",
                    sources=(site_src, *all_comparisons, *all_entries)),
    ]
    for klass in sorted({f"{c // 100}xx" for c in codes}):
        members = tuple(entry_src[c] for c in codes if f"{c // 100}xx" == klass)
        pages.append(PlannedPage("class", f"{klass}/", "class.html", klass, (site_src, *members)))
    for i, code in enumerate(codes):
        entry = content.entries[code]
        # A code page shows the names of its related codes, its neighbours and its comparisons.
        neighbours = [codes[j] for j in (i - 1, i + 1) if 0 <= j < len(codes)]
        linked = sorted({*entry.related, *neighbours} & set(codes))
        comps = by_code.get(code, [])
        other = sorted({o for c in comps for o in c.codes if o != code})
        sources = (site_src, entry.source, *(entry_src[c] for c in linked if c != code),
                   *(c.source for c in comps), *(entry_src[c] for c in other if c not in linked))
        pages.append(PlannedPage("code", f"{code}/", "code.html", code, sources))
        pages.append(PlannedPage("api", f"api/{code}.json", None, code, (site_src, entry.source), in_sitemap=False))
    for comp in comparisons:
        # It also lists the other comparisons of its two codes, titled with their codes' names.
        others = sorted({c for code in comp.codes for o in by_code[code] for c in o.codes} - set(comp.codes))
        # Its decision may exit to a code outside the pair (204-vs-304's 200), and its worked examples name theirs.
        exits = sorted(({c for _, c in comp.decision.leaves() if isinstance(c, int)} | {k.expect for k in comp.cases})
                       - set(comp.codes) - set(others))
        sources = (site_src, comp.source, *(entry_src[c] for c in (*comp.codes, *others, *exits) if c in entry_src))
        pages.append(PlannedPage("comparison", f"compare/{comp.slug}/", "compare.html", comp.slug, sources))
    if content.guide is not None:
        leaves = content.guide.tree.leaves()
        grafted = [content.comparisons[s] for _, s in leaves if isinstance(s, str) and s in content.comparisons]
        shown = ({c for _, c in leaves if isinstance(c, int)} | {k.expect for k in content.guide.cases}
                 | {c for comp in grafted for _, c in comp.decision.leaves() if isinstance(c, int)})
        sources = (site_src, content.guide.source, *sorted({c.source for c in grafted}),
                   *(entry_src[c] for c in sorted(shown) if c in entry_src))
        pages.append(PlannedPage("guide", "guide/", "guide.html", "guide", sources))
    for slug in sorted(content.pages):
        pages.append(PlannedPage("page", f"{slug}/", "page.html", slug, (site_src, content.pages[slug].source)))
    everything = (site_src, *all_entries, *all_comparisons, *(content.pages[s].source for s in sorted(content.pages)),
                  *((content.guide.source,) if content.guide else ()))
    pages += [
        PlannedPage("api", "api/codes.json", None, "codes", (site_src, *all_entries), in_sitemap=False),
        PlannedPage("search", "search-index.js", None, "search", everything, in_sitemap=False),
        PlannedPage("404", "404.html", "404.html", sources=(site_src,), in_sitemap=False),
        PlannedPage("sitemap", "sitemap.xml", "sitemap.xml", sources=everything, in_sitemap=False),
        PlannedPage("robots", "robots.txt", "robots.txt", sources=(site_src,), in_sitemap=False),
    ]
    # The content files' JSON Schemas, published where their `$id` (under the base URL) says, for editors.
    pages += [PlannedPage("schema", f"schema/{kind}.json", None, kind, (site_src,), in_sitemap=False)
              for kind in SCHEMAS]
    return pages
