"""What each status code means, as data (`knowledge.yaml`), and the prose checks made against it.

Each fact there comes from the code's defining document, with the sentence it rests on. A fact lists concepts,
each a set of phrasings; it matches a sentence when every one of its concepts does. The checks ask of every
prose cell: does a sentence describe another code's defining situation (C004), contradict a normative statement
or repeat a rule the current document dropped (C015), or contradict the cell's own class (C016)? A match that is
negated, that names the other code, or that also describes the cell's own code is not a finding: such sentences
are contrasts, which good documentation is full of.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import yaml

from statusdocs.checks import text as T

KNOWLEDGE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "knowledge.yaml")

# Words that put a statement under a condition ("if the upload failed, ..."): the sentence then does not say
# what the code itself means.
CONDITIONAL = re.compile(r"\b(if|when|whenever|unless|whether|once|until|after|before|otherwise|instead of|"
                         r"rather than|unlike|not|than)\b", re.I)
# Words that deny what follows them ("nothing about it implies the request was wrong").
NEGATION = re.compile(r"\b(not|no|nothing|none|never|isn't|aren't|doesn't|don't|didn't|wasn't|cannot|can't|"
                      r"without|unlike|rather than|instead of|neither|nor)\b", re.I)
# Where a sentence splits into clauses that may each speak of a different code.
CLAUSE = re.compile(r";|\s(?:while|whereas|but|however)\s|,\s(?:and|so)\s", re.I)


# Phrasings are written in a small finite language: letters and punctuation, `(a|b)` alternatives and `?` after
# a letter or a group. Each expands to the finite set of texts it matches, which gives, without parsing any regular
# expression engine's internals, the words a text must hold for a phrasing to match it.
_PHRASING = re.compile(r"[a-z0-9 ,.:;/'*|()?_-]+")
MAX_EXPANSIONS = 20_000
# Letter runs as the checks see a cell: ASCII bytes, letters lowercased, everything else a space.
LETTERS_ONLY = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 else 32 for c in range(256))
# Words too common to tell a cell apart: a phrasing's keyword is one of its other words when it has one.
_COMMON = T.STOP | T.GENERIC | {"request", "requests", "response", "server", "client", "method", "header", "status",
                                "code", "the", "sent", "send", "sends"}


def expand(phrasing: str) -> list[str]:
    """Every text a phrasing matches (lowercase), in order; ValueError beyond MAX_EXPANSIONS or outside the
    language."""
    if not _PHRASING.fullmatch(phrasing):
        raise ValueError(f"phrasing outside the finite language: {phrasing!r}")
    out, pos = _expand_seq(phrasing, 0)
    if pos != len(phrasing):
        raise ValueError(f"unbalanced parenthesis in {phrasing!r}")
    return out


def _expand_seq(s: str, pos: int) -> tuple[list[str], int]:
    """The alternatives of a sequence starting at `pos`, up to a `)` or the end."""
    branches: list[str] = []
    current = [""]
    while pos < len(s) and s[pos] != ")":
        ch = s[pos]
        if ch == "|":
            branches += current
            current, pos = [""], pos + 1
            continue
        if ch == "(":
            options, pos = _expand_seq(s, pos + 1)
            if pos >= len(s) or s[pos] != ")":
                raise ValueError(f"unbalanced parenthesis in {s!r}")
            pos += 1
        else:
            options, pos = [ch], pos + 1
        if pos < len(s) and s[pos] == "?":
            options, pos = ["", *options], pos + 1
        current = [c + o for c in current for o in options]
        if len(current) > MAX_EXPANSIONS:
            raise ValueError(f"too many expansions: {s!r}")
    return branches + current, pos


def keyword(text: str) -> bytes:
    """The word of a matched text that tells most: the longest of its uncommon letter runs."""
    runs = text.encode().translate(LETTERS_ONLY).split()
    uncommon = [r for r in runs if len(r) > 2 and r.decode() not in _COMMON]
    return max(uncommon or runs, key=len) if runs else b""


@dataclass(frozen=True)
class Concept:
    """A named idea: `pattern` matches its phrasings; any text it matches holds a word of `words` whole.
    `lowered` is `pattern` without IGNORECASE, for an ASCII text lowercased (see `start`). Both are compiled when
    first used: a check after an edit looks at few cells, which the prefilter's words keep from most concepts, and
    most texts are ASCII, so most concepts never need `pattern`."""

    name: str
    source: str  # the regular expression both compile (ASCII; its phrasings are lowercase)
    words: frozenset[bytes]

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.source, re.I | re.A)

    @functools.cached_property
    def lowered(self) -> re.Pattern[str]:
        return re.compile(self.source, re.A)

    def start(self, text: str, low: str | None) -> int | None:
        """Where `pattern` first matches `text`, if it does. `low`: the text lowercased if it is ASCII, else None.
        A phrasing is lowercase, so on ASCII text `lowered` finds the same matches in `low`; the engine tries
        a case-sensitive pattern several times faster."""
        m = self.pattern.search(text) if low is None else self.lowered.search(low)
        return None if m is None else m.start()


def _top_items(phrasing: str) -> list[tuple[str, bool]]:
    """The top-level items of a phrasing that stand between spaces (or its ends), each with whether it is
    mandatory: `(a|b) x? (c|d)` -> [("(a|b)", True), ("(c|d)", True)] (x? is neither whole nor mandatory)."""
    items: list[tuple[str, bool]] = []
    depth, start = 0, 0
    for i, ch in enumerate(phrasing + " "):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return []  # alternatives at the top: no item stands in every match
        elif ch == " " and depth == 0:
            if i > start:
                item = phrasing[start:i]
                items.append((item, not item.endswith("?")))
            start = i + 1
    return items


def phrasing_words(phrasing: str) -> frozenset[bytes]:
    """Words of which any text the phrasing matches holds one whole: the keywords of one mandatory item's
    expansions (the item with the fewest), or of the whole phrasing's when no item stands alone."""
    def score(words: frozenset[bytes]) -> tuple[int, int]:  # common words first, then how many
        return sum(1 for w in words if len(w) <= 3 or w.decode() in _COMMON), len(words)

    best: frozenset[bytes] | None = None
    for item, mandatory in _top_items(phrasing):
        if not mandatory:
            continue
        words = frozenset(keyword(t) for t in expand(item))
        if b"" not in words and all(len(w) > 2 for w in words) and (best is None or score(words) < score(best)):
            best = words
    if best is None:
        best = frozenset(keyword(t) for t in expand(phrasing))
    return best


