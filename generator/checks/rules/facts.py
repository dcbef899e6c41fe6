"""Facts (F): what an entry states against reference data: the IANA registry (F001, F002), the defining
documents' caching rules (F003), each library's own constants (F004), and sources for claims about vendors,
products and dates (F005)."""

from __future__ import annotations

import functools
import http
import json
import os
import re
from collections.abc import Iterator

from statusdocs.checks import knowledge as K
from statusdocs.checks import meaning as M
from statusdocs.checks import text as T
from statusdocs.checks.cells import entry_cells, registry_names
from statusdocs.checks.registry import Run, rule
from statusdocs.content.model import CITATION, Comparison, Entry, Guide
from statusdocs.diagnostics import Diagnostic
from statusdocs.reference import constant_tables, registry


@rule("F001", "registry-phrase", "An official code's name must be the IANA registry's current reason phrase; a "
      "registered code must be official and an unregistered one must not.",
      "code: 413\nname: Payload Too Large", "code: 413\nname: Content Too Large",
      scope="file", reads="entries' code, name, official, registration")
def registry_phrase(run: Run) -> Iterator[Diagnostic]:
    reg = registry()["registry"]
    for entry in run.entries():
        known = reg.get(entry.code)
        codes = (entry.code,)
        if known is None:
            if entry.official:
                yield Diagnostic("F001", "error", entry.loc("official"), f"{entry.code} is not in the IANA registry; "
                                 "mark it official: false and give its origin", field="official", codes=codes)
            continue
        if not entry.official:
            yield Diagnostic("F001", "error", entry.loc("official"), f"{entry.code} is registered with IANA as "
                             f"\"{known['phrase']}\"; it is official", field="official", codes=codes)
            continue
        phrase = registry_names()[entry.code]
        if entry.name != phrase:
            yield Diagnostic("F001", "error", entry.loc("name"), f"name \"{entry.name}\" is not the registry's "
                             f"phrase for {entry.code}", hint=f"use \"{phrase}\"", field="name", codes=codes)
        expected = known.get("registration", "permanent")
        if entry.registration != expected:
            yield Diagnostic("F001", "error", entry.loc("registration"), f"registration is {entry.registration}, "
                             f"but the registry lists {entry.code} as {expected}", field="registration", codes=codes)


@rule("F002", "spec-reference", "`spec` must be the reference the IANA registry gives for the code. Where the "
      "registry cites the whole document (\"451 ... [RFC7725]\"), `section` is optional; when given, it must be "
      "the section that defines the code.",
      "code: 412\nspec: {document: RFC 7232, section: \"4.2\"}",
      "code: 412\nspec: {document: RFC 9110, section: \"15.5.13\"}",
      scope="file", reads="entries' spec")
def spec_reference(run: Run) -> Iterator[Diagnostic]:
    reg = registry()["registry"]
    whole = set(registry()["cited_without_section"])
    for entry in run.entries():
        known = reg.get(entry.code)
        if known is None or not entry.official:
            continue
        doc_ok = entry.spec.document.replace(" ", "").upper() == str(known["document"]).replace(" ", "").upper()
        section_ok = (known.get("section") is None or str(entry.spec.section) == str(known["section"])
                      or (entry.spec.section is None and entry.code in whole))
        if not (doc_ok and section_ok):
            want = f"{known['document']}" + (f" section {known['section']}" if known.get("section") else "")
            yield Diagnostic("F002", "error", entry.loc("spec"), f"spec is {entry.spec.label}, but the registry "
                             f"defines {entry.code} in {want}", field="spec", codes=(entry.code,))


@rule("F003", "heuristic-cacheability", "`cacheable.default` must follow the code's defining document: true "
      "exactly for the codes RFC 9110 section 15.1 lists as heuristically cacheable and for 451, which RFC 7725 "
      "section 3 makes \"cacheable by default\".",
      "code: 409\ncacheable: {default: true, note: ...}", "code: 409\ncacheable: {default: false, note: ...}",
      scope="file", reads="entries' cacheable.default")
def heuristic_cacheability(run: Run) -> Iterator[Diagnostic]:
    by_source = {int(code): source for source, codes in registry()["heuristically_cacheable_by"].items()
                 for code in codes}
    for entry in run.entries():
        source = by_source.get(entry.code)
        expected = source is not None
        if entry.cacheable.default != expected:
            why = f"{source} makes {entry.code} heuristically cacheable" if expected else \
                f"neither RFC 9110 section 15.1 nor {entry.code}'s defining document makes it heuristically cacheable"
            yield Diagnostic("F003", "error", entry.loc("cacheable.default"),
                             f"cacheable.default is {str(entry.cacheable.default).lower()}, but {why}",
                             field="cacheable.default", codes=(entry.code,))


