"""Rules over the model. Ids are stable: S (schema, from the loader), C (contradiction), V (vague), F (facts)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from statusdocs.checks.registry import document, rule
from statusdocs.content.model import Content
from statusdocs.diagnostics import Diagnostic

document("S001", "yaml-syntax", "The file is not readable YAML: a syntax error, tabs for indentation, bad "
         "encoding, an empty file, aliases, tags, or nesting too deep.",
         "code: 412\nname: [Precondition Failed", "code: 412\nname: Precondition Failed")
document("S002", "duplicate-key", "A key appears twice in one mapping; YAML would silently keep the last.",
         "summary: A\nsummary: B", "summary: A")
document("S003", "unknown-field", "A field the schema does not know, usually a typo.",
         "client_behaviour: ...", "client_behavior: ...")
document("S004", "wrong-type", "A value of the wrong type or outside its allowed values; a status code is "
         "written as three decimal digits (YAML 1.1 reads 0634, 0x19c and 6:52 as 412).",
         "code: \"412\"", "code: 412")
document("S005", "missing-field", "A required field is missing.", "code: 412\nname: Precondition Failed",
         "code: 412\nname: Precondition Failed\nofficial: true\nsummary: ...")
document("S006", "file-name", "The file name must equal the entry's code (or `<a>-vs-<b>` for comparisons).",
         "content/codes/413.yaml containing code: 412", "content/codes/412.yaml containing code: 412")
document("S007", "duplicate-entry", "Two files define the same code or comparison.",
         "412.yaml and 412.yml", "412.yaml")
document("S008", "unknown-code", "A comparison names a code that has no entry.",
         "codes: [409, 999]", "codes: [409, 412]")
document("S009", "unreadable-file", "A content file or folder cannot be read: permissions, a file where codes/, "
         "comparisons/ or pages/ belongs, a broken or looping symlink, or a symlink leading outside the content "
         "folder.", "codes/412.yaml -> /etc/passwd", "codes/412.yaml")
document("S010", "page-slug", "A page file name must be a URL slug that does not clash with codes or reserved "
         "folders.", "pages/404.md", "pages/about.md")
document("T001", "template-error", "A template cannot be compiled or rendered: a syntax error, an undefined name, "
         "text that is not UTF-8, an exception raised at its line ({{ 1/0 }}), or templates that include, extend "
         "or call themselves without end.", "{{ entry.nmae }}", "{{ entry.name }}")
document("T002", "template-file", "A file under the templates folder (a template or a static file) is not read: a "
         "symlink that is broken or leads outside the folder, a symlinked folder under static/, or not a plain file "
         "(a named pipe, a socket, a device).", "templates/static/site.css -> /etc/passwd", "templates/static/site.css")


@rule("C010", "dangling-related", "A related code has no entry, so its link would lead nowhere.",
      "related: [409, 999]", "related: [409, 428]")
def dangling_related(content: Content) -> Iterator[Diagnostic]:
    for entry in content.entries.values():
        for i, code in enumerate(entry.related):
            field = f"related[{i}]"
            if code == entry.code:
                yield Diagnostic("C010", "error", entry.loc(field), f"related lists the entry's own code {code}",
                                 field=field, codes=(entry.code,))
            elif code not in content.entries and code not in content.unloadable:
                yield Diagnostic("C010", "error", entry.loc(field), f"related code {code} has no entry",
                                 hint=f"add content/codes/{code}.yaml or remove it", field=field,
                                 codes=(entry.code,))


# ====================================================================== shared: the prose cells
import contextlib  # noqa: E402
import dataclasses  # noqa: E402
import functools  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from functools import reduce  # noqa: E402
from itertools import filterfalse, islice  # noqa: E402
from operator import or_  # noqa: E402
from typing import Any, NamedTuple  # noqa: E402

from statusdocs.checks import prefilter as PF  # noqa: E402
from statusdocs.checks import text as T  # noqa: E402
from statusdocs.content.model import CITATION as MODEL_CITATION  # noqa: E402
from statusdocs.content.model import Comparison, Decision, Entry, Guide  # noqa: E402
from statusdocs.content.model import walk as _walk  # noqa: E402
from statusdocs.reference import constant_tables, registry  # noqa: E402


class Cell(NamedTuple):  # a tuple: made ~100,000 times per run of the rules on a large site
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
    """Every prose cell; within one run of the rules (`cells_memo`) computed once, since every rule walks them."""
    return _memo(content, "cells", _all_cells)


def _all_cells(content: Content) -> list[Cell]:
    cells = [cell for e in content.entries.values() for cell in entry_cells(e)]
    cells += [cell for c in content.comparisons.values() for cell in comparison_cells(c)]
    if content.guide:  # the guide's questions are prose like any other; 0 means "about no one code"
        cells += decision_cells(content.guide, content.guide.tree, "tree", 0)
    return cells


_MEMO: dict[tuple[int, str], Any] | None = None


def _memo(content: Content, what: str, make: Any) -> Any:
    if _MEMO is None:
        return make(content)
    key = (id(content), what)
    if key not in _MEMO:
        _MEMO[key] = make(content)
    return _MEMO[key]


@contextlib.contextmanager
def cells_memo() -> Iterator[None]:
    global _MEMO
    _MEMO = {}
    try:
        yield
    finally:
        _MEMO = None


@functools.cache
def _registry_names() -> dict[int, str]:
    return {int(k): str(v["phrase"]).split(" (")[0] for k, v in registry()["registry"].items()}


def names_of(content: Content, code: int) -> list[str]:
    names = [str(code)]
    if code in content.entries:
        names.append(content.entries[code].name)
    if code in _registry_names():
        names.append(_registry_names()[code])
    return names


def masked_content(content: Content, cell: Cell) -> list[str]:
    """Content words of a cell once every code it is about or names, and their names, are masked."""
    codes = set(cell.codes) | T.codes_in(cell.text)
    phrases = [n for c in codes for n in names_of(content, c)]
    phrases += ["HTTP " + str(c) for c in codes]
    for c in codes:
        phrases += list(T.CLASS_WORDS[c // 100])
    return T.content_words(T.mask(cell.text, phrases))


def _own_mentions(content: Content, cell: Cell) -> bool:
    low = cell.text.lower()
    for c in cell.codes:
        if str(c) in cell.text or any(n.lower() in low for n in names_of(content, c)[1:]) or \
                T.mentions_class(cell.text, c // 100):
            return True
    return False


# ====================================================================== shared: one pass over the cells
#
# A large site has ~100,000 cells. Running every rule's regular expressions and masking over each of them
# cost ~10 s at 5000 pages; most cells cannot match most rules. One pass (`scan`) reads each ASCII cell's
# words at C speed (bytes.translate, split, set operations) and derives, per cell, cheap tests that are
# *necessary* for a rule to fire: the rules then run their exact code on the cells that pass. Non-ASCII
# cells always take the exact path. Every shortcut is argued where it is made, and
# tests/test_check_speed_equivalence.py compares the findings with and without them.

# Off: every cell takes the exact path, as non-ASCII text does (tests/test_check_speed_equivalence.py).
SHORTCUTS = True

# ASCII bytes -> the rules' tokens: letters lowercased, ' and - kept (they join tokens), everything else,
# digits included, a space. The chunks of a cell are then exactly its `T.tokens` that are not numbers, before
# `.strip("'-")`: a token is a letter followed by letters, ' and -, and a number is a token of its own.
_TOKEN_BYTES = bytes(c + 32 if 65 <= c <= 90 else c if (97 <= c <= 122 or c in b"'-") else 32 for c in range(256))
_SINGLE_LETTERS = frozenset(bytes([c]) for c in range(97, 123))
# T.SENTENCE and the whitespace str.strip removes, for ASCII bytes: \s of a str pattern also matches \x1c-\x1f.
_SPACE_BYTES = bytes(c for c in range(128) if chr(c).isspace())
_SPACE = b"[" + re.escape(_SPACE_BYTES) + b"]"
# Where SENTENCE could split a cell of one line: [.!?;] and then whitespace (as \s sees it, for ASCII).
_SPLIT_AT = re.compile(rb"[.!?;]" + _SPACE)
# Written, like T.SENTENCE, to start with whitespace (the test on the character before it follows), so that the
# engine skips to whitespace instead of trying every position: the same matches, a third faster.
_SENTENCE_BYTES = re.compile(_SPACE + rb"(?<=[.!?;]" + _SPACE + rb")" + _SPACE + rb"*(?=[A-Z0-9`*\"(])|\n" + _SPACE
                             + rb"*\n|\n" + _SPACE + rb"*[-*]" + _SPACE + rb"+")
# Its first branch alone, for a text whose line breaks are all in its trailing whitespace (the other two need a
# line break and more after it): started at the punctuation, which the engine finds faster than whitespace
# (2.5x), and which goes to a group of its own (see _sentence_pieces).
_SENTENCE_ONE_LINE = re.compile(rb"([.!?;])" + _SPACE + rb"+(?=[A-Z0-9`*\"(])")


def _sentence_pieces(raw: bytes, lines: bool) -> list[bytes]:
    """T.sentences of an ASCII text as bytes, not stripped, some without the punctuation that ends them: V005
    reads only their runs of letters. `lines`: a line break comes before the trailing whitespace."""
    if lines:
        return [part for part in _SENTENCE_BYTES.split(raw) if part.strip(_SPACE_BYTES)]
    parts = _SENTENCE_ONE_LINE.split(raw)  # a sentence, the punctuation that ends it, the next sentence...
    pieces = parts[:-1:2]  # each ends with punctuation where it was split: none is blank
    if parts[-1].strip(_SPACE_BYTES):
        pieces.append(parts[-1])
    return pieces


def _bytes_of(words: Any) -> frozenset[bytes]:
    return frozenset(w.encode("ascii") for w in words if w.isascii())


class _Universe:
    """Every phrase masking can remove from any cell of this content: code numbers, entry and registry names,
    class words, "HTTP". `letters` are their runs of letters. A run of letters in an ASCII text is either
    inside a masked span or outside all of them (a span starts and ends next to a non-word character, and
    letters are word characters), and a run inside a span is a run of the masked phrase; so once the runs in
    `letters` are dropped, the runs of a text and of its masked text are the same, if text and phrases are
    ASCII (`ascii`)."""

    def __init__(self, content: Content):
        phrases = {n for c in content.entries for n in names_of(content, c)}
        phrases |= set(_registry_names().values()) | {w for ws in T.CLASS_WORDS.values() for w in ws} | {"HTTP"}
        self.ascii = SHORTCUTS and all(p.isascii() for p in phrases)
        self.letters = frozenset(r for p in phrases if p.isascii() for r in PF.letter_runs(p.encode()))
        # Tokens that are content words wherever they appear, and never masked (V001).
        self.not_content = _bytes_of(T.STOP | T.GENERIC) | self.letters | _SINGLE_LETTERS

    def runs_key(self, runs: list[bytes]) -> int:
        """A value equal for two ASCII texts whose masked token strings are equal: their runs of letters
        without the masked ones (see above). A hash: equal tuples hash equal."""
        return hash(tuple(filterfalse(self.letters.__contains__, runs)))


def universe(content: Content) -> _Universe:
    return _memo(content, "universe", _Universe)


def _keyword_patterns() -> dict[str, re.Pattern[str]]:
    patterns = {"marketing": MARKETING, "defer": DEFER, "according": ACCORDING_SEMANTICS, "hedge": HEDGE,
                "use_when": USE_WHEN, "self_class": SELF_CLASS, "placeholder_word": PLACEHOLDER_WORD}
    patterns.update({f"trigger{k}": t.pattern for k, t in enumerate(TRIGGERS)})
    return patterns


KEYWORD_TABLE = os.path.join(os.path.dirname(__file__), "keyword_sets.json")


def keyword_table() -> dict[str, dict[str, Any]]:
    """Each pattern's word sets as prefilter.keyword_sets reads them off its parse tree, with the pattern they
    were read from (stored in KEYWORD_TABLE: reading them takes ~50 ms per process, each check's start)."""
    return {name: {"pattern": p.pattern, "flags": int(p.flags),
                   "sets": None if (sets := PF.keyword_sets(p)) is None else [sorted(w.decode() for w in s)
                                                                              for s in sets]}
            for name, p in _keyword_patterns().items()}


def write_keyword_table() -> None:
    with open(KEYWORD_TABLE, "w", encoding="utf-8") as fh:
        json.dump(keyword_table(), fh, indent=1, sort_keys=True)
        fh.write("\n")


def _keyword_sets(name: str, pattern: re.Pattern[str], stored: dict[str, Any]) -> tuple[frozenset[bytes], ...] | None:
    """The stored sets if they were read from this very pattern, else (or if the entry is damaged) read now."""
    entry = stored.get(name)
    try:
        if entry["pattern"] == pattern.pattern and entry["flags"] == int(pattern.flags):
            sets = entry["sets"]
            return None if sets is None else tuple(frozenset(w.encode("ascii") for w in s) for s in sets)
    except (TypeError, KeyError, AttributeError, UnicodeError):
        pass
    return PF.keyword_sets(pattern)


@functools.cache
def _keyword_rules() -> tuple[dict[bytes, int], dict[str, int]]:
    """For the rules' patterns, their word sets (prefilter.keyword_sets) as bits: each word the bits of the
    sets it is in, each pattern the bits of all its sets. Patterns without sets get no bits: always tried."""
    try:
        with open(KEYWORD_TABLE, encoding="utf-8") as fh:
            stored = json.load(fh)
    except (OSError, ValueError):
        stored = {}
    if not isinstance(stored, dict):
        stored = {}
    word_bits: dict[bytes, int] = {b"lorem": 0}  # in the words looked up, for PLACEHOLDER (see `_scan`)
    pattern_bits: dict[str, int] = {}
    bit = 1
    for name, pattern in _keyword_patterns().items():
        need = 0
        for words in _keyword_sets(name, pattern, stored) or ():
            for w in words:
                word_bits[w] = word_bits.get(w, 0) | bit
            need |= bit
            bit <<= 1
        pattern_bits[name] = need
    return word_bits, pattern_bits


# Bits of `Scan.flags` beyond the word sets of `_keyword_rules` (which take the low bits).
_INFORMATIVE = 1 << 60     # surely 2+ content words once masked: V001 cannot fire
_ENOUGH_WORDS = 1 << 61    # surely MIN_WORDS tokens: V008 cannot fire
_NO_PLACEHOLDER = 1 << 62  # PLACEHOLDER cannot match
_NO_SECTION = 1 << 63      # SECTION_REF cannot match
_NO_HITS: frozenset[bytes] = frozenset()  # a cell with no keyword


@dataclass
class Scan:
    cells: list[Cell]
    flags: list[int]         # per cell: the word sets met and the bits above (-1 for non-ASCII text: exact paths)
    sentences: list[tuple]   # V005: (group key, cell index, sentence index, sentence or None, masked key or None)
    # V009: per row cell in order, its tokens less numbers, if easily known: the letters of the text with
    # everything else a space (its runs of letters), one bytes object, cheap to send between processes.
    row_tokens: list[bytes | None]
    _groups: dict[int, list[int]] | None = dataclasses.field(default=None, repr=False)  # flags -> cell indices

    def may(self, pattern: str) -> list[int]:
        """Indices of the cells in which the named pattern can match."""
        need = _keyword_rules()[1][pattern]
        return self._where(lambda f: f & need == need)

    def unless(self, bit: int) -> list[int]:
        """Indices of the cells without the given bit."""
        return self._where(lambda f: not f & bit or f == -1)

    def _where(self, test: Callable[[int], bool]) -> list[int]:
        # Cells share a few dozen distinct flags among tens of thousands: test each distinct value once.
        if self._groups is None:
            self._groups = {}
            for i, f in enumerate(self.flags):
                self._groups.setdefault(f, []).append(i)
        return sorted(i for f, cells in self._groups.items() if test(f) for i in cells)


def scan(content: Content) -> Scan:
    return _memo(content, "scan", _scan)


def _scan(content: Content) -> Scan:
    cells = all_cells(content)
    return Scan(cells, *_scan_cells(content, cells, range(len(cells))))


def scan_in_parallel(content: Content, jobs: int) -> None:
    """Make the shared pass of `scan` in `jobs` processes, each taking chunks of the cells (forked workers send
    back their flags and sentences), and keep it for this run of the rules as `scan` would."""
    from statusdocs.build.workers import run_chunks

    assert _MEMO is not None, "only within cells_memo()"
    cells = all_cells(content)
    universe(content)  # what every process's share needs, made once before the fork
    _keyword_rules()
    step = max(1, -(-len(cells) // (4 * jobs)))  # a few chunks per process: whoever is done first takes more
    chunks = [range(i, min(i + step, len(cells))) for i in range(0, len(cells), step)]
    flags: list[int] = []
    sentences: list[tuple] = []
    row_tokens: list[bytes | None] = []
    for part_flags, part_sentences, part_rows in run_chunks(lambda r: _scan_cells(content, cells, r), chunks,
                                                            jobs - 1):
        flags += part_flags
        sentences += part_sentences
        row_tokens += part_rows
    _MEMO[(id(content), "scan")] = Scan(cells, flags, sentences, row_tokens)


def _scan_cells(content: Content, cells: list[Cell], indices: range) \
        -> tuple[list[int], list[tuple], list[bytes | None]]:
    """The shared pass over the cells at `indices`: per cell its flags, its V005 sentences, its V009 tokens."""
    uni = universe(content)
    word_bits, _ = _keyword_rules()
    words, is_word = frozenset(word_bits), word_bits.__getitem__
    not_content, masked_letters, fast_keys = uni.not_content.__contains__, uni.letters.__contains__, uni.ascii
    min_words = MIN_WORDS.get
    flags: list[int] = []
    sentences: list[tuple] = []
    row_tokens: list[bytes | None] = []
    add_flags, add_sentence = flags.append, sentences.append
    for i in indices:
        cell = cells[i]
        text, kind = cell.text, cell.kind
        if not (SHORTCUTS and text.isascii()):
            add_flags(-1)
            if kind == "row":
                row_tokens.append(None)
            if kind != "question":
                for si, sentence in enumerate(T.sentences(text)):
                    key = _masked_sentence(content, sentence, cell.codes)
                    add_sentence((uni.runs_key(PF.letter_runs(key.encode())), i, si, sentence, key))
            continue
        raw = text.encode()
        letters = raw.translate(PF.LETTERS_ONLY)
        runs = letters.split()
        if words.isdisjoint(runs):  # most cells hold no keyword: no set to make
            f, hits = 0, _NO_HITS
        else:
            hits = words.intersection(runs)
            f = reduce(or_, map(is_word, hits), 0)
        n = len(runs)
        # Tokens are runs of letters joined by ' and -, so there are at least n - joints of them.
        joints = raw.count(b"-") + raw.count(b"'")
        if n - joints >= min_words(kind, 0):
            f |= _ENOUGH_WORDS
        # PLACEHOLDER allows only non-word characters around one placeholder of 3 words at most, or "lorem
        # ipsum" and anything after it.
        if n > 3 and b"lorem" not in hits:
            f |= _NO_PLACEHOLDER
        # SECTION_REF needs "section" or "sec." (or "§", not ASCII), in any case.
        if b"sec" not in letters:
            f |= _NO_SECTION
        if kind == "question":
            add_flags(f | _INFORMATIVE)
            continue
        if kind == "row":  # without ' or -, the tokens less numbers are the runs of letters
            row_tokens.append(None if joints else letters)
        # A run outside `not_content` makes its token a content word that masking leaves in place; the
        # tokens holding such runs are at least their number less the joints.
        # (Counting them up to the number needed: they come early in most cells.)
        if n - joints >= 2 and len(list(islice(filterfalse(not_content, runs), joints + 2))) == joints + 2:
            f |= _INFORMATIVE
        add_flags(f)
        # V005's sentences, keyed by their runs of letters without the maskable ones, which masking keeps.
        # One sentence, the stripped text, unless SENTENCE can split it: at a newline (not one in trailing
        # whitespace: a split there only leaves whitespace, which `sentences` drops), or after [.!?;] and
        # whitespace followed by more text.
        body = raw.rstrip()
        if b"\n" not in body and not _SPLIT_AT.search(body):
            if not body or n < 6:  # a masked key has at most as many tokens as the text has runs of letters
                continue
            if fast_keys:
                add_sentence((hash(tuple(filterfalse(masked_letters, runs))), i, 0, None, None))
            else:
                key = _masked_sentence(content, text.strip(), cell.codes)
                add_sentence((uni.runs_key(PF.letter_runs(key.encode())), i, 0, None, key))
            continue
        if fast_keys:  # T.sentences on the bytes; the rule finds a sentence's text again if it needs it
            for si, part in enumerate(_sentence_pieces(raw, b"\n" in body)):
                sentence_runs = part.translate(PF.LETTERS_ONLY).split()
                if len(sentence_runs) >= 6:
                    add_sentence((hash(tuple(filterfalse(masked_letters, sentence_runs))), i, si, None, None))
            continue
        for si, sentence in enumerate(T.sentences(text)):
            key = _masked_sentence(content, sentence, cell.codes)
            add_sentence((uni.runs_key(PF.letter_runs(key.encode())), i, si, sentence, key))
    return flags, sentences, row_tokens


# ====================================================================== V: vague cells

@rule("V001", "restates-code", "The cell only restates the code, its name or its class, and says nothing a "
      "reader can act on.",
      "client_behavior: HTTP 412 Precondition Failed indicates a client errors response outcome.",
      "client_behavior: Re-read the resource to get its current ETag, re-apply the change, and send it again "
      "with the new If-Match value.")
def restates(content: Content) -> Iterator[Diagnostic]:
    sc = scan(content)
    for i in sc.unless(_INFORMATIVE):
        cell = sc.cells[i]
        if cell.kind == "question":
            continue
        if _own_mentions(content, cell) and len(masked_content(content, cell)) <= 1:
            yield cell.diag("V001", f"{cell.field} restates the code, name or class without saying anything "
                                    "specific", hint="say what triggers it, what the client does, or what changes")


DEFER = re.compile(
    r"\bsee (the |our |its )?([\w-]+ ){0,3}(spec|specs|specification|rfc|docs|documentation|standard|guide|"
    r"reference|section|page|link|article)\b|\brefer(s|red)? to\b|\bconsult\b|\bcheck the (spec|docs|documentation|"
    r"rfc|standard)\b|\bas (defined|specified|described|documented) (in|by) (the )?(spec|specification|standard|rfc|"
    r"relevant|docs|documentation)\b|\bper (the )?(spec|specification|standard)\b|\bfor (more )?details\b|"
    r"\bdefined elsewhere\b|\bsee (above|below)\b", re.I)
ACCORDING_SEMANTICS = re.compile(r"\baccording to ([\w-]+[ -]){0,3}semantics\b|\bfollows? ([\w-]+[ -]){0,3}"
                                 r"semantics\b|\bper ([\w-]+[ -]){0,3}semantics\b", re.I)


@rule("V002", "defers-elsewhere", "The cell sends the reader elsewhere (\"see the spec\", \"according to ... "
      "semantics\", \"refer to\") instead of giving the content.",
      "client_behavior: Client handles 412 according to client-errors semantics.",
      "client_behavior: The client fetches the current representation, merges its change and retries with "
      "the new ETag in If-Match.")
def defers(content: Content) -> Iterator[Diagnostic]:
    sc = scan(content)
    for i in sorted(set(sc.may("according")) | set(sc.may("defer"))):
        cell = sc.cells[i]
        if cell.kind == "question":
            continue
        if ACCORDING_SEMANTICS.search(cell.text):
            yield cell.diag("V002", f"{cell.field} defers to \"semantics\" instead of saying what they are",
                            hint="write out what happens")
            continue
        m = DEFER.search(cell.text)
        if m and len(masked_content(content, cell)) - len(T.content_words(m.group(0))) <= 4:
            yield cell.diag("V002", f"{cell.field} points elsewhere (\"{m.group(0)}\") instead of giving the "
                                    "content", hint="state the rule here; a pointer may follow the content")


PLACEHOLDER = re.compile(r"^\W*(tbd|tba|todo|fixme|xxx|n/?a|none|null|nil|unknown|placeholder|lorem ipsum.*|"
                         r"coming soon|to be (written|determined|decided|added)|-+|—|–|\?+|\.+)\W*$", re.I)
PLACEHOLDER_WORD = re.compile(r"\b(TODO|TBD|FIXME|XXX|lorem ipsum)\b")


@rule("V003", "placeholder", "The cell is a placeholder (TBD, TODO, N/A, a dash) or empty.",
      "cacheable: {default: false, note: TBD}",
      "cacheable: {default: false, note: Caches do not store it unless Cache-Control gives explicit freshness.}")
def placeholder(content: Content) -> Iterator[Diagnostic]:
    sc = scan(content)
    for i in sorted(set(sc.unless(_NO_PLACEHOLDER)) | set(sc.may("placeholder_word"))):
        cell = sc.cells[i]
        if not cell.text.strip() or PLACEHOLDER.match(cell.text.strip()) or PLACEHOLDER_WORD.search(cell.text):
            yield cell.diag("V003", f"{cell.field} is a placeholder", hint="write the cell or remove it")


USE_WHEN = re.compile(r"\b(use|return|send|respond with|choose|pick|prefer|reach for)\s+(?:an?\s+|the\s+)?"
                      r"(?:HTTP\s+)?(\d{3}|[A-Z][\w' -]{2,40}?)\s+(?:\w+\s+){0,2}?(when|if|whenever|where|for|"
                      r"because)\b(.*?)(?:[;.]|$)", re.I)
TAUTOLOGY_EXTRA = {"communicate", "communicates", "signal", "accurate", "correct", "right", "intended",
                   "behavior", "behaviour", "semantics", "matches", "match", "fits", "fit", "apt", "suits",
                   "describe", "best", "better", "applicable", "convenience", "contract", "chosen", "choice",
                   "wrong", "reason", "reasons", "protocol", "meaning", "outcome", "expectations"}


@rule("V004", "tautology", "The cell is circular: \"use X when X is the right signal\". A decision needs an "
      "observable test.",
      "decision_rule: Use 409 when the response should communicate conflict behavior; use 412 when precondition "
      "failed is the accurate protocol signal.",
      "decision_rule: If the request carried If-Match or If-Unmodified-Since and it evaluated false, send 412; "
      "if no precondition was sent and the change clashes with the resource's state, send 409.")
def tautology(content: Content) -> Iterator[Diagnostic]:
    names = {n.lower() for c in content.entries for n in names_of(content, c)} | \
        {n.lower() for n in _registry_names().values()}
    sc = scan(content)
    for i in sc.may("use_when"):
        cell = sc.cells[i]
        if cell.kind == "question":
            continue
        for m in USE_WHEN.finditer(cell.text):
            target = m.group(2)
            if not target.isdigit() and not any(target.lower().startswith(n) for n in names if not n.isdigit()):
                continue  # "use that URI for ..." is not about choosing a status code
            condition = m.group(4)
            codes = set(cell.codes) | T.codes_in(cell.text)
            phrases = [n for c in codes for n in names_of(content, c)] + [target]
            for c in codes:
                phrases += list(T.CLASS_WORDS[c // 100])
            stems = {t[:5] for p in phrases for t in T.tokens(p) if len(t) >= 4}
            rest = [w for w in T.content_words(T.mask(condition, phrases), TAUTOLOGY_EXTRA) if w[:5] not in stems]
            if len(rest) <= 1 and len(T.tokens(condition)) >= 2:
                yield cell.diag("V004", f"{cell.field} is circular: \"{m.group(0).strip()}\" gives no condition a "
                                        "developer can test", hint="name the header, state or timing that decides")
                break


def _masked_sentence(content: Content, sentence: str, owner_codes: tuple[int, ...]) -> str:
    codes = set(owner_codes) | T.codes_in(sentence)
    phrases = [n for c in codes for n in names_of(content, c)]
    for c in codes:
        phrases += list(T.CLASS_WORDS[c // 100])
    masked = T.mask(sentence, phrases)
    return " ".join(t for t in T.tokens(masked) if not t.isdigit())


@rule("V005", "boilerplate", "The same sentence, once code numbers and names are masked, appears in three or "
      "more entries: the mark of generated filler.",
      "mistakes: [\"Returning 409 for the wrong reason breaks client expectations and monitoring.\"] "
      "(and the same sentence with 410, 412, ...)",
      "mistakes: [\"Returning 409 for a malformed JSON body; that is a 400.\"]")
def boilerplate(content: Content) -> Iterator[Diagnostic]:
    # Sentences whose masked keys are equal have equal group keys (see `scan`), so only groups spanning three
    # files can hold a finding. Their keys are computed, then counted in the order of the cells, as a run
    # over every sentence would.
    sc = scan(content)
    sizes = Counter(r[0] for r in sc.sentences)
    groups: dict[int, list[tuple]] = defaultdict(list)
    for record in sc.sentences:
        if sizes[record[0]] >= 3:
            groups[record[0]].append(record)
    keyed: list[tuple[int, int, str, Cell]] = []
    for records in groups.values():
        if len({sc.cells[r[1]].owner.source for r in records}) < 3:
            continue
        for _, i, si, sentence, key in records:
            cell = sc.cells[i]
            if key is None:
                key = _masked_sentence(content, T.sentences(cell.text)[si] if sentence is None else sentence,
                                       cell.codes)
            keyed.append((i, si, key, cell))
    keyed.sort(key=lambda k: (k[0], k[1]))
    seen: dict[str, dict[str, Cell]] = defaultdict(dict)
    for _, _, key, cell in keyed:
        if len(key.split()) >= 6:
            seen[key].setdefault(cell.owner.source, cell)
    for key, owners in seen.items():
        if len(owners) >= 3:
            for cell in owners.values():
                yield cell.diag("V005", f"{cell.field} repeats a sentence template used in {len(owners)} files: "
                                        f"\"{key[:80]}\"", hint="write a sentence for this code")


HEDGE = re.compile(r"\b(in (various|different|many|several) ways|may or may not|might or might not|it depends|"
                   r"depending on (the )?(situation|context|circumstances|use case|implementation|needs|"
                   r"scenario|case|server|client|application)|can vary|varies|vary (widely|greatly|by)|"
                   r"under certain (conditions|circumstances)|in (some|certain) (cases|situations)|as (appropriate|"
                   r"needed|necessary|required)|if (needed|necessary|appropriate)|where (applicable|appropriate)|"
                   r"handled differently|case[- ]by[- ]case)\b", re.I)


@rule("V006", "empty-hedge", "A hedge with no content: \"in various ways\", \"may or may not\", \"it depends\".",
      "client_behavior: Clients handle 412 in various ways depending on the implementation.",
      "retry: {safe: true, note: Idempotent requests may be retried with exponential backoff after Retry-After.}")
def hedge(content: Content) -> Iterator[Diagnostic]:
    sc = scan(content)
    for i in sc.may("hedge"):
        cell = sc.cells[i]
        # A match in a sentence is one in the cell (\b holds at a sentence's ends, next to whitespace).
        if cell.kind == "question" or HEDGE.search(cell.text) is None:
            continue
        for sentence in T.sentences(cell.text):
            m = HEDGE.search(sentence)
            if not m:
                continue
            rest = T.content_words(T.mask(sentence, [m.group(0)] + names_of(content, cell.code)))
            if len(rest) <= 3:
                yield cell.diag("V006", f"{cell.field} hedges (\"{m.group(0)}\") without saying what it depends on",
                                hint="name the condition and the outcome")
                break


MARKETING = re.compile(r"\b(book (a|an|your) [\w-]*\s?(call|demo|consultation|session|meeting)|our team|"
                       r"our (experts?|engineers|consultants|clients|customers|engagements?|services?|platform|"
                       r"product|agency|company|firm)|contact us|get in touch|reach out to us|"
                       r"strategy call|no-pressure|hire us|schedule a (call|demo)|we (can )?help you|"
                       r"(talk|speak) to (an|our) (expert|engineer|specialist)|our recent|our perspective|"
                       r"subscribe to|try it free|request a (quote|demo))\b", re.I)


@rule("V007", "marketing", "The cell is marketing (\"book a call\", \"our team\") rather than documentation.",
      "when_to_use: Considering HTTP 409? Book a no-pressure strategy call with our team.",
      "when_to_use: Return 409 when the change is valid but clashes with the resource's current state.")
def marketing(content: Content) -> Iterator[Diagnostic]:
    sc = scan(content)
    for i in sc.may("marketing"):
        cell = sc.cells[i]
        m = MARKETING.search(cell.text)
        if m:
            yield cell.diag("V007", f"{cell.field} is marketing (\"{m.group(0)}\")", hint="remove it")


@rule("V008", "too-short", "The cell is too short to inform for its field.",
      "definition: Request conflicts.",
      "definition: The request could not be completed because it conflicts with the current state of the "
      "target resource, and the user may be able to resolve the conflict and resubmit.")
def too_short(content: Content) -> Iterator[Diagnostic]:
    sc = scan(content)
    for i in sc.unless(_ENOUGH_WORDS):
        cell = sc.cells[i]
        need = MIN_WORDS.get(cell.kind, 0)
        got = T.words(cell.text)
        if cell.text.strip() and not PLACEHOLDER.match(cell.text.strip()) and got < need:
            yield cell.diag("V008", f"{cell.field} has {got} word{'s' if got != 1 else ''}; at least {need} are "
                                    "needed to inform", hint="say what, when and what to do")


@rule("V009", "same-both-sides", "In a comparison, a row whose two cells say the same thing once the codes and "
      "names are masked.",
      "rows: [{aspect: Safe to retry?, left: Only after fixing the underlying cause, right: Only after fixing "
      "the underlying cause}]",
      "rows: [{aspect: Safe to retry?, left: After resolving the conflict, right: After re-reading the ETag}]")
def same_both_sides(content: Content) -> Iterator[Diagnostic]:
    uni = universe(content)
    letters = uni.letters if uni.ascii else None
    row_tokens = iter(scan(content).row_tokens)  # the row cells come in this order, left then right
    for comp in content.comparisons.values():
        for i, row in enumerate(comp.rows):
            known = [None if t is None else set(t.split()) for t in (next(row_tokens), next(row_tokens))]
            if letters is not None and _surely_different(row.left, row.right, letters, *known):
                continue
            left = set(_masked_sentence(content, row.left, tuple(comp.codes)).split())
            right = set(_masked_sentence(content, row.right, tuple(comp.codes)).split())
            if not left or not right:
                continue
            overlap = len(left & right) / len(left | right)
            if overlap >= 0.8:
                cell = Cell(comp, f"rows[{i}].right", row.right, comp.codes[1], "row")
                yield cell.diag("V009", f"rows[{i}] says the same thing for {comp.codes[0]} and {comp.codes[1]} "
                                        f"({row.aspect})", hint="state the difference, or drop the row")


def _surely_different(left: str, right: str, masked_letters: frozenset[bytes], sl: set[bytes] | None = None,
                      sr: set[bytes] | None = None) -> bool:
    """True when V009's overlap of the masked token sets is surely below 0.8. For ASCII text without ' the
    masked tokens L are the text's tokens S_L minus some (masking never cuts a token there), and tokens made
    of letters outside `masked_letters` (R_L) are never removed. With x = |R_L - S_R| and y = |R_R - S_L|,
    tokens in one set only, |L & R| / |L | R| <= m / (m + x + y) with m = min(|S_L|, |S_R|). `sl` and `sr`:
    S_L and S_R if known (see `Scan.row_tokens`)."""
    if sl is not None and sr is not None:  # tokens of letters only
        m = min(len(sl), len(sr))
        x, y = len(sl.difference(sr, masked_letters)), len(sr.difference(sl, masked_letters))
        return m == 0 or 5 * m < 4 * (m + x + y)
    if not (left.isascii() and right.isascii()) or "'" in left or "'" in right:
        return False
    # The tokens less the numbers: chunks of letters and -, with - stripped (rare, hence the test).
    cl, cr = left.encode().translate(_TOKEN_BYTES), right.encode().translate(_TOKEN_BYTES)
    sl = set(cl.split()) if b"-" not in cl else {t for t in (c.strip(b"-") for c in cl.split()) if t}
    sr = set(cr.split()) if b"-" not in cr else {t for t in (c.strip(b"-") for c in cr.split()) if t}
    m = min(len(sl), len(sr))
    if m == 0:
        return True  # a side without tokens: the rule skips the row
    x = len(set(filter(bytes.isalpha, sl - sr)) - masked_letters)
    y = len(set(filter(bytes.isalpha, sr - sl)) - masked_letters)
    return 5 * m < 4 * (m + x + y)


# ====================================================================== C: contradictions
CACHE_YES = re.compile(r"\b(heuristically cacheable|cacheable by default|cached by default|stored by default|"
                       r"cacheable without (explicit )?(freshness|headers|cache-control)|caches (may|can) store it "
                       r"(by default|without))\b", re.I)
CACHE_NO = re.compile(r"\b(not (heuristically )?cacheable|never (be )?(cached|stored)|cannot be (cached|stored)|"
                      r"not cached|isn't cached|is not stored|must not be (cached|stored)|uncacheable|non-cacheable)\b",
                      re.I)
QUALIFIER = re.compile(r"\b(unless|only if|only when|except|without|if|when|until|after|before|but|however|"
                       r"no-store|private|no-cache|explicit|max-age|expires|by default)\b", re.I)


def _unqualified(sentence: str, match: re.Match) -> bool:
    rest = sentence[:match.start()] + " " + sentence[match.end():]
    return QUALIFIER.search(rest) is None


CACHE_PLAIN_YES = re.compile(r"\b(is|are) (always )?(cacheable|cached)\b|^\W*(yes\W+)?cacheable\W*$", re.I)


def cache_claim(text: str) -> bool | None:
    """True if the text claims heuristic cacheability, False if it flatly denies any caching, None otherwise."""
    for sentence in T.sentences(text):
        m = CACHE_YES.search(sentence)
        if m and not T.negated_before(sentence, m.start(), 45):
            return True
        m = CACHE_PLAIN_YES.search(sentence)
        if m and not T.negated_before(sentence, m.start(), 20) and _unqualified(sentence, m):
            return True
        m = CACHE_NO.search(sentence)
        if m and _unqualified(sentence, m):
            return False
    return None


RETRY_NEVER = re.compile(r"\b(never (auto[- ]?)?retry|do not (auto[- ]?)?retry|don't (auto[- ]?)?retry|must not "
                         r"(be )?(retried|retry)|should not (be )?(retried|retry)|not safe to retry|unsafe to retry|"
                         r"no point (in )?retrying|retrying (will|would) (always )?fail|never be retried)\b", re.I)
RETRY_SAFE = re.compile(r"\b(safe to retry|can (safely )?be retried (automatically|immediately|as is|unchanged)|"
                        r"retry (it )?(immediately|freely|automatically|right away|as is|unchanged)|always retry|"
                        r"(simply|just) (retry|resend|repeat)|resend (it )?unchanged|"
                        r"retries are (safe|fine|harmless))\b", re.I)
RETRY_QUALIFIER = re.compile(r"\b(unless|until|before|after|without|only|non-idempotent|idempotent|if|when|except|"
                             r"first|changed?|changing|modif\w*|fix\w*|correct\w*|new|different|another|again|"
                             r"blindly|same body|same request|loop|but|however|POST|PATCH)\b", re.I)


def retry_claim(text: str) -> bool | None:
    """True if the text says an unchanged retry is fine, False if it says never retry, None otherwise."""
    for sentence in T.sentences(text):
        m = RETRY_NEVER.search(sentence)
        if m and RETRY_QUALIFIER.search(sentence[:m.start()] + " " + sentence[m.end():]) is None:
            return False
        m = RETRY_SAFE.search(sentence)
        if m and not T.negated_before(sentence, m.start(), 20):
            return True
    return None


@rule("C001", "cache-contradiction", "A caching cell contradicts `cacheable.default` (RFC 9110 section 15.1).",
      "cacheable: {default: false, note: 412 responses are heuristically cacheable.}",
      "cacheable: {default: false, note: Caches do not store it unless the response carries explicit freshness.}")
def cache_contradiction(content: Content) -> Iterator[Diagnostic]:
    for entry in content.entries.values():
        claim = cache_claim(entry.cacheable.note)
        if claim is not None and claim != entry.cacheable.default:
            cell = Cell(entry, "cacheable.note", entry.cacheable.note, entry.code, "cacheable.note")
            yield cell.diag("C001", _cache_message(cell.field, claim, entry.cacheable.default))
    for cell, entry in _row_cells_about(content, "cach"):
        claim = cache_claim(cell.text)
        if claim is not None and claim != entry.cacheable.default:
            yield cell.diag("C001", _cache_message(cell.field, claim, entry.cacheable.default) + f" in {entry.source}")


def _row_cells_about(content: Content, aspect_stem: str) -> Iterator[tuple[Cell, Entry]]:
    """Comparison row cells whose aspect mentions `aspect_stem`, with the entry of the cell's side."""
    for comp in content.comparisons.values():
        for i, row in enumerate(comp.rows):
            if aspect_stem in row.aspect.lower():
                for side, text, code in (("left", row.left, comp.codes[0]), ("right", row.right, comp.codes[1])):
                    yield Cell(comp, f"rows[{i}].{side}", text, code, "row"), content.entries[code]


def _cache_message(field: str, claim: bool, default: bool) -> str:
    said = "cacheable by default" if claim else "never cached"
    return f"{field} says {said}, but cacheable.default is {str(default).lower()}"


@rule("C002", "retry-contradiction", "A cell about retrying contradicts `retry.safe`.",
      "retry: {safe: true, note: Never retry this request.}",
      "retry: {safe: true, note: Repeat the identical request after the delay in Retry-After.}")
def retry_contradiction(content: Content) -> Iterator[Diagnostic]:
    for entry in content.entries.values():
        for field, text in (("retry.note", entry.retry.note), ("client_behavior", entry.client_behavior)):
            claim = retry_claim(text)
            if claim is not None and claim != entry.retry.safe:
                cell = Cell(entry, field, text, entry.code, field)
                yield cell.diag("C002", _retry_message(field, claim, entry.retry.safe))
    for cell, entry in _row_cells_about(content, "retr"):
        claim = retry_claim(cell.text)
        if claim is not None and claim != entry.retry.safe:
            yield cell.diag("C002", _retry_message(cell.field, claim, entry.retry.safe) + f" in {entry.source}")


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
SELF_CLASS = re.compile(r"\b(?:is|as|are|it's|this)\s+(?:an?\s+)?(?:(\d)xx|(client|server)[- ]errors?|"
                        r"(redirect(?:ion)?)|(informational)|(success(?:ful)?))\b(?!\s+(?:code|response)s?\s+(?:like|"
                        r"such))", re.I)


@rule("C003", "wrong-section-or-class", "Prose names a status-code section of RFC 9110 that belongs to another "
      "code, or calls the code a member of another class.",
      "definition: 412 is a server error defined in RFC 9110 section 15.5.10.",
      "definition: 412 is a client error defined in RFC 9110 section 15.5.13.")
def wrong_section(content: Content) -> Iterator[Diagnostic]:
    owners = _section_owner()
    sc = scan(content)
    self_class = {i for i in sc.may("self_class") if isinstance(sc.cells[i].owner, Entry)}
    section = set(sc.unless(_NO_SECTION))
    for i in sorted(section | self_class):
        cell = sc.cells[i]
        mentioned: set[int] | None = None
        for m in SECTION_REF.finditer(cell.text) if i in section else ():
            doc = (m.group(1) or "RFC9110").replace(" ", "").upper()
            other = owners.get((doc, m.group(2)))
            if mentioned is None:
                mentioned = T.codes_in(cell.text)
            if other is not None and other not in cell.codes and other not in mentioned:
                yield cell.diag("C003", f"{cell.field} cites {m.group(0)}, which defines {other}, not "
                                        f"{'/'.join(map(str, cell.codes))}", hint="cite the entry's own section")
        if isinstance(cell.owner, Entry) and i in self_class:
            for sentence in T.sentences(cell.text):
                if str(cell.code) not in sentence and not re.match(r"\s*(it|this (code|status|response))\b",
                                                                   sentence, re.I):
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


@dataclass(frozen=True)
class Trigger:
    codes: tuple[int, ...]          # the codes whose defining case this is
    pattern: re.Pattern
    allowed: tuple[int, ...] = ()   # other codes that may describe it as their own (e.g. 407 for credentials)
    unless: re.Pattern | None = None  # context in the same sentence that makes it legitimate


def _t(codes, pattern, allowed=(), unless=None) -> Trigger:
    unless_re = re.compile(unless, re.I) if unless else None
    return Trigger(tuple(codes), re.compile(pattern, re.I), tuple(allowed), unless_re)


PRECONDITION_HEADERS = r"if-match|if-none-match|if-unmodified-since|if-modified-since|precondition|conditional"
TRIGGERS = [
    _t([400], r"\bmalformed\b(?! (response|upstream|reply|header from))|\b(invalid|bad|broken) (request )?syntax\b|"
              r"\bsyntax errors?\b|\bunparseable\b|\bcannot be parsed\b|\bbad request format\b|\binvalid json\b",
       allowed=(422, 494, 431, 413, 414, 505), unless=r"response|upstream|origin|backend|gateway"),
    _t([401], r"\b(missing|invalid|bad|wrong|expired|absent|no|revoked)( valid| usable| correct| working)? "
              r"(credentials|api key|access token|bearer token|"
              r"auth(entication)? token|password)\b|\bauthentication (failed|failure|mismatch|error)\b|"
              r"\bnot (logged in|authenticated)\b|\bunauthenticated\b",
       allowed=(407, 511, 440, 419, 561, 495, 496)),
    _t([403], r"\b(lacks?|lacking|insufficient|missing|without( the)?) (the )?(permissions?|privileges?|rights|"
              r"scopes?|roles?)\b|\bauthorization mismatch\b|\baccess (is )?denied\b|\bnot (permitted|allowed) to "
              r"access\b", allowed=(451,)),
    _t([409], r"\bduplicates?\b|\balready exists\b|\bversion conflict\b|\bedit conflict\b|\bconcurrent (edit|"
              r"update|modification)s? conflict\b|\bunique(ness)? constraint\b",
       allowed=(422, 423, 208, 508), unless=PRECONDITION_HEADERS + r"|idempoten|report|bind"),
    _t([412], r"\bif-match\b[^.;]{0,40}\b(fail(s|ed)?|did not match|does not match|doesn't match|mismatch(es)?|"
              r"evaluat\w+ (to )?false)|\bprecondition (header )?(failed|evaluated false|was false)\b|\bstale etag\b",
       allowed=(304, 428)),
    _t([413], r"\b(body|payload|upload|request content|file) (is |was )?too (large|big)\b|\bexceeds? the (maximum )?"
              r"(body|upload|payload) (size )?limit\b", allowed=(507,)),
    _t([414], r"\b(uri|url|query string|request target) (is |was )?too long\b", allowed=(431, 494)),
    _t([415], r"\bunsupported (media type|content[- ]type|content encoding)\b|\bwrong content-type\b"),
    _t([429], r"\brate[- ]limit(ed|ing|s)?\b|\btoo many requests\b|\bquota (is )?exceeded\b|\bthrottl(ed|ing|e)\b",
       allowed=(503, 420, 509)),
    _t([404], r"\b(resource|page|url|path|route|endpoint) (does not|doesn't) exist\b|\bno such (resource|route|"
              r"endpoint)\b", allowed=(410, 403, 405, 400, 421, 451)),
    _t([405], r"\bmethod (is )?not (allowed|supported)\b|\bunsupported (http )?method\b", allowed=(501,)),
]
TRIGGER_FIELDS = {"summary", "definition", "when_to_use", "client_behavior", "scenario", "row"}


@rule("C005", "decision-outside-pair", "A comparison's decision rule names a code outside the pair.",
      "codes: [409, 412]\ndecision_rule: Use 409 for conflicts, 412 for failed preconditions and 400 otherwise.",
      "codes: [409, 412]\ndecision_rule: If a precondition header was sent and evaluated false, 412; otherwise 409.")
def decision_outside_pair(content: Content) -> Iterator[Diagnostic]:
    known = set(content.entries) | set(_registry_names())
    for comp in content.comparisons.values():
        outside = sorted(c for c in T.codes_in(comp.decision_rule) if c in known and c not in comp.codes)
        if outside:
            cell = Cell(comp, "decision_rule", comp.decision_rule, comp.codes[0], "decision_rule")
            yield cell.diag("C005", f"decision_rule names {', '.join(map(str, outside))}, outside the pair "
                                    f"{comp.codes[0]}/{comp.codes[1]}", hint="decide between the two codes only")


@rule("C012", "decision-leaves", "A decision must end in codes: in a comparison, the pair's two codes, each "
      "reachable, or, where an honest answer leaves the pair (a GET whose validator no longer matches is neither "
      "204 nor 304 but 200), another code that has an entry; in the guide, codes that have entries or comparisons "
      "that exist.",
      "codes: [409, 412]\ndecision:\n  question: Did an If-Match header fail?\n  yes: 412\n  no: 409-vs-422",
      "codes: [409, 412]\ndecision:\n  question: Did an If-Match header fail?\n  yes: 412\n  no: 409")
def decision_leaves(content: Content) -> Iterator[Diagnostic]:
    for comp in content.comparisons.values():
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
    if guide is None:
        return
    for field, leaf in guide.tree.leaves("tree"):
        if isinstance(leaf, str) and leaf not in content.comparisons:
            yield Diagnostic("C012", "error", guide.loc(field), f"{field} names comparison {leaf}, which has no "
                             "file", hint=f"add content/comparisons/{leaf}.yaml or answer with a code", field=field)
        elif isinstance(leaf, int) and leaf not in content.entries and leaf not in content.unloadable:
            yield Diagnostic("C012", "error", guide.loc(field), f"{field} ends in code {leaf}, which has no entry",
                             field=field)


@rule("C014", "decision-cases", "Every worked example (`cases`) must answer, by question id, each question on "
      "its path and reach its `expect` code; question ids are unique within a tree and every answer names one.",
      "codes: [409, 412]\ndecision:\n  id: precondition-false\n  question: Did a precondition header evaluate "
      "false?\n  yes: 412\n  no: 409\ncases:\n  - situation: A stale If-Match.\n    answers: "
      "{precondition-false: yes}\n    expect: 409\n    source: RFC 9110 section 13.1.1",
      "codes: [409, 412]\ndecision:\n  id: precondition-false\n  question: Did a precondition header evaluate "
      "false?\n  yes: 412\n  no: 409\ncases:\n  - situation: A stale If-Match.\n    answers: "
      "{precondition-false: yes}\n    expect: 412\n    source: RFC 9110 section 13.1.1")
def decision_cases(content: Content) -> Iterator[Diagnostic]:
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
            reached, why = _walk(tree, case.answers, grafts)
            if reached is None:
                yield Diagnostic("C014", "error", owner.loc(f"{at}.answers"), f"{at} stops: {why}",
                                 hint="answer every question on the case's path", field=f"{at}.answers", codes=codes)
            elif reached != case.expect:
                yield Diagnostic("C014", "error", owner.loc(f"{at}.expect"), f"{at} expects {case.expect}, but its "
                                 f"answers lead to {reached}", field=f"{at}.expect", codes=codes)


# A status line, also inside a 207 body (<d:status>HTTP/1.1 424 ...) or an access log ("GET / HTTP/1.1" 499).
STATUS_LINE = re.compile(r"HTTP/\d(?:\.\d)?\"? ([1-5]\d\d)\b")


@rule("C013", "example-status", "Examples must show the code they illustrate: an official entry's examples a "
      "response with its code, a comparison's examples a response with each of its two codes. (Unofficial codes "
      "such as nginx's 495 or ELB's 460 are often only logged, so their entries are exempt.)",
      "codes: [409, 412]\nexamples:\n  - response: HTTP/1.1 409 Conflict\n  - response: HTTP/1.1 409 Conflict",
      "codes: [409, 412]\nexamples:\n  - response: HTTP/1.1 409 Conflict\n"
      "  - response: HTTP/1.1 412 Precondition Failed")
def example_status(content: Content) -> Iterator[Diagnostic]:
    owners: list[Entry | Comparison] = [*(e for e in content.entries.values() if e.official),
                                        *content.comparisons.values()]
    for owner in owners:
        shown = {int(m.group(1)) for ex in owner.examples for m in STATUS_LINE.finditer(ex.response)}
        codes = owner.codes if isinstance(owner, Comparison) else [owner.code]
        for code in codes:
            if code not in shown:
                yield Diagnostic("C013", "error", owner.loc("examples"), f"no example response has status {code}",
                                 hint=f"start a response with a status line such as `HTTP/1.1 {code} ...`",
                                 field="examples", codes=tuple(codes))


LINK = re.compile(r"\]\((\.\./|\./)?(\d{3})/?\)")


@rule("C011", "dangling-link", "A Markdown link in prose points at a code page that does not exist.",
      "definition: See [the 499 page](../499/).", "definition: Compare with [409](../409/).")
def dangling_link(content: Content) -> Iterator[Diagnostic]:
    for cell in all_cells(content):
        if "](" not in cell.text:  # every LINK match starts with it
            continue
        for m in LINK.finditer(cell.text):
            if int(m.group(2)) not in content.entries:
                yield cell.diag("C011", f"{cell.field} links to code {m.group(2)}, which has no entry")


# ====================================================================== F: facts against reference data

@rule("F001", "registry-phrase", "An official code's name must be the IANA registry's current reason phrase; a "
      "registered code must be official and an unregistered one must not.",
      "code: 413\nname: Payload Too Large", "code: 413\nname: Content Too Large")
def registry_phrase(content: Content) -> Iterator[Diagnostic]:
    reg = registry()["registry"]
    for entry in content.entries.values():
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
        phrase = _registry_names()[entry.code]
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
      "code: 412\nspec: {document: RFC 9110, section: \"15.5.13\"}")
def spec_reference(content: Content) -> Iterator[Diagnostic]:
    reg = registry()["registry"]
    whole = set(registry()["cited_without_section"])
    for entry in content.entries.values():
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
      "code: 409\ncacheable: {default: true, note: ...}", "code: 409\ncacheable: {default: false, note: ...}")
def heuristic_cacheability(content: Content) -> Iterator[Diagnostic]:
    by_source = {int(code): source for source, codes in registry()["heuristically_cacheable_by"].items()
                 for code in codes}
    for entry in content.entries.values():
        source = by_source.get(entry.code)
        expected = source is not None
        if entry.cacheable.default != expected:
            why = f"{source} makes {entry.code} heuristically cacheable" if expected else \
                f"neither RFC 9110 section 15.1 nor {entry.code}'s defining document makes it heuristically cacheable"
            yield Diagnostic("F003", "error", entry.loc("cacheable.default"),
                             f"cacheable.default is {str(entry.cacheable.default).lower()}, but {why}",
                             field="cacheable.default", codes=(entry.code,))


def _python_live() -> dict[str, int]:
    import http

    return {name: int(member) for name, member in http.HTTPStatus.__members__.items()}


@rule("F004", "library-constant", "Every language constant must exist in that library's source and mean this "
      "code; a name deprecated in favour of another, removed in a covered release, or the older name of a newer "
      "one (e.g. REQUEST_ENTITY_TOO_LARGE for Python's CONTENT_TOO_LARGE) is a warning: give the current name, "
      "and the page shows the older one for the releases before it.",
      "code: 422\nconstants: {java: HttpURLConnection.HTTP_UNPROCESSABLE_ENTITY}",
      "code: 422\nconstants: {go: http.StatusUnprocessableEntity}")
def library_constant(content: Content) -> Iterator[Diagnostic]:
    tables = constant_tables()
    live = _python_live()
    for entry in content.entries.values():
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


CLAIMS_TABLE = os.path.join(os.path.dirname(__file__), "claims.json")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# A dated claim: a month and a year ("July 2026"), or a year after since/as of/in/from/until/before/after.
_DATED = re.compile(rf"\b(?:(?:{_MONTHS}) (?:19|20)\d\d|"
                    r"(?:[Ss]ince|[Aa]s of|[Ii]n|[Ff]rom|[Uu]ntil|[Bb]efore|[Aa]fter) "
                    r"(?:early |late |mid-)?(?:19|20)\d\d)\b")
# Not read for names: inline code (`curl -I` is a command, not a claim about curl) and link targets.
_UNCLAIMED = re.compile(r"`[^`]*`|\]\([^)]*\)")


@functools.cache
def _claim_names() -> tuple[re.Pattern[str], frozenset[bytes], tuple[bytes, ...]]:
    """The names as one pattern, and for the ASCII fast path what any match needs: the first run of letters of a
    name (lowercased, as PF.letter_runs reads a cell), or for a name whose first run is one letter (S3), the name."""
    with open(CLAIMS_TABLE, encoding="utf-8") as f:
        names = json.load(f)["names"]
    # A name written in lower case (nginx, curl) also starts sentences: "Nginx closes ...".
    names += [n[0].upper() + n[1:] for n in names if n[:1].islower()]
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    first = [PF.letter_runs(n.encode())[0] for n in names]
    runs = frozenset(r for r in first if len(r) > 1)
    short = tuple(n.encode() for n, r in zip(names, first, strict=True) if len(r) <= 1)
    return re.compile(rf"(?<![\w.-])(?:{alternatives})(?![\w-])"), runs, short


def _claimed_name(text: str) -> str | None:
    """The first listed name the text mentions. A match needs its name's first letter run among the text's (the
    pattern requires a non-word character on both sides), so most ASCII cells are settled by a set test."""
    names, runs, short = _claim_names()
    if text.isascii():
        raw = text.encode()
        if runs.isdisjoint(PF.letter_runs(raw)) and not any(n in raw for n in short):
            return None
    m = names.search(_UNCLAIMED.sub(" ", text))
    return m.group(0) if m else None


def _dated(text: str) -> str | None:
    if "19" not in text and "20" not in text:  # every dated claim has a year
        return None
    m = _DATED.search(_UNCLAIMED.sub(" ", text))
    return m.group(0) if m else None


def _source_owners(content: Content) -> Iterator[Entry | Comparison]:
    yield from content.entries.values()
    yield from content.comparisons.values()


@rule("F005", "unsourced-claim", "A prose cell that names a vendor, product, browser or library (the list is "
      "generator/checks/claims.json), or makes a dated claim (\"since July 2026\", \"as of 2024\"), must cite a "
      "source of the entry or comparison as [^id]; a citation must name a source the file lists, and source ids "
      "are unique in a file.",
      "client_behavior: nginx closes the connection after sending 444.",
      "client_behavior: nginx closes the connection without sending a response [^nginx-return].\n"
      "sources:\n  - id: nginx-return\n    title: nginx, ngx_http_rewrite_module, return\n"
      "    url: https://nginx.org/en/docs/http/ngx_http_rewrite_module.html#return")
def unsourced_claim(content: Content) -> Iterator[Diagnostic]:
    known: dict[int, set[str]] = {}
    for owner in _source_owners(content):
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
    for cell in all_cells(content):
        if cell.kind in ("summary", "question") or isinstance(cell.owner, Guide):
            continue  # plain-text fields, where a citation cannot render; a question's answer carries the source
        cited = MODEL_CITATION.findall(cell.text)
        ids = known.get(id(cell.owner), set())
        for missing in dict.fromkeys(c for c in cited if c not in ids):
            yield cell.diag("F005", f"{cell.field} cites [^{missing}], which is not among the file's sources")
        if cited:
            continue
        named = _claimed_name(cell.text)
        if named is not None:
            yield cell.diag("F005", f"{cell.field} makes a claim about {named} without citing a source", hint)
            continue
        dated = _dated(cell.text)
        if dated is not None:
            yield cell.diag("F005", f"{cell.field} makes a dated claim ({dated!r}) without citing a source "
                            "for the date", hint)


# ====================================================================== structure: Markdown in bounded time
@rule("S011", "prose-too-complex", "A Markdown text so long and dense in markup, so full of unclosed brackets or "
      "so deeply nested that rendering it would take too long (or exhaust Markdown's recursion). Until it is split "
      "or simplified it is shown as plain text.",
      "definition: \"![![![![![ ... (a thousand unclosed brackets)\"",
      "definition: The origin server has no current representation; see [410](../410/).")
def prose_too_complex(content: Content) -> Iterator[Diagnostic]:
    from statusdocs.diagnostics import Loc
    from statusdocs.pages.prose import too_complex

    hint = "split the text, or close or escape (\\[) the brackets it leaves open"
    for cell in all_cells(content):  # the location only for a finding: a large site has ~100,000 cells
        why = too_complex(cell.text)
        if why is not None:
            yield cell.diag("S011", f"{cell.field} cannot be rendered in bounded time: {why}", hint)
    others: list[tuple[str, Callable[[], Loc], str]] = []
    if content.guide is not None:
        guide = content.guide
        others.append((guide.intro, lambda: guide.loc("intro"), "intro"))
    for page in content.pages.values():
        others.append((page.body, functools.partial(Loc, page.source, page.body_line, 1), "body"))
    for klass, info in content.site.classes.items():
        field = f"classes.{klass}.description"
        others.append((info.description, functools.partial(content.site.loc, field), field))
    for text, loc, field in others:
        why = too_complex(text)
        if why is not None:
            yield Diagnostic("S011", "error", loc(), f"{field} cannot be rendered in bounded time: {why}", hint,
                             field=field)


from statusdocs.checks import markdown, meaning  # noqa: E402,F401 - importing registers their rules
