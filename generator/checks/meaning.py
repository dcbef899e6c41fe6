"""Rules that check what prose says a code means against knowledge.yaml (see checks/knowledge.py).

C004: a sentence describes another code's defining situation. C015: a sentence contradicts a normative
statement of the code's defining document, or repeats a rule it dropped. C016: a sentence contradicts the
code's class. F006: a section pointer into an obsoleted document. F007: a registered code called non-standard.
Each reports a cell once, at the cell (`scenarios[1]`, not `scenarios`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from statusdocs.checks import knowledge as K
from statusdocs.checks import text as T
from statusdocs.checks.registry import rule
from statusdocs.checks.rules import Cell, all_cells, entry_cells, names_of
from statusdocs.content.model import Comparison, Content, Entry
from statusdocs.diagnostics import Diagnostic

# Entry cells that say what the code is for; the others (mistakes, when_not_to_use, questions, FAQ answers)
# discuss other codes' cases by design.
TRIGGER_KINDS = frozenset({"summary", "definition", "when_to_use", "client_behavior", "scenario"})
# Comparison cells that state what each of the two codes is for.
PAIR_KINDS = frozenset({"comp_summary", "decision_rule", "row", "decision_note"})
# Cells where a sentence about the code states a fact, rather than a mistake or another code's use.
CLAIM_KINDS = frozenset({"summary", "definition", "when_to_use", "client_behavior", "scenario", "cacheable.note",
                         "retry.note", "header", "faq_answer", "comp_summary", "decision_rule", "row"})


def registered(content: Content, code: int) -> bool:
    """A code the IANA registry assigns (permanently or provisionally): its meaning is its defining document's."""
    entry = content.entries.get(code)
    return entry is not None and entry.official and entry.registration in ("permanent", "temporary")


def _namer(content: Content) -> Callable[[int], Sequence[str]]:
    return lambda code: names_of(content, code)[1:]


def _row_is_contrast(cell: Cell) -> bool:
    """A comparison row whose aspect is about mistakes or what not to do: its cells name other codes' cases."""
    if not (isinstance(cell.owner, Comparison) and cell.kind == "row"):
        return False
    aspect = cell.owner.rows[int(cell.field[5:cell.field.index("]")])].aspect.lower()
    return any(w in aspect for w in ("not", "mistake", "instead", "confus", "wrong"))


def _attributed(cell: Cell, sentence: str) -> Iterator[tuple[str, int]]:
    """The parts of a sentence and the code each speaks of. In an entry: the whole sentence, of the entry's code.
    In a comparison, a clause that names one of the pair speaks of it, and so do the clauses after it that name
    neither; a row cell's clauses speak of its side until one names the other code."""
    if not isinstance(cell.owner, Comparison):
        yield sentence, cell.code
        return
    pair = set(cell.owner.codes)
    current = cell.code if cell.kind == "row" else None
    for clause in K.clauses(sentence):
        named = T.codes_in(clause) & pair
        if len(named) == 1:
            current = named.pop()
        elif named:
            current = None  # names both: a contrast, no one code's
            continue
        if current is not None:
            yield clause, current


# A sentence about another code: it defines that code ("403 Forbidden signifies ...", "A 405 status code is
# returned when ...") or says that code is the answer ("the server will respond with 431").
_DEFINES = re.compile(r"^\W*(?:an?\s+|the\s+)?(?:http\s+)?(?:status\s+)?(?:code\s+)?(\d{3})\b[^.;:]{0,40}?\b(?:means|"
                      r"indicates|signifies|signals|denotes|represents|is (?:used|returned|sent|for)|tells)\b", re.I)
_ANSWERS = re.compile(r"\b(?:respond|responds|answer|answers|reply|replies|return|returns|send|sends)\s+(?:with\s+)?"
                      r"(?:an?\s+|the\s+)?(?:http\s+)?(?:status\s+)?(?:code\s+)?(\d{3})\b|\b(\d{3})\s+is\s+(?:returned|"
                      r"sent)\b", re.I)