def _python_live() -> dict[str, int]:
    return {name: int(member) for name, member in http.HTTPStatus.__members__.items()}


@rule("F004", "library-constant", "Every language constant must exist in that library's source and mean this "
      "code; a name deprecated in favour of another, removed in a covered release, or the older name of a newer "
      "one (e.g. REQUEST_ENTITY_TOO_LARGE for Python's CONTENT_TOO_LARGE) is a warning: give the current name, "
      "and the page shows the older one for the releases before it.",
      "code: 422\nconstants: {java: HttpURLConnection.HTTP_UNPROCESSABLE_ENTITY}",
      "code: 422\nconstants: {go: http.StatusUnprocessableEntity}",
      scope="file", reads="entries' constants")
def library_constant(run: Run) -> Iterator[Diagnostic]:
    tables = constant_tables()
    live = _python_live()
    for entry in run.entries():
        for key, written in entry.constants.items():
            field = f"constants.{key}"
            table = tables.get(key)
            if table is None:
                continue
            name, code = table.lookup(written)
            if key == "python" and name is not None and code is None:
                code = live.get(name)
            codes = (entry.code,)
            if name is None:
                yield Diagnostic("F004", "error", entry.loc(field),
                                 f"{key} constant {written!r} is not written as {table.prefix}NAME",
                                 hint=_constant_hint(table, entry.code), field=field, codes=codes)
            elif code is None:
                yield Diagnostic("F004", "error", entry.loc(field), f"{table.library} has no constant {name}",
                                 hint=_constant_hint(table, entry.code), field=field, codes=codes)
            elif code != entry.code:
                yield Diagnostic("F004", "error", entry.loc(field), f"{written} is {code} in {table.library}, "
                                 f"not {entry.code}", hint=_constant_hint(table, entry.code), field=field, codes=codes)
            elif name in table.removed_in:
                better = table.deprecated.get(name)
                yield Diagnostic("F004", "warning", entry.loc(field),
                                 f"{written} was removed in {table.release(table.removed_in[name])}",
                                 hint=f"use {table.prefix}{better}" if better else "remove it",
                                 field=field, codes=codes)
            elif table.deprecated.get(name):
                # Deprecated in favour of a named replacement. A deprecation without one (a code the RFCs retired,
                # such as Spring's I_AM_A_TEAPOT) leaves the constant the one to use; the page says it is deprecated.
                better = table.deprecated[name]
                yield Diagnostic("F004", "warning", entry.loc(field), f"{written} is deprecated in {table.library}",
                                 hint=f"use {table.prefix}{better}", field=field, codes=codes)
            elif (newer := table.newer_name(name)) is not None:
                # The entry gives the current name; the page shows this older one for the releases before it.
                since = f" ({table.release(table.added_in[newer])}+)" if newer in table.added_in else ""
                yield Diagnostic("F004", "warning", entry.loc(field),
                                 f"{written} is the older name of {table.prefix}{newer}{since}",
                                 hint=f"use {table.prefix}{newer}; the page names {written} for older releases",
                                 field=field, codes=codes)


def _constant_hint(table, code: int) -> str:
    names = [n for n in table.names_for(code) if n not in table.deprecated and n not in table.removed_in
             and table.newer_name(n) is None]
    return f"use {table.prefix}{names[0]}" if names else f"{table.library} has no constant for {code}: remove it"


CLAIMS_TABLE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "claims.json")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# A dated claim: a month and a year ("July 2026"), or a year after since/as of/in/from/until/before/after.
_DATED = re.compile(rf"\b(?:(?:{_MONTHS}) (?:19|20)\d\d|"
                    r"(?:[Ss]ince|[Aa]s of|[Ii]n|[Ff]rom|[Uu]ntil|[Bb]efore|[Aa]fter) "
                    r"(?:early |late |mid-)?(?:19|20)\d\d)\b")
# Not read for names: inline code (`curl -I` is a command, not a claim about curl) and link targets.
_UNCLAIMED = re.compile(r"`[^`]*`|\]\([^)]*\)")


@functools.cache
def _claim_name_list() -> list[str]:
    """The names of claims.json, and those written in lower case also capitalised: "Nginx closes ..." starts a
    sentence."""
    with open(CLAIMS_TABLE, encoding="utf-8") as f:
        names: list[str] = json.load(f)["names"]
    return names + [n[0].upper() + n[1:] for n in names if n[:1].islower()]


def _names_pattern(names: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w.-])(?:{alternatives})(?![\w-])")


