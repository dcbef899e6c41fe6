"""The prose cells the rules read, and the masking of code numbers and names they share.

A cell is one prose field of an entry, a comparison or the guide (`summary`, `scenarios[2]`, `rows[0].left`,
`decision.yes.question` ...), with the code it is about and its kind (which decides, e.g., its minimum length).
Rules report a finding at the cell's own field, so a finding names the exact cell.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from statusdocs.checks import text as T
from statusdocs.content.model import Comparison, Content, Decision, Entry, Guide
from statusdocs.diagnostics import Diagnostic
from statusdocs.reference import registry


class Cell(NamedTuple):  # a tuple: one per prose cell of the site, made on every run of the rules
    owner: Entry | Comparison | Guide
    field: str
    text: str
    code: int            # the code the cell is about (for a comparison row: its side)
    kind: str            # summary | definition | ... | row | decision_rule | faq_answer | question

    @property
    def codes(self) -> tuple[int, ...]:
        if isinstance(self.owner, Comparison):
            return tuple(self.owner.codes)
        return (self.owner.code,) if isinstance(self.owner, Entry) else ()

    def diag(self, rule: str, message: str, hint: str = "", severity: str = "error") -> Diagnostic:
        return Diagnostic(rule, severity, self.owner.loc(self.field), message, hint, self.field, self.codes)


# Minimum words for a cell to inform, by kind (V008).
MIN_WORDS = {"summary": 6, "definition": 10, "when_to_use": 8, "when_not_to_use": 8, "client_behavior": 8,
             "cacheable.note": 4, "retry.note": 4, "header": 3, "scenario": 4, "mistake": 5, "faq_answer": 4,
             "question": 3, "comp_summary": 8, "decision_rule": 8, "row": 2, "decision_note": 4}


_cell = functools.partial(tuple.__new__, Cell)  # Cell((...)) without NamedTuple's __new__, a Python frame per cell


@functools.lru_cache(maxsize=4096)  # bounded: a list of 100,000 items must not stay in a long-running preview
def _fields(form: str, i: int) -> tuple[str, ...]:
    """The field paths of an item of a list (`faq[2].question`, `faq[2].answer`...), made once per index."""
    return tuple(f.format(i) for f in form.split(" "))


def entry_cells(entry: Entry) -> list[Cell]:
    c = entry.code
    out = [_cell((entry, f, getattr(entry, f), c, f)) for f in
           ("summary", "definition", "when_to_use", "when_not_to_use", "client_behavior")]
    out += [_cell((entry, "cacheable.note", entry.cacheable.note, c, "cacheable.note")),
            _cell((entry, "retry.note", entry.retry.note, c, "retry.note"))]
    out += [_cell((entry, _fields("headers[{}].note", i)[0], h.note, c, "header")) for i, h in enumerate(entry.headers)]
    out += [_cell((entry, _fields("scenarios[{}]", i)[0], s, c, "scenario")) for i, s in enumerate(entry.scenarios)]
    out += [_cell((entry, _fields("mistakes[{}]", i)[0], m, c, "mistake")) for i, m in enumerate(entry.mistakes)]
    for i, f in enumerate(entry.faq):
        question, answer = _fields("faq[{}].question faq[{}].answer", i)
        out += [_cell((entry, question, f.question, c, "question")), _cell((entry, answer, f.answer, c, "faq_answer"))]
    return out


def comparison_cells(comp: Comparison) -> list[Cell]:
    a, b = comp.codes
    out = [_cell((comp, "summary", comp.summary, a, "comp_summary")),
           _cell((comp, "decision_rule", comp.decision_rule, a, "decision_rule"))]
    out += decision_cells(comp, comp.decision, "decision", a)
    for i, r in enumerate(comp.rows):
        left, right = _fields("rows[{}].left rows[{}].right", i)
        out += [_cell((comp, left, r.left, a, "row")), _cell((comp, right, r.right, b, "row"))]
    for i, f in enumerate(comp.faq):
        question, answer = _fields("faq[{}].question faq[{}].answer", i)
        out += [_cell((comp, question, f.question, a, "question")), _cell((comp, answer, f.answer, a, "faq_answer"))]
    return out


def decision_cells(owner: Comparison | Guide, node: Decision, path: str, code: int) -> list[Cell]:
    question, note, yes, no = _decision_fields(path)
    out = [_cell((owner, question, node.question, code, "question"))]
    if node.note:
        out.append(_cell((owner, note, node.note, code, "decision_note")))
    if isinstance(node.yes, Decision):
        out += decision_cells(owner, node.yes, yes, code)
    if isinstance(node.no, Decision):
        out += decision_cells(owner, node.no, no, code)
    return out


@functools.lru_cache(maxsize=4096)
def _decision_fields(path: str) -> tuple[str, str, str, str]:
    """A decision node's question and note paths, and its branches' (`decision.yes.question`...)."""
    return f"{path}.question", f"{path}.note", f"{path}.yes", f"{path}.no"


def all_cells(content: Content) -> list[Cell]:
    """Every prose cell, entries first, then comparisons, then the guide's questions."""
    cells = [cell for e in content.entries.values() for cell in entry_cells(e)]
    cells += [cell for c in content.comparisons.values() for cell in comparison_cells(c)]
    if content.guide:  # the guide's questions are prose like any other; 0 means "about no one code"
        cells += decision_cells(content.guide, content.guide.tree, "tree", 0)
    return cells


