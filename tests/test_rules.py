"""Every rule with a failing and a passing example, run over a copy of the real content in-process."""

from __future__ import annotations

import copy
import json
import shutil

import pytest
from conftest import CONTENT, run_cli, set_field

from statusdocs.checks import check_content
from statusdocs.content.load import load_content
from statusdocs.content.model import Row
from statusdocs.diagnostics import Report


@pytest.fixture(scope="module")
def base_content():
    report = Report()
    content = load_content(str(CONTENT), report)
    assert content is not None and not report.items, [d.text() for d in report.items]
    return content


def findings(content, rule):
    return [(d.loc.path, d.field) for d in check_content(content, select={rule})]


# rule, code, field, bad text, good text: written independently of the bundled content's wording
CELLS = [
    ("V001", 412, "client_behavior", "HTTP 412 Precondition Failed indicates a client errors response outcome.",
     "Fetch the resource again, re-apply the edit to the new version and send it with the new ETag."),
    ("V001", 503, "summary", "503 Service Unavailable signals a server error response to the client.",
     "The server is overloaded or in maintenance and expects to recover; Retry-After says when."),
    ("V001", 409, "client_behavior", "HTTP 409 signals a conflict, so the client sees a conflict.",
     "Re-read the resource, merge the change into the newer version and send it again."),
    ("V001", 410, "definition", "This status code is sent by a web server to the browser in communication.",
     "The resource was taken away on purpose and for good; clients should drop their links to it."),
    ("V001", 503, "headers[0].note", "503 Service Unavailable is sent to the browser.",
     "Usually sent along with 429 or 503 to say how long to wait."),
    ("V002", 412, "client_behavior", "Client handles 412 according to client-errors semantics.",
     "The client re-reads the resource and retries with the fresh validator in If-Match."),
    ("V002", 412, "cacheable.note", "See 412 caching spec.",
     "Caches do not store it unless the server adds explicit freshness."),
    ("V002", 404, "definition", "Refer to the RFC for the meaning of this status code.",
     "The origin server has no current representation for the target URI, or will not say that one exists."),
    ("V002", 426, "faq[0].answer", "Upgrade needed. See also: Moving a Site to TLS, and the upgrade notes",
     "The server serves this resource only over another protocol; the Upgrade header names it, see RFC 9110."),
    ("V002", 407, "faq[0].answer", "Proxy sign-in is described in “Gateway Access Handbook” [12].",
     "The proxy names its scheme in Proxy-Authenticate; the client answers with Proxy-Authorization."),
    ("V002", 419, "faq[0].answer", "Retired. See Session Token Changes",
     "Laravel sends it when the CSRF token of a form has expired; reload the form to get a new token."),
    ("V003", 409, "retry.note", "TBD", "Retry only after resolving the conflict the body describes."),
    ("V003", 409, "scenarios[0]", "N/A", "Two users rename the same folder; the second rename clashes with the first."),
    ("V004", 409, "when_to_use", "Use 409 when Conflict is the accurate protocol signal.",
     "Use 409 when the request is well-formed but clashes with the resource's current state, such as a taken "
     "username."),
    ("V006", 502, "client_behavior", "Clients handle this in various ways depending on the implementation.",
     "Browsers show an error page; SDKs may retry idempotent requests with backoff because the upstream may "
     "recover."),
    ("V006", 503, "cacheable.note", "It may or may not be cached.",
     "Caches do not store it by default; a stale copy may be served under stale-if-error."),
    ("V006", 207, "when_to_use", "Sent for batches, in some cases.",
     "Mostly POST, in some cases also PATCH."),
    ("V006", 414, "faq[0].answer", "Rarely seen, since proxies probably truncate such URIs first, perhaps silently.",
     "Seen when a search form submits with GET and its fields push the URI past the server's limit."),
    ("V006", 416, "client_behavior", "A media player might fetch the whole file instead, or it might stop playing.",
     "A media player reads the length from Content-Range and asks again for a range inside it."),
    ("V007", 509, "client_behavior", "Use our free uptime checker to see whether the site is down for everyone.",
     "Wait for the hosting plan's bandwidth period to reset, or ask the site's owner to raise the limit."),
    ("V007", 503, "faq[0].answer", "Best monitoring tools for this outage, ranked.",
     "Maintenance windows usually send it with Retry-After; monitors should read that header."),
    ("V007", 409, "definition", "Considering HTTP 409? Book a no-pressure strategy call with our team to compare "
                                "options.",
     "The request clashes with the current state of the target resource, most often a concurrent edit."),
    ("V008", 409, "definition", "State conflict.",
     "The request could not be completed because it conflicts with the current state of the target resource."),
    ("V007", 301, "when_to_use", "Gives visitors a seamless, hassle-free move to the new address.",
     "Use it when the old URI will never serve this resource again and links should follow Location."),
    ("V010", 502, "client_behavior", "Seeing this is frustrating. Check the logs and the network to identify any "
                                      "possible issues.",
     "Retry an idempotent request once after a short delay; the upstream may be restarting."),
    ("V010", 497, "definition", "These codes all come from one web server's own extensions.",
     "nginx's own code for a plain HTTP request that reached a port configured for HTTPS."),
    ("V010", 308, "definition", "The status codes 307 and 308 exist for servers that want to be explicit.",
     "The target moved for good to the URI in Location, and the client repeats the request there unchanged."),
    ("C001", 409, "cacheable.note", "Conflict responses are heuristically cacheable, so caches keep them.",
     "Not stored by default; the next attempt must reach the origin to see the current state."),
    ("C001", 404, "cacheable.note", "A 404 is never cached.",
     "Caches may store it heuristically, so a page that appears later can stay hidden until the entry expires."),
    ("C002", 503, "retry.note", "Never retry this request.",
     "Repeat the identical request after the delay in Retry-After, with backoff if none is given."),
    ("C002", 400, "retry.note", "Safe to retry: just resend it as it was.",
     "Resending the same bytes gets the same answer; fix the request first."),
    ("C001", 409, "scenarios[0]", "By default the response is cacheable, so a proxy hands the same clash to later "
                                  "callers.",
     "Two editors save one page; a proxy keeps the answer only when the origin sends explicit max-age."),
    ("C001", 403, "faq[0].answer", "Yes: browsers reuse the refusal for an hour without asking the origin again.",
     "Browsers reuse the refusal without asking only if Cache-Control gives it explicit freshness."),
    ("C002", 501, "client_behavior", "Callers are encouraged to retry the call following an exponential backoff "
                                     "schedule.",
     "Callers retry only after switching to a method the server implements."),
    ("C002", 400, "faq[1].answer", "Resend it at once, nothing can go wrong.",
     "Resend it after correcting the malformed field."),
    ("C002", 409, "mistakes[0]", "Assuming the clash clears by itself: it is safe to retry it.",
     "Treating every clash as final: it is safe to retry a GET that only reads the resource."),
    ("C003", 412, "definition", "412 is a server error: the precondition in the request headers was false.",
     "412 is a client error: a precondition in the request headers evaluated to false."),
    ("C003", 412, "when_to_use", "Send it as RFC 9110 section 15.5.10 describes, when a precondition fails.",
     "Send it as RFC 9110 section 15.5.13 describes, when a precondition such as If-Match evaluates false."),
    ("C004", 412, "scenarios[0]", "412 appears in production when the request body is malformed JSON.",
     "A PATCH carries If-Match with an ETag that another editor's save has replaced."),
    ("C004", 409, "scenarios[0]", "A client exceeds its rate limit of 100 calls per minute.",
     "A client exceeds its rate limit; that is a 429, not a 409."),
    ("C004", 422, "when_to_use", "Send it when the caller has no valid credentials for the endpoint.",
     "Send it when the JSON parses but a field's value breaks a business rule, such as an end date before the "
     "start date."),
]


