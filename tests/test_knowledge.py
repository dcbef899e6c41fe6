"""The knowledge-based prose rules (checks/knowledge.yaml, checks/meaning.py) and the Markdown pitfalls
(checks/markdown.py): each bad cell is caught at the cell, each good one passes, and the keyword index can never
make a rule miss what its patterns match."""

from __future__ import annotations

import copy
import json
import re

import pytest
from conftest import CONTENT, run_cli, set_field
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statusdocs.checks import check_content
from statusdocs.checks import knowledge as K
from statusdocs.content.load import load_content
from statusdocs.diagnostics import Report


@pytest.fixture(scope="module")
def base_content():
    report = Report()
    content = load_content(str(CONTENT), report)
    assert content is not None and not report.items
    return content


# rule, owner (a code or a comparison slug), field, bad text, good text. Written for this test, in words that
# appear neither in knowledge.yaml's comments nor in the bundled content.
CELLS = [
    ("C004", 409, "scenarios[0]", "A mobile app lists only text/csv in its Accept header and the service is "
     "unable to produce anything except JSON.",
     "Two admins rename the same project at once; the second rename clashes with the name the first just saved."),
    ("C004", 400, "when_to_use", "The caller is signed in, but the role on its account does not include "
     "permission to export invoices, so the request is refused.",
     "The request line or the JSON body cannot be parsed, so nothing in it can be acted upon."),
    ("C004", 201, "scenarios[1]", "The import job is queued, and the rows will be created later by a background "
     "worker.", "A POST to /invoices stores a new invoice and answers with its URI in Location."),
    ("C004", 502, "scenarios[0]", "The upstream service timed out after thirty seconds without sending anything.",
     "The upstream answered with a truncated header block that the proxy could not read."),
    ("C004", "409-vs-412", "summary", "409 means the If-Match validator no longer matches the stored ETag; 412 "
     "means the resource already exists.",
     "409 means the request clashes with the resource's current state; 412 means a precondition the client "
     "sent, such as If-Match, evaluated to false."),
    ("C015", 303, "client_behavior", "Browsers follow a 303 by repeating the original request method at the new "
     "URI, body and all.", "Browsers follow a 303 with a GET (or a HEAD) to the URI in Location."),
    ("C015", 304, "definition", "A 304 carries the complete updated representation so that the cache can replace "
     "its copy.", "A 304 ends with its header section: the client reuses the representation it has stored."),
    ("C015", 307, "client_behavior", "User agents switch the method to GET when they follow a 307 automatically.",
     "User agents repeat the same method and body when they follow a 307 automatically."),
    ("C015", 401, "headers[0].note", "The WWW-Authenticate header is optional here and most APIs leave it out.",
     "Names the scheme, such as Bearer, and the realm the client must authenticate against."),
    ("C016", 204, "summary", "A 204 tells the client that the operation was rejected and nothing was saved.",
     "A 204 tells the client that the operation succeeded and the response has no content."),
    ("C016", 500, "definition", "A 500 indicates that the client sent invalid data the server could not use.",
     "A 500 indicates that an unexpected condition on the server kept it from fulfilling the request."),
    ("F006", 409, "definition", "Section 10.4.10 of RFC 2616 says the request conflicts with the resource's state.",
     "RFC 9110 section 15.5.10 says the request conflicts with the current state of the target resource."),
    ("F006", 412, "faq[0].answer", "The conditional request rules in HTTP/1.1: Conditional Requests decide which "
     "precondition wins.", "The rules in RFC 9110 section 13.2.2 decide which precondition is evaluated first."),
    ("F006", 304, "headers[0].note", "Send ETag and Vary as section 14.19 asks, and no other metadata.",
     "Send ETag and Vary as RFC 9110 section 15.4.5 asks, and no other metadata."),
    ("F008", 416, "summary", "416 Requested Range Not Satisfiable tells the client no part of its Range can be served.",
     "416 Range Not Satisfiable tells the client no part of its Range can be served."),
    ("F008", 307, "definition", "A 307 Temporarily Moved response sends the client to another URI for now, method "
     "and body unchanged.", "A 307 Temporary Redirect response sends the client to another URI for now, method and "
     "body unchanged."),
    ("F007", 429, "summary", "429 is an unofficial code that API gateways send when a caller is rate limited.",
     "429 (RFC 6585) tells a caller it has sent too many requests in a given amount of time."),
    ("M001", 409, "when_to_use", "Use it for clashes with current state:\n- a taken username\n- an edit on a "
     "stale version", "Use it for clashes with current state:\n\n- a taken username\n- an edit on a stale version"),
    ("M002", 409, "when_to_use", "Clashes with current state:\n\n- a taken username\n  - by another account\n- an "
     "edit on a stale version", "Clashes with current state:\n\n- a taken username\n\n    - by another account\n\n"
     "- an edit on a stale version"),
    ("M003", 409, "definition", "The resource's current state rules it out; see [our API docs](/docs/errors/) "
     "for the error body.", "The resource's current state rules it out; see [our API docs]"
     "(https://api.example.com/docs/errors/) for the error body."),
]


