"""The editor schema agrees with the tool: for an edit of an entry, `statusdocs check` (its structural rules, the
loader's S family) and the JSON Schema of `statusdocs schema entry`, applied as an editor or check-jsonschema
applies it (to the YAML 1.2 reading of the text), accept or refuse it together. Where they cannot agree, the
difference is listed in docs/editor-setup.md and pinned by test_documented_differences."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import CONTENT, TEMPLATES, run_cli
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML, SafeConstructor

from statusdocs.content import load, model
from statusdocs.diagnostics import Report

ORIGINAL = (CONTENT / "codes" / "412.yaml").read_text()
# The rules a single file's schema can express: not S006-S008 (file name, duplicates across files, other entries).
SCHEMA_RULES = {"S001", "S002", "S003", "S004", "S005"}


class _TimestampsAsText(SafeConstructor):
    """As check-jsonschema reads YAML: ruamel.yaml's YAML 1.2, with dates left as text (JSON has no dates)."""


_TimestampsAsText.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)


def yaml_1_2(text: str) -> Any:
    reader = YAML(typ="safe", pure=True)
    reader.Constructor = _TimestampsAsText
    return reader.load(text)


@pytest.fixture(scope="module")
def entry_schema() -> jsonschema.protocols.Validator:
    result = run_cli("schema", "entry")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def one_entry(tmp_path_factory) -> Path:
    """A content folder with the site configuration and one entry, 412, rewritten by each test."""
    root = tmp_path_factory.mktemp("agree") / "content"
    (root / "codes").mkdir(parents=True)
    shutil.copy(CONTENT / "site.yaml", root / "site.yaml")
    return root


def tool_accepts(root: Path, text: str) -> tuple[bool, list[str]]:
    (root / "codes" / "412.yaml").write_text(text)
    report = Report()
    load.load_content(str(root), report)
    found = [f"{d.loc.line}:{d.loc.col} {d.rule} {d.message}" for d in report.items if d.rule in SCHEMA_RULES]
    return not found, found


def schema_accepts(validator, text: str) -> tuple[bool, list[str]]:
    try:
        data = yaml_1_2(text)
    except Exception as exc:  # noqa: BLE001 - any reader error is a refusal, as in check-jsonschema
        return False, [type(exc).__name__]
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.validator}" for e in validator.iter_errors(data)]
    return not errors, errors


def _swap(old: str, new: str) -> str:
    assert old in ORIGINAL, old
    return ORIGINAL.replace(old, new, 1)


UNOFFICIAL = _swap("official: true", "official: false")
VENDOR = _swap("  document: RFC 9110\n  section: \"15.5.13\"", "  document: nginx source")
SOURCE = ("  - id: {id}\n    title: nginx, ngx_http_rewrite_module\n    url: {url}\n"
          "    accessed: {accessed}\n    quote: The non-standard code 444 closes a connection.\n")
NGINX_DOC = "https://nginx.org/en/docs/http/ngx_http_rewrite_module.html#return"


def _sourced(id: str = "nginx-return", url: str = NGINX_DOC, accessed: str = "2026-12-06") -> str:
    """412 with one more item in its `sources` list (issue 24), one of the item's values replaced."""
    item = SOURCE.format(id=id, url=url, accessed=accessed)
    if "\nsources:\n" in ORIGINAL:
        return _swap("\nsources:\n", "\nsources:\n" + item)
    return ORIGINAL.rstrip("\n") + "\nsources:\n" + item


