"""What each template gets: plain dictionaries built from the model, prose already rendered to HTML."""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import asdict, fields, is_dataclass
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from statusdocs.content.model import (
    CITATION,
    CLASS_NAMES,
    LANGUAGES,
    Case,
    Comparison,
    Content,
    Decision,
    Entry,
    Example,
    Source,
    trail,
)
from statusdocs.content.urls import normalise_base_url
from statusdocs.pages.diagram import decision_svg
from statusdocs.pages.highlight import http_html, unbroken_code
from statusdocs.pages.plan import PlannedPage, comparisons_by_code
from statusdocs.pages.prose import ROOT_MARK, Prose, as_markup, excerpt, first_sentence, text_of
from statusdocs.pages.recorded import (
    FIELD,
    Grafts,
    RecordedContent,
    Recorder,
    Shown,
    field_dep,
    read_if_shown,
    unwrapped,
)
from statusdocs.reference import ConstantTable, constant_tables


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


# The rows every comparison table starts with, made from the two entries (Views.compared).
# The generated rows of a comparison: aspect, and the kind of its cells, which the template renders by kind
# ("prose": rendered Markdown; "link": the spec's label and link; "list": items, or none).
COMPARED = (("Definition", "prose"), ("When to use", "prose"), ("Client behaviour", "prose"), ("Caching", "prose"),
            ("Safe to retry", "prose"), ("Defined in", "link"), ("Typical scenarios", "list"), ("Headers", "list"))


def _ascii_label(label: str) -> Markup:
    """A spec label (`RFC 9110 §15.5.10`) for HTML, escaped, with its section sign as `&sect;`: the one non-ASCII
    character the generator itself writes into most pages. A page of ASCII alone is encoded to UTF-8 by a copy;
    one `§` makes Python encode it character by character, on every page."""
    return as_markup(str(escape(label)).replace("\u00a7", "&sect;"))


_SPACED_CITATION = re.compile(r"[ \t]*" + CITATION.pattern)
# A comparison page's views that hold no cited prose: left as they are by `Views._with_sources`.
_UNCITED = frozenset({"diagram", "left", "right", "rows", "others", "others_html"})


def uncited(text: str) -> str:
    """Prose without its `[^id]` citations: for plain-text uses (search words, excerpts), where no list follows."""
    return _SPACED_CITATION.sub("", text) if "[^" in text else text


