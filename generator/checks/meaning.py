"""What a cell says a code means: which code each part of a sentence speaks of, and the checks that read
checks/knowledge.py's facts over cells (used by C004, C015 and C016 in rules/contradiction.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from statusdocs.checks import knowledge as K
from statusdocs.checks import text as T
from statusdocs.checks.cells import Cell, names_of
from statusdocs.checks.registry import Run
from statusdocs.content.model import Comparison, Content, Entry

# Entry cells that say what the code is for; the others (mistakes, when_not_to_use, questions, FAQ answers)
# discuss other codes' cases by design.
TRIGGER_KINDS = frozenset({"summary", "definition", "when_to_use", "client_behavior", "scenario"})
# Comparison cells that state what each of the two codes is for.
PAIR_KINDS = frozenset({"comp_summary", "decision_rule", "row", "decision_note"})
# Cells where a sentence about the code states a fact, rather than a mistake or another code's use.
CLAIM_KINDS = frozenset({"summary", "definition", "when_to_use", "client_behavior", "scenario", "cacheable.note",
                         "retry.note", "header", "faq_answer", "comp_summary", "decision_rule", "row"})


def cell_bits(run: Run) -> list[int]:
    """For each cell of the run, the concepts of knowledge.yaml it may hold (Knowledge.present), made once: by
    the prefilter's pass if there is one (a rule that reads them declares `concepts`), else here."""
    if run.index is not None and run.index.concepts is not None:
        return run.index.concepts

    def make() -> list[int]:
        present = K.knowledge().present
        return [present(cell.text) for cell in run.cells]
    return run.derived("knowledge-bits", make)


def speaks_of_registered(content: Content, cell: Cell) -> bool:
    """Whether the cell may speak of a registered code: its own, or one of its comparison's pair."""
    return any(registered(content, c) for c in (cell.owner.codes if isinstance(cell.owner, Comparison) else
                                                (cell.code,)))


def registered(content: Content, code: int) -> bool:
    """A code the IANA registry assigns (permanently or provisionally): its meaning is its defining document's."""
    entry = content.entries.get(code)
    return entry is not None and entry.official and entry.registration in ("permanent", "temporary")


def namer(content: Content) -> Callable[[int], Sequence[str]]:
    return lambda code: names_of(content, code)[1:]


def row_is_contrast(cell: Cell) -> bool:
    """A comparison row whose aspect is about mistakes or what not to do: its cells name other codes' cases."""
    if not (isinstance(cell.owner, Comparison) and cell.kind == "row"):
        return False
    aspect = cell.owner.rows[int(cell.field[5:cell.field.index("]")])].aspect.lower()
    return any(w in aspect for w in ("not", "mistake", "instead", "confus", "wrong"))


def attributed(cell: Cell, sentence: str) -> Iterator[tuple[str, int]]:
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
_CONTRAST = re.compile(r"\b(?:instead|rather|unlike|whereas|than|vs|versus|opposite|differs?|difference|compare[sd]?|"
                       r"mistakes?|mistaken|wrong|confus\w*|otherwise|either|alternatively|should|would|expects?|"
                       r"expected|could|might|may|can|must|not (?:a|an|the|for))\b", re.I)


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


def describe(fact: K.Fact) -> str:
    return f"{fact.source} defines {fact.code} for this: \"{fact.says}\""


def names_another(cell: Cell) -> bool:
    """An entry's cell (not client_behavior) that names another code, in which `about_another_code` may find a
    sentence about it."""
    return (isinstance(cell.owner, Entry) and cell.kind != "client_behavior"
            and bool(T.codes_in(cell.text) - {cell.code}))


def may_give_other_trigger(cell: Cell, bits: int) -> bool:
    """A test `first_other_trigger` needs to pass, cheapest first: without another number in the cell, only the
    triggers its concepts allow can fire."""
    return bool(K.knowledge().possible_triggers(bits)) or names_another(cell)


def first_other_trigger(content: Content, cell: Cell, bits: int,
                         names: Callable[[int], Sequence[str]]) -> tuple[int, int, str] | None:
    """(the other code, the code the text speaks of, why) for the first sentence that gives another code's case."""
    named = names_another(cell)
    if not named and not K.knowledge().possible_triggers(bits):
        return None
    for sentence in T.sentences(cell.text):
        if named:
            other = about_another_code(sentence, cell.code)
            if other is not None and registered(content, other):
                return other, cell.code, f"the sentence defines {other} or gives it as the answer"
        for part, own in attributed(cell, sentence):
            if not registered(content, own):
                continue
            for piece in alternatives(part):
                fact = K.other_trigger(piece, own, names, bits, sentence)
                if fact is not None and not K.mentions(part, fact.code, names(fact.code)):
                    return fact.code, own, describe(fact)
    return None


# ", or (if|that|when) ...": a sentence that offers alternative cases for one code, each of which must be its own.
_ALTERNATIVE = re.compile(r",\s+or\s+(?:if|that|when|because|where)?\b", re.I)


def alternatives(part: str) -> list[str]:
    """The alternatives a part of a sentence offers ("it lacks X, or if Y"): each is checked on its own, so that
    the code's own case in one does not excuse another code's case in the other."""
    pieces = _ALTERNATIVE.split(part)
    return [part] if len(pieces) == 1 else [p for p in pieces if p.strip()]


def swapped_meanings(cell: Cell, bits: int) -> tuple[int, int, str] | None:
    """(a code, the other, why) when a comparison cell gives each of its two codes the other's defining case: a
    clause about one describes a trigger of the other, and a clause about the other one of the first. Either
    alone may be sound where the two overlap (a fact's `allowed`); both at once is a swap."""
    if not isinstance(cell.owner, Comparison) or len(cell.owner.codes) != 2:
        return None
    k = K.knowledge()
    a, b = cell.owner.codes
    if not (k.possible(k.triggers.get(a, ()), bits) and k.possible(k.triggers.get(b, ()), bits)):
        return None  # a swap gives each code a trigger of the other: one that may match, for both
    partner = {a: b, b: a}
    given: dict[int, K.Fact] = {}  # code -> the partner's trigger a clause about it describes
    for sentence in T.sentences(cell.text):
        if K.TRIGGER_CONTRAST.search(sentence, T.lowered(sentence)):
            continue
        for part, own in attributed(cell, sentence):
            other = partner.get(own)
            if other is None or own in given or other in T.codes_in(part):
                continue
            if any(K.describes(part, f, sentence) for f in k.possible(k.triggers.get(own, ()), bits)):
                continue
            fact = next((f for f in k.possible(k.triggers.get(other, ()), bits) if K.describes(part, f, sentence)),
                        None)
            if fact is not None:
                given[own] = fact
    if len(given) == 2:
        return a, b, f"{a} is given {b}'s case ({given[a].source}) and {b} is given {a}'s ({given[b].source})"
    return None
