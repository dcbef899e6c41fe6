"""Contradictions (C): a cell that contradicts another field, the reference data or the content's own links.

Caching and retrying cells against `cacheable.default` and `retry.safe` (C001, C002), sections and classes
(C003), another code's defining trigger (C004), comparisons' decisions and examples (C005, C012 to C014), and
links and related codes that lead nowhere (C010, C011).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from statusdocs.checks import knowledge as K
from statusdocs.checks import meaning as M
from statusdocs.checks import text as T
from statusdocs.checks.cells import Cell, registry_names
from statusdocs.checks.registry import Run, rule
from statusdocs.content.model import Comparison, Decision, Entry, Guide, walk
from statusdocs.diagnostics import Diagnostic
from statusdocs.reference import registry

CACHE_YES = T.Caseless(r"\b(heuristically cacheable|cacheable by default|cached by default|stored by default|"
                       r"cacheable without (explicit )?(freshness|headers|cache-control)|caches (may|can) store it "
                       r"(by default|without)|by default,? (the |a |this |these |such )?(\w+ )?(response|responses|"
                       r"it|they) (is|are) (cacheable|cached|stored))\b", re.I)
# Reuse without asking the origin is a cache at work: a claim of caching wherever it is written.
CACHE_REUSE = T.Caseless(r"\b(reuses?|reused|re-uses?|serves? (it|them|the (response|page|copy)) from (the |their |"
                         r"its )?cache|keeps? (serving|showing) (it|the (response|page|copy)))\b.{0,60}?\bwithout "
                         r"(asking|checking|revalidat\w*|validat\w*|contacting|going back|a request)", re.I)
# A stored copy shown or served again for a stretch of time, or without the origin: a freshness claim in other words.
CACHE_COPY_REUSE = T.Caseless(r"\b(shows?|showing|displays?|displaying|serves?|serving|returns?|returning|hands? "
                              r"back|answers? with|uses?|using|keeps?|keeping|holds?|reuses?|reusing)\s+(it |them )?"
                              r"(the |its |a |this |their |that )?(stored|cached|saved|local) (copy|response|version|"
                              r"answer|result|page|representation|error)\b.{0,80}?\b(without (asking|checking|"
                              r"revalidat\w*|validat\w*|contacting|going back|a request|hitting|querying|consulting)|"
                              r"for (the next |up to |another )?(\d+|an?|one|two|several|a few) (seconds?|minutes?|"
                              r"hours?|days?|weeks?))", re.I)
CACHE_NO = T.Caseless(r"\b(not (heuristically )?cacheable|never (be )?(cached|stored)|cannot be (cached|stored)|"
                      r"not cached|isn't cached|is not stored|must not be (cached|stored)|uncacheable|non-cacheable)\b",
                      re.I)
QUALIFIER = re.compile(r"\b(unless|only if|only when|except|without|if|when|until|after|before|but|however|"
                       r"no-store|private|no-cache|explicit|max-age|expires|by default)\b", re.I)
# What makes a reuse conditional: explicit freshness or a condition (RFC 9111 lets any response be stored so).
REUSE_QUALIFIER = re.compile(r"\b(unless|only|except|if|when|until|explicit|max-age|s-maxage|expires|"
                             r"cache-control|freshness|public|heuristic\w*)\b", re.I)
# A cell worth parsing for a cache or retry claim: one of the words every claim needs (the prefilter's index
# finds the cells that hold one).
CACHE_WORDS = T.keyed("cache_words", r"\b(cache|caches|cached|caching|cacheable|uncacheable|stored|reuse|reuses|"
                      r"reused|re-use|re-uses|re-used|keep|keeps|saved)\b", re.I,
                      needs=("cache caches cached caching cacheable uncacheable stored reuse reuses reused re keep "
                             "keeps saved",))
RETRY_WORDS = T.keyed("retry_words", r"\b(retry|retried|retries|retrying|resend|resends|resent|resending|repeat|"
                      r"repeats|repeated|repeating|wrong|again)\b", re.I,
                      needs=("retry retried retries retrying resend resends resent resending repeat repeats repeated "
                             "repeating wrong again",))


def _unqualified(sentence: str, match: re.Match, qualifier: re.Pattern[str] = QUALIFIER) -> bool:
    rest = sentence[:match.start()] + " " + sentence[match.end():]
    return qualifier.search(rest) is None


CACHE_PLAIN_YES = re.compile(r"\b(is|are) (always )?(cacheable|cached)\b|^\W*(yes\W+)?cacheable\W*$", re.I)


def cache_claim(text: str) -> bool | None:
    """True if the text claims heuristic cacheability, False if it flatly denies any caching, None otherwise."""
    for sentence in T.sentences(text):
        low = T.lowered(sentence)
        m = CACHE_YES.search(sentence, low)
        if m and not T.negated_before(sentence, m.start(), 45):
            return True
        m = CACHE_PLAIN_YES.search(sentence)
        if m and not T.negated_before(sentence, m.start(), 20) and _unqualified(sentence, m):
            return True
        for reuse in (CACHE_REUSE, CACHE_COPY_REUSE):
            m = reuse.search(sentence, low)
            if m and not T.negated_before(sentence, m.start(), 30) and _unqualified(sentence, m, REUSE_QUALIFIER):
                return True
        m = CACHE_NO.search(sentence, low)
        if m and _unqualified(sentence, m):
            return False
    return None


RETRY_NEVER = T.Caseless(r"\b(never (auto[- ]?)?retry|do not (auto[- ]?)?retry|don't (auto[- ]?)?retry|must not "
                         r"(be )?(retried|retry)|should not (be )?(retried|retry)|not safe to retry|unsafe to retry|"
                         r"no point (in )?retrying|retrying (will|would) (always )?fail|never be retried)\b", re.I)
RETRY_SAFE = T.Caseless(r"\b(safe to retry|can (safely )?be retried (automatically|immediately|as is|unchanged)|"
                        r"retry (it )?(immediately|freely|automatically|right away|as is|unchanged)|always retry|"
                        r"(simply|just) (retry|resend|repeat)|resend (it )?unchanged|"
                        r"retries are (safe|fine|harmless)|"
                        # the same request sent again, said to be harmless or advised as such
                        r"(simply|just) (send|submit|issue|make|fire) (it|them|the (same |identical |very same |"
                        r"original )?request) again(?! with| without| minus| after| once| but| using)|(send|submit|"
                        r"issue|fire) (the )?(same|identical|very same) request again(?! with| without| minus| after| "
                        r"once| but| using)|(repeating|retrying|resending|re-sending|sending it again|trying again)"
                        r"( it| them| the request)? (is|are) (harmless|safe|fine|risk-free|always fine|without risk)|"
                        r"keep (retrying|resending|repeating) (it |the request )?until it (works|succeeds|goes "
                        r"through))\b",
                        re.I)
# Advice to retry as such, with no condition in the sentence: a claim that a retry is safe.
RETRY_ADVISED = T.Caseless(r"\b((are|is) (encouraged|advised|expected|free|welcome) to (retry|resend|repeat)|"
                           r"(retry|retried|resend|resent|repeat|repeated) (it |them |the request |requests )?"
                           r"(at once|straight away|immediately|right away)|nothing (can|will|could) go wrong|"
                           r"(retry|resend|repeat)\w* "
                           r"(it |them |the request |requests )?(with|using|following) (an? )?(exponential )?"
                           r"back-? ?off)\b", re.I)
RETRY_QUALIFIER = re.compile(r"\b(unless|until|before|after|without|only|non-idempotent|idempotent|if|when|except|"
                             r"first|changed?|changing|modif\w*|fix\w*|correct\w*|new|different|another|again|"
                             r"blindly|same body|same request|loop|but|however|POST|PATCH)\b", re.I)
# A claim of safety limited to some methods or to a condition is no claim about every request.
SAFE_QUALIFIER = re.compile(r"\b(unless|until|after|only|if|when|except|once|first|fix\w*|correct\w*|chang\w*|"
                            r"modif\w*|new|different|idempotent|safe methods?|GET|HEAD|PUT|DELETE|OPTIONS|"
                            r"Retry-After)\b", re.I)


def retry_claim(text: str) -> bool | None:
    """True if the text says an unchanged retry is fine, False if it says never retry, None otherwise."""
    for sentence in T.sentences(text):
        low = T.lowered(sentence)
        m = RETRY_NEVER.search(sentence, low)
        if m and RETRY_QUALIFIER.search(sentence[:m.start()] + " " + sentence[m.end():]) is None:
            return False
        m = RETRY_SAFE.search(sentence, low)
        if m and not T.negated_before(sentence, m.start(), 20) and _unqualified(sentence, m, SAFE_QUALIFIER):
            return True
        m = RETRY_ADVISED.search(sentence, low)
        if m and not T.negated_before(sentence, m.start(), 25) and _unqualified(sentence, m, SAFE_QUALIFIER):
            return True
    return None


def _claim_cells(run: Run, words: T.Keyed) -> Iterator[tuple[Cell, str, Entry]]:
    """Every prose cell (but questions) that may hold a claim, with the text to parse and the entry it is about:
    an entry's cells against the entry; a comparison's rows against their side, and its other cells sentence by
    sentence against the one code a sentence names."""
    entries = run.content.entries
    for i in run.may(words):
        cell = run.cells[i]
        if cell.kind == "question" or not cell.text or words.search(cell.text) is None:
            continue
        owner = cell.owner
        if isinstance(owner, Entry):
            yield cell, cell.text, owner
        elif isinstance(owner, Comparison):
            if cell.kind == "row":
                if cell.code in entries:
                    yield cell, cell.text, entries[cell.code]
                continue
            for code in owner.codes:
                other = [c for c in owner.codes if c != code]
                said = " ".join(s for s in T.sentences(cell.text) if str(code) in s and
                                not any(str(c) in s for c in other))
                if said and code in entries:
                    yield cell, said, entries[code]


@rule("C001", "cache-contradiction", "A cell that speaks of caching contradicts `cacheable.default` (RFC 9110 "
      "section 15.1).",
      "cacheable: {default: false, note: 412 responses are heuristically cacheable.}",
      "cacheable: {default: false, note: Caches do not store it unless the response carries explicit freshness.}",
      scope="file",
      reads="every prose cell of an entry; comparisons' rows by side, other cells by the code a sentence names",
      keywords=(CACHE_WORDS,))
def cache_contradiction(run: Run) -> Iterator[Diagnostic]:
    reported: set[tuple[int, str]] = set()
    for cell, text, entry in _claim_cells(run, CACHE_WORDS):
        claim = cache_claim(text)
        if claim is not None and claim != entry.cacheable.default and _first(reported, cell):
            where = "" if cell.owner is entry else f" in {entry.source}"
            yield cell.diag("C001", _cache_message(cell.field, claim, entry.cacheable.default) + where)


def _first(reported: set[tuple[int, str]], cell: Cell) -> bool:
    """True the first time a cell is seen: a comparison cell may contradict both codes, and is one finding."""
    key = (id(cell.owner), cell.field)
    if key in reported:
        return False
    reported.add(key)
    return True


def _cache_message(field: str, claim: bool, default: bool) -> str:
    said = "cacheable by default" if claim else "never cached"
    return f"{field} says {said}, but cacheable.default is {str(default).lower()}"


@rule("C002", "retry-contradiction", "A cell that speaks of retrying contradicts `retry.safe`.",
      "retry: {safe: true, note: Never retry this request.}",
      "retry: {safe: true, note: Repeat the identical request after the delay in Retry-After.}",
      scope="file",
      reads="every prose cell of an entry; comparisons' rows by side, other cells by the code a sentence names",
      keywords=(RETRY_WORDS,))
def retry_contradiction(run: Run) -> Iterator[Diagnostic]:
    reported: set[tuple[int, str]] = set()
    for cell, text, entry in _claim_cells(run, RETRY_WORDS):
        claim = retry_claim(text)
        if claim is not None and claim != entry.retry.safe and _first(reported, cell):
            where = "" if cell.owner is entry else f" in {entry.source}"
            yield cell.diag("C002", _retry_message(cell.field, claim, entry.retry.safe) + where)


def _retry_message(field: str, claim: bool, safe: bool) -> str:
    said = "an unchanged retry is safe" if claim else "never to retry"
    return f"{field} says {said}, but retry.safe is {str(safe).lower()}"


@functools.cache
def _section_owner() -> dict[tuple[str, str], int]:
    out = {}
    for code, ref in registry()["registry"].items():
        if ref.get("section"):
            out[(str(ref["document"]).replace(" ", "").upper(), str(ref["section"]))] = int(code)
    return out


SECTION_REF = re.compile(r"(?:(RFC\s?\d{3,5})\W{0,3}(?:section|sec\.|§)\s?|(?:section|sec\.|§)\s?)(\d+(?:\.\d+)+)",
                         re.I)
SELF_CLASS = T.keyed("self_class", r"\b(?:is|as|are|it's|this)\s+(?:an?\s+)?(?:(\d)xx|(client|server)[- ]errors?|"
                     r"(redirect(?:ion)?)|(informational)|(success(?:ful)?))\b(?!\s+(?:code|response)s?\s+(?:like|"
                     r"such))", re.I, needs=("are as is s this",
                                             "error errors informational redirect redirection success successful xx"))


@rule("C003", "wrong-section-or-class", "Prose names a status-code section of RFC 9110 that belongs to another "
      "code, or calls the code a member of another class.",
      "definition: 412 is a server error defined in RFC 9110 section 15.5.10.",
      "definition: 412 is a client error defined in RFC 9110 section 15.5.13.",
      scope="file", reads="every prose cell (sections); entries' prose cells (classes)", keywords=(SELF_CLASS,))
def wrong_section(run: Run) -> Iterator[Diagnostic]:
    self_class = {i for i in run.may(SELF_CLASS) if isinstance(run.cells[i].owner, Entry)}
    section = set(run.unless("no_section"))
    for i in sorted(section | self_class):
        cell = run.cells[i]
        if i in section:
            yield from _wrong_sections(cell)
        if i in self_class:
            yield from _wrong_classes(cell)


def _wrong_sections(cell: Cell) -> Iterator[Diagnostic]:
    owners = _section_owner()
    mentioned: set[int] | None = None
    for m in SECTION_REF.finditer(cell.text):
        doc = (m.group(1) or "RFC9110").replace(" ", "").upper()
        other = owners.get((doc, m.group(2)))
        if mentioned is None:
            mentioned = T.codes_in(cell.text)
        if other is not None and other not in cell.codes and other not in mentioned:
            yield cell.diag("C003", f"{cell.field} cites {m.group(0)}, which defines {other}, not "
                                    f"{'/'.join(map(str, cell.codes))}", hint="cite the entry's own section")


def _wrong_classes(cell: Cell) -> Iterator[Diagnostic]:
    for sentence in T.sentences(cell.text):
        if str(cell.code) not in sentence and not re.match(r"\s*(it|this (code|status|response))\b", sentence, re.I):
            continue
        for m in SELF_CLASS.finditer(sentence):
            digit = _class_digit(m)
            if digit and digit != cell.code // 100 and not T.negated_before(sentence, m.start(), 30) and \
                    not any(c // 100 == digit for c in T.codes_in(sentence) if c != cell.code):
                yield cell.diag("C003", f"{cell.field} calls {cell.code} a {m.group(0).split()[-1]} "
                                        f"({digit}xx), but it is a {cell.code // 100}xx code")


def _class_digit(m: re.Match) -> int | None:
    if m.group(1):
        return int(m.group(1))
    if m.group(2):
        return 4 if m.group(2).lower() == "client" else 5
    if m.group(3):
        return 3
    if m.group(4):
        return 1
    if m.group(5):
        return 2
    return None


@rule("C004", "other-codes-trigger", "A sentence describes the defining situation of another code (from that code's "
      "defining document: missing credentials are 401, a media type the client cannot be given is 406, work "
      "queued for later is 202 ...), and does not name that code. In a comparison, a clause that gives one code "
      "the other's case is a swapped meaning.",
      "code: 409\nscenarios: [\"A mobile app asks in Accept for XML, and the API only produces JSON.\", ...]",
      "code: 409\nscenarios: [\"Two editors save the same page; the second save clashes with the version the first "
      "stored.\", ...]",
      scope="file",
      reads="registered codes' summary, definition, when_to_use, client_behavior and scenarios; comparisons' summary, "
      "decision rule, decision notes and rows", concepts=True)
def other_codes_trigger(run: Run) -> Iterator[Diagnostic]:
    content = run.content
    names, bits_of = M.namer(content), M.cell_bits(run)
    for cell, bits in zip(run.cells, bits_of, strict=True):
        if cell.kind not in M.TRIGGER_KINDS and cell.kind not in M.PAIR_KINDS:
            continue
        if isinstance(cell.owner, Entry) and cell.kind not in M.TRIGGER_KINDS:
            continue
        if not M.may_give_other_trigger(cell, bits) or not M.speaks_of_registered(content, cell) or \
                M.row_is_contrast(cell):
            continue  # the cheapest test first: most cells fail it
        found = M.first_other_trigger(content, cell, bits, names)
        if found is None:
            swapped = M.swapped_meanings(cell, bits) if isinstance(cell.owner, Comparison) else None
            if swapped is not None:
                yield cell.diag("C004", f"{cell.field} swaps the meanings of {swapped[0]} and {swapped[1]}: "
                                        f"{swapped[2]}", hint="give each code its own case")
            continue
        other, own, why = found
        yield cell.diag("C004", f"{cell.field} describes {other}'s case as {own}'s: {why}",
                        hint=f"move it to {other}, or say in the same sentence that it is a {other}")


@rule("C005", "decision-outside-pair", "A comparison's decision rule names a code outside the pair.",
      "codes: [409, 412]\ndecision_rule: If If-Match fails, 412; if the change clashes with the resource's state, "
      "409; if the body does not parse, 400.",
      "codes: [409, 412]\ndecision_rule: If a precondition header was sent and evaluated false, 412; otherwise 409.",
      scope="file", reads="comparisons' decision_rule")
def decision_outside_pair(run: Run) -> Iterator[Diagnostic]:
    content = run.content
    known = set(content.entries) | set(registry_names())
    for comp in run.comparisons():
        outside = sorted(c for c in T.codes_in(comp.decision_rule) if c in known and c not in comp.codes)
        if outside:
            cell = Cell(comp, "decision_rule", comp.decision_rule, comp.codes[0], "decision_rule")
            yield cell.diag("C005", f"decision_rule names {', '.join(map(str, outside))}, outside the pair "
                                    f"{comp.codes[0]}/{comp.codes[1]}", hint="decide between the two codes only")


@rule("C010", "dangling-related", "A related code has no entry, so its link would lead nowhere.",
      "related: [409, 597]", "related: [409, 428]", scope="file", reads="entries' related")
def dangling_related(run: Run) -> Iterator[Diagnostic]:
    content = run.content
    for entry in run.entries():
        for i, code in enumerate(entry.related):
            field = f"related[{i}]"
            if code == entry.code:
                yield Diagnostic("C010", "error", entry.loc(field), f"related lists the entry's own code {code}",
                                 field=field, codes=(entry.code,))
            elif code not in content.entries and code not in content.unloadable:
                yield Diagnostic("C010", "error", entry.loc(field), f"related code {code} has no entry",
                                 hint=f"add content/codes/{code}.yaml or remove it", field=field,
                                 codes=(entry.code,))



LINK = re.compile(r"\]\((\.\./|\./)?(\d{3})/?(?:#[^)\s]*)?\)")  # a fragment leads to the same page


@rule("C011", "dangling-link", "A Markdown link in prose points at a code page that does not exist.",
      "definition: One of the request's preconditions evaluated to false; compare [the 420 page](../420/).",
      "definition: One of the request's preconditions evaluated to false; compare [the 428 page](../428/).",
      scope="file", reads="every prose cell")
def dangling_link(run: Run) -> Iterator[Diagnostic]:
    content = run.content
    for cell in run.cells:
        if "](" not in cell.text:  # every LINK match starts with it
            continue
        for m in LINK.finditer(cell.text):
            if int(m.group(2)) not in content.entries:
                yield cell.diag("C011", f"{cell.field} links to code {m.group(2)}, which has no entry")


@rule("C012", "decision-leaves", "A decision must end in codes: in a comparison, the pair's two codes, each "
      "reachable, or, where an honest answer leaves the pair (a GET whose validator no longer matches is neither "
      "204 nor 304 but 200), another code that has an entry; in the guide, codes that have entries or comparisons "
      "that exist.",
      "codes: [409, 412]\ndecision:\n  question: Did an If-Match header fail?\n  yes: 412\n  no: 409-vs-422",
      "codes: [409, 412]\ndecision:\n  question: Did an If-Match header fail?\n  yes: 412\n  no: 409",
      scope="file", reads="comparisons' decision trees, the guide's tree")
def decision_leaves(run: Run) -> Iterator[Diagnostic]:
    content = run.content
    for comp in run.comparisons():
        leaves = comp.decision.leaves("decision")
        for field, leaf in leaves:
            if isinstance(leaf, str) or (leaf not in comp.codes and leaf not in content.entries
                                         and leaf not in content.unloadable):
                what = f"comparison {leaf}" if isinstance(leaf, str) else f"code {leaf}, which has no entry and is"
                yield Diagnostic("C012", "error", comp.loc(field), f"{field} ends in {what} outside the pair "
                                 f"{comp.codes[0]}/{comp.codes[1]}", hint="every answer must lead to one of the "
                                 "two codes, or to a code that has an entry", field=field, codes=tuple(comp.codes))
        for code in comp.codes:
            if code not in {leaf for _, leaf in leaves}:
                yield Diagnostic("C012", "error", comp.loc("decision"), f"no answer of the decision leads to "
                                 f"{code}", field="decision", codes=tuple(comp.codes))
    guide = content.guide
    if guide is None or not run.mine(guide.source):
        return
    for field, leaf in guide.tree.leaves("tree"):
        if isinstance(leaf, str) and leaf not in run.compared:
            yield Diagnostic("C012", "error", guide.loc(field), f"{field} names comparison {leaf}, which has no "
                             "file", hint=f"add content/comparisons/{leaf}.yaml or answer with a code", field=field)
        elif isinstance(leaf, int) and leaf not in content.entries and leaf not in content.unloadable:
            yield Diagnostic("C012", "error", guide.loc(field), f"{field} ends in code {leaf}, which has no entry",
                             field=field)


# A status line, also inside a 207 body (<d:status>HTTP/1.1 424 ...) or an access log ("GET / HTTP/1.1" 499).
STATUS_LINE = re.compile(r"HTTP/\d(?:\.\d)?\"? ([1-5]\d\d)\b")


@rule("C013", "example-status", "Examples must show the code they illustrate: an official entry's examples a "
      "response with its code, a comparison's examples a response with each of its two codes. (Unofficial codes "
      "such as nginx's 495 or ELB's 460 are often only logged, so their entries are exempt.)",
      "codes: [409, 412]\nexamples:\n  - response: HTTP/1.1 409 Conflict\n  - response: HTTP/1.1 409 Conflict",
      "codes: [409, 412]\nexamples:\n  - response: HTTP/1.1 409 Conflict\n"
      "  - response: HTTP/1.1 412 Precondition Failed", scope="file",
      reads="official entries' and comparisons' examples")
def example_status(run: Run) -> Iterator[Diagnostic]:
    owners: list[Entry | Comparison] = [*(e for e in run.entries() if e.official), *run.comparisons()]
    for owner in owners:
        shown = [{int(m.group(1)) for m in STATUS_LINE.finditer(ex.response)} for ex in owner.examples]
        codes = owner.codes if isinstance(owner, Comparison) else [owner.code]
        blamed: set[int] = set()
        for code in codes:
            if any(code in s for s in shown):
                continue
            at = _example_at_fault(shown, codes, blamed)
            field = "examples" if at is None else f"examples[{at}].response"
            yield Diagnostic("C013", "error", owner.loc(field), f"no example response has status {code}",
                             hint=f"start a response with a status line such as `HTTP/1.1 {code} ...`",
                             field=field, codes=tuple(codes))


def _example_at_fault(shown: list[set[int]], codes: list[int], blamed: set[int]) -> int | None:
    """The example that should have shown a missing code: the first that shows none of the codes, else the last
    whose codes another example shows too; None if every example is needed for a code of its own."""
    wanted = set(codes)
    free = [i for i in range(len(shown)) if i not in blamed]
    useless = [i for i in free if not shown[i] & wanted]
    spare = [i for i in free if all(any(c in shown[k] for k in free if k != i) for c in shown[i] & wanted)]
    at = useless[0] if useless else (spare[-1] if spare else None)
    if at is not None:
        blamed.add(at)
    return at


@rule("C014", "decision-cases", "Every worked example (`cases`) must answer, by question id, each question on "
      "its path and reach its `expect` code; question ids are unique within a tree and every answer names one.",
      "codes: [409, 412]\ndecision:\n  id: precondition-false\n  question: Did a precondition header evaluate "
      "false?\n  yes: 412\n  no: 409\ncases:\n  - situation: A stale If-Match.\n    answers: "
      "{precondition-false: true}\n    expect: 409\n    source: RFC 9110 section 13.1.1",
      "codes: [409, 412]\ndecision:\n  id: precondition-false\n  question: Did a precondition header evaluate "
      "false?\n  yes: 412\n  no: 409\ncases:\n  - situation: A stale If-Match.\n    answers: "
      "{precondition-false: true}\n    expect: 412\n    source: RFC 9110 section 13.1.1",
      reads="comparisons' and the guide's decision trees and cases", grafts=True)
def decision_cases(run: Run) -> Iterator[Diagnostic]:
    content = run.content
    grafts = {slug: comp.decision for slug, comp in content.comparisons.items()}
    owners: list[tuple[Comparison | Guide, Decision, str]] = [
        (comp, comp.decision, "decision") for comp in content.comparisons.values()]
    if content.guide is not None:
        owners.append((content.guide, content.guide.tree, "tree"))
    for owner, tree, where in owners:
        codes = tuple(owner.codes) if isinstance(owner, Comparison) else ()
        ids = tree.ids()
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            yield Diagnostic("C014", "error", owner.loc(where), f"question id {dup!r} is used more than once in "
                             f"{where}", field=where, codes=codes)
        known = set(ids)
        if isinstance(owner, Guide):  # a guide case answers the grafted comparisons' questions too
            for _, leaf in tree.leaves():
                if isinstance(leaf, str) and leaf in grafts:
                    known |= set(grafts[leaf].ids())
        for i, case in enumerate(getattr(owner, "cases", [])):
            at = f"cases[{i}]"
            for name in sorted(set(case.answers) - known):
                yield Diagnostic("C014", "error", owner.loc(f"{at}.answers.{name}"), f"{at}.answers names "
                                 f"{name!r}, which is no question id of this {where}", field=f"{at}.answers",
                                 codes=codes)
            reached, why = walk(tree, case.answers, grafts)
            if reached is None:
                yield Diagnostic("C014", "error", owner.loc(f"{at}.answers"), f"{at} stops: {why}",
                                 hint="answer every question on the case's path", field=f"{at}.answers", codes=codes)
            elif reached != case.expect:
                yield Diagnostic("C014", "error", owner.loc(f"{at}.expect"), f"{at} expects {case.expect}, but its "
                                 f"answers lead to {reached}", field=f"{at}.expect", codes=codes)


@rule("C015", "contradicts-definition", "A sentence about the code contradicts a normative statement of its "
      "defining document (a 303 that keeps the method, a 304 that carries a representation, a 401 without "
      "WWW-Authenticate), or states as a requirement a rule that document dropped.",
      "code: 303\nclient_behavior: The browser repeats the original request method at the URI in Location.",
      "code: 303\nclient_behavior: The browser follows with a GET (or a HEAD) to the URI in Location.",
      scope="file",
      reads="prose cells that state what a code does (not mistakes, when_not_to_use or questions)", concepts=True)
def contradicts_definition(run: Run) -> Iterator[Diagnostic]:
    k = K.knowledge()
    for cell, bits in zip(run.cells, M.cell_bits(run), strict=True):
        if not bits or cell.kind not in M.CLAIM_KINDS or M.row_is_contrast(cell):
            continue
        codes = cell.owner.codes if isinstance(cell.owner, Comparison) else (cell.code,)
        if not k.possible([f for c in codes for f in k.claims.get(c, ())] + list(k.any_code_claims), bits):
            continue  # no claim about these codes can match this cell
        for sentence in T.sentences(cell.text):
            found = next(((f, own) for part, own in M.attributed(cell, sentence) if not (T.codes_in(part) - {own})
                          for f in [K.contradicted_claim(part, own, bits, sentence)] if f is not None), None)
            if found is not None:
                fact, own = found
                yield cell.diag("C015", f"{cell.field} contradicts {fact.source} on {own}: \"{fact.says}\"")
                break


@rule("C016", "contradicts-class", "A sentence says of the code what its class rules out: a 2xx that reports a "
      "failure, a 4xx or 5xx that reports success, a 5xx blamed on the client or a 4xx on the server.",
      "code: 204\nsummary: A 204 means the request was rejected and nothing was saved.",
      "code: 204\nsummary: A 204 means the request succeeded and the response has no content.",
      scope="file", reads="registered entries' cells", concepts=True)
def contradicts_class(run: Run) -> Iterator[Diagnostic]:
    content = run.content
    for cell, bits in zip(run.cells, M.cell_bits(run), strict=True):
        if cell.kind == "question" or not isinstance(cell.owner, Entry):
            continue
        entry = cell.owner
        if not M.registered(content, entry.code):
            continue
        if not bits and (entry.code >= 400 or str(entry.code) not in cell.text):
            continue  # below 400, "a 204 error" needs no concept
        for sentence in T.sentences(cell.text):
            named = T.codes_in(sentence)
            if named - {entry.code}:
                continue  # a contrast with another code
            if not (named or cell.kind in ("summary", "definition")):
                continue  # says nothing of the code itself
            if cell.kind not in M.TRIGGER_KINDS and cell.kind != "faq_answer" and entry.code >= 400:
                continue  # elsewhere only "a 204 error" counts: a mistake cell may describe a failure
            fact = K.class_contradiction(sentence, entry.code, bits)
            if fact is not None:
                yield cell.diag("C016", f"{cell.field} contradicts {entry.code}'s class: {fact.source}: "
                                        f"\"{fact.says}\"")
                break