@pytest.mark.parametrize("rule,code,field,bad,good", CELLS, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CELLS])
def test_rule_flags_bad_and_passes_good(base_content, rule, code, field, bad, good):
    content = copy.deepcopy(base_content)
    entry = content.entries[code]
    set_field(entry, field, bad)
    assert (entry.source, field) in findings(content, rule)
    set_field(entry, field, good)
    assert (entry.source, field) not in findings(content, rule)


def test_v005_boilerplate_across_entries(base_content):
    content = copy.deepcopy(base_content)
    for code in (400, 409, 412):
        e = content.entries[code]
        e.mistakes.append(f"Returning {code} {e.name} for the wrong reason breaks client expectations and monitoring.")
    hit = findings(content, "V005")
    added = {(content.entries[c].source, f"mistakes[{len(content.entries[c].mistakes) - 1}]") for c in (400, 409, 412)}
    assert added <= set(hit)
    assert findings(base_content, "V005") == []


def test_v009_and_c005_on_comparisons(base_content):
    content = copy.deepcopy(base_content)
    comp = content.comparisons["409-vs-412"]
    comp.rows.append(Row("Safe to retry?", "Only after fixing the underlying cause",
                         "Only after fixing the underlying cause"))
    assert (comp.source, f"rows[{len(comp.rows) - 1}].right") in findings(content, "V009")
    comp.rows[-1] = Row("Safe to retry?", "After resolving the state clash", "After re-reading the current ETag")
    assert findings(content, "V009") == []
    comp.decision_rule += " Otherwise send 400."
    assert (comp.source, "decision_rule") in findings(content, "C005")