def check_phrasing(phrasing: str) -> None:
    """ValueError for a phrasing outside the finite language (without expanding it)."""
    depth = 0
    for ch in phrasing:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            break
    if depth != 0 or not _PHRASING.fullmatch(phrasing) or "()" in phrasing or phrasing.startswith("?"):
        raise ValueError(f"phrasing outside the finite language: {phrasing!r}")


def concept(name: str, phrasings: Sequence[str]) -> Concept:
    for p in phrasings:
        check_phrasing(p)
    # The phrasings are regular expressions as they stand, once `.` and `*` are taken literally. ASCII: under
    # IGNORECASE alone a non-ASCII letter may match an ASCII one (the Kelvin sign is a k), which the letter runs
    # of `present` would not see.
    # An apostrophe matches a typographic one too ("doesn’t"): real text uses both; letter runs split at either.
    body = "|".join(p.replace(".", r"\.").replace("*", r"\*").replace("'", "['\u2019]") for p in phrasings)
    source = r"(?<![\w-])(?:" + body + r")(?![\w-])"
    words = frozenset(w for p in phrasings for w in phrasing_words(p))
    if b"" in words:
        raise ValueError(f"concept {name}: a phrasing without a letter")
    return Concept(name, source, words)


@dataclass(frozen=True)
class Fact:
    """A trigger or a claim: what `code`'s defining document says (`says`, at `source`), and the concepts a
    sentence must all contain to describe it (a trigger) or to contradict it (a claim)."""

    code: int
    id: str
    concepts: tuple[Concept, ...]
    source: str
    says: str
    allowed: frozenset[int] = frozenset()   # codes whose own prose may describe this as their case too
    unless: re.Pattern[str] | None = None   # context in the sentence that makes it legitimate
    unless_concepts: tuple[Concept, ...] = ()

    def first_match(self, sentence: str, context: str | None = None) -> int | None:
        """Where the earliest match of the fact's concepts starts if all of them occur in `sentence`, else None.
        `unless` is looked for in `context`, the whole sentence a clause comes from."""
        first = None
        low = T.lowered(sentence)
        for concept in self.concepts:
            start = concept.start(sentence, low)
            if start is None:
                return None
            if first is None or start < first:
                first = start
        around = sentence if context is None else context
        if self.unless is not None and self.unless.search(around):
            return None
        if self.unless_concepts:
            low = T.lowered(around)
            if any(c.start(around, low) is not None for c in self.unless_concepts):
                return None
        return first


