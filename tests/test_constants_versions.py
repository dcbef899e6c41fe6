"""Constants that name their version, and "verified: no constant" kept apart from "not recorded" (issue 24).

Each test reads a built page the way a reader sees it: the rows of the "Constants in libraries" table, the release a
name appeared in, the older name, and the sentences about libraries without a constant.
"""

from __future__ import annotations

import http
import re
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import CONTENT, ROOT, run_cli

from statusdocs.content.load import load_content
from statusdocs.content.model import LANGUAGES, Content
from statusdocs.diagnostics import Report


@dataclass
class Row:
    library: str
    classes: str
    text: str = ""
    codes: list[str] = field(default_factory=list)


class ConstantsSection(HTMLParser):
    """The rows (by data-library) and paragraphs (by class) of a page's section#constants."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # <section> nesting inside the constants section; 0 = outside
        self.rows: dict[str, Row] = {}
        self.paragraphs: dict[str, str] = {}
        self._row: Row | None = None
        self._code: list[str] | None = None
        self._para: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            if self.depth or a.get("id") == "constants":
                self.depth += 1
            return
        if not self.depth:
            return
        if tag == "tr" and a.get("data-library"):
            self._row = self.rows[a["data-library"] or ""] = Row(a["data-library"] or "", a.get("class") or "")
        elif tag == "code" and self._row is not None:
            self._code = []
        elif tag == "p":
            self._para = a.get("class") or ""
            self.paragraphs[self._para] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self.depth:
            self.depth -= 1
        elif tag == "tr":
            self._row = None
        elif tag == "code" and self._code is not None and self._row is not None:
            self._row.codes.append("".join(self._code))
            self._code = None
        elif tag == "p":
            self._para = None

    def handle_data(self, data: str) -> None:
        if self._code is not None:
            self._code.append(data)
        if self._row is not None:
            self._row.text += data
        if self._para is not None:
            self.paragraphs[self._para] += data


def constants_of(site: Path, code: int) -> ConstantsSection:
    parser = ConstantsSection()
    parser.feed((site / str(code) / "index.html").read_text(encoding="utf-8"))
    return parser


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def content() -> Content:
    report = Report()
    loaded = load_content(str(CONTENT), report)
    assert loaded is not None and not report.items
    return loaded


@dataclass
class Table:
    """One library's reference data, read from its YAML file as it stands (not through the generator's reader)."""
    key: str
    prefix: str
    constants: dict[str, int]
    product: str
    oldest: str
    checked_against: str
    added_in: dict[str, str]
    before: dict[str, str]
    removed_in: dict[str, str]
    deprecated_in: dict[str, str]
    verified_absent: set[int]

    def lookup(self, written: str) -> tuple[str | None, int | None]:
        name = written[len(self.prefix):] if written.startswith(self.prefix) else None
        return name, self.constants.get(name or "")


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


@pytest.fixture(scope="module")
def tables() -> dict[str, Table]:
    found = {}
    for path in sorted((ROOT / "generator" / "reference" / "constants").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        covers = data.get("covers") or {}
        found[data["key"]] = Table(
            data["key"], data["prefix"], {str(k): int(v) for k, v in data["constants"].items()},
            str(covers.get("product", "")), str(covers.get("oldest", "")), str(data.get("checked_against", "")),
            *({str(k): str(v) for k, v in (data.get(f) or {}).items()}
              for f in ("added_in", "before", "removed_in", "deprecated_in")),
            {int(c) for c in data.get("verified_absent") or ()})
    return found


def test_every_name_newer_than_a_covered_release_shows_its_version_and_older_name(built_site: Path, content: Content,
                                                                                 tables: dict[str, Table]):
    shown = 0
    for code, entry in content.entries.items():
        page = constants_of(built_site, code)
        for key, written in entry.constants.items():
            table = tables[key]
            name, _ = table.lookup(written)
            assert name is not None
            row = page.rows[key]
            assert row.codes[0] == written
            added = table.added_in.get(name)
            if added is None or not table.oldest or version_key(added) <= version_key(table.oldest):
                assert "+;" not in row.text, (code, key, row.text)
                continue
            older = table.before.get(name)
            expected = f"{table.product} {added}+; before: " + (table.prefix + older if older else "no constant")
            assert expected in squash(row.text), (code, key, row.text)
            if older:
                assert row.codes[1] == table.prefix + older
            shown += 1
    # The cases issue 24 names are among them: Python 3.13's, Spring 7.0's and Rack 3.1's RFC 9110 names.
    assert shown >= 8


def test_413_names_python_3_13_and_the_name_before_it(built_site: Path):
    row = constants_of(built_site, 413).rows["python"]
    assert row.codes == ["http.HTTPStatus.CONTENT_TOO_LARGE", "http.HTTPStatus.REQUEST_ENTITY_TOO_LARGE"]
    assert "Python 3.13+; before: http.HTTPStatus.REQUEST_ENTITY_TOO_LARGE" in squash(row.text)
    spring = constants_of(built_site, 413).rows["spring"]
    assert "Spring Framework 7.0+; before: HttpStatus.PAYLOAD_TOO_LARGE" in squash(spring.text)
    rack = constants_of(built_site, 422).rows["rails"]
    assert "Rack 3.1+; before: :unprocessable_entity" in squash(rack.text)


def test_verified_absence_and_unrecorded_are_told_apart(built_site: Path, content: Content,
                                                        tables: dict[str, Table]):
    for code, entry in content.entries.items():
        page = constants_of(built_site, code)
        absent = [k for k in LANGUAGES if k not in entry.constants and code in tables[k].verified_absent]
        unrecorded = [k for k in LANGUAGES if k not in entry.constants and k not in absent]
        none = page.paragraphs.get("constants-none")
        if not entry.constants and not unrecorded:
            assert none is not None and f"defines a constant for {code}" in none, code
            for key in absent:
                assert tables[key].checked_against in squash(none)
            continue
        assert none is None, (code, none)
        for key in absent:
            row = page.rows[key]
            assert "absent" in row.classes.split()
            assert squash(row.text).endswith(f"no constant in {LANGUAGES[key]} "
                                             f"(checked against {tables[key].checked_against})")
        for key in unrecorded:
            assert key not in page.rows, (code, key)
            assert LANGUAGES[key] in page.paragraphs["constants-unrecorded"]
        if not unrecorded:
            assert "constants-unrecorded" not in page.paragraphs


def test_419_is_not_said_to_have_no_constant_anywhere(built_site: Path):
    # HttpCore 5 has SC_INSUFFICIENT_SPACE_ON_RESOURCE = 419 (a WebDAV draft meaning, not Laravel's): its absence
    # is not verified, so the page may not claim that no library defines 419.
    page = constants_of(built_site, 419)
    assert "constants-none" not in page.paragraphs
    assert "httpcomponents" not in page.rows
    assert "Apache HttpCore 5 HttpStatus" in page.paragraphs["constants-unrecorded"]
    assert "no constant in Python http.HTTPStatus" in squash(page.rows["python"].text)


def test_440_is_verified_absent_in_every_library(built_site: Path, tables: dict[str, Table]):
    none = squash(constants_of(built_site, 440).paragraphs["constants-none"])
    assert none.startswith("None of the libraries we track defines a constant for 440 (checked against ")
    assert all(t.checked_against in none for t in tables.values())


def test_reference_data_is_consistent(tables: dict[str, Table]):
    for key, table in tables.items():
        assert key in LANGUAGES
        assert table.product and table.oldest and table.checked_against, key
        codes = set(table.constants.values())
        assert not codes & table.verified_absent, (key, sorted(codes & table.verified_absent))
        for name, older in table.before.items():
            assert table.constants[name] == table.constants[older], (key, name, older)
            assert name in table.added_in, (key, name)
        for mapping in (table.added_in, table.removed_in, table.deprecated_in):
            assert set(mapping) <= set(table.constants), key
            assert all(version_key(v) for v in mapping.values()), key


def test_python_table_matches_the_running_interpreters_http_status(tables: dict[str, Table]):
    # The interpreter running the tests is a release of the library the table describes: every name it should
    # have (no added_in, or one not newer than it) is there with the same code, a name added later is missing,
    # and each older name of `before` is the same member as its new name where both exist.
    table = tables["python"]
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    members = {name: int(member) for name, member in http.HTTPStatus.__members__.items()}
    for name, code in table.constants.items():
        added = table.added_in.get(name)
        if added and version_key(added) > version_key(running):
            assert name not in members, (running, name, added)
        else:
            assert members.get(name) == code, (running, name, code)
    assert set(members) <= set(table.constants), (running, sorted(set(members) - set(table.constants)))
    for name, older in table.before.items():
        assert older in members, (running, older)
        if name in members:
            assert http.HTTPStatus[older] is http.HTTPStatus[name], (running, name, older)
    assert not table.verified_absent & set(members.values())


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_check_asks_for_the_current_name_not_an_older_or_removed_one(content_copy: Path):
    f413, f418, f302 = (content_copy / "codes" / f"{c}.yaml" for c in (413, 418, 302))
    f413.write_text(f413.read_text(encoding="utf-8").replace(
        '"http.HTTPStatus.CONTENT_TOO_LARGE"', '"http.HTTPStatus.REQUEST_ENTITY_TOO_LARGE"'), encoding="utf-8")
    f302.write_text(f302.read_text(encoding="utf-8").replace(
        'spring: "HttpStatus.FOUND"', 'spring: "HttpStatus.MOVED_TEMPORARILY"'), encoding="utf-8")
    result = run_cli("check", "--content", str(content_copy), "--strict")
    assert result.returncode == 1
    findings = [line for line in result.stdout.splitlines() if " F004 " in line]
    at413 = f"{f413}:{_line_of(f413, 'REQUEST_ENTITY_TOO_LARGE')}:3: warning F004 "
    at302 = f"{f302}:{_line_of(f302, 'MOVED_TEMPORARILY')}:3: warning F004 "
    assert any(line.startswith(at413) and "CONTENT_TOO_LARGE" in line for line in findings), result.stdout
    assert any(line.startswith(at302) and "7.0" in line for line in findings), result.stdout
    # Spring's I_AM_A_TEAPOT is deprecated with no replacement: still the constant to give, so no finding.
    assert not any(str(f418) in line for line in findings)
    assert len(findings) == 2, findings