def test_c001_c002_on_comparison_cells_by_side(base_content):
    content = copy.deepcopy(base_content)
    comp = content.comparisons["409-vs-412"]
    comp.rows.append(Row("What the browser does", "Reuses it for a day without asking the server",
                         "Shows the error and lets the user reload"))
    comp.summary += " A 409 may be resent at once, nothing can go wrong."
    assert findings(content, "C001") == [(comp.source, f"rows[{len(comp.rows) - 1}].left")]
    assert findings(content, "C002") == [(comp.source, "summary")]
    comp.summary += " A 412 may be resent at once as well."
    assert findings(content, "C002") == [(comp.source, "summary")]  # one cell, one finding
    comp.rows[-1] = Row("What the browser does", "Reuses it without asking only under explicit max-age",
                        "Shows the error and lets the user reload")
    comp.summary = base_content.comparisons["409-vs-412"].summary + " A 409 may be resent after a fresh read."
    assert findings(content, "C001") == [] and findings(content, "C002") == []


@pytest.mark.parametrize("field,value,ok", [
    ("name", "Payload Too Large", "Content Too Large"),
])
def test_f001_registry_phrase(base_content, field, value, ok):
    content = copy.deepcopy(base_content)
    entry = content.entries[413]
    setattr(entry, field, value)
    assert (entry.source, field) in findings(content, "F001")
    setattr(entry, field, ok)
    assert findings(content, "F001") == []


def test_f002_f003_f004_facts(base_content):
    content = copy.deepcopy(base_content)
    e = content.entries[412]
    e.spec.document, e.spec.section = "RFC 7232", "4.2"
    e.cacheable.default = True
    e.constants["java"] = "HttpURLConnection.HTTP_CONFLICT"       # names another code
    e.constants["go"] = "http.StatusPreconditionFail"            # does not exist
    e.constants["spring"] = "HttpStatus.PRECONDITION_FAILED"      # real
    assert (e.source, "spec") in findings(content, "F002")
    assert (e.source, "cacheable.default") in findings(content, "F003")
    f4 = findings(content, "F004")
    assert (e.source, "constants.java") in f4 and (e.source, "constants.go") in f4
    assert (e.source, "constants.spring") not in f4
    java_422 = copy.deepcopy(base_content)
    java_422.entries[422].constants["java"] = "HttpURLConnection.HTTP_UNPROCESSABLE_ENTITY"
    assert (java_422.entries[422].source, "constants.java") in findings(java_422, "F004")


def test_bundled_content_has_no_findings(base_content):
    assert [d.text() for d in check_content(base_content)] == []


# ---------------------------------------------------------------- seed 000 as a fixture
SEED = CONTENT.parent / "tests" / "fixtures" / "seed_000_409-vs-412.yaml"