def _owner(content, owner):
    return content.entries[owner] if isinstance(owner, int) else next(
        c for c in content.comparisons.values() if c.slug == owner)


@pytest.mark.parametrize("rule,owner,field,bad,good", CELLS, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CELLS])
def test_rule_flags_the_bad_cell_once_and_passes_the_good_one(base_content, rule, owner, field, bad, good):
    for text, expected in ((bad, 1), (good, 0)):
        content = copy.deepcopy(base_content)
        target = _owner(content, owner)
        set_field(target, field, text)
        found = [d for d in check_content(content, select={rule}) if d.loc.path == target.source]
        assert [d.field for d in found] == [field] * expected, (text, [d.text() for d in found])


def test_bundled_content_passes_every_knowledge_rule(base_content):
    rules = {"C004", "C015", "C016", "F006", "F007", "F008", "M001", "M002", "M003"}
    assert [d.text() for d in check_content(base_content, select=rules)] == []


def test_a_finding_names_file_line_and_rule_on_the_command_line(content_copy):
    path = content_copy / "codes" / "409.yaml"
    text = path.read_text()
    bad = "A mobile app lists only text/csv in its Accept header and the service is unable to produce JSON."
    new = re.sub(r"(?m)^scenarios:\n  - >-\n    .*$", f"scenarios:\n  - \"{bad}\"", text, count=1)
    assert new != text
    path.write_text(new)
    line = new.splitlines().index(f"  - \"{bad}\"") + 1
    result = run_cli("check", "--content", str(content_copy), "--format", "json", "--select", "C004")
    assert result.returncode == 1
    found = json.loads(result.stdout)
    items = found["findings"] if isinstance(found, dict) else found
    assert [(i["rule"], i["path"].endswith("codes/409.yaml"), i["line"]) for i in items] == [("C004", True, line)]


# ---------------------------------------------------------------- the phrasings and the keyword index

def _phrasings() -> list[tuple[str, str]]:
    import yaml

    with open(K.KNOWLEDGE_FILE, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return [(name, p) for name, phrasings in data["concepts"].items() for p in phrasings]


PHRASINGS = _phrasings()


@pytest.mark.parametrize("name,phrasing", PHRASINGS, ids=[f"{n}:{p[:30]}" for n, p in PHRASINGS])
def test_every_expansion_matches_its_concept_and_holds_one_of_its_words(name, phrasing):
    concept = K.knowledge().concepts[name]
    for text in K.expand(phrasing):
        assert concept.pattern.fullmatch(text), text
        assert concept.words & set(text.encode().translate(K.LETTERS_ONLY).split()), text


def _start(concept: K.Concept, text: str) -> int | None:
    return concept.start(text, text.lower() if text.isascii() else None)


def _expected_start(concept: K.Concept, text: str) -> int | None:
    m = concept.pattern.search(text)
    return None if m is None else m.start()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_concept_found_in_lowered_text_starts_where_its_pattern_does(data):
    """`Concept.start` searches ASCII text lowercased, without IGNORECASE: the same first match as the pattern,
    whatever the case of the text and what surrounds the phrasing (word characters, hyphens, a typographic
    apostrophe, non-ASCII letters such as the Kelvin sign, which IGNORECASE with ASCII does not fold)."""
    name, phrasing = data.draw(st.sampled_from(PHRASINGS))
    concept = K.knowledge().concepts[name]
    expansions = K.expand(phrasing)
    text = data.draw(st.sampled_from(expansions[:50]))
    text = "".join(data.draw(st.sampled_from([c, c.upper()])) for c in text).replace("'", data.draw(
        st.sampled_from(["'", "\u2019"])))
    around = st.text(alphabet="aZ-_ .,\u212a9'", max_size=4)
    text = data.draw(around) + text + data.draw(around) + data.draw(st.sampled_from(["", " " + text]))
    assert _start(concept, text) == _expected_start(concept, text), text


def test_a_concept_found_in_lowered_text_starts_where_its_pattern_does_in_the_content(base_content):
    from statusdocs.checks.cells import all_cells

    concepts = list(K.knowledge().concepts.values())
    cells = all_cells(base_content)
    found = 0
    for cell in cells:
        for concept in concepts:
            start = _expected_start(concept, cell.text)
            assert _start(concept, cell.text) == start, (concept.name, cell.text)
            found += start is not None
    assert found > 50


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_phrasing_matches_only_its_expansions(data):
    """The phrasings are regular expressions as written; whatever one matches must be one of its expansions,
    or the keyword index could rule out a text the pattern matches."""
    name, phrasing = data.draw(st.sampled_from(PHRASINGS))
    regex = phrasing.replace(".", r"\.").replace("*", r"\*")
    text = data.draw(st.from_regex(re.compile(regex), fullmatch=True))
    assert text in set(K.expand(phrasing)), (name, phrasing, text)


@pytest.mark.parametrize("phrasing", ["a+b", r"x\w", "(a|b", "a)b", "[ab]"])
def test_phrasings_outside_the_finite_language_are_refused(phrasing):
    with pytest.raises(ValueError):
        K.expand(phrasing)