_CONTRAST = re.compile(r"\b(?:instead|rather|not|never|unlike|whereas|than|vs|versus|opposite|differs?|difference|"
                       r"compare[sd]?|mistakes?|mistaken|wrong|confus\w*|otherwise|only|also|too|either|alternatively|"
                       r"like|same|both)\b", re.I)


def about_another_code(sentence: str, own: int) -> int | None:
    """The other code a sentence is about, when it defines it or gives it as the answer, does not name `own` and
    draws no contrast."""
    named = T.codes_in(sentence)
    if own in named or len(named) != 1 or _CONTRAST.search(sentence):
        return None
    m = _DEFINES.search(sentence) or _ANSWERS.search(sentence)
    if m is None:
        return None
    other = int(m.group(1) or m.group(2))
    return other if other in named else None


def _describe(fact: K.Fact) -> str:
    return f"{fact.source} defines {fact.code} for this: \"{fact.says}\""


@rule("C004", "other-codes-trigger", "A sentence describes the defining situation of another code (from that code's "
      "defining document: missing credentials are 401, a media type the client cannot be given is 406, work "
      "queued for later is 202 ...), and does not name that code. In a comparison, a clause that gives one code "
      "the other's case is a swapped meaning.",
      "scenarios: [\"409 answers when the client asks in Accept for XML and the API only produces JSON.\"]",
      "scenarios: [\"A PATCH carries If-Match with the ETag the client read an hour ago; another editor has "
      "saved since, so the precondition fails (that is a 412, not a 409).\"]")
def other_codes_trigger(content: Content) -> Iterator[Diagnostic]:
    k, names = K.knowledge(), _namer(content)
    for cell in all_cells(content):
        if cell.kind not in TRIGGER_KINDS and cell.kind not in PAIR_KINDS or _row_is_contrast(cell):
            continue
        if isinstance(cell.owner, Entry) and (cell.kind not in TRIGGER_KINDS or not registered(content, cell.code)):
            continue
        bits = k.present(cell.text)
        if not bits and not isinstance(cell.owner, Entry):
            continue
        found = _first_other_trigger(content, cell, bits, names)
        if found is not None:
            other, own, why = found
            yield cell.diag("C004", f"{cell.field} describes {other}'s case as {own}'s: {why}",
                            hint=f"move it to {other}, or say in the same sentence that it is a {other}")


def _first_other_trigger(content: Content, cell: Cell, bits: int,
                         names: Callable[[int], Sequence[str]]) -> tuple[int, int, str] | None:
    """(the other code, the code the text speaks of, why) for the first sentence that gives another code's case."""
    for sentence in T.sentences(cell.text):
        if isinstance(cell.owner, Entry) and cell.kind != "client_behavior":
            other = about_another_code(sentence, cell.code)
            if other is not None and registered(content, other):
                return other, cell.code, f"the sentence defines {other} or gives it as the answer"
        for part, own in _attributed(cell, sentence):
            if not registered(content, own):
                continue
            fact = K.other_trigger(part, own, names, bits, sentence)
            if fact is not None:
                return fact.code, own, _describe(fact)
    return None


@rule("C015", "contradicts-definition", "A sentence about the code contradicts a normative statement of its "
      "defining document (a 303 that keeps the method, a 304 that carries a representation, a 401 without "
      "WWW-Authenticate), or states as a requirement a rule that document dropped.",
      "client_behavior: The browser repeats the original request method at the URI a 303 points to.",
      "client_behavior: The browser follows a 303 with a GET (or HEAD) to the URI in Location.")
def contradicts_definition(content: Content) -> Iterator[Diagnostic]:
    k = K.knowledge()
    for cell in all_cells(content):
        if cell.kind not in CLAIM_KINDS or _row_is_contrast(cell):
            continue
        bits = k.present(cell.text)
        if not bits:
            continue
        for sentence in T.sentences(cell.text):
            found = next(((f, own) for part, own in _attributed(cell, sentence) if not (T.codes_in(part) - {own})
                          for f in [K.contradicted_claim(part, own, bits, sentence)] if f is not None), None)
            if found is not None:
                fact, own = found
                yield cell.diag("C015", f"{cell.field} contradicts {fact.source} on {own}: \"{fact.says}\"")
                break