class Knowledge:
    """The facts, and an index from words to the concepts they may be part of."""

    def __init__(self, concepts: dict[str, Concept], triggers: dict[int, tuple[Fact, ...]],
                 claims: dict[int, tuple[Fact, ...]], class_claims: dict[int, tuple[Fact, ...]],
                 obsolete: dict[str, str], data: dict) -> None:
        self.concepts = concepts
        self.triggers = triggers
        self.claims = claims
        self.class_claims = class_claims
        self.obsolete = obsolete
        self.nonstandard = concepts["nonstandard"]
        self.former_names = {int(c): {str(n): str(d) for n, d in names.items()}
                             for c, names in data["former_names"].items()}
        self.history = T.Caseless(r"\b(?:" + "|".join(data["history"]) + r")")
        self.obsolete_titles = {str(t): str(d) for t, d in data["obsolete_titles"].items()}
        self.rfc9110_sections = frozenset(str(data["rfc9110_sections"]).split())
        self.any_code_claims = _facts(0, data["any_code_claims"], concepts)
        # What each class below 4xx is, for a sentence that calls one of its codes an error.
        self.not_an_error = {digit: Fact(digit * 100, f"{digit}xx-not-an-error", (), f"RFC 9110 section 15.{digit + 1}",
                                         says) for digit, says in data["class_definitions"].items()}
        self._bit = {name: 1 << i for i, name in enumerate(concepts)}
        self._word_bits: dict[bytes, int] = {}
        for c in concepts.values():
            for w in c.words:
                self._word_bits[w] = self._word_bits.get(w, 0) | self._bit[c.name]
        self._words = frozenset(self._word_bits)
        self._triggers_by_bits: dict[int, list[Fact]] = {}
        # The words of each fact's least common concept: a text with none of them can match no fact.
        self._gate = frozenset(w for f in self.every_fact() for w in min(f.concepts, key=_commonness).words)
        self._needs: dict[int, int] = {}
        for f in self.every_fact():
            need = 0
            for c in f.concepts:
                need |= self._bit[c.name]
            self._needs[id(f)] = need

    def compile_patterns(self) -> None:
        """Compile every concept's pattern now (each is otherwise compiled when first used): before the processes
        of a whole check fork, so that each does not compile them again."""
        for c in self.concepts.values():
            c.pattern  # noqa: B018 - the cached property compiles it

    def present(self, text: str) -> int:
        """The concepts a text may match, as bits: one whose words are all absent cannot match there. 0 when no
        fact can match (every fact needs a word of its least common concept)."""
        return self.present_in_runs(text.encode().translate(LETTERS_ONLY).split())

    def present_in_runs(self, runs: list[bytes]) -> int:
        """`present` of a text whose runs of letters (`T.letter_runs`) are already known: the prefilter's pass
        has them for every ASCII cell."""
        if self._gate.isdisjoint(runs):
            return 0
        bits = 0
        for w in self._words.intersection(runs):
            bits |= self._word_bits[w]
        return bits

    def possible(self, facts: Iterable[Fact], bits: int) -> list[Fact]:
        """The facts whose every concept may match where `present` found `bits`."""
        needs = self._needs
        return [f for f in facts if needs[id(f)] & bits == needs[id(f)]] if bits else []

    def possible_triggers(self, bits: int) -> list[Fact]:
        """`possible` over every trigger, remembered by `bits`: cells repeat the same few concept sets."""
        found = self._triggers_by_bits.get(bits)
        if found is None:
            found = self._triggers_by_bits[bits] = self.possible(self.all_triggers(), bits)
        return found

    def all_triggers(self) -> Iterator[Fact]:
        for facts in self.triggers.values():
            yield from facts

    def every_fact(self) -> Iterator[Fact]:
        yield from self.all_triggers()
        yield from self.any_code_claims
        for group in (self.claims, self.class_claims):
            for facts in group.values():
                yield from facts


