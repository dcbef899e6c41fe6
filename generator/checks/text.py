"""Text measures the vague/contradiction rules share: tokens, masking, content words, sentences."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d+")
# A sentence ends at [.!?;] followed by whitespace and a capital, digit or opening mark, or at a blank line or a
# list item. Every match starts with whitespace, and the pattern says so first (the test on the character before
# follows it): the engine then skips to whitespace instead of trying each position, with the same matches as
# (?<=[.!?;])\s+(?=[A-Z0-9`*"(])|\n\s*\n|\n\s*[-*]\s+ (tests/test_check_speed_equivalence.py compares them).
SENTENCE = re.compile(r"\s(?<=[.!?;]\s)\s*(?=[A-Z0-9`*\"(])|\n\s*\n|\n\s*[-*]\s+")

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP = _words("""
a an the is are was were be been being to of and or in on for with as by at it its this that these those from
when if than then so such can may might should would could will must do does did not no nor but also just only
very more most less any some all each every both either neither which who whom whose what how why where there
here into onto about over under again further once own same other another too up down out off own we you they
he she them their our your his her i me my us yes e.g i.e etc via per while whether has have had having same
""")

# Words that carry no information about a particular status code: the vocabulary of filler.
GENERIC = _words("""
http https status code codes response responses request requests server servers client clients error errors
indicates indicate indicated indicating means mean meaning signals signal signalled signaled communicates
communicate communicating describes describe described returned return returns returning outcome outcomes
result results semantics semantic protocol accurate correct correctly right appropriate appropriately proper
properly behavior behaviour behaviors behaviours handles handle handled handling according accordingly expect
expects expected interpret interprets interpreted class classes category family type kind used use uses using
processed process processes processing next should client-errors client-error server-errors server-error
informational success successful redirection level general generic situation situations case cases applies
apply applicable relevant api apis backend frontend branching branch consumers consumer crawlers crawler
search engines engine indexation indexing link equity seo impact impacts standard standards spec specification
rfc treat treats treated reason reasons context contexts way ways manner thing things something various occur
occurs occurred happen happens happened seen see sees encountered encounter appear appears production
typically usually generally commonly often sometimes common frequent frequently issue issues problem problems
matter matters important importantly depends depending based basis given certain particular respective
respectively relevant accordingly meaningful meaning signals answer answers answered message messages
""")

# Words of a sentence that says only that a code is used, sent or carried (V001): "acts like HttpResponse but uses
# a 400 status code", "an error code used in communication between a web browser and a server".
CARRIER = _words("""
act acts acting like sent send sends sending web browser browsers communication communications hypertext transfer
known between
""")

CLASS_WORDS = {
    1: ("informational", "1xx"), 2: ("successful", "success", "2xx"), 3: ("redirection", "redirect", "3xx"),
    4: ("client error", "client-error", "client errors", "client-errors", "4xx"),
    5: ("server error", "server-error", "server errors", "server-errors", "5xx"),
}

NEGATION = re.compile(r"\b(not|no|never|isn't|aren't|doesn't|don't|didn't|wasn't|cannot|can't|without|unlike|"
                      r"rather than|instead of|neither|nor)\b", re.I)


# Letter runs as the rules' fast paths see a text: ASCII bytes, letters lowercased, everything else a space.
LETTERS_ONLY = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 else 32 for c in range(256))


def letter_runs(ascii_text: bytes) -> list[bytes]:
    return ascii_text.translate(LETTERS_ONLY).split()


def tokens(text: str) -> list[str]:
    return [t.lower().strip("'-") for t in WORD.findall(text)]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.split(text) if s and s.strip()]


@functools.lru_cache(maxsize=4096)
def _phrase_re(phrases: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, phrases)) + r")(?![\w-])", re.I)


def mask(text: str, phrases: list[str], fast: bool = True) -> str:
    """Remove the given phrases (code names, numbers) case-insensitively, longest first. `fast`: ASCII text and
    phrases take `_mask_ascii` (off: always the regex, which tests/test_check_speed_equivalence.py compares)."""
    ordered = tuple(sorted({p for p in phrases if p}, key=lambda p: (-len(p), p)))
    if not ordered:
        return text
    if fast and text.isascii() and all(p.isascii() for p in ordered):
        return _mask_ascii(text, ordered)
    return _phrase_re(ordered).sub(" ", text)


def mask_exact(text: str, words: list[str]) -> str:
    """Remove the given words where written exactly so (case-sensitive), as whole words."""
    if not words:
        return text
    return re.sub(r"(?<![\w-])(?:" + "|".join(map(re.escape, words)) + r")(?![\w-])", " ", text)


_WORDISH = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def _mask_ascii(text: str, phrases: tuple[str, ...]) -> str:
    """`_phrase_re(phrases).sub(" ", text)` without compiling a pattern per set of phrases (each sentence has
    its own set, so a cache of compiled patterns rarely hits). For ASCII text and phrases, IGNORECASE is
    equality of lowercased text and \\w is [A-Za-z0-9_]. The pattern replaces, scanning left to right, at each
    position where `(?<![\\w-])` holds the longest phrase followed by `(?![\\w-])`, and goes on after it."""
    low = text.lower()
    end = len(low)
    found: list[tuple[int, int]] = []
    for phrase in {p.lower() for p in phrases}:
        size = len(phrase)
        i = low.find(phrase)
        while i >= 0:
            j = i + size
            if (i == 0 or low[i - 1] not in _WORDISH) and (j == end or low[j] not in _WORDISH):
                found.append((i, -j))
            i = low.find(phrase, i + 1)
    if not found:
        return text
    found.sort()
    out, pos = [], 0
    for i, neg_j in found:
        if i >= pos:
            out.append(text[pos:i])
            pos = -neg_j
    out.append(text[pos:])
    return " ".join(out)


_CLASS_TOKEN = re.compile(r"[1-5]xx")
_SKIP = STOP | GENERIC


def content_words(text: str, extra_generic: set[str] | None = None) -> list[str]:
    skip = _SKIP | extra_generic if extra_generic else _SKIP
    return [t for t in tokens(text) if t not in skip and not t.isdigit() and len(t) > 1
            and _CLASS_TOKEN.fullmatch(t) is None]


def words(text: str) -> int:
    return len(tokens(text))


def mentions_class(text: str, digit: int) -> bool:
    return _phrase_re(tuple(CLASS_WORDS[digit])).search(text) is not None


def codes_in(text: str) -> set[int]:
    """Three-digit status codes written in prose (not section numbers, not quantities with units)."""
    return {int(m.group(1)) for m in _CODE_IN_PROSE.finditer(text)}


# A code not preceded by [\w.§/#:-], and not followed by what makes it a quantity or part of a word. The test on
# the character before comes after the first digit (a lookbehind over it and that digit), so that the pattern
# starts with [1-5] and the engine skips to such a digit instead of trying each position: the same matches as
# (?<![\w.§/#:-])([1-5]\d\d)(?!...) (tests/test_check_speed_equivalence.py compares them).
_CODE_IN_PROSE = re.compile(r"([1-5](?<![\w.§/#:-][1-5])\d\d)(?![\w%/:-]|\.\d|\s?(?:ms|s|kb|mb|gb|bytes?|seconds?|"
                            r"minutes?|hours?|days?|requests?|items?|users?|times|characters?|chars|px|%)\b)", re.I)


def negated_before(text: str, start: int, window: int = 40) -> bool:
    return NEGATION.search(text[max(0, start - window):start]) is not None


@dataclass(frozen=True)
class Keyed:
    """A regular expression with the words every match of it needs, declared next to it.

    `needs` is a tuple of word sets: ASCII text in which the pattern matches contains, as a whole run of ASCII
    letters (lowercased), a word of each set. The optional prefilter (checks/prefilter.py) skips the cells that
    lack one, so a missing word would hide findings: tests/test_check_speed_equivalence.py checks each declaration
    against matches generated from the pattern and against real text. No sets: every cell is tried."""

    name: str
    pattern: re.Pattern[str]
    needs: tuple[frozenset[str], ...] = ()

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text)


class Caseless:
    """A case-insensitive pattern written in lowercase ASCII, searched in an ASCII text lowercased, without
    IGNORECASE: the engine then rules an alternative out by its first letter, and finds the same matches (at the
    same places: lowercasing keeps an ASCII text's length). Other text is searched with the pattern itself."""

    def __init__(self, pattern: str, flags: int = 0):
        # An uppercase letter (a class such as \W, an inline flag) or a non-ASCII character (IGNORECASE folds
        # some onto ASCII letters) could match differently in lowercased text.
        assert pattern.isascii() and pattern == pattern.lower() and "(?-" not in pattern, pattern
        self.pattern = re.compile(pattern, flags | re.I)
        self.lowered = re.compile(pattern, flags & ~re.I)

    def search(self, text: str, low: str | None) -> re.Match[str] | None:
        """The first match in `text`, given `low`: `text.lower()` if the text is ASCII, else None. Only its place
        (start, end) is the text's: its group texts are those of `low`."""
        return self.pattern.search(text) if low is None else self.lowered.search(low)


def lowered(text: str) -> str | None:
    """`text.lower()` for `Caseless.search` if the text is ASCII, else None."""
    return text.lower() if text.isascii() else None


def led_by(letters: str, pattern: str) -> str:
    """`pattern`, whose every match starts with a character its flags let one of `letters` match (each
    alternative starts with one), behind a lookahead for them: at each position the engine then tests one
    character before it tries the alternatives (under IGNORECASE it cannot rule one out by its first letter), and
    finds the same matches. tests/test_check_speed_equivalence.py compares such patterns with the pattern alone."""
    return f"(?=[{letters}]){pattern}"


def keyed(name: str, pattern: str, flags: int = 0, needs: tuple[str, ...] = ()) -> Keyed:
    """`needs`: each a space-separated word set (see Keyed)."""
    return Keyed(name, re.compile(pattern, flags), tuple(frozenset(s.split()) for s in needs))
