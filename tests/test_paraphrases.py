"""Issue 25's kinds of misses, in wording nobody tuned a rule to: another code's trigger paraphrased (C004), a cell
against `cacheable.default` or `retry.safe` elsewhere than its own note (C001, C002), a comparison summary that says
nothing or swaps the two codes' meanings (V011, C004); and sound sentences close to each (contrasts, negations,
conditions, history) that must not fire.

Every cell is patched into one copy of the bundled content (each in its own file and field, so they do not meet),
and one `statusdocs check --format json` reads them all: each bad cell must be reported by its rule at its own
field, and nothing else may be reported anywhere.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import CONTENT, run_cli

# (file, field, text, rule expected at that field or None for a sound cell)
CELLS: list[tuple[str, str, str, str | None]] = [
    # --- another code's trigger, in other words (C004)
    ("codes/409.yaml", "scenarios[0]", "A phone app asks for `application/xml` through its Accept header, but the "
     "service can only render JSON.", "C004"),
    ("codes/400.yaml", "scenarios[0]", "The client's Accept-Language header names only Icelandic, and there is no "
     "translation in that language.", "C004"),
    ("codes/201.yaml", "scenarios[0]", "The import runs in the background; the new records will exist only once "
     "the nightly batch has gone through the file.", "C004"),
    ("codes/201.yaml", "scenarios[1]", "The order is pushed onto a job queue and is created asynchronously by a "
     "fulfilment service some minutes afterwards.", "C004"),
    ("codes/400.yaml", "scenarios[1]", "The caller never proved who it is: the request came with nothing that "
     "identifies an account.", "C004"),
    ("codes/409.yaml", "scenarios[1]", "The signed-in account has no right to edit this board, which only its owner "
     "may change.", "C004"),
    ("codes/500.yaml", "scenarios[0]", "The integration fired three hundred calls in ten seconds and went over its "
     "allowance for the minute.", "C004"),
    ("codes/502.yaml", "scenarios[0]", "The backend never answered within the proxy's sixty-second read timeout.",
     "C004"),
    ("codes/404.yaml", "scenarios[0]", "The whole shop is down for a deployment, so this product page cannot be "
     "served to anyone for ten minutes.", "C004"),
    ("codes/415.yaml", "scenarios[0]", "The avatar upload exceeds the server's size cap for profile pictures.",
     "C004"),
    ("codes/403.yaml", "scenarios[0]", "The article was withdrawn for good by its author and the site will never "
     "bring it back.", "C004"),
    ("codes/409.yaml", "scenarios[5]", "The client posts a spreadsheet, but the endpoint doesn't accept that media "
     "type for imports.", "C004"),
    ("codes/404.yaml", "scenarios[1]", "PATCH is not supported on this endpoint, which takes GET and nothing else.",
     "C004"),
    ("codes/412.yaml", "scenarios[0]", "The endpoint can\u2019t produce anything but JSON, and the client\u2019s "
     "Accept header lists only XML.", "C004"),
    # one alternative the code's own case, the other another code's: the own case does not excuse the other
    ("codes/403.yaml", "scenarios[2]", "The password was wrong, or the account lacks the editor role.", "C004"),
    ("codes/429.yaml", "scenarios[1]", "The service doesn't have enough capacity for the request, or the caller has "
     "hit its rate limit.", "C004"),
    ("codes/503.yaml", "scenarios[1]", "The database is overloaded, or the site is down for maintenance.", None),
    # --- a comparison that swaps the two codes' meanings (C004), or says nothing (V011)
    ("comparisons/404-vs-410.yaml", "summary", "404 means the page was retired for good and will never come back; "
     "410 means there is nothing at this URL and there may never have been.", "C004"),
    ("comparisons/406-vs-415.yaml", "summary", "406 means the body was sent in a format the resource does not "
     "accept; 415 means the Accept header rules out every format the server has.", "C004"),
    # each side given the other's case where the two overlap (either clause alone is allowed): a swap
    ("comparisons/401-vs-403.yaml", "decision_rule", "Send 401 when the account lacks the required role, and 403 "
     "when the API key was not sent.", "C004"),
    ("comparisons/409-vs-412.yaml", "summary", "Both are standard HTTP status codes, defined by the IETF and "
     "returned by servers all over the web.", "V011"),
    ("comparisons/500-vs-502.yaml", "summary", "These two codes both belong to the same family and both are "
     "documented in the IANA registry.", "V011"),
    # --- a cell against cacheable.default: false (C001) or retry.safe: false (C002)
    ("codes/400.yaml", "scenarios[2]", "The browser keeps showing its saved copy of the error page for a whole day "
     "without asking the server.", "C001"),
    ("codes/403.yaml", "faq[0].answer", "A CDN serves the cached error for up to an hour to everyone who asks.",
     "C001"),
    ("codes/400.yaml", "faq[0].answer", "Just send the identical request again; resending it is harmless.", "C002"),
    ("codes/422.yaml", "faq[0].answer", "Keep resending it until it goes through; the validator sometimes lets it "
     "pass.", "C002"),
    ("codes/412.yaml", "faq[0].answer", "Retrying it is risk-free, so a client library can do it on its own.",
     "C002"),
    # --- sound: the code's own case, in the same kinds of words
    ("codes/406.yaml", "scenarios[0]", "A client's Accept header lists only `text/csv`, and the report endpoint can "
     "only render JSON or XML.", None),
    ("codes/202.yaml", "scenarios[0]", "The upload is put into a processing queue and a worker will build the "
     "thumbnails later.", None),
    ("codes/403.yaml", "scenarios[1]", "The signed-in user has no right to delete other people's comments.", None),
    ("codes/401.yaml", "scenarios[0]", "The caller never proved who it is: its request carried no Authorization "
     "header.", None),
    ("codes/410.yaml", "scenarios[0]", "The endpoint was retired for good last year, when version 1 of the API was "
     "shut down.", None),
    ("codes/504.yaml", "scenarios[0]", "The upstream application server never answered within the gateway's "
     "thirty-second timeout.", None),
    ("codes/429.yaml", "scenarios[0]", "The client went over its allowance of one hundred calls per minute.", None),
    ("codes/503.yaml", "scenarios[0]", "The site is down for an upgrade and turns every request away until it "
     "finishes.", None),
    ("codes/413.yaml", "scenarios[0]", "The video upload exceeds the server's size cap of two gigabytes.", None),
    # --- sound: contrasts, negations, conditions close to the bad cells
    ("codes/409.yaml", "scenarios[2]", "Unlike a 406, where Accept rules out every format, here the request is "
     "readable and clashes with a newer revision.", None),
    ("codes/409.yaml", "scenarios[3]", "The app's Accept header lists JSON, which the API produces, but the "
     "username is already taken.", None),
    ("codes/201.yaml", "scenarios[2]", "The record is stored before the response is sent, unlike a 202, where the "
     "work would be processed later.", None),
    ("codes/404.yaml", "scenarios[2]", "The page was not retired for good; it never existed at this address.", None),
    ("codes/401.yaml", "faq[0].answer", "Browsers do not reuse the saved error page without asking the server "
     "first.", None),
    ("codes/409.yaml", "scenarios[4]", "A browser shows its stored copy only if the response carried an explicit "
     "max-age.", None),
    ("codes/409.yaml", "faq[0].answer", "Send the same request again only after merging the other editor's change.",
     None),
    ("codes/406.yaml", "faq[0].answer", "Repeating it is harmless only once the Accept header names a format the "
     "server offers.", None),
    ("codes/100.yaml", "faq[2].answer", "The server, or a proxy on the way, does not support the expectation "
     "mechanism. Send the same request again without the `Expect` header field.", None),
    ("codes/503.yaml", "faq[0].answer", "Simply send the same request again after the delay given in Retry-After.",
     None),
    ("codes/410.yaml", "faq[0].answer", "A CDN serves the stored copy for the next hour without contacting the "
     "origin, as it may for any response that is cacheable by default.", None),
    ("comparisons/401-vs-403.yaml", "summary", "401 means the caller has not proved who it is; 403 means the caller "
     "is known but not allowed to do this.", None),
    ("comparisons/403-vs-404.yaml", "decision_rule", "Send 403 when the caller lacks the required role and may "
     "know the resource exists; send 404 when it may not learn that, even though it lacks the role.", None),
    ("comparisons/301-vs-308.yaml", "summary", "301 lets a client switch a POST to GET on the way; 308 keeps the "
     "method and the body.", None),
    ("comparisons/200-vs-204.yaml", "summary", "Both are defined in RFC 9110 and both report success; 204 differs "
     "in that the response has no body at all.", None),
]


def _set(data: object, field: str, value: str) -> None:
    parts = [int(p) if p.isdigit() else p for p in field.replace("]", "").replace("[", ".").split(".")]
    for p in parts[:-1]:
        data = data[p]  # type: ignore[index]
    data[parts[-1]] = value  # type: ignore[index]


def _text_keys(data: object) -> object:
    """The decision trees' `yes`/`no` keys as the loader reads them (text), after PyYAML made them booleans."""
    if isinstance(data, dict):
        return {({True: "yes", False: "no"}[k] if isinstance(k, bool) else k): _text_keys(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_text_keys(v) for v in data]
    return data


@pytest.fixture(scope="module")
def findings(tmp_path_factory) -> list[dict]:
    folder = tmp_path_factory.mktemp("paraphrases") / "content"
    shutil.copytree(CONTENT, folder)
    by_file: dict[str, list[tuple[str, str]]] = {}
    for rel, field, text, _ in CELLS:
        by_file.setdefault(rel, []).append((field, text))
    for rel, cells in by_file.items():
        path = folder / rel
        data = _text_keys(yaml.safe_load(path.read_text(encoding="utf-8")))
        for field, text in cells:
            _set(data, field, text)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000), encoding="utf-8")
    result = run_cli("check", "--content", str(folder), "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    return [{**f, "path": Path(f["path"]).relative_to(folder).as_posix()} for f in json.loads(result.stdout)]


def test_cells_are_distinct():
    assert len({(rel, field) for rel, field, _, _ in CELLS}) == len(CELLS)
    assert sum(1 for *_, rule in CELLS if rule) >= 20 and sum(1 for *_, rule in CELLS if not rule) >= 20


@pytest.mark.parametrize(("rel", "field", "text", "rule"), CELLS, ids=[f"{r}:{f}" for r, f, _, _ in CELLS])
def test_cell(findings, rel, field, text, rule):
    here = sorted({f["rule"] for f in findings if f["path"] == rel and f["field"] == field})
    assert here == ([rule] if rule else []), f"{rel} {field}: {text!r} -> {here}"


def test_nothing_else_fires(findings):
    cells = {(rel, field) for rel, field, _, _ in CELLS}
    stray = [(f["path"], f["field"], f["rule"], f["message"]) for f in findings if (f["path"], f["field"]) not in cells]
    assert stray == []