def _commonness(concept: Concept) -> tuple[int, int]:
    """How often a concept's words may occur in any text: common words first, then how many words."""
    return sum(1 for w in concept.words if len(w) <= 3 or w.decode() in _COMMON), len(concept.words)


def _facts(code: int, items: Iterable[dict], concepts: dict[str, Concept]) -> tuple[Fact, ...]:
    out = []
    for item in items:
        unless = item.get("unless")
        out.append(Fact(code, str(item["id"]), tuple(concepts[c] for c in item["concepts"]), str(item["source"]),
                        str(item["says"]), frozenset(int(c) for c in item.get("allowed", ())),
                        re.compile("|".join(unless), re.I) if unless else None,
                        tuple(concepts[c] for c in item.get("unless_concepts", ()))))
    return tuple(out)


@functools.cache
def knowledge() -> Knowledge:
    with open(KNOWLEDGE_FILE, encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
    concepts = {name: concept(name, phrasings) for name, phrasings in data["concepts"].items()}
    codes = data["codes"]
    return Knowledge(
        concepts,
        triggers={int(c): _facts(int(c), v.get("triggers") or (), concepts) for c, v in codes.items()},
        claims={int(c): _facts(int(c), v.get("claims") or (), concepts) for c, v in codes.items()},
        class_claims={int(d): _facts(int(d) * 100, v, concepts) for d, v in data["class_claims"].items()},
        obsolete={str(k): str(v) for k, v in data["obsolete"].items()},
        data=data,
    )


_CLAUSE_END = re.compile(r"[,;:(]|\s(?:but|and|so|which|that)\s")


def negated(sentence: str, start: int, window: int) -> bool:
    """Whether a negation comes shortly before `start`, in the same clause."""
    lo = max(0, start - window)
    for m in _CLAUSE_END.finditer(sentence, lo, start):
        lo = m.end()
    return NEGATION.search(sentence, lo, start) is not None


def clauses(sentence: str) -> list[str]:
    return [c for c in CLAUSE.split(sentence) if c.strip()]


def mentions(sentence: str, code: int, names: Sequence[str]) -> bool:
    """Whether the sentence names `code`: its number, or one of its names."""
    if code in T.codes_in(sentence):
        return True
    # As written, capitals and all: "Too Many Requests" names 429, "too many requests" describes its case.
    return any(len(n) > 3 and n in sentence for n in names)


def describes(sentence: str, fact: Fact, context: str | None = None) -> bool:
    """Whether the fact matches the sentence, and the sentence does not negate it."""
    start = fact.first_match(sentence, context)
    return start is not None and not negated(sentence, start, 20)


TRIGGER_CONTRAST = T.Caseless(r"\b(?:instead|rather than|unlike|as opposed to)\b")


def other_trigger(sentence: str, own: int, names_of: Callable[[int], Sequence[str]], bits: int,
                  context: str | None = None) -> Fact | None:
    """The first trigger of another code that `sentence` (a clause of `context`) describes as `own`'s case, if
    any. `bits`: what `Knowledge.present` found in the text holding it."""
    k = knowledge()
    around = context or sentence
    if TRIGGER_CONTRAST.search(around, T.lowered(around)):
        return None  # "use X instead", "unlike X": the sentence sets another code's case apart
    if any(describes(sentence, f, context) for f in k.possible(k.triggers.get(own, ()), bits)):
        return None  # it describes its own code's case too: a contrast, or a situation both share
    for fact in k.possible_triggers(bits):
        if fact.code == own or own in fact.allowed:
            continue
        if describes(sentence, fact, context) and not mentions(sentence, fact.code, names_of(fact.code)):
            return fact
    return None


def contradicted_claim(sentence: str, own: int, bits: int, context: str | None = None) -> Fact | None:
    k = knowledge()
    for fact in k.possible((*k.claims.get(own, ()), *k.any_code_claims), bits):
        if own not in fact.allowed and describes(sentence, fact, context):
            return fact
    return None


def class_contradiction(sentence: str, own: int, bits: int) -> Fact | None:
    """A claim about `own` that contradicts its class; only sentences that state what the code means count
    (not conditions, nor contrasts with other codes)."""
    k = knowledge()
    if own < 400:
        m = re.search(rf"\b{own}\s+(?:status\s+)?(?:errors?|error codes?)\b", sentence, re.I)
        if m is not None and not negated(sentence, m.start(), 30):
            return knowledge().not_an_error[own // 100]
    for fact in k.possible(k.class_claims.get(own // 100, ()), bits):
        if own in fact.allowed:
            continue
        start = fact.first_match(sentence)
        if start is None or negated(sentence, start, 40):
            continue
        if CONDITIONAL.search(sentence[:start]):
            continue
        return fact
    return None


# Text a sentence quotes (what a server prints, a label a tool shows): "...", `...`, *...*.
QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|`[^`]*`|\*[^*]*\*")


OBSOLETE_DOC = re.compile(r"\bRFC\s?(2068|2616|2617|723[0-58]|7538)\b", re.I)
SECTION = re.compile(r"(?:\bsections?|\bsec\.|§)\s?(\d{1,2}(?:\.\d{1,2})+)", re.I)
ANY_DOC = re.compile(r"\bRFC\s?\d{3,5}\b|\bdraft-|\binternet-draft\b", re.I)


def historical(sentence: str) -> bool:
    """Whether a sentence tells history, where former documents and names belong: it says so, or quotes a
    former name."""
    k = knowledge()
    if k.history.search(sentence, T.lowered(sentence)):
        return True
    quoted = " ".join(QUOTED.findall(sentence)).lower()
    return bool(quoted) and any(n.lower() in quoted for names in k.former_names.values() for n in names)


_CELL_HISTORY = re.compile(r"\b(?:deprecated|formerly|renamed|obsolete[ds]?|superseded|old name|former name)\b", re.I)


def cell_tells_history(text: str) -> bool:
    """Whether a whole cell is about history: one of its sentences says outright that something was replaced."""
    return _CELL_HISTORY.search(text) is not None


def outdated_reference(sentence: str) -> str | None:
    """What a sentence cites as current that is obsolete: "RFC 7231" (by number or title), or "section 14.33",
    a pointer that is no section of RFC 9110 in a sentence naming no document. None in a sentence of history."""
    k = knowledge()
    if historical(sentence):
        return None
    m = OBSOLETE_DOC.search(sentence)
    if m is not None:
        doc = "RFC " + m.group(1)
        return f"{doc}, which {k.obsolete.get(doc, 'RFC 9110')} obsoletes"
    low = sentence.lower()
    for title, doc in k.obsolete_titles.items():
        if title in low:
            return f"{doc} (\"{title}\"), which {k.obsolete.get(doc, 'RFC 9110')} obsoletes"
    if not ANY_DOC.search(sentence):
        for sm in SECTION.finditer(sentence):
            if sm.group(1) not in k.rfc9110_sections:
                return f"section {sm.group(1)}, which is no section of RFC 9110 (an older document's numbering)"
    return None


def former_name(sentence: str, code: int) -> tuple[str, str] | None:
    """A former name of `code` that the sentence uses outside history, quotation and questions: (the name, the
    document that gave it)."""
    names = knowledge().former_names.get(code)
    if not names or historical(sentence) or sentence.rstrip().endswith("?"):
        return None
    low = QUOTED.sub(" ", sentence).lower()
    for name, doc in names.items():
        i = low.find(name.lower())
        if i >= 0 and not low[i + len(name):i + len(name) + 1].isalnum():
            return name, doc
    return None


# "307 Temporarily Moved": a code followed by a name in title case.
_NAMED_CODE = re.compile(r"\b([1-5]\d\d)[ \t]*(?:-|–|:|=)?[ \t]*((?:[A-Z][A-Za-z'’-]*|I'm)"
                         r"(?:[ -](?:[A-Z][A-Za-z'’-]*|[Nn]ot|[Tt]oo|[Oo]f|[Oo]n|[Aa]n?)){1,4})")
_STARTERS = frozenset(["The", "A", "An", "This", "That", "It", "In", "On", "For", "With", "And", "Or", "But", "If",
                       "When", "Its", "Their", "Our"])


@functools.cache
def _former_lower() -> re.Pattern[str]:
    """Any former name, lowercased, as one pattern: found where one of them is a substring of a lowercased text."""
    names = sorted({n.lower() for names in knowledge().former_names.values() for n in names})
    return re.compile("|".join(map(re.escape, names)) if names else "(?!)")


# A cheap test for _NAMED_CODE: it starts with a character class, which the regular expression engine scans fast.
_CODE_THEN_CAPITAL = re.compile(r"[1-5]\d\d[ \t]*[-–:=]?[ \t]*[A-Z]")


def may_misname(text: str) -> bool:
    """Whether a text may call a code by another name: it holds a former name, or a code followed by a name."""
    if _CODE_THEN_CAPITAL.search(text):
        return True
    return _former_lower().search(text.lower()) is not None


def other_name(sentence: str, code: int, phrase: str) -> str | None:
    """A name written right after `code` in title case (two words or more) that is neither its phrase nor a former
    one: "307 Temporarily Moved"."""
    for m in _NAMED_CODE.finditer(QUOTED.sub(" ", sentence)):
        if int(m.group(1)) != code:
            continue
        written = m.group(2)
        words = written.split()
        if words[0] in _STARTERS:
            continue
        known = [phrase, *knowledge().former_names.get(code, {})]
        if any(written.lower().startswith(n.lower()) or n.lower().startswith(written.lower()) for n in known):
            continue
        if sum(w[:1].isupper() for w in words) >= 2:
            return written
    return None


@functools.cache
def registry_phrases() -> dict[int, str]:
    """Each registered code's current phrase (the IANA registry's Description, without a marker in parentheses)."""
    from statusdocs.reference import registry

    return {int(c): str(v["phrase"]).split(" (")[0] for c, v in registry()["registry"].items()
            if v.get("registration") not in ("unused", "obsoleted")}


def called_nonstandard(sentence: str) -> re.Match[str] | None:
    m = knowledge().nonstandard.pattern.search(sentence)
    if m is None or negated(sentence, m.start(), 20):
        return None
    return m
