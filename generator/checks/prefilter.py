"""Words a regular expression cannot match without: a cheap test that lets the rules skip most cells.

Python's `re` scans a case-insensitive alternation at ~50 ns a character, and the rules run a dozen of them
over every cell. Most cells cannot match at all: MARKETING needs "book", "team", "contact" ... somewhere.
`keyword_sets` reads that off the pattern's parse tree, as a list of word sets: a match needs a word of
every set. Words are maximal runs of ASCII letters, lowercased (`letter_runs`), so the test is a set
intersection with the words of the cell.

The test only says "cannot match" for ASCII text: a non-ASCII character may match an ASCII letter under
IGNORECASE (the Kelvin sign is a K), so non-ASCII cells always run the real pattern. For ASCII text it is
exact by construction: every word in a set is a run of letters the pattern spells out, with a non-letter or
a word boundary (\\b) on both sides, so that run appears whole in the text of any match. What cannot be read
off the tree safely (lookarounds, back references, unknown constructs) is treated as "anything", which only
makes a set less useful, never wrong. tests/test_check_speed_equivalence.py checks this on real and random text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

try:
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

# Strings of possible matched text are spelled in three symbols: a lowercase letter, " " for any non-letter
# (digits, spaces, punctuation: they all end a run of letters), and "\x01" for a word boundary (zero-width).
_BOUND = "\x01"
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_ALL = frozenset(_LETTERS | {" "})
_LIMIT = 512  # at most this many spelled strings per node, beyond that: "unknown"
_ATS_BOUNDARY = {C.AT_BOUNDARY, getattr(C, "AT_UNI_BOUNDARY", C.AT_BOUNDARY),
                 getattr(C, "AT_LOC_BOUNDARY", C.AT_BOUNDARY)}

# Letter runs as the rules see a cell: ASCII bytes, letters lowercased, everything else a space.
LETTERS_ONLY = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 else 32 for c in range(256))


def letter_runs(ascii_text: bytes) -> list[bytes]:
    return ascii_text.translate(LETTERS_ONLY).split()


class _Info:
    """What a node can match: `exact`, every string it can match (spelled as above) or None if unknown;
    `needs`, word sets of which every match needs one word each; `first` and `last`, the symbols a match can
    start and end with ("" if it can be empty, "?" if unknown)."""

    __slots__ = ("exact", "needs", "first", "last")

    def __init__(self, exact: frozenset[str] | None, needs: tuple[frozenset[str], ...] = (),
                 first: frozenset[str] = frozenset("?"), last: frozenset[str] = frozenset("?")):
        self.exact = exact
        self.needs = needs
        if exact is not None:
            first = frozenset(s[:1] for s in exact)
            last = frozenset(s[-1:] for s in exact)
        self.first = first
        self.last = last


_UNKNOWN_SYM = frozenset(["?", ""])
_UNKNOWN = _Info(None, (), _UNKNOWN_SYM, _UNKNOWN_SYM)
_EMPTY = _Info(frozenset([""]))
_NO_CONTEXT = frozenset("?")


@functools.cache
def _char_class(code: int, ignore_case: bool) -> frozenset[str] | None:
    """The spelled symbols one character of the pattern can match in ASCII text, None if unknown."""
    ch = chr(code)
    if ch.isascii():
        return frozenset([ch.lower() if ch.lower() in _LETTERS else " "])
    flags = re.I if ignore_case else 0
    if not any(re.fullmatch(re.escape(ch), chr(a), flags) for a in range(128)):
        return frozenset()  # cannot match ASCII text at all
    return None


def _category(code: object) -> frozenset[str] | None:
    name = str(code).upper()
    if "NOT_WORD" in name:
        return frozenset(" ")  # \W: no letter
    if "NOT" in name:
        return _ALL  # \D, \S: a letter or not
    if "DIGIT" in name or "SPACE" in name or "LINEBREAK" in name:
        return frozenset(" ")
    if "WORD" in name:
        return _ALL
    return None


def _in(items: list, ignore_case: bool) -> frozenset[str] | None:
    out: set[str] = set()
    for op, av in items:
        if op is C.NEGATE:
            return _ALL
        if op is C.LITERAL:
            chars = _char_class(av, ignore_case)
        elif op is C.RANGE:
            lo, hi = av
            if hi - lo > 300:
                return None
            parts = [_char_class(c, ignore_case) for c in range(lo, hi + 1)]
            if any(p is None for p in parts):
                return None
            chars = frozenset().union(*parts)  # type: ignore[arg-type]
        elif op is C.CATEGORY:
            chars = _category(av)
        else:
            return None
        if chars is None:
            return None
        out |= chars
    return frozenset(out)


_SEEN: dict[tuple, _Info] = {}  # during one `keyword_sets`: nodes are looked at again with their neighbours


def _node(op: object, av: object, case: bool, left: frozenset[str] = _NO_CONTEXT,
          right: frozenset[str] = _NO_CONTEXT) -> _Info:
    """`left` and `right`: the symbols that can come just before and after this node's match."""
    key = (id(av), op, case, left, right)
    info = _SEEN.get(key)
    if info is None:
        info = _SEEN[key] = _node_info(op, av, case, left, right)
    return info