@pytest.mark.parametrize("text,line,col,rule", [
    (_swap("official: true", "official: yes"), 3, 11, "S004"),
    (_swap("official: true", "official: on"), 3, 11, "S004"),
    (_swap('  section: "15.5.13"', "  section: 15.5"), 7, 12, "S004"),
    (_swap('  section: "15.5.13"', "  section: 15"), 7, 12, "S004"),
    (_swap('  section: "15.5.13"', "  section: 1e3"), 7, 12, "S004"),
    (_swap("name: Precondition Failed", "name: 412"), 2, 7, "S004"),
    (_swap("  default: false", "  default: No"), None, None, "S004"),
    (UNOFFICIAL, 3, 1, "S005"),
    (_swap("official: true", "official: true\norigin: nginx"), 4, 1, "S004"),
    (VENDOR, 5, 1, "S005"),
    (_swap("  document: RFC 9110", "  document: RFC 0"), 5, 1, "S005"),
    (_swap("related: [304, 409, 428, 423]", "related: [304, 409, 428, 423]\nignore:\n  - rule: V005\n"
                                            "    field: definitoin\n    reason: reviewed"), None, None, "S004"),
    (_sourced(url="ftp://nginx.org/x"), None, None, "S004"),
    (_sourced(id="Nginx Return"), None, None, "S004"),
    (_sourced(accessed="last week"), None, None, "S004"),
    (_sourced().replace("    title: nginx, ngx_http_rewrite_module\n", ""), None, None, "S005"),
], ids=["official yes", "official on", "section 15.5", "section 15", "section 1e3", "name 412", "default No",
        "unofficial without origin", "official with origin", "vendor spec without url", "RFC 0 without url",
        "ignore names no field", "source url not http", "source id not a slug", "source accessed not a date",
        "source without title"])
def test_both_refuse(one_entry, entry_schema, text, line, col, rule):
    """The disagreements of issue 22 (the tool accepted `official: yes` and `section: 15.5`, the schema knew
    nothing of origin and spec.url), each at the scalar's line:col with the loader's rule."""
    ok, found = tool_accepts(one_entry, text)
    assert not ok
    if line is not None:
        assert any(f.startswith(f"{line}:{col} {rule} ") for f in found), found
    else:
        assert any(f" {rule} " in f for f in found), found
    assert not schema_accepts(entry_schema, text)[0]
    # And as a user sees it: check exits 1 with the finding at its place.
    folder = one_entry.parent / "cli"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(one_entry, folder)
    result = run_cli("check", "--select", "S", "--content", str(folder))
    assert result.returncode == 1
    where = rf"{line}:{col}" if line is not None else r"\d+:\d+"
    assert re.search(rf"codes/412\.yaml:{where}: error {rule} ", result.stdout), result.stdout


@pytest.mark.parametrize("text", [
    ORIGINAL,
    _swap("official: true", "official: True"),
    _swap("official: true", "official: false\norigin: nginx"),
    _swap("  document: RFC 9110", "  document: rfc9110"),
    _swap("  document: RFC 9110\n  section: \"15.5.13\"", "  document: nginx source\n  url: https://nginx.org/x"),
    _swap('  section: "15.5.13"', "  section: 15.5.13"),
    _swap('  section: "15.5.13"', "  section: '15.5'"),
    _swap("name: Precondition Failed", "name: 2024-05-01"),
    _sourced(),
    _sourced().replace("    accessed: 2026-12-06\n    quote: The non-standard code 444 closes a connection.\n", "", 1),
], ids=["412 as it is", "True", "unofficial with origin", "rfc9110", "vendor with url", "section 15.5.13",
        "quoted 15.5", "a date as text", "with sources", "source without accessed or quote"])
def test_both_accept(one_entry, entry_schema, text):
    assert tool_accepts(one_entry, text) == (True, [])
    assert schema_accepts(entry_schema, text) == (True, [])


@pytest.mark.parametrize("old,new", [
    ("code: 412", "code: 412.0"),      # YAML 1.2 reads a float; JSON Schema counts 412.0 as an integer
    ("code: 412", "code: 412e0"),
    ("code: 412", "code: 0o634"),      # YAML 1.2's octal: 412 to the schema
    ("name: Precondition Failed", "name: yes"),   # YAML 1.1's boolean, text to YAML 1.2
    ("name: Precondition Failed", "name: off"),
    ('  section: "15.5.13"', "  section: 6:52"),  # YAML 1.1's base 60 number, text to YAML 1.2
])
def test_documented_differences(one_entry, entry_schema, old, new):
    """What the schema cannot see, since it sees values and not how they were written: the tool refuses forms
    that YAML 1.1 and 1.2 read differently, or that are no plain decimal integer. docs/editor-setup.md lists
    each; if the schema ever catches one, that list and this one must shrink."""
    text = _swap(old, new)
    assert not tool_accepts(one_entry, text)[0]
    assert schema_accepts(entry_schema, text) == (True, [])
    doc = (CONTENT.parent / "docs" / "editor-setup.md").read_text()
    assert f"`{new.split(': ', 1)[1]}`" in doc


# ---------------------------------------------------------------- property: generated edits of 412.yaml