@functools.cache
def _claim_names() -> tuple[re.Pattern[str], frozenset[bytes], tuple[bytes, ...]]:
    """The names as one pattern, and for the ASCII fast path what any match needs: the first run of letters of a
    name (lowercased, as T.letter_runs reads a cell), or for a name whose first run is one letter (S3), the name."""
    names = _claim_name_list()
    first = [T.letter_runs(n.encode())[0] for n in names]
    runs = frozenset(r for r in first if len(r) > 1)
    short = tuple(n.encode() for n, r in zip(names, first, strict=True) if len(r) <= 1)
    return _names_pattern(names), runs, short


def _claimed_name(text: str) -> str | None:
    """The first listed name the text mentions. A match needs its name's first letter run among the text's (the
    pattern requires a non-word character on both sides), so most ASCII cells are settled by a set test."""
    names, runs, short = _claim_names()
    if text.isascii():
        raw = text.encode()
        if runs.isdisjoint(T.letter_runs(raw)) and not any(n in raw for n in short):
            return None
    m = names.search(_UNCLAIMED.sub(" ", text))
    return m.group(0) if m else None


def _claim_keyed() -> tuple[tuple[T.Keyed, ...], tuple[str, ...]]:
    """For the prefilter, the names as patterns with the words any match holds: a match of a name holds each of
    its runs of letters whole (the pattern wants no word character around it). The names of one run of two
    letters or more in one pattern, with those runs as its word set; each name of several runs (API Gateway) in
    a pattern of its own, needing each of them (a cell that says "Bad Gateway" does not name it). Then the names
    with no such run (S3), which a cell that names them holds as written."""
    names = _claim_name_list()
    runs = {n: [r.decode("ascii") for r in T.letter_runs(n.encode()) if len(r) > 1] for n in names}
    single = [n for n in names if len(runs[n]) == 1]
    keyed = [T.Keyed("claim_name", _names_pattern(single), (frozenset(runs[n][0] for n in single),))]
    keyed += [T.Keyed(f"claim_name_{'_'.join(runs[n])}", _names_pattern([n]), tuple(frozenset([r]) for r in runs[n]))
              for n in names if len(runs[n]) > 1]
    return tuple(keyed), tuple(n for n in names if not runs[n])


CLAIM_NAMES, _CLAIM_SHORT = _claim_keyed()
_SHORT_NAME = re.compile("|".join(map(re.escape, _CLAIM_SHORT)) or "(?!)")


def _dated(text: str) -> str | None:
    if "19" not in text and "20" not in text:  # every dated claim has a year
        return None
    m = _DATED.search(_UNCLAIMED.sub(" ", text))
    return m.group(0) if m else None


def _source_owners(run: Run) -> Iterator[Entry | Comparison]:
    yield from run.entries()
    yield from run.comparisons()


@rule("F005", "unsourced-claim", "A prose cell that names a vendor, product, browser or library (the list is "
      "generator/checks/claims.json), or makes a dated claim (\"since July 2026\", \"as of 2024\"), must cite a "
      "source of the entry or comparison as [^id]; a citation must name a source the file lists, and source ids "
      "are unique in a file.",
      "client_behavior: nginx closes the connection without sending any response at all.",
      "client_behavior: nginx closes the connection without sending a response [^nginx-return].\n"
      "sources:\n  - id: nginx-return\n    title: nginx, ngx_http_rewrite_module, return\n"
      "    url: https://nginx.org/en/docs/http/ngx_http_rewrite_module.html#return",
      scope="file", reads="entries' and comparisons' sources and prose cells", keywords=CLAIM_NAMES)
def unsourced_claim(run: Run) -> Iterator[Diagnostic]:
    known: dict[int, set[str]] = {}
    for owner in _source_owners(run):
        seen: set[str] = set()
        for i, source in enumerate(owner.sources):
            if source.id in seen:
                field = f"sources[{i}].id"
                yield Diagnostic("F005", "error", owner.loc(field), f"source id {source.id!r} is listed twice",
                                 field=field, codes=tuple(owner.codes) if isinstance(owner, Comparison)
                                 else (owner.code,))
            seen.add(source.id)
        known[id(owner)] = seen
    hint = "add a source (its documentation page or source file) under sources: and cite it as [^id]"
    may_name = set(run.may(*CLAIM_NAMES))
    for i, cell in enumerate(run.cells):
        if cell.kind in ("summary", "question") or isinstance(cell.owner, Guide):
            continue  # plain-text fields, where a citation cannot render; a question's answer carries the source
        cited = CITATION.findall(cell.text) if "[^" in cell.text else ()  # most cells cite nothing
        if cited:
            ids = known.get(id(cell.owner), set())
            for missing in dict.fromkeys(c for c in cited if c not in ids):
                yield cell.diag("F005", f"{cell.field} cites [^{missing}], which is not among the file's sources")
            continue
        named = _claimed_name(cell.text) if i in may_name or _SHORT_NAME.search(cell.text) else None
        if named is not None:
            yield cell.diag("F005", f"{cell.field} makes a claim about {named} without citing a source", hint)
            continue
        dated = _dated(cell.text)
        if dated is not None:
            yield cell.diag("F005", f"{cell.field} makes a dated claim ({dated!r}) without citing a source "
                            "for the date", hint)


