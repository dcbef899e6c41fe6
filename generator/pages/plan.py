"""Plan: which pages the site has. Which files each one is made from is recorded as it is rendered
(Lektor's model: `pages/recorded.py` for the content, the renderer for the templates)."""

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
    sources: tuple[str, ...] = field(default=(), compare=False)  # a static file's path (content is recorded)
    in_sitemap: bool = True
    # File path below the output folder (made with the page: it is the key of every record, asked for many times
    # per page and build, of thousands of pages each build).
    output: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        url = self.url
        object.__setattr__(self, "output", url + "index.html" if url == "" or url.endswith("/") else url)

    @property
    def code(self) -> int:
        """The status code of a code page or of its JSON (`api/412.json`), whose key it is."""
        assert isinstance(self.key, int), f"the {self.kind} page {self.url!r} is not a code's"
        return self.key

    @property
    def shows_frame(self) -> bool:
        """Whether the page may read the shared context (the site, which pages and codes exist, every code's name for
        the navigation), so that a change there must render it again: all but one code's JSON, a schema and a
        static file, which are made from their own files alone."""
        return not (self.kind in ("schema", "static") or (self.kind == "api" and isinstance(self.key, int)))

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


def comparison_order(content: Content) -> list[str]:
    """The comparisons' slugs in the site's order: by their codes."""
    return [slug for slug, _ in sorted(content.comparisons.items(), key=lambda item: tuple(item[1].codes))]


def plan_site(content: Content, slugs: list[str] | None = None) -> list[PlannedPage]:
    """Every page of the site, in the order the sitemap lists them. What each one reads is recorded as it is
    rendered (`pages/recorded.py`), not listed here. `slugs`: the comparisons in the site's order
    (`comparison_order`), if the caller has them already."""
    codes = sorted(content.entries)
    slugs = comparison_order(content) if slugs is None else slugs
    pages = [PlannedPage("index", "", "index.html"), PlannedPage("compare-index", "compare/", "compare_index.html")]
    pages += [PlannedPage("class", f"{klass}/", "class.html", klass)
              for klass in sorted({f"{c // 100}xx" for c in codes})]
    for code in codes:
        pages.append(PlannedPage("code", f"{code}/", "code.html", code))
        pages.append(PlannedPage("api", f"api/{code}.json", None, code, in_sitemap=False))
    pages += [PlannedPage("comparison", f"compare/{slug}/", "compare.html", slug) for slug in slugs]
    if content.guide is not None:
        pages.append(PlannedPage("guide", "guide/", "guide.html", "guide"))
    pages += [PlannedPage("page", f"{slug}/", "page.html", slug) for slug in sorted(content.pages)]
    pages += [
        PlannedPage("api", "api/codes.json", None, "codes", in_sitemap=False),
        PlannedPage("search", "search-index.js", None, "search", in_sitemap=False),
        PlannedPage("404", "404.html", "404.html", in_sitemap=False),
        PlannedPage("sitemap", "sitemap.xml", "sitemap.xml", in_sitemap=False),
        PlannedPage("robots", "robots.txt", "robots.txt", in_sitemap=False),
    ]
    # The content files' JSON Schemas, published where their `$id` (under the base URL) says, for editors.
    pages += [PlannedPage("schema", f"schema/{kind}.json", None, kind, in_sitemap=False) for kind in SCHEMAS]
    return pages