class Raw(str):
    """A scalar written plain, as it stands (yes, 15.5, ~), rather than quoted."""


BASE: dict[str, Any] = {k: v for k, v in yaml_1_2(ORIGINAL).items()}
TEXT = st.sampled_from(["nginx", "Precondition", "RFC 9110", "15.5", "yes", "", " ", "412", "V005", "definition",
                        "faq[0].answer", "nope", "https://example.com/x", "not a url", "If-Match", "permanent"])
PLAIN_TEXT = st.sampled_from(["nginx", "Precondition", "15.5", "15", "1e5", "0o12", "-1", ".inf", "~", "null",
                              "true", "False", "2024-05-01", "15.5.13", "4_12", "RFC 9110", "https://example.com/x"])
ANY_VALUE = st.one_of(TEXT, PLAIN_TEXT.map(Raw), st.sampled_from([True, False, None, 412, 99, 600, 304, [], {}]),
                      st.just(["x"]), st.just({"a": "b"}))
# Integers and booleans as written: every YAML 1.1 boolean, and integers as decimal digits only (other spellings
# are the documented differences).
INT_VALUE = st.one_of(st.sampled_from(["412", "99", "600", "304", "15.5", "yes", "off", "true", "~", "x"]).map(Raw),
                      TEXT, st.sampled_from([True, 412, 304, None, []]))
_PLAIN_BOOL = st.sampled_from(["true", "false", "True", "FALSE", "yes", "No", "on", "OFF", "1", "~", "x"]).map(Raw)
BOOL_VALUE = st.one_of(_PLAIN_BOOL, _PLAIN_BOOL, TEXT, st.sampled_from([True, False, None, 0, 1, []]))
TEXT_PATHS = ["name", "summary", "origin", "registration", "spec.document", "spec.section", "spec.url",
              "headers.0.name", "constants.python", "scenarios.0", "definition", "ignore.0.rule", "ignore.0.field",
              "ignore.0.reason"]
INT_PATHS = ["code", "related.0"]
BOOL_PATHS = ["official", "cacheable.default", "retry.safe"]
DELETABLE = ["official", "origin", "code", "name", "spec.section", "spec.url", "spec.document", "related",
             "constants.go", "ignore", "headers.0.note", "registration"]


def _set(data: Any, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        if isinstance(data, list):
            data = data[int(part)]
        else:
            data = data.setdefault(part, [{"rule": "V005", "field": "definition", "reason": "x"}]
                                   if part == "ignore" else {})
    if isinstance(data, list):
        data[int(last)] = value
    elif isinstance(data, dict):
        data[last] = value


def _delete(data: Any, path: str) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data[int(part)] if isinstance(data, list) else data.get(part, {})
    if isinstance(data, dict):
        data.pop(last, None)


_TYPED = [  # listed twice below: most edits change a value's type or form
    st.tuples(st.just("set"), st.sampled_from(TEXT_PATHS), ANY_VALUE),
    st.tuples(st.just("set"), st.sampled_from(INT_PATHS), INT_VALUE),
    st.tuples(st.just("set"), st.sampled_from(BOOL_PATHS), BOOL_VALUE),
]
MUTATION = st.one_of(
    *_TYPED, *_TYPED,
    st.tuples(st.just("delete"), st.sampled_from(DELETABLE), st.none()),
    st.tuples(st.just("set"), st.sampled_from(["colour", "spec.link", "cacheable.extra"]), TEXT),
    st.tuples(st.just("set"), st.just("official"), st.booleans()),
    st.tuples(st.just("set"), st.just("origin"), st.sampled_from(["nginx", Raw("nginx"), ""])),
    st.tuples(st.just("set"), st.just("spec.document"), st.sampled_from(["RFC 9110", "rfc 9110", "R F C 9110",
                                                                         "RFC 0", "RFC", "nginx source", "RFCs",
                                                                         " RFC 7231 "])),
    st.tuples(st.just("set"), st.just("spec.url"), st.sampled_from(["https://nginx.org/", "ftp://x", "x"])),
)


def _scalar(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, dict)) and not value:
        return "[]" if isinstance(value, list) else "{}"
    return json.dumps(value)  # a double-quoted scalar: the same text to YAML 1.1 and 1.2


