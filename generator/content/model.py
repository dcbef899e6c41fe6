"""The typed content model. Every top-level object keeps a source location for each field.

`locs` maps a dotted field path as used in findings (`cacheable.note`, `scenarios[1]`,
`faq[0].answer`, `rows[2].right`) to where that value starts in its YAML file, as one integer (`at`): the
loader records one for every field of every file, and plain integers are cheap to make and to send between
processes (the loader parses in two), where a Loc object per field was not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from statusdocs.diagnostics import Loc

CLASS_NAMES = {1: "Informational", 2: "Successful", 3: "Redirection", 4: "Client Error", 5: "Server Error"}

LANGUAGES: dict[str, str] = {
    # key: label shown on the site (the library the constant comes from)
    "python": "Python http.HTTPStatus",
    "go": "Go net/http",
    "rust": "Rust http crate",
    "dotnet": ".NET System.Net.HttpStatusCode",
    "java": "Java java.net.HttpURLConnection",
    "spring": "Spring org.springframework.http.HttpStatus",
    "symfony": "Symfony HttpFoundation Response",
    "rails": "Rails / Rack status symbol",
    "angular": "Angular @angular/common/http HttpStatusCode",
    "httpcomponents": "Apache HttpCore 5 HttpStatus",
}

REGISTRATIONS = ("permanent", "temporary", "obsoleted", "unused")


COL_BITS = 21  # columns below 2**21: content files are at most 1 MB


class Located:
    """Mixin: look up the location of a dotted field path, falling back to the nearest parent."""

    source: str
    locs: dict[str, int]

    def loc(self, path: str = "") -> Loc:
        locs = self.locs
        while path:
            if path in locs:
                break
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        packed = locs.get(path)
        if packed is None:
            return Loc(self.source, 1, 1)
        return Loc(self.source, packed >> COL_BITS, packed & ((1 << COL_BITS) - 1))


# A spec document that is an RFC ("RFC 9110", "rfc9110"): the JSON Schema uses the same pattern (Python's `re`
# as the jsonschema library runs it), so that both ask for `spec.url` on exactly the same documents.
RFC_DOCUMENT = r"^ *[Rr] *[Ff] *[Cc][0 ]*[1-9][0-9 ]*$"


@dataclass
class Spec:
    document: str
    section: str | None = None
    url: str | None = None

    @property
    def rfc(self) -> int | None:
        if re.match(RFC_DOCUMENT, self.document) is None:
            return None
        return int("".join(ch for ch in self.document if "0" <= ch <= "9"))

    @property
    def link(self) -> str | None:
        if self.url:
            return self.url
        if self.rfc:
            anchor = f"#section-{self.section}" if self.section else ""
            return f"https://www.rfc-editor.org/rfc/rfc{self.rfc}.html{anchor}"
        return None

    @property
    def label(self) -> str:
        return f"{self.document} §{self.section}" if self.section else self.document


@dataclass
class Cacheable:
    default: bool
    note: str


@dataclass
class Retry:
    safe: bool
    note: str


@dataclass
class Header:
    name: str
    note: str


@dataclass
class Example:
    title: str
    request: str
    response: str


@dataclass
class FAQ:
    question: str
    answer: str


@dataclass
class Source:
    """A reference for a claim that is not the RFC's own: vendor documentation, a source file at a line,
    browser code. Prose cites it as `[^id]`; the page shows it, numbered, in its Sources list."""

    id: str
    title: str
    url: str
    accessed: str | None = None  # YYYY-MM-DD: when the page was read, for claims that can change
    quote: str | None = None  # the words of the source that bear the claim


# How prose cites a source: `[^id]`. Python-Markdown (without its footnotes extension) and prose.py's direct path
# both leave it as text, so the page's view replaces it, in the rendered HTML, by a numbered link to the list.
CITATION = re.compile(r"\[\^([a-z0-9]+(?:-[a-z0-9]+)*)\]")
SOURCE_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$"


@dataclass
class Ignore:
    rule: str
    field: str
    reason: str


@dataclass
class Entry(Located):
    code: int
    name: str
    official: bool
    summary: str
    spec: Spec
    definition: str
    when_to_use: str
    when_not_to_use: str
    client_behavior: str
    cacheable: Cacheable
    retry: Retry
    headers: list[Header]
    constants: dict[str, str]
    scenarios: list[str]
    examples: list[Example]
    mistakes: list[str]
    faq: list[FAQ]
    related: list[int]
    origin: str | None = None
    registration: str = "permanent"
    ignore: list[Ignore] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    source: str = ""
    locs: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def klass(self) -> str:
        return f"{self.code // 100}xx"


@dataclass
class Decision:
    """A yes/no question; each answer is a status code, a nested question, or (in the guide only) the
    slug of a comparison whose own decision is grafted in at that point."""

    question: str
    yes: int | str | Decision
    no: int | str | Decision
    note: str | None = None
    id: str | None = None  # a short slug by which a worked example (Case) answers this question

    def ids(self) -> list[str]:
        """The ids of this question and every question below it, in tree order (repeats included)."""
        out = [self.id] if self.id else []
        for value in (self.yes, self.no):
            if isinstance(value, Decision):
                out += value.ids()
        return out

    def leaves(self, path: str = "") -> list[tuple[str, int | str]]:
        """Every answer that ends the walk, with its dotted field path below this node."""
        out: list[tuple[str, int | str]] = []
        for name in ("yes", "no"):
            value = getattr(self, name)
            sub = f"{path}.{name}" if path else name
            out += value.leaves(sub) if isinstance(value, Decision) else [(sub, value)]
        return out


def walk(node: Decision | int | str, answers: Mapping[str, bool], grafts: Mapping[str, Decision],
         limit: int = 200) -> tuple[int | None, str]:
    """Follow `answers` (question id -> yes/no) from `node` to a code. A comparison slug (the guide's graft)
    continues into that comparison's decision. Returns (code, "") or (None, why the walk stopped)."""
    code, why, _ = trail(node, answers, grafts, limit)
    return code, why


def trail(node: Decision | int | str, answers: Mapping[str, bool], grafts: Mapping[str, Decision],
          limit: int = 200) -> tuple[int | None, str, list[tuple[Decision, bool]]]:
    """`walk`, also returning each question passed and the answer taken there."""
    steps: list[tuple[Decision, bool]] = []
    for _ in range(limit):  # a tree is finite, but a graft could name a tree that grafts back
        if isinstance(node, int):
            return node, "", steps
        if isinstance(node, str):
            graft = grafts.get(node)
            if graft is None:
                return None, f"comparison {node} has no decision to continue into", steps
            node = graft
            continue
        if not node.id:
            return None, f"the question {node.question!r} has no id to answer it by", steps
        if node.id not in answers:
            return None, f"no answer for question {node.id!r}", steps
        answer = bool(answers[node.id])
        steps.append((node, answer))
        node = node.yes if answer else node.no
    return None, "the walk did not end", steps


@dataclass
class Case:
    """A worked example: a concrete situation, how it answers each question by id, and the code it must reach."""

    situation: str
    answers: dict[str, bool]
    expect: int
    source: str


@dataclass
class Row:
    aspect: str
    left: str
    right: str


@dataclass
class Comparison(Located):
    codes: list[int]
    summary: str
    decision_rule: str
    decision: Decision
    rows: list[Row]
    examples: list[Example]
    faq: list[FAQ]
    ignore: list[Ignore] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    source: str = ""
    locs: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def slug(self) -> str:
        return f"{self.codes[0]}-vs-{self.codes[1]}"


@dataclass
class ClassInfo:
    title: str
    description: str


@dataclass
class Site(Located):
    title: str
    description: str
    base_url: str
    language: str = "en"
    repository: str | None = None
    cname: str | None = None
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    source: str = ""
    locs: dict[str, int] = field(default_factory=dict, repr=False)


@dataclass
class Page(Located):
    title: str
    description: str
    slug: str = ""   # from the file name
    body: str = ""   # Markdown after the front matter
    created: str | None = None
    updated: str | None = None
    source: str = ""
    locs: dict[str, int] = field(default_factory=dict, repr=False)
    body_line: int = 1  # line of the body's first line in the file, for findings inside the body


@dataclass
class Guide(Located):
    title: str
    description: str
    intro: str
    tree: Decision
    cases: list[Case] = field(default_factory=list)
    source: str = ""
    locs: dict[str, int] = field(default_factory=dict, repr=False)


@dataclass
class Content:
    root: str
    site: Site
    entries: dict[int, Entry]
    comparisons: dict[str, Comparison]
    pages: dict[str, Page]
    guide: Guide | None = None
    files: int = 0
    unloadable: set[int] = field(default_factory=set)  # codes whose file exists but failed to load