@rule("F006", "obsolete-reference", "Prose cites as current a document that RFC 9110, 9111 or 9112 obsoletes "
      "(RFC 2616, RFC 7230-7235, RFC 2617 ...), by number or by title, or points at a section number that RFC 9110 "
      "does not have. History (\"RFC 2616 called it ...\", \"originally defined in ...\") is fine.",
      "code: 409\ndefinition: RFC 7231 section 6.5.8 defines 409 as a conflict with the resource's state.",
      "code: 409\ndefinition: RFC 9110 section 15.5.10 defines 409 as a conflict with the current state of the target "
      "resource.",
      scope="file", reads="every prose cell")
def obsolete_reference(run: Run) -> Iterator[Diagnostic]:
    for cell in run.cells:
        if not ("RFC" in cell.text.upper() or "ection" in cell.text or "§" in cell.text or "HTTP/1.1:" in cell.text
                or "--" in cell.text):
            continue
        if K.cell_tells_history(cell.text):
            continue
        for sentence in T.sentences(cell.text):
            found = K.outdated_reference(sentence)
            if found is not None:
                yield cell.diag("F006", f"{cell.field} cites {found}",
                                hint="cite the current document (RFC 9110, 9111 or 9112) and its section")
                break


@rule("F007", "registered-called-nonstandard", "Prose calls a code the IANA registry assigns non-standard, "
      "unofficial or proprietary.",
      "code: 425\nsummary: 425 is a non-standard code that some CDNs send for requests in early data.",
      "code: 425\nsummary: 425 (RFC 8470) tells a client to retry a request it sent in TLS early data.",
      scope="file", reads="registered entries' cells")
def registered_called_nonstandard(run: Run) -> Iterator[Diagnostic]:
    for entry in run.entries():
        if not (entry.official and entry.registration == "permanent"):
            continue
        for cell in entry_cells(entry):
            if cell.kind not in M.TRIGGER_KINDS and cell.kind not in ("faq_answer", "question"):
                continue
            for sentence in T.sentences(cell.text):
                if T.codes_in(sentence) - {entry.code}:
                    continue  # about another code
                if K.called_nonstandard(sentence):
                    yield cell.diag("F007", f"{cell.field} calls {entry.code} non-standard, but the IANA registry "
                                            "assigns it", hint="name the document that defines it")
                    break


@rule("F008", "former-reason-phrase", "Prose calls a registered code by a name it no longer has (RFC 7231's "
      "\"Payload Too Large\" for 413, RFC 2616's \"Requested Range Not Satisfiable\" for 416) or by a name it "
      "never had, outside a sentence about its history.",
      "code: 413\nsummary: 413 Payload Too Large tells the client its upload exceeds the server's limit.",
      "code: 413\nsummary: 413 Content Too Large tells the client its upload exceeds the server's limit.",
      scope="file", reads="every prose cell")
def former_reason_phrase(run: Run) -> Iterator[Diagnostic]:
    phrases = K.registry_phrases()
    for cell in run.cells:
        if not K.may_misname(cell.text) or K.cell_tells_history(cell.text):
            continue
        codes = [c for c in cell.codes if c in phrases] or ([cell.code] if cell.code in phrases else [])
        for sentence in T.sentences(cell.text):
            found = _name_problem(sentence, codes, phrases)
            if found is not None:
                code, name, why = found
                yield cell.diag("F008", f"{cell.field} calls {code} \"{name}\", {why}; the registry's phrase is "
                                        f"\"{phrases[code]}\"", hint=f"write \"{phrases[code]}\"")
                break


def _name_problem(sentence: str, codes: list[int], phrases: dict[int, str]) -> tuple[int, str, str] | None:
    named = T.codes_in(sentence)
    for code in set(codes) | (named & set(phrases)):
        former = K.former_name(sentence, code)
        if former is not None and (code in named or code in codes):
            return code, former[0], f"its name in {former[1]}"
        if code in named:
            other = K.other_name(sentence, code, phrases[code])
            if other is not None and not K.historical(sentence):
                return code, other, "a name it never had"
    return None
