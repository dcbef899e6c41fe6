"""The optional prefilter: one pass over the cells that tells the rules which cells they can skip.

A large site has a great many cells, and most cannot match most rules: MARKETING needs "book", "team", "contact" ...
somewhere. One pass reads each ASCII cell's runs of letters at C speed (bytes.translate, split, set operations)
and derives, per cell, cheap tests that are *necessary* for a rule to fire:

- for each `Keyed` pattern a rule declares, whether the cell has a word of each of its word sets (`may`);
- a few facts about the cell (`unless`): it surely has enough words (V008), surely says something once its code
  and names are masked (V001), cannot be a placeholder (V003), names no section (C003);
- V005's sentences, keyed by their runs of letters without the maskable ones; V009's row tokens;
- if a rule asks for them (`concepts`), the knowledge concepts each cell may hold (knowledge.Knowledge.present),
  from the same runs of letters.

The rules then run their exact code on the cells that pass. Non-ASCII cells always take the exact path (a
non-ASCII character may match an ASCII letter under IGNORECASE: the Kelvin sign is a K). Without the prefilter
(`check_content(..., prefilter=False)`) every rule reads every cell and gives the same findings:
tests/test_check_speed_equivalence.py compares them, and checks every declared word set.
"""

from __future__ import annotations

import functools
import hashlib
import re
import struct
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import reduce
from itertools import filterfalse, islice
from operator import or_

from statusdocs.checks import text as T
from statusdocs.checks.cells import MIN_WORDS, Cell, masked_sentence, names_of, registry_names
from statusdocs.content.model import Content

LETTERS_ONLY, letter_runs = T.LETTERS_ONLY, T.letter_runs


def may_match(needs: Sequence[frozenset[str]], runs: Iterable[bytes]) -> bool:
    """The word test itself, for one text's letter runs (see `letter_runs`)."""
    present = {r.decode("ascii") for r in runs}
    return all(not s.isdisjoint(present) for s in needs)


# ASCII bytes -> the rules' tokens: letters lowercased, ' and - kept (they join tokens), everything else,
# digits included, a space. The chunks of a cell are then exactly its `T.tokens` that are not numbers, before
# `.strip("'-")`: a token is a letter followed by letters, ' and -, and a number is a token of its own.
_TOKEN_BYTES = bytes(c + 32 if 65 <= c <= 90 else c if (97 <= c <= 122 or c in b"'-") else 32 for c in range(256))
_SINGLE_LETTERS = frozenset(bytes([c]) for c in range(97, 123))
# T.SENTENCE and the whitespace str.strip removes, for ASCII bytes: \s of a str pattern also matches \x1c-\x1f.
SPACE_BYTES = bytes(c for c in range(128) if chr(c).isspace())
_SPACE = b"[" + re.escape(SPACE_BYTES) + b"]"
# Where SENTENCE could split a cell of one line: [.!?;] and then whitespace (as \s sees it, for ASCII).
SPLIT_AT = re.compile(rb"[.!?;]" + _SPACE)
# Written, like T.SENTENCE, to start with whitespace (the test on the character before it follows), so that the
# engine skips to whitespace instead of trying every position.
SENTENCE_BYTES = re.compile(_SPACE + rb"(?<=[.!?;]" + _SPACE + rb")" + _SPACE + rb"*(?=[A-Z0-9`*\"(])|\n" + _SPACE
                            + rb"*\n|\n" + _SPACE + rb"*[-*]" + _SPACE + rb"+")
# Its first branch alone, for a text whose line breaks are all in its trailing whitespace (the other two need a
# line break and more after it): started at the punctuation, which the engine finds faster than whitespace,
# and which goes to a group of its own (see sentence_pieces).
SENTENCE_ONE_LINE = re.compile(rb"([.!?;])" + _SPACE + rb"+(?=[A-Z0-9`*\"(])")


def sentence_pieces(raw: bytes, lines: bool) -> list[bytes]:
    """T.sentences of an ASCII text as bytes, not stripped, some without the punctuation that ends them: V005
    reads only their runs of letters. `lines`: a line break comes before the trailing whitespace."""
    if lines:
        return [part for part in SENTENCE_BYTES.split(raw) if part.strip(SPACE_BYTES)]
    parts = SENTENCE_ONE_LINE.split(raw)  # a sentence, the punctuation that ends it, the next sentence...
    pieces = parts[:-1:2]  # each ends with punctuation where it was split: none is blank
    if parts[-1].strip(SPACE_BYTES):
        pieces.append(parts[-1])
    return pieces