@pytest.fixture()
def seeded(content_copy):
    shutil.copy(SEED, content_copy / "comparisons" / "409-vs-412.yaml")
    result = run_cli("check", "--content", str(content_copy), "--format", "json")
    assert result.returncode == 1
    return [f for f in json.loads(result.stdout) if f["path"].endswith("409-vs-412.yaml")]


def test_seed_000_filler_is_flagged_and_sound_409_cells_pass(seeded):
    fields = {f["field"] for f in seeded}
    for i in range(9):  # every cell of the 412 column
        assert f"rows[{i}].right" in fields, i
    assert "decision_rule" in fields
    scenario = [f for f in seeded if f["field"] == "rows[8].right"]
    assert any(f["rule"] == "C004" for f in scenario)
    sound_409 = {"rows[0].left", "rows[1].left", "rows[2].left", "rows[3].left", "rows[4].left", "rows[7].left",
                 "rows[8].left"}
    assert fields & sound_409 == set()
    for f in seeded:
        assert f["line"] > 0 and f["column"] > 0 and f["codes"] == [409, 412]


def test_c010_related_and_c011_links_that_lead_nowhere(base_content):
    content = copy.deepcopy(base_content)
    e = content.entries[409]
    e.related.append(999)
    e.definition += " Compare [the 597 page](../597/)."
    assert (e.source, f"related[{len(e.related) - 1}]") in findings(content, "C010")
    assert (e.source, "definition") in findings(content, "C011")
    e.related[-1] = 412
    e.definition = e.definition.replace("../597/", "../412/")
    assert findings(content, "C010") == [] and findings(content, "C011") == []


# ---------------------------------------------------------------- facts follow each code's defining document
def _finding_lines(result, rule: str, name: str) -> list[tuple[str, int, str]]:
    return [(f["field"], f["line"], f["rule"]) for f in json.loads(result.stdout)
            if f["rule"] == rule and f["path"].endswith(name)]


def _line_of(path, prefix: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(prefix))


def test_f003_follows_the_defining_document_451_is_cacheable_by_default(content_copy):
    """RFC 7725 section 3: "A 451 response is cacheable by default"; RFC 9110 section 15.1's list is not the
    only source of the property."""
    ok = run_cli("check", "--content", str(content_copy), "--select", "F003", "--format", "json")
    assert ok.returncode == 0 and json.loads(ok.stdout) == []
    path = content_copy / "codes" / "451.yaml"
    path.write_text(path.read_text().replace("cacheable:\n  default: true", "cacheable:\n  default: false"))
    bad = run_cli("check", "--content", str(content_copy), "--select", "F003", "--format", "json")
    assert bad.returncode == 1
    assert _finding_lines(bad, "F003", "451.yaml") == [("cacheable.default", _line_of(path, "  default:"), "F003")]
    assert "RFC 7725 section 3" in json.loads(bad.stdout)[0]["message"]


def test_f002_section_optional_only_where_the_registry_cites_the_whole_document(content_copy):
    """IANA cites "451 ... [RFC7725]" without a section, but "412 ... [RFC9110, Section 15.5.13]" with one."""
    p451, p412 = content_copy / "codes" / "451.yaml", content_copy / "codes" / "412.yaml"
    p451.write_text(p451.read_text().replace('  section: "3"\n', "", 1))
    p412.write_text(p412.read_text().replace('  section: "15.5.13"\n', "", 1))
    result = run_cli("check", "--content", str(content_copy), "--select", "F002", "--format", "json")
    assert result.returncode == 1
    assert _finding_lines(result, "F002", "451.yaml") == []
    assert _finding_lines(result, "F002", "412.yaml") == [("spec", _line_of(p412, "spec:"), "F002")]
    p451.write_text(p451.read_text().replace("  document: RFC 7725\n", '  document: RFC 7725\n  section: "4"\n'))
    wrong = run_cli("check", "--content", str(content_copy), "--select", "F002", "--format", "json")
    assert _finding_lines(wrong, "F002", "451.yaml") == [("spec", _line_of(p451, "spec:"), "F002")]