@rule("C016", "contradicts-class", "A sentence says of the code what its class rules out: a 2xx that reports a "
      "failure, a 4xx or 5xx that reports success, a 5xx blamed on the client or a 4xx on the server.",
      "summary: A 204 means the request was rejected and nothing was saved.",
      "summary: A 204 means the request succeeded and the response has no content.")
def contradicts_class(content: Content) -> Iterator[Diagnostic]:
    k = K.knowledge()
    for entry in content.entries.values():
        if not registered(content, entry.code):
            continue
        for cell in (c for c in entry_cells(entry) if c.kind != "question"):
            bits = k.present(cell.text)
            if not bits:
                continue
            for sentence in T.sentences(cell.text):
                named = T.codes_in(sentence)
                if named - {entry.code}:
                    continue  # a contrast with another code
                if not (named or cell.kind in ("summary", "definition")):
                    continue  # says nothing of the code itself
                if cell.kind not in TRIGGER_KINDS and cell.kind != "faq_answer" and entry.code >= 400:
                    continue  # elsewhere only "a 204 error" counts: a mistake cell may describe a failure
                fact = K.class_contradiction(sentence, entry.code, bits)
                if fact is not None:
                    yield cell.diag("C016", f"{cell.field} contradicts {entry.code}'s class: {fact.source}: "
                                            f"\"{fact.says}\"")
                    break


@rule("F006", "obsolete-reference", "Prose cites as current a document that RFC 9110, 9111 or 9112 obsoletes "
      "(RFC 2616, RFC 7230-7235, RFC 2617 ...), by number or by title, or points at a section number that RFC 9110 "
      "does not have. History (\"RFC 2616 called it ...\", \"originally defined in ...\") is fine.",
      "definition: RFC 7231 section 6.5.8 defines 409 as a conflict with the resource's state.",
      "definition: RFC 9110 section 15.5.10 defines 409 as a conflict with the current state of the target resource.")
def obsolete_reference(content: Content) -> Iterator[Diagnostic]:
    for cell in all_cells(content):
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


@rule("F008", "former-reason-phrase", "Prose calls a registered code by a name it no longer has (RFC 7231's "
      "\"Payload Too Large\" for 413, RFC 2616's \"Requested Range Not Satisfiable\" for 416) or by a name it "
      "never had, outside a sentence about its history.",
      "summary: 413 Payload Too Large tells the client its upload exceeds the server's limit.",
      "summary: 413 Content Too Large tells the client its upload exceeds the server's limit.")
def former_reason_phrase(content: Content) -> Iterator[Diagnostic]:
    phrases = K.registry_phrases()
    for cell in all_cells(content):
        codes = [c for c in cell.codes if c in phrases] or ([cell.code] if cell.code in phrases else [])
        if K.cell_tells_history(cell.text):
            continue
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


@rule("F007", "registered-called-nonstandard", "Prose calls a code the IANA registry assigns non-standard, "
      "unofficial or proprietary.",
      "summary: 425 is a non-standard code some CDNs use for early data.",
      "summary: 425 (RFC 8470) tells a client to retry a request it sent in TLS early data.")
def registered_called_nonstandard(content: Content) -> Iterator[Diagnostic]:
    for entry in content.entries.values():
        if not (entry.official and entry.registration == "permanent"):
            continue
        for cell in entry_cells(entry):
            if cell.kind not in TRIGGER_KINDS and cell.kind not in ("faq_answer", "question"):
                continue
            for sentence in T.sentences(cell.text):
                if T.codes_in(sentence) - {entry.code}:
                    continue  # about another code
                if K.called_nonstandard(sentence):
                    yield cell.diag("F007", f"{cell.field} calls {entry.code} non-standard, but the IANA registry "
                                            "assigns it", hint="name the document that defines it")
                    break