def _bytes_of(words: Iterable[str]) -> frozenset[bytes]:
    return frozenset(w.encode("ascii") for w in words if w.isascii())


class Universe:
    """Every phrase masking can remove from any cell of this content: code numbers, entry and registry names,
    class words, "HTTP". `letters` are their runs of letters. A run of letters in an ASCII text is either
    inside a masked span or outside all of them (a span starts and ends next to a non-word character, and
    letters are word characters), and a run inside a span is a run of the masked phrase; so once the runs in
    `letters` are dropped, the runs of a text and of its masked text are the same, if text and phrases are
    ASCII (`ascii`)."""

    def __init__(self, content: Content):
        phrases = {n for c in content.entries for n in names_of(content, c)}
        phrases |= set(registry_names().values()) | {w for ws in T.CLASS_WORDS.values() for w in ws} | {"HTTP"}
        self.ascii = all(p.isascii() for p in phrases)
        self.letters = frozenset(r for p in phrases if p.isascii() for r in letter_runs(p.encode()))
        # Tokens that are content words wherever they appear, and never masked (V001).
        self.not_content = _bytes_of(T.STOP | T.GENERIC | T.CARRIER) | self.letters | _SINGLE_LETTERS

    def runs_key(self, runs: list[bytes]) -> bytes:
        """A value equal for two ASCII texts whose masked token strings are equal: their runs of letters
        without the masked ones (see above), digested (`runs_digest`)."""
        return runs_digest(runs, self.letters)


def runs_digest(runs: list[bytes], masked: frozenset[bytes]) -> bytes:
    """V005's group key of a sentence from its runs of letters, less those in `masked`: a digest, the same in
    every process and every run (a build keeps each file's records for the next), equal for equal runs. Runs hold
    no space, so joining them with one is one-to-one."""
    kept = runs if masked.isdisjoint(runs) else list(filterfalse(masked.__contains__, runs))  # mostly none masked
    return hashlib.blake2b(b" ".join(kept), digest_size=8).digest()


# V005's records of one file: per sentence that may repeat, its group key, the index of its cell among the file's
# cells and its index among `T.sentences` of the cell's text, packed (see `pack_records`).
RECORD = struct.Struct("<8sII")


def pack_records(records: Iterable[tuple[bytes, int, int]]) -> bytes:
    return b"".join(RECORD.pack(*r) for r in records)


def unpack_records(packed: bytes) -> Iterator[tuple[bytes, int, int]]:
    return RECORD.iter_unpack(packed)


# Facts of `Index.unless`, bits of a cell's flags above those of the word sets (which take the low bits).
FACTS = {
    "informative": 1 << 60,     # surely 2+ distinct content words once masked: V001 cannot fire
    "enough_words": 1 << 61,    # surely MIN_WORDS tokens: V008 cannot fire
    "no_placeholder": 1 << 62,  # PLACEHOLDER cannot match
    "no_section": 1 << 63,      # SECTION_REF cannot match
}
_INFORMATIVE, _ENOUGH_WORDS, _NO_PLACEHOLDER, _NO_SECTION = FACTS.values()
_NO_HITS: frozenset[bytes] = frozenset()  # a cell with no keyword


class Words:
    """The declared word sets of the patterns in use, as bits: each word the bits of the sets it is in, each
    pattern the bits of all its sets. Patterns without sets get no bits: always tried."""

    def __init__(self, patterns: Iterable[T.Keyed]):
        self.word_bits: dict[bytes, int] = {b"lorem": 0}  # in the words looked up, for PLACEHOLDER (see `scan`)
        self.pattern_bits: dict[str, int] = {}
        bit = 1
        for p in patterns:
            if p.name in self.pattern_bits:
                continue
            need = 0
            for words in p.needs:
                for w in _bytes_of(words):
                    self.word_bits[w] = self.word_bits.get(w, 0) | bit
                need |= bit
                bit <<= 1
            self.pattern_bits[p.name] = need
        assert bit < 1 << 60, "more word sets than bits below the facts"


@functools.lru_cache(maxsize=16)
def _words(patterns: tuple[T.Keyed, ...]) -> Words:
    """`Words` of these patterns, made once per process: every share of a check indexes with the same."""
    return Words(patterns)