def emit(value: dict[str, Any], indent: int = 0) -> list[str]:
    """Block-style YAML for a mapping; scalars plain (Raw) or double-quoted."""
    pad, lines = " " * indent, []
    for key, item in value.items():
        if isinstance(item, dict) and item:
            lines += [f"{pad}{key}:", *emit(item, indent + 2)]
        elif isinstance(item, list) and item:
            lines.append(f"{pad}{key}:")
            for element in item:
                if isinstance(element, dict) and element:
                    inner = emit(element, indent + 4)
                    lines += [f"{pad}  - {inner[0].lstrip()}", *inner[1:]]
                else:
                    lines.append(f"{pad}  - {_scalar(element)}")
        else:
            lines.append(f"{pad}{key}: {_scalar(item)}")
    return lines


@settings(max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(MUTATION, min_size=1, max_size=2))
@example([("set", "official", Raw("yes"))])  # the disagreements issue 22 found, always among the examples
@example([("set", "spec.section", Raw("15.5"))])
@example([("set", "official", False)])
@example([("set", "spec.document", "nginx source")])  # few: one refusal must not hide another
def test_tool_and_schema_agree_on_generated_entries(one_entry, entry_schema, mutations):
    data = json.loads(json.dumps(BASE))
    for action, path, value in mutations:
        if action == "set":
            _set(data, path, value)
        else:
            _delete(data, path)
    text = "\n".join(emit(data)) + "\n"
    tool, why_tool = tool_accepts(one_entry, text)
    schema, why_schema = schema_accepts(entry_schema, text)
    assert tool == schema, (mutations, why_tool, why_schema)


def test_emitter_round_trips_the_original():
    assert yaml_1_2("\n".join(emit(BASE)) + "\n") == BASE


# ---------------------------------------------------------------- published with the site, under the base URL

def test_build_publishes_the_schemas_under_the_base_url(content_copy, tmp_path):
    out = tmp_path / "site"
    common = ("--content", str(content_copy), "--templates", str(TEMPLATES), "--out", str(out))
    assert run_cli("build", *common).returncode == 0
    base = model_base_url(content_copy)
    for kind in ("entry", "comparison", "guide", "site", "page"):
        published = json.loads((out / "schema" / f"{kind}.json").read_text())
        assert published["$id"] == f"{base}schema/{kind}.json"
        assert published == json.loads(run_cli("schema", kind, "--content", str(content_copy)).stdout)
        jsonschema.Draft202012Validator.check_schema(published)
    entry = jsonschema.Draft202012Validator(json.loads((out / "schema" / "entry.json").read_text()))
    for path in sorted((content_copy / "codes").glob("*.yaml"))[:40]:
        assert entry.is_valid(yaml_1_2(path.read_text())), path
    assert "schema/" not in (out / "sitemap.xml").read_text()

    # A new base URL in site.yaml: the next (cached) build rewrites them.
    site = content_copy / "site.yaml"
    site.write_text(site.read_text().replace(base, "https://docs.example.org/http/"))
    assert run_cli("build", *common).returncode == 0
    assert json.loads((out / "schema" / "entry.json").read_text())["$id"] == \
        "https://docs.example.org/http/schema/entry.json"
    assert run_cli("build", *common, "--base-url", "https://b.example/").returncode == 0
    assert json.loads((out / "schema" / "page.json").read_text())["$id"] == "https://b.example/schema/page.json"


def model_base_url(content: Path) -> str:
    match = re.search(r"^base_url: (\S+)$", (content / "site.yaml").read_text(), re.M)
    assert match
    return match.group(1)


def test_schema_command_without_a_site(tmp_path):
    bundled = model_base_url(CONTENT)
    result = run_cli("schema", "guide", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["$id"] == f"{bundled}schema/guide.json"
    given_url = run_cli("schema", "--base-url", "https://a.example/x", cwd=tmp_path)
    assert json.loads(given_url.stdout)["$id"] == "https://a.example/x/schema/entry.json"
    assert run_cli("schema", "--base-url", "not a url").returncode == 2


def test_rfc_documents_are_the_same_for_model_and_schema():
    for document, number in [("RFC 9110", 9110), ("rfc9110", 9110), (" R F C 7231 ", 7231), ("RFC 0", None),
                             ("RFC", None), ("RFC ²", None), ("nginx", None), ("RFCs 1", None)]:
        assert model.Spec(document).rfc == number, document