def cited(value: Any, refs: dict[str, int] | None) -> Any:
    """A view (rendered prose, or dicts and lists of it) with each `[^id]` of its HTML replaced by a numbered link
    to item `refs[id]` of the page's Sources list, or removed where `refs` is None (a page with no such list, such
    as the guide, which shows comparisons' questions). Only Markup is rewritten: a plain string is escaped on
    output. An id the list lacks stays as written (F005 reports it)."""
    if isinstance(value, Markup):
        if "[^" not in value:
            return value
        if refs is None:
            return as_markup(_SPACED_CITATION.sub("", value))

        def link(m: re.Match[str]) -> str:
            n = refs.get(m.group(1))
            if n is None:
                return m.group(0)
            return f'<sup class="cite"><a href="#source-{n}" aria-label="source {n}">[{n}]</a></sup>'
        return as_markup(CITATION.sub(link, value))
    if isinstance(value, dict):
        return {k: cited(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [cited(v, refs) for v in value]
    return value


def unlinked(value: Any, code: int) -> Any:
    """A view with prose's links to `code`'s own page turned back into the number: a page never links itself."""
    if isinstance(value, Markup):
        link = f'<a class="code-ref" href="{ROOT_MARK}{code}/">{code}</a>'
        return as_markup(value.replace(link, str(code))) if link in value else value
    if isinstance(value, dict):
        return {k: unlinked(v, code) for k, v in value.items()}
    if isinstance(value, list):
        return [unlinked(v, code) for v in value]
    return value


def _citations(value: Any) -> list[str]:
    """The ids a view cites, in the order they appear."""
    if isinstance(value, Markup):
        return CITATION.findall(value) if "[^" in value else []
    if isinstance(value, dict):
        return [i for v in value.values() for i in _citations(v)]
    if isinstance(value, list):
        return [i for v in value for i in _citations(v)]
    return []


def _source_item(n: int, source: Source, owner: str = "") -> dict[str, Any]:
    return {"n": n, "id": source.id, "title": source.title, "url": source.url, "accessed": source.accessed,
            "quote": source.quote, "owner": owner}


def _constant_note(table: ConstantTable | None, written: str) -> dict[str, str] | None:
    """What a reader needs besides the name: the release it appeared in when some covered release lacks it, with
    the name those releases use, and a deprecation or removal."""
    if table is None:
        return None
    name, _ = table.lookup(written)
    if name is None:
        return None
    note = {"since": "", "before": "", "deprecated": "", "removed": ""}  # every key: templates are strict
    if table.newer_than_oldest(name):
        note["since"] = table.release(table.added_in[name]) + "+"
        older = table.before.get(name)
        note["before"] = table.prefix + older if older else ""
    if name in table.removed_in:
        note["removed"] = table.release(table.removed_in[name])
    elif name in table.deprecated_in:
        note["deprecated"] = table.release(table.deprecated_in[name])
    return note if any(note.values()) else None


def example_view(example: Example) -> dict[str, Any]:
    """An HTTP example: its text as written (for JSON and plain uses) and as highlighted HTML with its JSON body
    pretty-printed (what the page shows)."""
    request, response = example.request.rstrip("\n"), example.response.rstrip("\n")
    return {"title": example.title, "request": request, "response": response,
            "request_html": http_html(request), "response_html": http_html(response)}


def constants_view(entry: Entry) -> dict[str, Any]:
    """The constants section: a row per library with a constant, a row per library verified to have none, and
    the libraries for which nothing is recorded. "None of the libraries..." is said only when all were verified."""
    tables = constant_tables()
    rows, absent, unrecorded = [], [], []
    for key, label in LANGUAGES.items():
        table = tables.get(key)
        if key in entry.constants:
            rows.append({"key": key, "label": label, "value": entry.constants[key],
                         "note": _constant_note(table, entry.constants[key])})
        elif table is not None and entry.code in table.verified_absent:
            absent.append({"key": key, "label": label, "checked": table.checked_against})
        else:
            unrecorded.append(label)
    return {"constants": rows, "constants_absent": absent, "constants_unrecorded": unrecorded,
            "constants_none": not rows and not unrecorded}


def _differing_facts(a: Entry, b: Entry) -> list[dict[str, str]]:
    """The one-word facts of two entries (class, cacheable, safe to retry) where they differ: a comparison's list of
    differences starts with them; those they share are in its full details."""
    def yes_no(flag: bool) -> str:
        return "Yes" if flag else "No"
    facts = [("Class", a.klass, b.klass),
             ("Cacheable by default", yes_no(a.cacheable.default), yes_no(b.cacheable.default)),
             ("Safe to retry unchanged", yes_no(a.retry.safe), yes_no(b.retry.safe))]
    return [{"aspect": aspect, "kind": "text", "left": left, "right": right} for aspect, left, right in facts
            if left != right]


def _side_values(side: dict[str, Any], kind: str, cell: Any) -> list[Any]:
    """What one side of a comparison's row shows (`_side_html`), each value as it is written out."""
    if kind == "link":
        return [side["code"], side["name"], cell["link"], cell["label"]]
    if kind == "list":
        return [side["code"], side["name"], *cell]
    return [side["code"], side["name"], cell]


def _side_html(side: dict[str, Any], kind: str, cell: Any) -> str:
    """One side of a comparison's row, as the theme's `pair_rows` wrote it with a loop over both sides (each value
    escaped as Jinja's autoescape does, with markupsafe's `escape`): the code and name, then the cell by the row's
    kind (contexts.COMPARED): a link, a list, or prose or text as it is."""
    if kind == "link":
        body = f'<a href="{escape(cell["link"])}">{escape(cell["label"])}</a>' if cell["link"] \
            else str(escape(cell["label"]))
    elif kind == "list":
        body = "<ul>" + "".join([f"<li>{escape(item)}</li>" for item in cell]) + "</ul>" if cell \
            else "None in particular"
    else:
        body = str(escape(cell))
    return (f'  <div class="side"><p class="side-code"><span class="num">{escape(side["code"])}</span> '
            f'{escape(side["name"])}</p><div class="prose">{body}</div></div>\n')


# A piece of the views made once per build (`Views._once`): its value, the files and fields it read (every page
# that uses it records them) and those whose text it holds for a template to show (`Shown`).
Made = tuple[Any, tuple[str, ...], tuple[str, ...]]
# Made in an earlier build of the preview: with the dependencies it read or holds, and their digests then.
Kept = tuple[Any, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str | None, ...]]
EXAMPLES_KEPT = 20_000  # highlighted examples kept (`Views.example`)
UNCARRIED = frozenset({"shared"})  # made of the site's structure: made again each build (the fingerprint's)
# The pieces of plain text that only the wide pages (search index) read, one per entry or comparison: the build
# cache keeps them across builds (`Views.stored`), so that a build after an edit makes only the edited one's again.
STORED = frozenset({"search entry", "search comparison", "description"})


class Lasting:
    """What the views keep across the preview's rebuilds (its Builder is kept from one build to the next): the
    recorder (a `Shown` text kept in a view records into it), entries' JSON by entry object, and the pieces made
    once per build (`Views._once`), each kept with the digests of what it read and holds: a later build uses it
    while those digests are the same and the site's structure (the shared fingerprint) is, so that a rebuild makes
    again only what an edit changed. The digests are the pages' keys' (`FieldDigests`), by content."""

    def __init__(self) -> None:
        self.recorder = Recorder()
        # code -> entry, base URL, JSON (None: known by its text alone), text
        self.entries: dict[int, tuple[Entry, str, dict[str, Any] | None, str]] = {}
        self.memo: dict[tuple[str, object], Kept] = {}
        self.fingerprint = ""  # the shared fingerprint the memo's pieces were made under
        self.inputs: dict[str, str] = {}  # the inputs' hashes they were checked against last (`Views.carry`)
        self.readers: dict[str, set[tuple[str, object]]] = {}  # file (absolute) -> the pieces that read or hold it
        self.absolute: dict[str, str] = {}  # source path -> absolute
        self.spelt: dict[str, set[str]] = {}  # absolute -> the source paths that name it (`absolute`'s reverse)
        self.models: dict[str, str] = {}  # source path -> absolute, as `RecordedContent.models` makes them
        self.examples: dict[tuple[str, str, str], dict[str, Any]] = {}  # `example_view` by the example's text

    def forget_changed(self, inputs: dict[str, str], stamp: Callable[[str], str | None]) -> None:
        """Drop the pieces a change of the inputs since the last build made stale: of the files whose hash changed
        (or that are gone), those pieces that read or hold a field whose digest changed. What stays is then
        known to hold without checking it piece by piece."""
        old = self.inputs
        changed = [path for path, known in inputs.items() if old.get(path) != known]
        changed += [path for path in old if path not in inputs]
        for path in changed:  # a piece that reads several changed files is checked once for each, on its own
            readers = self.readers.get(path, set())
            spelt = tuple(self.spelt.get(path, ())) if readers else ()
            for memo_key in list(readers):
                kept = self.memo.get(memo_key)
                if kept is None or any(_changed(kept, source, stamp) for source in spelt):
                    self.memo.pop(memo_key, None)
                    readers.discard(memo_key)
        self.inputs = dict(inputs)

    def keep(self, memo_key: tuple[str, object], kept: Kept) -> None:
        self.memo[memo_key] = kept
        absolute = self.absolute
        for dep in kept[3]:
            source = dep.partition(FIELD)[0]
            path = absolute.get(source)
            if path is None:
                path = absolute[source] = os.path.abspath(source)
                self.spelt.setdefault(path, set()).add(source)
            self.readers.setdefault(path, set()).add(memo_key)

    def clear(self) -> None:
        self.memo.clear()
        self.readers.clear()


def _changed(kept: Kept, source: str, stamp: Callable[[str], str | None]) -> bool:
    """Has a field of `source` (or the file as a whole) that a kept piece read or holds another digest now? Its
    dependencies are sorted: those of one file are next to each other."""
    deps, digests = kept[3], kept[4]
    for i in range(bisect.bisect_left(deps, source), len(deps)):
        dep = deps[i]
        if not dep.startswith(source):
            return False
        if stamp(dep) != digests[i]:
            return True
    return False


class Views:
    def __init__(self, content: Content, base_url: str, prose: Prose | None = None, lasting: Lasting | None = None):
        self.lasting = Lasting() if lasting is None else lasting
        # Every lookup of a content file through self.content is recorded as the current page's dependency.
        self.recorder = self.lasting.recorder
        self.content = RecordedContent(content, self.recorder, self.lasting.models)
        self.raw = content  # the site's structure, which the shared fingerprint holds: not recorded
        url = normalise_base_url(base_url)
        if url is None:  # the CLI and the loader refuse one before a build gets here
            raise ValueError(f"not a base URL: {base_url!r}")
        self.base_url = url
        self.base_path = urlsplit(self.base_url).path or "/"
        self.prose = prose or Prose(set(content.entries))
        self.codes = sorted(content.entries)
        self.plan: list[PlannedPage] = []  # set by the build; the sitemap lists it
        self.full_text = False  # set by the build: the site gets Pagefind's index
        # Indexes and per-object views, made once: a comparison page shows two entries and its codes' other
        # comparisons, and at thousands of pages rebuilding or rescanning these per page dominates the build.
        ordered = sorted(content.comparisons.items(), key=lambda item: tuple(item[1].codes))
        self.comparisons = [comp for _, comp in ordered]
        self.slugs = [slug for slug, _ in ordered]  # each comparison's (the model makes it anew when asked)
        self.by_code = comparisons_by_code(self.comparisons)
        self._order = {id(c): i for i, c in enumerate(self.comparisons)}  # each comparison's place in the site
        self._memo: dict[tuple[str, object], Made] = {}
        self._sides: dict[tuple[int, int], tuple[str, list[Shown]]] = {}  # generated rows' sides (`_side`)
        self._other_items: dict[str, str] = {}  # a comparison's item in others' "More comparisons", by its URL
        self._stamp: Callable[[str], str | None] | None = None  # set by `carry`: the dependencies' digests
        self._fingerprint: str | None = None
        # The build cache's layer (`build/views.py`): a STORED piece of an earlier build, if what it read and holds
        # is as it was then (None: none); the STORED pieces made by this process, for the next build; an entry's
        # JSON as the last build wrote it (None: not known).
        self.stored: Callable[[tuple[str, object]], Made | None] | None = None
        self.made: dict[tuple[str, object], Made] = {}
        self.written_json: Callable[[int], str | None] | None = None

    def _once(self, kind: str, key: object, make: Callable[[], Any]) -> Any:
        """`make()`, made once (or kept from an earlier build, see `Lasting` and `stored`); every page that uses it
        records the files it read."""
        made = self._memo.get((kind, key)) or self._carried((kind, key)) or self._stored((kind, key))
        if made is None:
            value, reads, held = self.recorder.collected(make)
            made = self._memo[(kind, key)] = (value, tuple(reads), tuple(held))
            self._keep((kind, key), made)
            if kind in STORED:
                self.made[(kind, key)] = made
        else:
            self.recorder.read(*made[1])
            self.recorder.hold(*made[2])
        return made[0]

    def carry(self, inputs: dict[str, str], stamp: Callable[[str], str | None]) -> None:
        """The preview's builds: use the pieces kept from earlier builds whose dependencies have the digests they
        had (`stamp`: a dependency's digest now; `inputs`: every input file's hash now), and keep those made from
        now on. Called once the content is loaded and its inputs hashed, before any page is made."""
        fingerprint = self.shared_fingerprint()
        if fingerprint != self.lasting.fingerprint:  # other pages, codes or navigation: nothing kept holds
            self.lasting.clear()
            self.lasting.fingerprint = fingerprint
        self.lasting.forget_changed(inputs, stamp)
        self._stamp = stamp
        for memo_key, made in self._memo.items():  # what the fingerprint was made from
            self._keep(memo_key, made)

    def _carried(self, memo_key: tuple[str, object]) -> Made | None:
        """A piece kept from an earlier build (what it read and holds is as it was then: `Lasting.forget_changed`)."""
        kept = self.lasting.memo.get(memo_key) if self._stamp is not None else None
        if kept is None:
            return None
        made = self._memo[memo_key] = (kept[0], kept[1], kept[2])
        return made

    def _stored(self, memo_key: tuple[str, object]) -> Made | None:
        """A STORED piece the build cache kept from an earlier build, still as it would be made now."""
        if self.stored is None or memo_key[0] not in STORED:
            return None
        made = self.stored(memo_key)
        if made is not None:
            self._memo[memo_key] = made
        return made

    def take_made(self) -> dict[tuple[str, object], Made]:
        """The STORED pieces this process made since the last call (a forked worker's are its own)."""
        made, self.made = self.made, {}
        return made

    def _keep(self, memo_key: tuple[str, object], made: Made) -> None:
        """Keep a piece made now for later builds, with the digests of what it read and holds."""
        stamp = self._stamp
        if stamp is None or memo_key[0] in UNCARRIED:
            return
        deps = tuple(sorted({*made[1], *made[2]}))  # sorted: a file's are found together (`_changed`)
        digests = tuple(stamp(dep) for dep in deps)
        if None in digests:  # read a file the inputs do not hold: not kept
            self.lasting.memo.pop(memo_key, None)
        else:
            self.lasting.keep(memo_key, (*made, deps, digests))

    def recording(self) -> Any:
        """Record, inside the block, the content files the views read (the set yielded): a page's sources."""
        return self.recorder.recording()

    # ------------------------------------------------------------ shared pieces
    def example(self, example: Example) -> dict[str, Any]:
        """`example_view`, made once per text (an example is highlighted again only when it is edited)."""
        text = (example.title, example.request, example.response)
        made = self.lasting.examples.get(text)
        if made is None:
            if len(self.lasting.examples) >= EXAMPLES_KEPT:  # edits add texts: forget them all now and then
                self.lasting.examples.clear()
            made = self.lasting.examples[text] = example_view(example)
        return made

    def md(self, text: str) -> Any:
        return unbroken_code(self.prose.html(text))

    def inline(self, text: str) -> Any:
        return unbroken_code(self.prose.html(text, inline=True))

    def plain(self, text: str, inline: bool = False) -> str:
        """A prose field as plain text, from its HTML (which the page renders anyway)."""
        return text_of(self.prose.html(uncited(text), inline))

    def class_info(self, klass: str) -> dict[str, Any]:
        return self._once("class", klass, lambda: self._class_info(klass))

    def _class_info(self, klass: str) -> dict[str, Any]:
        info = self.content.site.classes.get(klass)
        digit = int(klass[0])
        return {
            "id": klass,
            "title": info.title if info else CLASS_NAMES.get(digit, klass),
            "description": self.md(info.description) if info else "",
            "url": f"{klass}/",
        }

    def entry_link(self, code: int) -> dict[str, Any]:
        return self._once("link", code, lambda: self._entry_link(code))

    def _entry_link(self, code: int) -> dict[str, Any]:
        entry = self.content.entries[code]
        return {"code": code, "name": entry.name, "url": f"{code}/", "official": entry.official,
                "origin": entry.origin, "summary": self.content.shown(entry, "summary"), "klass": entry.klass}

    def comparison_link(self, comp: Comparison) -> dict[str, Any]:
        return self._once("comparison", comp.slug, lambda: self._comparison_link(comp))

    def comparison_description(self, comp: Comparison) -> str:
        """A comparison's summary as the page's meta description and its search result says it."""
        return self._once("description", comp.slug, lambda: excerpt(self.plain(self._read(comp).summary)))

    def _read(self, comp: Comparison) -> Comparison:
        """A comparison reached through an index (self.comparisons, self.by_code): its fields read are recorded."""
        return self.content.recorded(comp)

    def _comparison_link(self, comp: Comparison) -> dict[str, Any]:
        # Nothing of the comparison's file but its codes and slug, which the shared fingerprint holds.
        a, b = (self.content.entries[c] for c in comp.codes)
        return {"slug": comp.slug, "url": f"compare/{comp.slug}/", "codes": comp.codes,
                "title": f"{a.code} {a.name} vs {b.code} {b.name}"}

    def _code_href(self, code: int) -> str | None:
        """A code page's URL from any page (the root mark becomes the page's relative root), if it has one."""
        return f"{ROOT_MARK}{code}/" if code in self.content.entries else None

    def label(self, code: int) -> str:
        return f"{code} {self.content.entries[code].name}"

    def decision_view(self, node: Decision | int | str, via: dict[str, Any] | None = None) -> dict[str, Any]:
        """A decision as nested dictionaries for templates; a comparison named in the guide is grafted in,
        and its leaves remember which comparison they came from."""
        if isinstance(node, Decision):
            # "leaf" on both kinds: a template's test of it is then a lookup, not a miss that raises twice in Jinja.
            return {"leaf": False, "question": self.inline(node.question),
                    "note": self.inline(node.note) if node.note else "",
                    "yes": self.decision_view(node.yes, via), "no": self.decision_view(node.no, via)}
        if isinstance(node, str):
            comp = self.content.comparisons[node]
            return self.decision_view(comp.decision, self.comparison_link(comp))
        if via is None:  # the same for every comparison the code is an answer in
            return self._once("leaf", node, lambda: self._leaf(node, None))
        return self._leaf(node, via)

    def _leaf(self, code: int, via: dict[str, Any] | None) -> dict[str, Any]:
        entry = self.content.entries[code]
        return {"leaf": True, **self.entry_link(code), "when": self.inline(first_sentence(uncited(entry.when_to_use))),
                "via": via,
                # For a leaf the guide reaches without a comparison: the comparisons its code is in.
                "comparisons": [self.comparison_link(c) for c in self.by_code.get(code, [])]}

    def cases_view(self, tree: Decision, cases: list[Case]) -> list[dict[str, Any]]:
        """Worked examples: each situation with the questions its walk passes, the answer taken at each and the
        code reached (C014 reports a case whose walk ends anywhere but its `expect`)."""
        grafts = Grafts(self.content.comparisons)
        out = []
        for case in cases:
            _, _, steps = trail(tree, case.answers, grafts)
            known = case.expect in self.content.entries
            out.append({"situation": self.md(case.situation), "source": case.source,
                        "code": case.expect, "name": self.content.entries[case.expect].name if known else "",
                        "url": f"{case.expect}/" if known else "",
                        "steps": [{"question": self.inline(node.question), "answer": "Yes" if answer else "No"}
                                  for node, answer in steps]})
        return out

    # ------------------------------------------------------------ page contexts
    def shared(self) -> dict[str, Any]:
        """What every page shows, whichever page it is: the navigation and footer."""
        return self._once("shared", None, self._shared)

    def _shared(self) -> dict[str, Any]:
        # Not recorded: the shared fingerprint holds all of it (a change makes every page again).
        site = self.raw.site
        return {
            "site": {"title": site.title, "description": site.description, "language": site.language,
                     "repository": site.repository},
            "classes": [self.class_info(k) for k in sorted({f"{c // 100}xx" for c in self.codes})],
            "pages": [{"title": p.title, "url": f"{slug}/"} for slug, p in sorted(self.raw.pages.items())],
            "has_guide": self.raw.guide is not None,
            "full_text": self.full_text,
            # The side navigation: every class with its codes.
            "nav_codes": [{**self.class_info(k), "entries": [
                {"code": c, "name": self.raw.entries[c].name, "url": f"{c}/"}
                for c in self.codes if f"{c // 100}xx" == k]} for k in sorted({f"{c // 100}xx" for c in self.codes})],
        }

    def shared_fingerprint(self) -> str:
        """Changes whenever something that any page may show changes beyond its own recorded sources: the
        navigation, the set of codes prose links to, the set of comparisons and pages. Made once per build."""
        if self._fingerprint is None:
            # A digest: every page's cache key hashes it, and the JSON itself grows with the number of comparisons.
            # The comparisons' codes too: the indexes by code (self.by_code) are made from them, unrecorded.
            pairs = [[slug, c.codes] for slug, c in zip(self.slugs, self.comparisons, strict=True)]
            data = json.dumps([self.shared(), self.codes, pairs, sorted(self.raw.pages), self.base_url],
                              sort_keys=True, default=str)
            self._fingerprint = hashlib.sha1(data.encode(), usedforsecurity=False).hexdigest()
        return self._fingerprint

    def read_base_url(self) -> None:
        """Every page shows the base URL (the shared parts are in the shared fingerprint)."""
        self.recorder.read(field_dep(self.raw.site.source, "base_url"))

    def context(self, page: PlannedPage) -> dict[str, Any]:
        self.read_base_url()
        base = {**self.shared(), "page": {"kind": page.kind, "url": page.url},
                "canonical": self.base_url + page.url}
        ctx = {**base, **getattr(self, "_" + page.kind.replace("-", "_"))(page)}
        if page.template and page.template.endswith(".html") and page.kind != "404":
            ctx["jsonld"] = self.jsonld(ctx)
        else:
            ctx["jsonld"] = ""
        return ctx

    def jsonld(self, ctx: dict[str, Any]) -> Markup:
        """Structured data for search engines: FAQPage where the page has an FAQ, TechArticle otherwise."""
        if ctx.get("faq") or (ctx.get("entry") and ctx["entry"]["faq"]):
            faq = ctx.get("faq") or ctx["entry"]["faq"]
            data: dict[str, Any] = {
                "@context": "https://schema.org", "@type": "FAQPage", "name": ctx["title"], "url": ctx["canonical"],
                "mainEntity": [{"@type": "Question", "name": f["question"],
                                "acceptedAnswer": {"@type": "Answer", "text": text_of(f["answer"])}}
                               for f in faq]}
        else:
            data = {"@context": "https://schema.org", "@type": "TechArticle", "headline": ctx["title"],
                    "description": ctx["description"], "url": ctx["canonical"]}
        # Inside <script>, "</" must never appear: escape "<" the JSON way.
        return Markup(json.dumps(data, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c"))  # noqa: S704

    def _index(self, page: PlannedPage) -> dict[str, Any]:
        groups = [{**self.class_info(k), "entries": [self.entry_link(c) for c in self.codes if f"{c // 100}xx" == k]}
                  for k in sorted({f"{c // 100}xx" for c in self.codes})]
        return {"title": self.content.site.title, "description": self.content.site.description, "groups": groups,
                "comparisons": self._comparison_links(), "common": self._common_decisions()}

    def _common_decisions(self) -> list[dict[str, Any]]:
        """The decisions the home page opens with: the comparisons the guide ends in (the everyday situations
        it covers), in the guide's order; without a guide, the first comparisons."""
        slugs: list[str] = []

        def walk(node: Decision | int | str) -> None:
            if isinstance(node, Decision):
                walk(node.yes)
                walk(node.no)
            elif isinstance(node, str) and node in self.content.comparisons and node not in slugs:
                slugs.append(node)
        if self.content.guide is not None:
            walk(self.content.guide.tree)
        chosen = [self.content.comparisons[s] for s in slugs] or self.comparisons[:12]
        return [{**self.comparison_link(c), "rule": self.comparison_description(c)} for c in chosen]

    def _class(self, page: PlannedPage) -> dict[str, Any]:
        info = self.class_info(str(page.key))
        entries = [self.entry_link(c) for c in self.codes if f"{c // 100}xx" == page.key]
        return {"title": f"{info['id']} {info['title']} status codes",
                "description": f"The {len(entries)} {info['id']} ({info['title']}) HTTP status codes, "
                               f"{entries[0]['code']} to {entries[-1]['code']}.",
                "klass": info, "entries": entries}

    def _compare_index(self, page: PlannedPage) -> dict[str, Any]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for comp in self.comparisons:
            groups.setdefault(f"{comp.codes[0] // 100}xx", []).append(self.comparison_link(comp))
        return {"title": "Status code comparisons",
                "description": "Side-by-side comparisons of HTTP status codes that are easy to confuse.",
                "groups": [{**self.class_info(k), "comparisons": v} for k, v in sorted(groups.items())],
                "pairs": self.slugs,
                "codes": [self.entry_link(c) for c in self.codes]}

    def entry_view(self, entry: Entry) -> dict[str, Any]:
        return self._once("entry", entry.code, lambda: self._entry_view(entry))

    def _entry_view(self, entry: Entry) -> dict[str, Any]:
        return {
            "code": entry.code, "name": entry.name, "official": entry.official, "origin": entry.origin,
            "registration": entry.registration, "klass": self.class_info(entry.klass),
            "summary": self.content.shown(entry, "summary"),
            "spec": {"label": _ascii_label(entry.spec.label), "link": entry.spec.link},
            "definition": self.md(entry.definition),
            "when_to_use": self.md(entry.when_to_use),
            "when_not_to_use": self.md(entry.when_not_to_use),
            "client_behavior": self.md(entry.client_behavior),
            "cacheable": {"default": entry.cacheable.default, "note": self.md(entry.cacheable.note)},
            "retry": {"safe": entry.retry.safe, "note": self.md(entry.retry.note)},
            "headers": [{"name": h.name, "note": self.inline(h.note)} for h in entry.headers],
            **constants_view(entry),
            "scenarios": [self.inline(s) for s in entry.scenarios],
            "examples": [self.example(e) for e in entry.examples],
            "mistakes": [self.inline(m) for m in entry.mistakes],
            "faq": [{"question": f.question, "answer": self.md(f.answer)} for f in entry.faq],
            "related": [self.entry_link(c) for c in entry.related if c in self.content.entries],
        }

    def before_fork(self, pages: list[PlannedPage]) -> None:
        """Make, before workers fork, the views that pages in every worker's share read: each comparison shows
        two entries in full (their prose is most of the Markdown of a build), their generated rows, the leaves
        of its decision and links to the other comparisons of its codes; the search index and each comparison
        page show its summary's excerpt. Left to the workers, each would make them again."""
        search = any(page.kind == "search" for page in pages)
        for page in pages:
            if page.kind == "comparison":
                comp = self.content.comparisons[str(page.key)]
                for code in comp.codes:
                    self.compared(self.content.entries[code])
                    self.decision_view(code)
                    self._places(code)
                if search:  # the search index shows it too: made here, not in two processes
                    self.comparison_description(comp)
        for link in self._comparison_links():
            self._other_item(link)

    def _code(self, page: PlannedPage) -> dict[str, Any]:
        code = page.code
        entry = self.content.entries[code]
        i = self.codes.index(code)
        refs = {s.id: n for n, s in enumerate(entry.sources, 1)}
        return {
            "title": f"{code} {entry.name}",
            "description": entry.summary,
            "entry": unlinked(cited(self.entry_view(entry), refs) if refs else self.entry_view(entry), code),
            "sources": [_source_item(n, s) for n, s in enumerate(entry.sources, 1)],
            "comparisons": [self.comparison_link(c) for c in self.by_code.get(code, [])],
            "confused": self._confused(code),
            "toc": self._code_toc(entry),
            "prev": self.entry_link(self.codes[i - 1]) if i > 0 else None,
            "next": self.entry_link(self.codes[i + 1]) if i + 1 < len(self.codes) else None,
        }

    def _confused(self, code: int) -> list[dict[str, Any]]:
        """The codes a code page names under its summary ("Often confused with"), each linking the comparison."""
        out = []
        for comp in self.by_code.get(code, []):
            other = comp.codes[1] if comp.codes[0] == code else comp.codes[0]
            out.append({"code": other, "name": self.content.entries[other].name, "url": f"compare/{comp.slug}/",
                        "title": self.comparison_link(comp)["title"]})
        return out

    def _code_toc(self, entry: Entry) -> list[tuple[str, str]]:
        toc = [("definition", "Definition"), ("when-to-use", "When to use it"),
               ("when-not-to-use", "When not to use it"), ("client-behavior", "What clients do"),
               ("caching", "Caching"), ("retry", "Retrying")]
        toc += [("headers", "Headers")] if entry.headers else []
        toc += [("scenarios", "Typical scenarios"), ("examples", "Examples")]
        toc += [("mistakes", "Common mistakes")] if entry.mistakes else []
        toc += [("faq", "FAQ")] if entry.faq else []
        toc += [("constants", "Constants in libraries")]
        toc += [("related", "Related codes")] if any(c in self.content.entries for c in entry.related) else []
        toc += [("comparisons", "Comparisons")] if entry.code in self.by_code else []
        toc += [("sources", "Sources")] if entry.sources else []
        return toc

    def _comparison(self, page: PlannedPage) -> dict[str, Any]:
        comp = self.content.comparisons[str(page.key)]
        a, b = (self.content.entries[c] for c in comp.codes)
        va, vb = self.entry_view(a), self.entry_view(b)

        ca, cb = self.compared(a), self.compared(b)
        rows = [{"aspect": aspect, "kind": kind, "left": left, "right": right, "generated": True}
                for (aspect, kind), left, right in zip(COMPARED, ca, cb, strict=True)]
        rows += [{"aspect": r.aspect, "kind": "prose", "left": self.md(r.left), "right": self.md(r.right),
                  "generated": False} for r in comp.rows]
        link = self.comparison_link(comp)
        others = self._others(comp)
        view = self._with_sources(comp, (a, b), {
            "title": link["title"],
            "description": self.comparison_description(comp),
            "comparison": link,
            "left": va, "right": vb,
            "summary": self.md(comp.summary),
            "decision_rule": self.md(comp.decision_rule),
            "decision": self.decision_view(comp.decision),
            "diagram": Markup(decision_svg(comp.decision, self.label, "dg", self._code_href)),  # noqa: S704 - ours
            "examples": [self.example(e) for e in comp.examples],
            "rows": rows,
            "faq": [{"question": f.question, "answer": self.md(f.answer)} for f in comp.faq],
            "others": others,
            "others_html": Markup("".join([self._other_item(link) for link in others])),  # noqa: S704 - escaped
            "cases": self.cases_view(comp.decision, comp.cases),
            "facts": _differing_facts(a, b),
        })
        # After the citations, which rewrite the cells they are in. A generated row's cell is the i-th of its
        # entry's column (`compared`), the same object on every page unless citations made it the page's own.
        for row in view["facts"]:
            row["sides"] = Markup(_side_html(va, row["kind"], row["left"]) +  # noqa: S704 - escaped
                                  _side_html(vb, row["kind"], row["right"]))
        for i, row in enumerate(view["rows"]):
            if i < len(ca):  # generated
                kind = row["kind"]
                sides = self._side(va, kind, row["left"], ca, i) + self._side(vb, kind, row["right"], cb, i)
            else:
                sides = _side_html(va, row["kind"], row["left"]) + _side_html(vb, row["kind"], row["right"])
            row["sides"] = Markup(sides)  # noqa: S704 - escaped by _side_html
        return view

    def _with_sources(self, comp: Comparison, pair: tuple[Entry, Entry], ctx: dict[str, Any]) -> dict[str, Any]:
        """A comparison page's citations linked to one numbered Sources list: the comparison's own sources, then
        those of each entry that the page's rows of that entry cite (an entry's ids are its own: 404's
        `nginx-docs` and 499's may differ), a document already listed (same URL) keeping its number."""
        items = [_source_item(n, s) for n, s in enumerate(comp.sources, 1)]
        refs = {s.id: n for n, s in enumerate(comp.sources, 1)}
        by_url = {s.url: n for n, s in reversed(list(enumerate(comp.sources, 1)))}
        sides: list[dict[str, int]] = []
        for side, entry in zip(("left", "right"), pair, strict=True):
            used = set(_citations([r[side] for r in ctx["rows"] if r["generated"]]))
            own: dict[str, int] = {}
            for s in entry.sources:
                if s.id not in used:
                    continue
                if s.url in by_url:  # the same document listed twice on one page: one item, one number
                    own[s.id] = by_url[s.url]
                    continue
                own[s.id] = by_url[s.url] = len(items) + 1
                items.append(_source_item(own[s.id], s, f"{entry.code} {entry.name}"))
            sides.append(own)
        if not items:
            return {**ctx, "sources": []}
        rows = [{**r, "left": cited(r["left"], sides[0]), "right": cited(r["right"], sides[1])} if r["generated"]
                else cited(r, refs) for r in ctx["rows"]]
        # Not cited: what holds no prose (the links to other comparisons are plain text, escaped on output).
        out = {k: v if k in _UNCITED else cited(v, refs) for k, v in ctx.items()}
        return {**out, "rows": rows, "sources": items}

    def compared(self, entry: Entry) -> list[Any]:
        """An entry's column of the generated rows of a comparison (COMPARED), the same in all its comparisons."""
        return self._once("compared", entry.code, lambda: self._compared(entry))

    def _compared(self, entry: Entry) -> list[Any]:
        view = self.entry_view(entry)
        caching = "Heuristically cacheable. " if entry.cacheable.default else "Not cacheable by default. "
        return [view["definition"], view["when_to_use"], view["client_behavior"],
                self.inline(caching + entry.cacheable.note),
                self.inline(("Yes. " if entry.retry.safe else "No. ") + entry.retry.note),
                view["spec"], view["scenarios"][:3], [h["name"] for h in view["headers"]]]

    def _others(self, comp: Comparison) -> list[dict[str, Any]]:
        """Links to the other comparisons of either code, in the site's order."""
        found = set().union(*(self._places(code) for code in comp.codes))
        found.discard(self._order[id(unwrapped(comp))])
        return [self.comparison_link(self.comparisons[i]) for i in sorted(found)]

    def _side(self, side: dict[str, Any], kind: str, cell: Any, column: list[Any], i: int) -> str:
        """One side of a generated row (`_side_html`): the i-th cell of its entry's column (`compared`, one list
        per entry and process), the same on every comparison of the code, is written once per process; a cell the
        page's citations rewrote is written for the page. On every later page that shows it, the recorded texts
        the side writes are recorded as read, as writing them would."""
        own = column[i]
        if not (cell is own or type(cell) is list and type(own) is list and len(cell) == len(own)
                and all(a is b for a, b in zip(cell, own, strict=True))):
            return _side_html(side, kind, cell)
        key = (id(column), i)  # the column is kept (the views' memo) as long as this process renders
        made = self._sides.get(key)
        if made is None:
            made = self._sides[key] = (_side_html(side, kind, cell),
                                       [v for v in _side_values(side, kind, cell) if type(v) is Shown])
        else:
            for value in made[1]:
                read_if_shown(value)
        return made[0]

    def _other_item(self, link: dict[str, Any]) -> str:
        """A comparison's item in the "More comparisons" list of the pages of its codes' other comparisons, as
        `{% for c in others %}<li><a href="{{ root }}{{ c.url }}">{{ c.title }}</a></li>{% endfor %}` writes it
        (the root mark becomes each page's root): made once per process, not once per page that lists it."""
        item = self._other_items.get(link["url"])
        if item is None:
            item = self._other_items[link["url"]] = \
                f'<li><a href="{ROOT_MARK}{escape(link["url"])}">{escape(link["title"])}</a></li>'
        return item

    def _comparison_links(self) -> list[dict[str, Any]]:
        """Every comparison's link, in the site's order."""
        return self._once("comparison links", None, lambda: [self.comparison_link(c) for c in self.comparisons])

    def _places(self, code: int) -> frozenset[int]:
        """The places in the site's order of a code's comparisons."""
        return self._once("places", code, lambda: frozenset(self._order[id(c)] for c in self.by_code[code]))

    def _guide(self, page: PlannedPage) -> dict[str, Any]:
        guide = self.content.guide
        assert guide is not None  # planned only when there is one
        # The guide grafts in comparisons' questions and notes, whose citations belong to those comparisons' pages.
        return {"title": guide.title, "description": guide.description, "intro": self.md(guide.intro),
                "tree": cited(self.decision_view(guide.tree), None), "cases": self.cases_view(guide.tree, guide.cases)}

    def _page(self, page: PlannedPage) -> dict[str, Any]:
        doc = self.content.pages[str(page.key)]
        return {"title": doc.title, "description": doc.description, "body": self.md(doc.body),
                "created": doc.created, "updated": doc.updated}

    def _404(self, page: PlannedPage) -> dict[str, Any]:
        return {"title": "Page not found", "description": "This page does not exist."}

    def _sitemap(self, page: PlannedPage) -> dict[str, Any]:
        return {"urls": [self.base_url + p.url for p in self.plan if p.in_sitemap]}

    def _robots(self, page: PlannedPage) -> dict[str, Any]:
        return {"sitemap": self.base_url + "sitemap.xml"}

    # ------------------------------------------------------------ JSON API
    def entry_json(self, entry: Entry) -> dict[str, Any]:
        kept = self._entry_json_kept(entry)
        return kept[2] if kept[2] is not None else self._entry_json(kept[0])

    def entry_json_text(self, entry: Entry) -> str:
        """An entry's JSON as `api` encodes it (compact, keys sorted), without the final newline."""
        return self._entry_json_kept(entry)[3]

    def _entry_json_kept(self, entry: Entry) -> tuple[Entry, str, dict[str, Any] | None, str]:
        # Across the preview's rebuilds (`Lasting`): an entry's JSON depends on that entry (the loader returns the
        # same object while its file is unchanged) and the base URL alone. The build cache's layer knows it from
        # the last build (`written_json`) while those are unchanged.
        entry = unwrapped(entry)  # it shows every field: the file as a whole is recorded
        self.recorder.read(entry.source)
        kept = self.lasting.entries.get(entry.code)
        if kept is None or kept[0] is not entry or kept[1] != self.base_url:
            text = self.written_json(entry.code) if self.written_json is not None else None
            data = self._entry_json(entry) if text is None else None
            kept = self.lasting.entries[entry.code] = (entry, self.base_url, data, text or _compact(data))
        return kept

    def _entry_json(self, entry: Entry) -> dict[str, Any]:
        # Field by field: dataclasses.asdict would deep-copy every source location only to drop it.
        data = {f.name: _plain(getattr(entry, f.name)) for f in fields(entry) if f.name not in ("source", "locs",
                                                                                                  "ignore")}
        data["class"] = entry.klass
        data["url"] = self.base_url + f"{entry.code}/"
        data["spec"]["link"] = entry.spec.link
        return data

    def search_index(self) -> bytes:
        """A compact index for the search box, as a script (so it also works from file://): code, title,
        URL below the root, summary, and the words a reader may type (headers, scenarios, when to use)."""
        # Item by item, each encoded once (and, in the preview, kept while what it read is the same): the list's
        # JSON is its items' joined.
        items = [self._once("search entry", code, functools.partial(self._search_entry, code)) for code in self.codes]
        items += [self._once("search comparison", slug, functools.partial(self._search_comparison, comp))
                  for slug, comp in zip(self.slugs, self.comparisons, strict=True)]
        if self.content.guide:
            items.append(_search_item({"c": None, "t": self.content.guide.title, "u": "guide/",
                                       "s": self.content.guide.description, "k": "guide decision which code return"}))
        for slug, doc in sorted(self.content.pages.items()):
            items.append(_search_item({"c": None, "t": doc.title, "u": f"{slug}/", "s": doc.description, "k": ""}))
        return f"window.STATUSDOCS_SEARCH=[{','.join(items)}];\n".encode()

    def _search_entry(self, code: int) -> str:
        e = self.content.entries[code]
        words = " ".join([self.plain(e.when_to_use), *(self.plain(s, True) for s in e.scenarios),
                          e.origin or "", e.klass])
        return _search_item({"c": code, "t": f"{code} {e.name}", "u": f"{code}/", "s": e.summary, "k": words,
                             "h": " ".join(h.name for h in e.headers)})

    def _search_comparison(self, comp: Comparison) -> str:
        link = self.comparison_link(comp)
        return _search_item({"c": None, "t": link["title"], "u": link["url"], "s": self.comparison_description(comp),
                             "k": f"{comp.codes[0]} vs {comp.codes[1]} comparison"})

    def api(self, page: PlannedPage) -> bytes:
        self.read_base_url()
        if page.kind == "search":
            return self.search_index()
        if page.kind == "schema":
            from statusdocs.content.schema import json_schema

            return (json.dumps(json_schema(str(page.key), self.base_url), indent=2) + "\n").encode()
        # Compact (`_compact`), each entry's encoded once: the list's JSON is its items' joined.
        if page.key == "codes":
            return f"[{','.join(self.entry_json_text(self.content.entries[c]) for c in self.codes)}]\n".encode()
        return f"{self.entry_json_text(self.content.entries[page.code])}\n".encode()


def _compact(data: Any) -> str:
    """JSON for programs (and jq): compact, keys sorted, not escaped to ASCII. json's C encoder runs only without
    indent."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _search_item(item: dict[str, Any]) -> str:
    """One item of the search index, as JSON inside a <script>: "</" must never appear."""
    return _compact(item).replace("<", "\\u003c")