@dataclass
class Index:
    cells: list[Cell]
    words: Words
    universe: Universe
    flags: list[int]         # per cell: the word sets met and the facts (-1 for non-ASCII text: exact paths)
    sentences: list[tuple[bytes, int, int]]  # V005: (group key, cell index, sentence index), see RECORD
    # V009: per row cell in order, its tokens less numbers, if easily known: the letters of the text with
    # everything else a space (its runs of letters), one bytes object, cheap to send between processes.
    row_tokens: list[bytes | None]
    # Per cell, Knowledge.present of its text, if asked for (else None): meaning.cell_bits.
    concepts: list[int] | None = None
    _groups: dict[int, list[int]] | None = field(default=None, repr=False)  # flags -> cell indices

    def may(self, *patterns: T.Keyed) -> list[int]:
        """Indices of the cells in which one of the patterns can match."""
        needs = [self.words.pattern_bits[p.name] for p in patterns]
        return self._where(lambda f: any(f & need == need for need in needs))

    def may_at(self, i: int, pattern: T.Keyed) -> bool:
        need = self.words.pattern_bits[pattern.name]
        return self.flags[i] & need == need

    def unless(self, fact: str) -> list[int]:
        """Indices of the cells of which the fact is not known."""
        bit = FACTS[fact]
        return self._where(lambda f: not f & bit or f == -1)

    def _where(self, test: Callable[[int], bool]) -> list[int]:
        # Cells share a few dozen distinct flags among tens of thousands: test each distinct value once.
        if self._groups is None:
            self._groups = {}
            for i, f in enumerate(self.flags):
                self._groups.setdefault(f, []).append(i)
        return sorted(i for f, cells in self._groups.items() if test(f) for i in cells)


