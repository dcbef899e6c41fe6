"""Helpers for tests that look at a built site the way a visitor does: parse HTML, follow links."""

from __future__ import annotations

import os
from html.parser import HTMLParser
from urllib.parse import unquote, urldefrag, urljoin, urlsplit


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.ids: set[str] = set()
        self.text: list[str] = []
        self.title = ""
        self._in_title = False
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.ids.add(a["name"])
        for attr in ("href", "src"):
            if attr in a and tag in ("a", "link", "script", "img"):
                self.links.append((tag, a[attr]))
        if tag == "title":
            self._in_title = True
        if tag == "meta" and ("name" in a or "property" in a):
            self.meta[a.get("name") or a.get("property")] = a.get("content", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        self.text.append(data)


def parse(path: str) -> PageParser:
    parser = PageParser()
    with open(path, encoding="utf-8") as fh:
        parser.feed(fh.read())
    return parser


def url_to_file(site: str, base: str, url: str) -> str | None:
    """The file a URL under `base` maps to, or None when it is outside the site."""
    if not url.startswith(base):
        return None
    rel = unquote(urlsplit(url).path[len(urlsplit(base).path):])
    path = os.path.join(site, rel)
    return os.path.join(path, "index.html") if rel == "" or rel.endswith("/") else path


def crawl(site: str, base: str = "https://example.org/") -> tuple[set[str], list[str]]:
    """Follow every internal link from the index. Returns the files reached and the broken links."""
    seen: set[str] = set()
    broken: list[str] = []
    todo = [base]
    ids_cache: dict[str, set[str]] = {}
    while todo:
        url = todo.pop()
        path = url_to_file(site, base, url)
        if path is None or path in seen:
            continue
        seen.add(path)
        if not path.endswith(".html"):
            continue
        page = parse(path)
        ids_cache[path] = page.ids
        for tag, href in page.links:
            if href.startswith(("http://", "https://", "mailto:")) and not href.startswith(base):
                continue
            target, frag = urldefrag(urljoin(url, href))
            target_file = url_to_file(site, base, target)
            if target_file is None:
                broken.append(f"{os.path.relpath(path, site)}: {href} leaves the site")
                continue
            if not os.path.isfile(target_file):
                broken.append(f"{os.path.relpath(path, site)}: {href} -> missing {os.path.relpath(target_file, site)}")
                continue
            if frag and target_file.endswith(".html"):
                ids = ids_cache.get(target_file) or parse(target_file).ids
                ids_cache[target_file] = ids
                if frag not in ids:
                    broken.append(f"{os.path.relpath(path, site)}: {href} -> no anchor #{frag}")
            if tag == "a":
                todo.append(target)
            else:
                seen.add(target_file)
    return seen, broken


def tree_bytes(folder: str) -> dict[str, bytes]:
    out = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, folder)] = fh.read()
    return out