def cell_owners(content: Content) -> dict[str, Entry | Comparison | Guide]:
    """Every file with prose cells by its source path, in the order of `all_cells`."""
    owners: dict[str, Entry | Comparison | Guide] = {e.source: e for e in content.entries.values()}
    owners.update((c.source, c) for c in content.comparisons.values())
    if content.guide:
        owners[content.guide.source] = content.guide
    return owners


def owner_cells(owner: Entry | Comparison | Guide) -> list[Cell]:
    """The prose cells of one file, as `all_cells` lists them."""
    if isinstance(owner, Entry):
        return entry_cells(owner)
    if isinstance(owner, Comparison):
        return comparison_cells(owner)
    return decision_cells(owner, owner.tree, "tree", 0)


# ---------------------------------------------------------------- code names and masking


@functools.cache
def registry_names() -> dict[int, str]:
    """Each registered code's reason phrase, without the registry's parenthesised remarks."""
    return {int(k): str(v["phrase"]).split(" (")[0] for k, v in registry()["registry"].items()}


def names_of(content: Content, code: int) -> list[str]:
    """The number, the entry's name and the registry's phrase of a code: what masking removes."""
    names = [str(code)]
    if code in content.entries:
        names.append(content.entries[code].name)
    if code in registry_names():
        names.append(registry_names()[code])
    return names


def masked_content(content: Content, cell: Cell, names_as_written: bool = False, fast: bool = True) -> list[str]:
    """Content words of a cell once every code it is about or names, and their names, are masked.

    `names_as_written`: a one-word name (Accepted, Created, Gone) is masked only where written as the name is,
    capitalised: in running text it is an ordinary word ("the request has been accepted for processing").
    `fast`: see `T.mask`."""
    codes = set(cell.codes) | T.codes_in(cell.text)
    phrases = [n for c in codes for n in names_of(content, c)]
    phrases += ["HTTP " + str(c) for c in codes]
    for c in codes:
        phrases += list(T.CLASS_WORDS[c // 100])
    if not names_as_written:
        return T.content_words(T.mask(cell.text, phrases, fast))
    words = {p for p in phrases if p.isalpha() and len(p.split()) == 1}
    text = T.mask(cell.text, [p for p in phrases if p not in words], fast)
    return T.content_words(T.mask_exact(text, sorted(words)))


def masked_sentence(content: Content, sentence: str, owner_codes: tuple[int, ...], fast: bool = True) -> str:
    """A sentence's tokens, less numbers, once the codes it is about or names and their names are masked.
    `fast`: see `T.mask`."""
    codes = set(owner_codes) | T.codes_in(sentence)
    phrases = [n for c in codes for n in names_of(content, c)]
    for c in codes:
        phrases += list(T.CLASS_WORDS[c // 100])
    masked = T.mask(sentence, phrases, fast)
    return " ".join(t for t in T.tokens(masked) if not t.isdigit())


def own_mentions(content: Content, cell: Cell) -> bool:
    """The cell names its own code, the code's name or its class."""
    low = cell.text.lower()
    for c in cell.codes:
        if str(c) in cell.text or any(n.lower() in low for n in names_of(content, c)[1:]) or \
                T.mentions_class(cell.text, c // 100):
            return True
    return False