def build_index(content: Content, cells: list[Cell], patterns: Iterable[T.Keyed], jobs: int = 1,
                concepts: bool = False, universe: Universe | None = None) -> Index:
    """The pass over the cells, in `jobs` processes if more than one (each taking chunks of the cells; forked
    workers send back their flags and sentences). `concepts`: also each cell's knowledge concepts. `universe`:
    the content's, if already made."""
    # What every process's share needs, made before a fork.
    words, universe = _words(tuple(patterns)), universe if universe is not None else Universe(content)
    if concepts:
        from statusdocs.checks.knowledge import knowledge

        present: Callable[[list[bytes]], int] = knowledge().present_in_runs
    else:
        present = _nothing_present
    if jobs <= 1:
        scanned = _scan_cells(content, cells, range(len(cells)), words, universe, present)
        return Index(cells, words, universe, *scanned[:3], scanned[3] if concepts else None)
    from statusdocs.build.workers import run_chunks

    step = max(1, -(-len(cells) // (4 * jobs)))  # a few chunks per process: whoever is done first takes more
    chunks = [range(i, min(i + step, len(cells))) for i in range(0, len(cells), step)]
    flags: list[int] = []
    sentences: list[tuple] = []
    row_tokens: list[bytes | None] = []
    bits: list[int] = []
    for part_flags, part_sentences, part_rows, part_bits in run_chunks(
            lambda r: _scan_cells(content, cells, r, words, universe, present), chunks, jobs - 1):
        flags += part_flags
        sentences += part_sentences
        row_tokens += part_rows
        bits += part_bits
    return Index(cells, words, universe, flags, sentences, row_tokens, bits if concepts else None)


def _nothing_present(runs: list[bytes]) -> int:
    return 0


def exact_sentences(content: Content, cell: Cell, i: int, universe: Universe) -> list[tuple[bytes, int, int]]:
    """V005's records of cell `i` computed from its text, as the rule reads them without the prefilter."""
    return [(universe.runs_key(letter_runs(masked_sentence(content, sentence, cell.codes).encode())), i, si)
            for si, sentence in enumerate(T.sentences(cell.text))]


def sentence_records(content: Content, cells: Sequence[Cell], universe: Universe, exact: bool = False) -> bytes:
    """V005's records of one file's cells (`RECORD`), as the scan makes them (`exact`: from each sentence's masked
    text, as the rule does without the prefilter; the same records)."""
    records: list[tuple[bytes, int, int]] = []
    for i, cell in enumerate(cells):
        if cell.kind == "question":
            continue
        text = cell.text
        if exact or not text.isascii():
            records += exact_sentences(content, cell, i, universe)
        else:
            raw = text.encode()
            records += _sentence_records(content, cell, i, raw, letter_runs(raw), universe)
    return pack_records(records)


def _scan_cells(content: Content, cells: list[Cell], indices: range, words_in_use: Words, uni: Universe,
                present: Callable[[list[bytes]], int]
                ) -> tuple[list[int], list[tuple[bytes, int, int]], list[bytes | None], list[int]]:
    """The pass over the cells at `indices`: per cell its flags, its V005 sentences, its V009 tokens and
    `present` of its runs of letters."""
    word_bits = words_in_use.word_bits
    words, is_word = frozenset(word_bits), word_bits.__getitem__
    not_content, min_words = uni.not_content.__contains__, MIN_WORDS.get
    flags: list[int] = []
    sentences: list[tuple[bytes, int, int]] = []
    row_tokens: list[bytes | None] = []
    concepts: list[int] = []
    for i in indices:
        cell = cells[i]
        text, kind = cell.text, cell.kind
        if not text.isascii():
            concepts.append(present(letter_runs(text.encode())))  # UTF-8: its non-ASCII bytes are no letters
            flags.append(-1)
            if kind == "row":
                row_tokens.append(None)
            if kind != "question":
                sentences += exact_sentences(content, cell, i, uni)
            continue
        raw = text.encode()
        letters = raw.translate(LETTERS_ONLY)
        runs = letters.split()
        concepts.append(present(runs))
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
            flags.append(f | _INFORMATIVE)
            continue
        if kind == "row":  # without ' or -, the tokens less numbers are the runs of letters
            row_tokens.append(None if joints else letters)
        # A run outside `not_content` makes its token a content word that masking leaves in place; a token
        # holds at most its joints + 1 runs, so the distinct such tokens are at least the distinct such runs
        # less the joints. (The first such runs are distinct in most cells: the set of all only if they are not.)
        if n - joints >= 2 and (len(set(islice(filterfalse(not_content, runs), joints + 2))) == joints + 2
                                or len(set(filterfalse(not_content, runs))) >= joints + 2):
            f |= _INFORMATIVE
        flags.append(f)
        sentences += _sentence_records(content, cell, i, raw, runs, uni)
    return flags, sentences, row_tokens, concepts


def _sentence_records(content: Content, cell: Cell, i: int, raw: bytes, runs: list[bytes],
                      uni: Universe) -> list[tuple[bytes, int, int]]:
    """V005's sentences of an ASCII cell, keyed by their runs of letters without the maskable ones, which
    masking keeps. One sentence, the stripped text, unless SENTENCE can split it: at a newline (not one in
    trailing whitespace: a split there only leaves whitespace, which `sentences` drops), or after [.!?;] and
    whitespace followed by more text."""
    masked_letters = uni.letters
    body = raw.rstrip()
    if b"\n" not in body and not SPLIT_AT.search(body):
        if not body or len(runs) < 6:  # a masked key has at most as many tokens as the text has runs of letters
            return []
        if uni.ascii:
            return [(runs_digest(runs, masked_letters), i, 0)]
        key = masked_sentence(content, cell.text.strip(), cell.codes)
        return [(uni.runs_key(letter_runs(key.encode())), i, 0)]
    if not uni.ascii:
        return exact_sentences(content, cell, i, uni)
    out = []
    for si, part in enumerate(sentence_pieces(raw, b"\n" in body)):  # the rule finds a sentence's text again
        sentence_runs = part.translate(LETTERS_ONLY).split()
        if len(sentence_runs) >= 6:
            out.append((runs_digest(sentence_runs, masked_letters), i, si))
    return out


def surely_different(left: str, right: str, masked_letters: frozenset[bytes], sl: set[bytes] | None = None,
                     sr: set[bytes] | None = None) -> bool:
    """True when V009's overlap of the masked token sets is surely below 0.8. For ASCII text without ' the
    masked tokens L are the text's tokens S_L minus some (masking never cuts a token there), and tokens made
    of letters outside `masked_letters` (R_L) are never removed. With x = |R_L - S_R| and y = |R_R - S_L|,
    tokens in one set only, |L & R| / |L | R| <= m / (m + x + y) with m = min(|S_L|, |S_R|). `sl` and `sr`:
    S_L and S_R if known (see `Index.row_tokens`)."""
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