def test_f005_documented_examples_behave_as_documented(base_content):
    """F005's bad example (a vendor claim without a source) is reported at its cell; its good example (the same
    claim citing a source the entry lists) passes, as `statusdocs rules` documents them."""
    from statusdocs.checks import rules  # noqa: F401 - importing registers the rules
    from statusdocs.checks.registry import RULES
    from statusdocs.content.model import Source

    doc = RULES["F005"]
    bad = doc.bad.split(": ", 1)[1]
    good = doc.good.split("\n")[0].split(": ", 1)[1]
    content = copy.deepcopy(base_content)
    entry = content.entries[444]
    entry.client_behavior = bad
    assert (entry.source, "client_behavior") in findings(content, "F005")
    entry.client_behavior = good
    entry.sources = [*entry.sources, Source("nginx-return", "nginx, ngx_http_rewrite_module, return",
                                            "https://nginx.org/en/docs/http/ngx_http_rewrite_module.html#return")]
    assert (entry.source, "client_behavior") not in findings(content, "F005")


# ---------------------------------------------------------------- each finding names the exact cell, once
def test_c013_names_the_example_at_fault(content_copy):
    """Two examples of 409-vs-412 both showing 412: the finding is at the second one's response (the example
    that repeats a code another already shows), not at the whole `examples` list."""
    path = content_copy / "comparisons" / "409-vs-412.yaml"
    text = path.read_text()
    assert text.count("HTTP/1.1 409 Conflict") == 1
    path.write_text(text.replace("HTTP/1.1 409 Conflict", "HTTP/1.1 412 Precondition Failed"))
    result = run_cli("check", "--content", str(content_copy), "--select", "C013", "--format", "json")
    assert result.returncode == 1
    line = next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if ln.strip() == "response: |" and i > 60)
    assert _finding_lines(result, "C013", "409-vs-412.yaml") == [("examples[1].response", line, "C013")]


def test_c013_on_an_entry_names_an_example_showing_another_code(base_content):
    content = copy.deepcopy(base_content)
    entry = content.entries[412]
    for example in entry.examples:
        example.response = example.response.replace("HTTP/1.1 412 Precondition Failed", "HTTP/1.1 200 OK")
    assert findings(content, "C013") == [(entry.source, "examples[0].response")]


def test_v005_reports_a_cell_once_however_many_of_its_sentences_repeat(base_content):
    content = copy.deepcopy(base_content)
    for code in (400, 409, 412):
        content.entries[code].mistakes.append(
            f"Returning {code} for the wrong reason breaks client expectations and monitoring. Sending {code} out "
            "of habit confuses every dashboard and every engineer on call.")
    hit = findings(content, "V005")
    added = [(content.entries[c].source, f"mistakes[{len(content.entries[c].mistakes) - 1}]") for c in (400, 409, 412)]
    assert sorted(hit) == sorted(added)


def test_c011_follows_links_with_a_fragment(base_content):
    content = copy.deepcopy(base_content)
    e = content.entries[409]
    e.definition += " Compare [the 597 page](../597/#when-to-use)."
    assert findings(content, "C011") == [(e.source, "definition")]
    e.definition = e.definition.replace("../597/#when-to-use", "../412/#when-to-use")
    assert findings(content, "C011") == []


def _rfc9110_definitions() -> list[tuple[int, str]]:
    """The first sentence of RFC 9110's section for each code ("The 202 (Accepted) status code indicates ...")."""
    path = CONTENT.parent / "tests" / "fixtures" / "rfc9110_definitions.tsv"
    return [(int(code), text) for code, text in (ln.split("\t") for ln in path.read_text().splitlines())]


def test_v001_passes_summaries_quoting_the_rfc_definition(base_content):
    """A summary that quotes RFC 9110's one-line definition says what the code means: the code's one-word name
    used as an ordinary word ("has been accepted for processing") is not a restatement of the name. 200's line
    ("the request has succeeded") only says its class, 2xx Successful, and stays a finding."""
    content = copy.deepcopy(base_content)
    for code, text in _rfc9110_definitions():
        content.entries[code].summary = text
    assert findings(content, "V001") == [(content.entries[200].source, "summary")]
