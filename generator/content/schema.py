"""One declarative schema for every content file: the loader converts YAML by it, `statusdocs schema`
exports it as JSON Schema. Nothing about field names or types is written twice."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from statusdocs.content import model
from statusdocs.content.urls import BASE_URL_DOC, BASE_URL_EXAMPLE, BASE_URL_PATTERN


class Kind:
    @property
    def json(self) -> dict[str, Any]:
        """This kind as JSON Schema."""
        raise NotImplementedError


@dataclass
class Str(Kind):
    markdown: bool = False
    enum: tuple[str, ...] | None = None
    pattern: str | None = None  # anchored regular expression
    pattern_doc: str = ""

    @property
    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "string", "minLength": 1}
        if self.enum:
            out["enum"] = list(self.enum)
        if self.pattern:
            out["pattern"] = self.pattern
        elif not self.enum:
            out["pattern"] = r"\S"  # the loader refuses blank text too
        return out


@dataclass
class Int(Kind):
    minimum: int | None = None
    maximum: int | None = None

    @property
    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer"}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


@dataclass
class Bool(Kind):
    @property
    def json(self) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclass
class Date(Kind):
    """A YYYY-MM-DD date; YAML may give it as a date or a string."""

    @property
    def json(self) -> dict[str, Any]:
        # The pattern too: validators do not assert "format" by default, and the loader refuses text that is no date.
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


@dataclass
class ListOf(Kind):
    item: Kind
    min_items: int = 0
    max_items: int | None = None  # for editors; the loader checks it in code (a comparison's two codes)

    @property
    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array", "items": self.item.json}
        if self.min_items:
            out["minItems"] = self.min_items
        if self.max_items is not None:
            out["maxItems"] = self.max_items
        return out


@dataclass
class MapOf(Kind):
    """A mapping with a closed set of keys (e.g. constants by language), every value of one kind."""

    keys: tuple[str, ...]
    value: Kind
    key_pattern: str | None = None  # when set, the keys are open: any name matching this anchored pattern

    @property
    def json(self) -> dict[str, Any]:
        if self.key_pattern is not None:
            return {"type": "object", "propertyNames": {"pattern": self.key_pattern},
                    "additionalProperties": self.value.json}
        return {"type": "object", "additionalProperties": False,
                "properties": {k: self.value.json for k in self.keys}}


@dataclass
class Obj(Kind):
    fields: list[Field]
    cls: type
    title: str = ""
    # Rules between fields that the loader checks in code (load._entry_invariants), as JSON Schema for editors;
    # tests/test_schema_agreement.py holds the two to the same verdicts.
    constraints: list[dict[str, Any]] = field(default_factory=list)

    @property
    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "object",
            "additionalProperties": False,
            "properties": {f.name: {**f.kind.json, **({"description": f.doc} if f.doc else {})}
                           for f in self.fields},
            "required": [f.name for f in self.fields if f.required],
        }
        if self.title:
            out["title"] = self.title
        if self.constraints:
            out["allOf"] = self.constraints
        return out

    def field(self, name: str) -> Field | None:
        return self.by_name.get(name)

    # The loader looks fields up for every key of every file: by name, not by a walk over the list.
    @functools.cached_property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in reversed(self.fields)}  # reversed: the first of a name wins, as in a walk

    @functools.cached_property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)


@dataclass
class Branch(Kind):
    """One answer of a decision: a status code, a comparison slug, or a mapping holding a further
    question. The kind is recursive, so `node` is filled in once DECISION exists."""

    leaf: Int
    ref: Str
    node: Obj | None = None
    max_depth: int = 12

    @property
    def json(self) -> dict[str, Any]:
        return {"oneOf": [self.leaf.json, self.ref.json, {"$ref": "#/$defs/decision"}]}


@dataclass
class Field:
    name: str
    kind: Kind
    required: bool = True
    doc: str = ""


MD = Str(markdown=True)
TEXT = Str()
CODE = Int(100, 599)
RULE_ID = r"^[A-Z][0-9]{3}$"



def _ignore(fields: list[str], what: str) -> Obj:
    """`ignore:` of an entry or a comparison: its `field` is a path that starts with one of their fields."""
    names = "|".join(re.escape(f) for f in fields)
    path = Str(pattern=rf"^(?:{names})(?:[.\[][\s\S]*)?$", pattern_doc=f"a field of the {what}, e.g. "
                                                                     "definition or faq[0].answer")
    return Obj([
        Field("rule", Str(pattern=RULE_ID, pattern_doc="a rule id such as V005"), doc="rule id, e.g. V005"),
        Field("field", path, doc="dotted field path the exception applies to, e.g. definition or faq[0].answer"),
        Field("reason", TEXT, doc="why the cell is right as written; shown in review"),
    ], model.Ignore)


FAQ = Obj([Field("question", TEXT), Field("answer", MD)], model.FAQ)

EXAMPLE = Obj([Field("title", TEXT), Field("request", TEXT), Field("response", TEXT)], model.Example)

SLUG = r"^[1-5][0-9]{2}-vs-[1-5][0-9]{2}$"
_BRANCH = Branch(CODE, Str(pattern=SLUG, pattern_doc="a comparison such as 409-vs-412"))
QUESTION_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$"
DECISION = Obj([
    Field("id", Str(pattern=QUESTION_ID, pattern_doc="a short slug such as precondition-failed"), required=False,
          doc="names the question for worked examples (cases), which answer it by this id"),
    Field("question", Str(pattern=r"^[\s\S]*\?\s*$", pattern_doc="a yes/no question ending in '?'")),
    Field("note", MD, required=False, doc="what the question means in practice, shown beneath it"),
    Field("yes", _BRANCH, doc="a status code, or a further question"),
    Field("no", _BRANCH, doc="a status code, or a further question"),
], model.Decision, title="decision")
_BRANCH.node = DECISION

CASE = Obj([
    Field("situation", MD, doc="a concrete scenario, as a reader would meet it"),
    Field("answers", MapOf((), Bool(), key_pattern=QUESTION_ID),
          doc="how the situation answers each question on its path, by question id: yes or no"),
    Field("expect", CODE, doc="the code the walk must reach"),
    Field("source", TEXT, doc="where the case comes from: an RFC section or a real system's documentation"),
], model.Case)

SOURCE = Obj([
    Field("id", Str(pattern=model.SOURCE_ID, pattern_doc="a short slug such as nginx-return"),
          doc="what prose cites it by: [^id]"),
    Field("title", TEXT, doc="the document's title, as the list of sources shows it"),
    Field("url", Str(pattern=r"^https?://\S+$", pattern_doc="an http(s) URL"),
          doc="the vendor's documentation page, or the source file at a line or commit"),
    Field("accessed", Date(), required=False, doc="when it was read (YYYY-MM-DD)"),
    Field("quote", TEXT, required=False, doc="the source's own words that bear the claim, briefly"),
], model.Source)
_SOURCES = Field("sources", ListOf(SOURCE), required=False,
                 doc="references for claims that are not the RFC's own (vendors, browsers, libraries); cite as [^id]")

_ENTRY_FIELDS = [
    Field("code", CODE, doc="the status code; must equal the file name"),
    Field("name", TEXT, doc="reason phrase as the IANA registry gives it today"),
    Field("official", Bool(), doc="false for codes outside the IANA registry"),
    Field("origin", TEXT, required=False, doc="who uses an unofficial code (nginx, Cloudflare, ...)"),
    Field("registration", Str(enum=model.REGISTRATIONS), required=False,
          doc="IANA registration status when not permanent"),
    Field("summary", TEXT, doc="one plain sentence"),
    Field("spec", Obj([
        Field("document", TEXT, doc='"RFC 9110", or a vendor document'),
        Field("section", TEXT, required=False, doc='section number, e.g. "15.5.13"'),
        Field("url", Str(pattern=r"^https?://\S+$", pattern_doc="an http(s) URL"), required=False,
              doc="link, required when the document is not an RFC"),
    ], model.Spec, constraints=[
        {"if": {"required": ["document"], "properties": {"document": {"type": "string",
                                                                      "not": {"pattern": model.RFC_DOCUMENT}}}},
         "then": {"required": ["url"]}},
    ]), doc="where the code is defined"),
    Field("definition", MD),
    Field("when_to_use", MD),
    Field("when_not_to_use", MD, doc="neighbouring cases, naming the code to use instead"),
    Field("client_behavior", MD),
    Field("cacheable", Obj([Field("default", Bool(), doc="heuristically cacheable per RFC 9110 section 15.1"),
                            Field("note", MD)], model.Cacheable)),
    Field("retry", Obj([Field("safe", Bool(), doc="may a client repeat the identical request automatically"),
                        Field("note", MD)], model.Retry)),
    Field("headers", ListOf(Obj([Field("name", Str(pattern=r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$",
                                                   pattern_doc="an HTTP field name")),
                                 Field("note", MD)], model.Header))),
    Field("constants", MapOf(tuple(model.LANGUAGES), TEXT), doc="library constants, only where they exist"),
    Field("scenarios", ListOf(MD, 1), doc="real situations that produce this code"),
    Field("examples", ListOf(EXAMPLE, 1)),
    Field("mistakes", ListOf(MD)),
    Field("faq", ListOf(FAQ)),
    Field("related", ListOf(CODE)),
    _SOURCES,
]
ENTRY = Obj([
    *_ENTRY_FIELDS,
    Field("ignore", ListOf(_ignore([f.name for f in _ENTRY_FIELDS] + ["ignore"], "entry")), required=False,
          doc="reviewed exceptions to validator rules"),
], model.Entry, title="statusdocs status-code entry", constraints=[
    {"if": {"required": ["official"], "properties": {"official": {"const": False}}},
     "then": {"required": ["origin"]}},
    {"if": {"required": ["official"], "properties": {"official": {"const": True}}},
     "then": {"not": {"required": ["origin"]}}},
])

_COMPARISON_FIELDS = [
    Field("codes", ListOf(CODE, 2, 2), doc="the two codes, lower first"),
    Field("summary", MD),
    Field("decision_rule", MD, doc="a test a developer can apply, in prose"),
    Field("decision", DECISION, doc="the same test as yes/no questions whose answers end in the pair's codes"),
    Field("rows", ListOf(Obj([Field("aspect", TEXT), Field("left", MD), Field("right", MD)], model.Row))),
    Field("examples", ListOf(EXAMPLE, 2), doc="a minimal request/response for each code of the pair"),
    Field("faq", ListOf(FAQ)),
    Field("cases", ListOf(CASE), required=False, doc="worked examples the decision must send to their code"),
    _SOURCES,
]
COMPARISON = Obj([
    *_COMPARISON_FIELDS,
    Field("ignore", ListOf(_ignore([f.name for f in _COMPARISON_FIELDS] + ["ignore"], "comparison")),
          required=False),
], model.Comparison, title="statusdocs comparison")

SITE = Obj([
    Field("title", TEXT),
    Field("description", TEXT),
    Field("base_url", Str(pattern=BASE_URL_PATTERN, pattern_doc=BASE_URL_DOC),
          doc=f"where the site is published, e.g. {BASE_URL_EXAMPLE}"),
    Field("language", Str(pattern=r"^[a-zA-Z]{2,3}(-[A-Za-z0-9]+)*$", pattern_doc="a language tag such as en"),
          required=False),
    Field("repository", Str(pattern=r"^https?://\S+$", pattern_doc="an http(s) URL"), required=False),
    Field("cname", Str(pattern=r"^[a-z0-9.-]+$", pattern_doc="a host name"), required=False),
    Field("classes", MapOf(("1xx", "2xx", "3xx", "4xx", "5xx"),
                           Obj([Field("title", TEXT), Field("description", MD)], model.ClassInfo)),
          required=False),
], model.Site, title="statusdocs site configuration")

PAGE = Obj([
    Field("title", TEXT),
    Field("description", TEXT),
    Field("created", Date(), required=False),
    Field("updated", Date(), required=False),
], model.Page, title="statusdocs page front matter")

GUIDE = Obj([
    Field("title", TEXT),
    Field("description", TEXT),
    Field("intro", MD),
    Field("tree", DECISION, doc="the whole guide; an answer may name a comparison to graft in its decision"),
    Field("cases", ListOf(CASE), required=False,
          doc="worked examples the guide must send to their code (answers for a grafted comparison's questions too)"),
], model.Guide, title="statusdocs guide")

SCHEMAS = {"entry": ENTRY, "comparison": COMPARISON, "guide": GUIDE, "site": SITE, "page": PAGE}


# The bundled site's base_url (content/site.yaml): the schemas' address when there is no site to ask.
DEFAULT_BASE_URL = "https://statusdocs.github.io/statusdocs/"


def json_schema(name: str, base_url: str = DEFAULT_BASE_URL) -> dict[str, Any]:
    """The JSON Schema of a kind of content file, with the address the site publishes it at as its `$id`."""
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "$id": f"{base_url if base_url.endswith('/') else base_url + '/'}schema/{name}.json",
              **SCHEMAS[name].json}
    if name in ("comparison", "guide"):
        schema["$defs"] = {"decision": DECISION.json}
    return schema


def matches(kind: Str, value: str) -> bool:
    return kind.pattern is None or _compiled(kind.pattern).match(value) is not None


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)