def _node_info(op: object, av: object, case: bool, left: frozenset[str], right: frozenset[str]) -> _Info:
    if op is C.LITERAL:
        chars = _char_class(av, case)  # type: ignore[arg-type]
        return _UNKNOWN if chars is None else _Info(chars)
    if op is C.NOT_LITERAL or op is C.ANY:
        return _Info(_ALL)
    if op is C.IN:
        chars = _in(av, case)  # type: ignore[arg-type]
        return _UNKNOWN if chars is None else _Info(chars)
    if op is C.AT:
        return _Info(frozenset([_BOUND])) if av in _ATS_BOUNDARY else _EMPTY
    if op is C.ASSERT or op is C.ASSERT_NOT:
        return _EMPTY  # consumes nothing; what it looks at is not used
    if op is C.BRANCH:
        return _branch([_seq(sub, case, left, right) for sub in av[1]], left, right)  # type: ignore[index]
    if op is C.SUBPATTERN:
        _group, add_flags, del_flags, sub = av  # type: ignore[misc]
        return _seq(sub, (case or bool(add_flags & re.I)) and not (del_flags & re.I), left, right)
    if op is getattr(C, "ATOMIC_GROUP", object()):
        return _seq(av, case, left, right)  # type: ignore[arg-type]
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", object())):
        lo, hi, sub = av  # type: ignore[misc]
        plain = _seq(sub, case)
        if lo == 0 and hi == 1 and plain.exact is not None:
            return _Info(plain.exact | {""})
        # A repetition is preceded by what precedes the whole, or by another repetition; likewise after.
        inner = _seq(sub, case, left | (plain.last - {""}), right | (plain.first - {""}))
        first, last = plain.first, plain.last
        if lo == 0:
            return _Info(None, (), first | {""}, last | {""})
        if lo == hi == 1:
            return inner
        needs = inner.needs
        if inner.exact is not None:
            needs += _flushed(inner.exact, left | (plain.last - {""}), right | (plain.first - {""}))
        return _Info(None, needs, first, last)
    return _UNKNOWN


def _branch(infos: list[_Info], left: frozenset[str], right: frozenset[str]) -> _Info:
    first = frozenset().union(*(i.first for i in infos))
    last = frozenset().union(*(i.last for i in infos))
    if all(i.exact is not None for i in infos):
        exact = frozenset().union(*(i.exact for i in infos))  # type: ignore[misc]
        if len(exact) <= _LIMIT:
            return _Info(exact)
    # A match takes one branch: it needs a word of the union of one word set chosen per branch.
    union: set[str] = set()
    for info in infos:
        if info.exact is not None and not info.exact:
            continue  # a branch that cannot match ASCII text
        options = list(info.needs)
        if info.exact is not None:
            options += _flushed(info.exact, left, right)
        if not options:
            return _Info(None, (), first, last)
        union |= _best(options)
    return _Info(None, (frozenset(union),), first, last)


def _around(symbols: frozenset[str], empty: frozenset[str]) -> frozenset[str]:
    """Symbols next to a node: its own, or, where it can be empty, those beyond it."""
    return (symbols - {""}) | (empty if "" in symbols else frozenset())


def _flushed(run: frozenset[str], before: frozenset[str], after: frozenset[str]) -> tuple[frozenset[str], ...]:
    """The word set of a run of exactly known items, read with the symbols around it."""
    if len(run) * len(before) * len(after) <= 4 * _LIMIT:
        run = frozenset(b + s + a for b in before for s in run for a in after)
    words = _words(run)
    return (words,) if words is not None else ()


def _seq(items: Iterable, case: bool, left: frozenset[str] = _NO_CONTEXT,
         right: frozenset[str] = _NO_CONTEXT) -> _Info:
    items = list(items)
    plain = [_node(op, av, case) for op, av in items]
    # afters[k]: the symbols that can follow item k
    afters: list[frozenset[str]] = [right] * len(items)
    for k in range(len(items) - 2, -1, -1):
        afters[k] = _around(plain[k + 1].first, afters[k + 1])
    run, before = frozenset([""]), left  # the current run of exactly known items, and what precedes it
    needs: list[frozenset[str]] = []
    exact = True
    for k, (op, av) in enumerate(items):
        info = plain[k]
        if info.exact is not None and len(run) * max(len(info.exact), 1) <= _LIMIT:
            needs.extend(info.needs)
            run = frozenset(a + b for a in run for b in info.exact)
            continue
        exact = False
        here = _around(_Info(run).last, before)  # what precedes item k
        needs.extend(_flushed(run, before, _around(info.first, afters[k])))
        if info.exact is None:  # look inside it again, now knowing its neighbours
            info = _node(op, av, case, here, afters[k])
            needs.extend(info.needs)
            run, before = frozenset([""]), _around(info.last, here)
        else:  # known, but too many strings with the run: a new run starts
            needs.extend(info.needs)
            run, before = info.exact, here
    if exact:
        return _Info(run, tuple(needs))
    needs.extend(_flushed(run, before, right))
    first: set[str] = set()
    for info in plain:
        first |= info.first - {""}
        if "" not in info.first:
            break
    else:
        first.add("")
    last: set[str] = set()
    for info in reversed(plain):
        last |= info.last - {""}
        if "" not in info.last:
            break
    else:
        last.add("")
    return _Info(None, tuple(needs), frozenset(first), frozenset(last))


def _whole_runs(spelled: str) -> list[str]:
    """Runs of letters with a non-letter or a word boundary on both sides inside the spelled string."""
    return [m.group(1) for m in re.finditer(r"(?<=[ \x01])([a-z]+)(?=[ \x01])", spelled)]


_COMMON = frozenset(["a", "an", "the", "is", "are", "was", "be", "to", "of", "and", "or", "in", "on", "for", "with",
                     "as", "by", "at", "it", "its", "this", "that", "from", "when", "if", "not", "no", "any", "can",
                     "may", "do", "does", "use", "used", "see", "per", "so", "than", "then", "one", "all", "only",
                     "client", "server", "http", "request", "response", "our", "your"])


def _words(spelled: frozenset[str]) -> frozenset[str] | None:
    """A set of whole words with one in every spelled string, None if a string has none. Greedy: the word in
    most strings first, uncommon and long words preferred."""
    runs = [set(_whole_runs(s)) for s in spelled]
    if any(not r for r in runs):
        return None
    out: set[str] = set()
    while runs:
        counts: dict[str, int] = {}
        for r in runs:
            for w in r:
                counts[w] = counts.get(w, 0) + 1
        word = max(counts, key=lambda w: (w not in _COMMON, counts[w], len(w), w))
        out.add(word)
        runs = [r for r in runs if word not in r]
    return frozenset(out)


def _best(options: list[frozenset[str]]) -> frozenset[str]:
    """The word set least likely to be met: fewest common words, then longest shortest word, then smallest."""
    return min(options, key=lambda s: (sum(w in _COMMON for w in s), -min((len(w) for w in s), default=99),
                                       len(s), sorted(s)))


def keyword_sets(pattern: re.Pattern[str]) -> tuple[frozenset[bytes], ...] | None:
    """Word sets (ASCII bytes) such that ASCII text the pattern matches somewhere contains, as whole runs of
    letters, a word of each set. An empty set: the pattern cannot match ASCII text. None: nothing known."""
    _SEEN.clear()
    try:
        tree = P.parse(pattern.pattern, pattern.flags)
        info = _seq(tree, bool(pattern.flags & re.I))
        needs = list(info.needs)
        if info.exact is not None:
            needs += _flushed(info.exact, _NO_CONTEXT, _NO_CONTEXT)
    except Exception:  # noqa: BLE001 - a parser change must cost speed, not correctness
        return None
    finally:
        _SEEN.clear()  # the tree, whose ids are the keys, is gone
    if not needs:
        return None
    unique = sorted(set(needs), key=lambda s: (len(s), sorted(s)))
    return tuple(frozenset(w.encode("ascii") for w in s) for s in unique)


def may_match(sets: tuple[frozenset[bytes], ...] | None, words: Iterable[bytes]) -> bool:
    """The test itself, for one text's letter runs (see `letter_runs`)."""
    if sets is None:
        return True
    present = set(words)
    return all(not s.isdisjoint(present) for s in sets)
