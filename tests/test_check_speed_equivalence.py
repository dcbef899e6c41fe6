"""The speed shortcuts of the loader and the checks must not change a single finding.

Each shortcut is a cheap test that is *necessary* for the exact code to report something (or a faster way to
compute the same value); these tests compare the shortcut with the exact computation on real and random input:
findings with and without the shortcuts, the regex prefilters, masking and the depth bound.
"""

from __future__ import annotations

import copy
import random
import re
import shutil

import pytest
import yaml
from conftest import CONTENT, scaled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statusdocs.checks import cells as CL
from statusdocs.checks import check_content
from statusdocs.checks import knowledge as K
from statusdocs.checks import prefilter as PF
from statusdocs.checks import text as T
from statusdocs.checks.knowledge import knowledge
from statusdocs.checks.registry import load_rules
from statusdocs.checks.rules import contradiction as CR
from statusdocs.checks.rules import facts as F
from statusdocs.checks.rules import vague as V
from statusdocs.content import load
from statusdocs.diagnostics import Report

SEED = CONTENT.parent / "tests" / "fixtures" / "seed_000_409-vs-412.yaml"
# Every pattern whose words a rule declares for the prefilter.
KEYWORD_PATTERNS = {k.name: k for r in load_rules().values() for k in r.keywords}


def _without_lead(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """A pattern less the lookahead for its first letters that `T.led_by` puts before it, if any."""
    return re.compile(re.sub(r"^\(\?=\[[^\]]*\]\)", "", pattern.pattern), pattern.flags)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(CONTENT, folder)
    shutil.copy(SEED, folder / "comparisons" / "409-vs-412.yaml")
    content = load.load_content(str(folder), Report())
    assert content is not None
    return content


# ---------------------------------------------------------------- findings with and without the shortcuts

INJECT = ["Conflict's", "412-Conflict", "o'Precondition Failed", "ſtatus", "é", "—", "§ 15.5.13", "Section 15.5.10",
          "RFC 9110 section 15.5.13", "malformed request format", "missing credentials", "lacks the permission",
          "a duplicate record", "If-Match failed", "rate limited", "the body is too large", "the URI is too long",
          "unsupported media type", "the route does not exist", "method not allowed", "in various ways",
          "it depends", "Book a call with our team", "TODO", "TBD", "N/A", "-", "lorem ipsum dolor",
          "See the spec for details.", "according to client-errors semantics",
          "Use 412 when Precondition Failed is the accurate protocol signal.", "it is a server error",
          "This code is a 3xx", "not cached", "heuristically cacheable", "never retry", "safe to retry",
          "[the 599 page](../599/)", "HTTP 409", "409", "412", "200 ms", "\n\n", "\n- ", "; ", ". ", "'", "x-y",
          "client's", "\xa0", "İ"]


def _mutate(content, rng: random.Random, pool: list[str]) -> None:
    def text() -> str:
        parts = []
        for _ in range(rng.randint(1, 4)):
            parts.append(rng.choice(pool) if rng.random() < 0.5 else rng.choice(INJECT))
            parts.append(rng.choice([" ", ". ", "\n\n", "\n- ", "'", "-", ""]))
        out = "".join(parts).strip() or "x"
        return out.upper() if rng.random() < 0.1 else out

    entries, comps = list(content.entries.values()), list(content.comparisons.values())
    shared = text()
    for _ in range(rng.randint(5, 30)):
        if rng.random() < 0.6:
            entry = rng.choice(entries)
            field = rng.choice(["summary", "definition", "when_to_use", "client_behavior", "mistakes"])
            if field == "mistakes":
                entry.mistakes.append(shared.replace("412", str(entry.code)) if rng.random() < 0.5 else text())
            else:
                setattr(entry, field, text())
        elif comps:
            comp = rng.choice(comps)
            if comp.rows and rng.random() < 0.6:
                row = rng.choice(comp.rows)
                row.left = text()
                row.right = row.left.replace(str(comp.codes[0]), str(comp.codes[1])) if rng.random() < 0.5 else text()
            else:
                comp.decision_rule = text()


def _findings(content, select: set[str] | None = None, prefilter: bool = True) -> list[str]:
    return [f"{d.text()} {d.field} {d.codes}" for d in check_content(content, select, prefilter=prefilter)]


@pytest.mark.slow  # six mutated sites, each checked with and without the prefilter
def test_findings_equal_without_shortcuts(seeded):
    pool = [s for cell in CL.all_cells(seeded) for s in T.sentences(cell.text)]
    total = 0
    for round_ in range(6):
        content = copy.deepcopy(seeded)
        _mutate(content, random.Random(round_), pool)
        fast = _findings(content)
        exact = _findings(content, prefilter=False)  # no index, and every text masked by the regex
        assert fast == exact, round_
        total += len(fast)
    assert total > 50  # the mutations make findings of most rules


@pytest.fixture()
def forks(monkeypatch) -> list[int]:
    """The number of workers of each `parallel.run_chunks` call, as it happens."""
    from statusdocs.build import workers as parallel

    calls: list[int] = []
    real = parallel.run_chunks
    monkeypatch.setattr(parallel, "run_chunks", lambda *a, **k: calls.append(a[2]) or real(*a, **k))
    return calls


def test_findings_equal_in_two_processes(seeded, forks):
    """`statusdocs check` on a large site splits the files between two processes (each checks its chunks with
    the rules of scope "file", V005 then reads every chunk's sentence records): every finding is the same, in the
    same order, as from one process."""
    workers = load.Workers(min_files=1)  # the bundled content is below the real threshold
    pool = [s for cell in CL.all_cells(seeded) for s in T.sentences(cell.text)]
    total = 0
    for round_ in range(4):
        content = copy.deepcopy(seeded)
        _mutate(content, random.Random(100 + round_), pool)
        one = [repr(d) for d in check_content(content)]
        assert not forks
        assert [repr(d) for d in check_content(content, jobs=2, workers=workers)] == one, round_
        assert forks == [1]  # the files in chunks (each process indexing its own), one worker beside this process
        forks.clear()
        total += len(one)
    assert total > 50


def test_parallel_load_equals_a_serial_load(tmp_path, forks):
    """With many files a forked worker parses a share of them: the model, every location and every finding
    (broken files included, in both shares) are those of a load in one process."""
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    (folder / "codes" / "299.yaml").write_text("code: 299\nname: [unclosed\n", encoding="utf-8")
    first, last = sorted((folder / "comparisons").iterdir())[0], sorted((folder / "comparisons").iterdir())[-1]
    first.write_text(first.read_text(encoding="utf-8") + "summary: twice\n", encoding="utf-8")
    last.write_text(last.read_text(encoding="utf-8").replace("rows:", "rowz:", 1), encoding="utf-8")
    serial_report = Report()
    serial = load.load_content(str(folder), serial_report)
    assert not forks
    parallel_report = Report()
    two = load.load_content(str(folder), parallel_report, jobs=2, workers=load.Workers(min_files=1, chunk_files=7))
    assert forks == [1]
    assert serial is not None and two == serial
    assert [repr(d) for d in parallel_report.items] == [repr(d) for d in serial_report.items]
    assert {d.rule for d in serial_report.items} >= {"S001", "S002", "S003"}
    assert two.comparisons[first.stem].loc("summary") == serial.comparisons[first.stem].loc("summary")


# ---------------------------------------------------------------- regex prefilters

@pytest.mark.parametrize("name", sorted(KEYWORD_PATTERNS))
@settings(max_examples=scaled(200, 20), deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_declared_words_are_in_every_match(name, data, seeded_cells):
    """A pattern's declared words (`T.keyed(..., needs=...)`) are what the prefilter tests before the rule runs:
    every ASCII text the pattern matches, generated from the pattern itself or taken from the content, has a
    word of each declared set among its runs of letters. A word left out would hide findings."""
    pattern = KEYWORD_PATTERNS[name]
    assert pattern.needs, "no word sets: the rule would run its pattern on every cell"
    ascii_text = st.characters(codec="ascii")
    around = st.text(alphabet=st.sampled_from(" x-'1.\n(aZ"), max_size=4)
    # Generated from the pattern less a lookahead for its first letters (`T.led_by`, which Hypothesis cannot
    # satisfy): the same matches (test_a_pattern_led_by_its_first_letters_...).
    alone = _without_lead(pattern.pattern)
    text = data.draw(around) + data.draw(st.from_regex(alone, alphabet=ascii_text)) + data.draw(around)
    for candidate in (text, text.upper(), text.lower()):
        if pattern.search(candidate):
            assert PF.may_match(pattern.needs, PF.letter_runs(candidate.encode())), (name, candidate)


@pytest.fixture(scope="module")
def seeded_cells(seeded) -> list[str]:
    return [cell.text for cell in CL.all_cells(seeded) if cell.text.isascii()]


@pytest.mark.parametrize("name", sorted(KEYWORD_PATTERNS))
def test_declared_words_on_every_matching_cell(name, seeded_cells):
    pattern = KEYWORD_PATTERNS[name]
    for text in seeded_cells:
        if pattern.search(text):
            assert PF.may_match(pattern.needs, PF.letter_runs(text.encode())), (name, text)


# Patterns behind a lookahead for their first letters (`T.led_by`), and the pattern alone.
LED = [(k.pattern, _without_lead(k.pattern)) for k in KEYWORD_PATTERNS.values() if k.pattern.pattern.startswith("(?=[")]


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def test_a_pattern_led_by_its_first_letters_finds_what_the_pattern_alone_does(seeded):
    assert LED, "no pattern uses T.led_by: drop this test"
    texts = [cell.text for cell in CL.all_cells(seeded)]
    for led, alone in LED:
        assert led.pattern != alone.pattern
        found = 0
        for text in texts:
            for variant in (text, text.upper(), text.lower(), text.replace("s", "\u017f").replace("k", "\u212a")):
                spans = _spans(alone, variant)
                assert _spans(led, variant) == spans, (led.pattern, variant)
                found += bool(spans)
        assert found > 0, led.pattern


@settings(max_examples=scaled(200, 20), deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_pattern_led_by_its_first_letters_finds_what_the_pattern_alone_does_in_generated_text(data):
    led, alone = data.draw(st.sampled_from(LED))
    around = st.text(alphabet=st.sampled_from(" x-'1.\n(aZS\u017f"), max_size=4)
    text = data.draw(around) + data.draw(st.from_regex(alone, alphabet=st.characters(codec="ascii"))) + \
        data.draw(around)
    for variant in (text, text.upper(), text.lower()):
        assert _spans(led, variant) == _spans(alone, variant), (led.pattern, variant)


CASELESS = [v for module in (CR, K) for v in vars(module).values() if isinstance(v, T.Caseless)] + \
    [knowledge().history]


def _caseless_agrees(caseless: T.Caseless, text: str) -> bool:
    found, plain = caseless.search(text, T.lowered(text)), caseless.pattern.search(text)
    assert (found and found.span()) == (plain and plain.span()), (caseless.pattern.pattern, text)
    return found is not None


def test_a_caseless_pattern_finds_what_it_finds_with_ignorecase(seeded):
    assert len(CASELESS) >= 9
    sentences = [s for cell in CL.all_cells(seeded) for s in T.sentences(cell.text)]
    found = {caseless.pattern.pattern for caseless in CASELESS for sentence in sentences
             for variant in (sentence, sentence.upper(), sentence.swapcase(), sentence.replace("s", "\u017f"))
             if _caseless_agrees(caseless, variant)}
    assert len(found) >= 3  # the content matches some; generated text (below) matches each


@settings(max_examples=scaled(300, 30), deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_caseless_pattern_finds_what_it_finds_with_ignorecase_in_generated_text(data):
    caseless = data.draw(st.sampled_from(CASELESS))
    around = st.text(alphabet=st.sampled_from(" x-'1.\n(aZS\u017f\u212a"), max_size=4)
    text = data.draw(around) + data.draw(st.from_regex(caseless.pattern, alphabet=st.characters(codec="ascii"))) \
        + data.draw(around)
    for variant in (text, text.upper(), text.swapcase()):
        _caseless_agrees(caseless, variant)


def test_a_caseless_pattern_refuses_what_lowercasing_could_change():
    for pattern in (r"\bSee\b", r"\Wsee", r"(?-i:see)", "\u017fee"):
        with pytest.raises(AssertionError):
            T.Caseless(pattern)


@pytest.mark.slow  # three mutated sites, each rule alone, with and without the prefilter
def test_every_rule_gives_the_same_findings_without_the_prefilter(seeded):
    """Rule by rule (each declaring only its own patterns), on mutated content: the same findings with the
    prefilter on and off."""
    pool = [s for cell in CL.all_cells(seeded) for s in T.sentences(cell.text)]
    fired = set()
    for seed in (42, 43, 44):
        content = copy.deepcopy(seeded)
        _mutate(content, random.Random(seed), pool)
        for rule_id, rule in load_rules().items():
            if rule.func is None:
                continue
            on = _findings(content, {rule_id})
            assert on == _findings(content, {rule_id}, prefilter=False), (seed, rule_id)
            fired |= {rule_id} if on else set()
    assert len(fired) >= 12, fired


def test_prefilter_concepts_are_knowledge_present(seeded):
    """The knowledge concepts the prefilter's pass finds per cell (C004, C015 and C016 read them) are
    Knowledge.present of the cell's text, ASCII or not, in one process or split between two; without a rule
    that asks for them, the pass leaves them out."""
    content = copy.deepcopy(seeded)
    _mutate(content, random.Random(5), [s for cell in CL.all_cells(seeded) for s in T.sentences(cell.text)])
    cells = CL.all_cells(content)
    present = knowledge().present
    expected = [present(cell.text) for cell in cells]
    assert any(expected) and any(not cell.text.isascii() for cell in cells)
    for jobs in (1, 2):
        assert PF.build_index(content, cells, [], jobs, concepts=True).concepts == expected, jobs
    assert PF.build_index(content, cells, [], 1).concepts is None


def test_other_necessary_conditions(seeded):
    """What the scan tests without word sets: SECTION_REF needs "sec", LINK "](", PLACEHOLDER few words."""
    rng = random.Random(7)
    texts = [cell.text for cell in CL.all_cells(seeded)]
    texts += ["RFC 9110 Section 15.5.13", "sec. 15.5.4", "subsection 1.2", "[x](../412/)", "TBD", " -- ", "N/A.",
              "to be written", "Lorem ipsum dolor sit amet, and more words", "???", "...", "coming soon!"]
    for _ in range(2000):
        texts.append("".join(rng.choice(["TBD", "n/a", "lorem ipsum", " ", "-", ".", "?", "x", "Sec", "tion 1.2",
                                         "](", "../", "412", "/)", "\n"]) for _ in range(rng.randint(1, 6))))
    for text in texts:
        if not text.isascii():
            continue
        letters = text.encode().translate(PF.LETTERS_ONLY)
        runs = letters.split()
        if CR.SECTION_REF.search(text):
            assert b"sec" in letters, text
        if CR.LINK.search(text):
            assert "](" in text, text
        if text.strip() and V.PLACEHOLDER.match(text.strip()):
            assert len(runs) <= 3 or b"lorem" in runs, text


# ---------------------------------------------------------------- masking

def test_mask_equals_the_regex():
    rng = random.Random(3)
    words = ["Not Found", "not", "found", "412", "HTTP 412", "Precondition Failed", "4xx", "client error",
             "client-error", "Client-Errors", "a", "x-y", "it's", "_x", "ab", "abab", "(Unused)", "-x", "x-", " a",
             "'s", ".", "a.b", "--", "HTTP/1.1"]
    seps = [" ", "-", "'", "_", ".", ",", "", "  ", "\n", "1", "x", "(", ")", "/"]
    for _ in range(20000):
        phrases = rng.sample(words, rng.randint(1, 6))
        parts = []
        for _ in range(rng.randint(0, 10)):
            w = rng.choice(words + ["foo", "Bar"])
            parts += ["".join(c.upper() if rng.random() < 0.3 else c for c in w), rng.choice(seps)]
        text = "".join(parts)
        ordered = tuple(sorted(set(phrases), key=lambda p: (-len(p), p)))
        assert T.mask(text, phrases) == T._phrase_re(ordered).sub(" ", text), (text, phrases)


# ---------------------------------------------------------------- loader

def _depth(text: str) -> int:
    depth = deepest = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        pass
    return deepest


def test_depth_bound_is_sound():
    rng = random.Random(11)
    texts = []
    for d in list(range(20, 70, 3)) + [100]:
        texts += ["related:\n  " + "- " * d + "x", "a: " + "[" * d + "]" * d, "x: " + "[a: " * d + "1" + "]" * d,
                  "".join(" " * i + f"k{i}:\n" for i in range(d)) + " " * d + "v", "? " * d + "a",
                  "--- " + "- " * d + "a", "\r".join(" " * i + f"k{i}:" for i in range(d)) + "\r" + " " * d + "v",
                  "\u2028".join(" " * i + f"k{i}:" for i in range(d)) + " v", "x: !!seq\n" + "- " * d + "1"]
    pieces = ["[", "]", "{", "}", "- ", "? ", ": ", "&a ", "!!str ", "\t", "\r", "\n", "\u2028", "  ", "a", ","]
    for _ in range(1500):
        texts.append("".join(rng.choice(pieces) * rng.choice([1, 1, 3, 20]) for _ in range(rng.randint(1, 60))))
    shallow = 0
    for text in texts:
        if load._surely_shallow(text):
            shallow += 1
            assert _depth(text) <= load.MAX_DEPTH, repr(text[:200])
    assert shallow > 100


def test_loaded_model_equals_a_plain_conversion():
    """The converter's inline paths (text fields, lists of text) give what `convert` gives field by field."""
    path = str(CONTENT / "codes" / "412.yaml")
    text = (CONTENT / "codes" / "412.yaml").read_text(encoding="utf-8")
    fast = load.load_document(text, path, load.schema.ENTRY, Report())
    text_with_anchor = text + "\n# & makes the converter track aliases, which turns the inline paths off\n"
    plain = load.load_document(text_with_anchor, path, load.schema.ENTRY, Report())
    assert fast is not None and plain is not None
    assert fast.value == plain.value and fast.locs == plain.locs


def test_letter_runs_match_the_rules_tokens():
    """The scan's reading of a cell: letters-only chunks are whole tokens; runs of letters minus joints bound
    the token count from below."""
    rng = random.Random(2)
    alphabet = "abcXYZ '-_.,1é\n"
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        if not text.isascii():
            continue
        raw = text.encode()
        runs = raw.translate(PF.LETTERS_ONLY).split()
        tokens = T.tokens(text)
        assert len(runs) - raw.count(b"-") - raw.count(b"'") <= len(tokens)
        assert [r.decode() for r in runs] == re.findall("[a-z]+", text.lower())


@settings(max_examples=scaled(3000, 300), deadline=None)
@given(st.lists(st.sampled_from(["a", "B", "409", ".", "!", "?", ";", " ", "  ", "\n", "\t", "\x1c", "\x1f", "-",
                                 "*", "`", '"', "(", "\n\n", "\n- ", "\r", "\x0b", "\x0c", "word", ". A", "?\n"]),
                max_size=16).map("".join))
def test_sentences_split_on_bytes_as_on_text(text: str):
    """The scan splits ASCII cells into V005's sentences as bytes: the same sentences as T.sentences, and where
    the text has no line break before its trailing whitespace, the one-line split gives the same runs of letters
    (some of its pieces lack their final punctuation)."""
    raw = text.encode()
    pieces = [p.decode() for p in PF.SENTENCE_BYTES.split(raw) if p.strip(PF.SPACE_BYTES)]
    assert [p.strip() for p in pieces] == T.sentences(text)
    assert PF.sentence_pieces(raw, True) == [p.encode() for p in pieces]
    if b"\n" not in raw.rstrip():
        def runs(parts: list[bytes]) -> list[list[bytes]]:
            return [p.translate(PF.LETTERS_ONLY).split() for p in parts]

        assert runs(PF.sentence_pieces(raw, False)) == runs(PF.sentence_pieces(raw, True))


_SENTENCE_AS_WRITTEN = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9`*\"(])|\n\s*\n|\n\s*[-*]\s+")


@settings(max_examples=scaled(3000, 300), deadline=None)
@given(st.lists(st.sampled_from(["a", "B", "409", ".", "!", "?", ";", " ", "  ", "\n", "\t", "\x1c", "\u2028",
                                 "\xa0", "-", "*", "`", '"', "(", "\n\n", "\n- ", ". A", ";\n", "\r", "word", "é"]),
                max_size=16).map("".join))
def test_sentence_regex_splits_as_written_plainly(text: str):
    """T.SENTENCE starts with its whitespace so that the engine can skip to it: the same splits as the plain
    form, with the test on the character before first (and so the bytes form, see above)."""
    assert T.SENTENCE.split(text) == _SENTENCE_AS_WRITTEN.split(text)


@settings(max_examples=scaled(3000, 300), deadline=None)
@given(st.lists(st.sampled_from([".", "!", "?", ";", ",", " ", "\t", "\x0b", "\x0c", "\r", "\x1c", "\x1f", "a", "B",
                                 "1", "-", "\x1a"]), max_size=10).map("".join))
def test_one_line_split_test_is_what_sentence_splits_at(text: str):
    """The scan sends a one-line ASCII cell to the sentence split only where SPLIT_AT finds [.!?;] and then
    whitespace as \\s sees it: what T.SENTENCE's first branch needs before its lookahead."""
    found = any(a in ".!?;" and b.isspace() for a, b in zip(text, text[1:], strict=False))
    assert bool(PF.SPLIT_AT.search(text.encode())) == found


_CODE_AS_WRITTEN = re.compile(r"(?<![\w.§/#:-])([1-5]\d\d)(?![\w%/:-]|\.\d|\s?(?:ms|s|kb|mb|gb|bytes?|seconds?|"
                              r"minutes?|hours?|days?|requests?|items?|users?|times|characters?|chars|px|%)\b)", re.I)


def _codes_as_written(text: str) -> list[tuple[int, str]]:
    return [(m.start(1), m.group(1)) for m in _CODE_AS_WRITTEN.finditer(text)]


@settings(max_examples=scaled(3000, 300), deadline=None)
@given(st.lists(st.sampled_from(["1", "2", "4", "5", "6", "0", "409", " ", ".", "§", "/", "#", ":", "-", "_", "a",
                                 "x", "%", "s", "ms", "K", "\u0662", "\xb2", "\n", "é", "(", "HTTP "]),
                max_size=14).map("".join))
def test_code_regex_finds_what_the_plain_form_finds(text: str):
    """T.codes_in's pattern tests the character before a code after its first digit (so that the engine skips
    to a digit): the same matches, at the same places, as the plain form with the lookbehind first."""
    assert [(m.start(1), m.group(1)) for m in T._CODE_IN_PROSE.finditer(text)] == _codes_as_written(text)


def test_code_regex_finds_what_the_plain_form_finds_in_the_content(seeded):
    texts = [c.text for c in CL.all_cells(seeded)]
    assert [T.codes_in(t) for t in texts] == [{int(code) for _, code in _codes_as_written(t)} for t in texts]
    assert sum(map(len, map(T.codes_in, texts))) > 100


_CLAIM_WORDS = ["nginx", "Nginx", "NGINX", "curl", "libcurl", "S3", "s3", "S", "3", "Node.js", "node", "js", "ASP.NET",
                "API Gateway", "API", "Gateway", "urllib3", "urllib", "Chrome", "Chromium", "the", "é", "x", "2015",
                "July 2026", "since 1999", "in 20", "19", "20"]
_CLAIM_GLUE = [" ", " ", ", ", ".", "-", "_", "`", "(", ")", "/", "é", "2", "\n", "[^a]", "](x)"]


def _f005_agrees(text: str) -> None:
    names, _, _ = F._claim_names()
    plain = F._UNCLAIMED.sub(" ", text)
    exact = names.search(plain)
    assert F._claimed_name(text) == (exact.group(0) if exact else None), text
    dated = F._DATED.search(plain)
    assert F._dated(text) == (dated.group(0) if dated else None), text
    if exact is not None and text.isascii():  # the prefilter's test, which F005 reads before its patterns
        runs = PF.letter_runs(text.encode())
        assert any(PF.may_match(k.needs, runs) for k in F.CLAIM_NAMES) or \
            F._SHORT_NAME.search(text) is not None, text


@settings(max_examples=scaled(400, 40), deadline=None)
@given(st.lists(st.sampled_from(_CLAIM_WORDS) | st.sampled_from(_CLAIM_GLUE), max_size=12).map("".join))
def test_f005_fast_path_finds_what_the_patterns_find(text):
    """F005 settles most ASCII cells by a set test of letter runs (and a year's digits) before its patterns run: it
    must report the same name and date as the patterns alone."""
    _f005_agrees(text)


def test_f005_fast_path_on_every_bundled_cell():
    report = Report()
    content = load.load_content(str(CONTENT), report)
    assert content is not None
    for cell in CL.all_cells(content):
        _f005_agrees(cell.text)


@pytest.mark.slow
def test_findings_equal_without_the_prefilter_on_the_benchmark_corpus(tmp_path):
    """The 1,000-page benchmark corpus (`python3 bench/make_corpus.py 1000`), as made and with mutated cells:
    the same findings with the prefilter and without it."""
    import subprocess
    import sys

    folder = CONTENT.parent / "bench" / "corpus" / "1000"
    if not (folder / "codes").is_dir():
        folder = tmp_path / "1000"
        subprocess.run([sys.executable, str(CONTENT.parent / "bench" / "make_corpus.py"), "1000", "--out",
                        str(folder)], check=True, capture_output=True, timeout=600)
    corpus = load.load_content(str(folder), Report())
    assert corpus is not None and len(corpus.comparisons) == 500
    assert _findings(corpus) == _findings(corpus, prefilter=False) == []
    pool = [s for cell in CL.all_cells(corpus) for s in T.sentences(cell.text)][:5000]
    total = 0
    for seed in range(3):
        content = copy.deepcopy(corpus)
        _mutate(content, random.Random(seed), pool)
        fast = _findings(content)
        assert fast == _findings(content, prefilter=False), seed
        total += len(fast)
    assert total > 20


# ---------------------------------------------------------------- V011's count without masking

_V011_WORDS = ["both", "codes", "listed", "IANA", "Conflict", "Precondition Failed", "409", "412", "HTTP 409", "4xx",
               "client error", "client-error", "three-digit", "well-known", "the", "is", "a", "e.g", "lock",
               "version", "clash", "ETag", "x", "It's", "o'clock", "-", "'", "--", "é", "Accepted", "accepted",
               "lock-version", "clash-lock", "clash's", "lock-409", "Conflict-lock", "re-sent"]


@settings(max_examples=scaled(3000, 300), deadline=None)
@given(st.lists(st.sampled_from(_V011_WORDS), max_size=10).map(" ".join))
def test_v011_bound_never_exceeds_the_masked_count(seeded, text: str):
    """V011 skips a summary when the runs of letters show 2+ counted words once masked: whenever it does, the
    exact count (masking, then content words outside ABOUT_CODES) is 2 or more. Texts mix masked names, dropped
    words, joints and a few content words."""
    from statusdocs.checks.registry import Run

    run = Run(seeded)
    said = V._SurelySays(run)
    comp = next(iter(seeded.comparisons.values()))
    cell = CL.Cell(comp, "summary", text, comp.codes[0], "comp_summary")
    exact = len([w for w in CL.masked_content(seeded, cell, fast=False) if w not in V.ABOUT_CODES])
    assert not said.two_words(text) or exact >= 2, (text, exact)


def test_v011_bound_settles_most_summaries(seeded):
    """The bound is what makes V011 cheap: it settles most real summaries, and never one the exact count keeps."""
    from statusdocs.checks.registry import Run

    run = Run(seeded)
    said = V._SurelySays(run)
    summaries = [c for c in CL.all_cells(seeded) if c.kind == "comp_summary"]
    settled = [c for c in summaries if said.two_words(c.text)]
    assert all(len([w for w in CL.masked_content(seeded, c, fast=False) if w not in V.ABOUT_CODES]) >= 2
               for c in settled)
    assert len(settled) * 2 > len(summaries)


def test_check_in_shares_finds_what_one_process_finds(tmp_path, monkeypatch):
    """`statusdocs check` on a large site: each process loads and checks its own share of the comparisons (the
    entries loaded first, for the outline). After each rule's bad example is written into the content, one after
    another, the loader's and the rules' findings are those of a load and check in one process, in the same
    order; where a comparison does not load, the whole site is loaded and checked instead, with the same result."""
    from test_check_scope import _steps
    from test_rule_examples import _load, _merge

    from statusdocs.build.pipeline import load_and_check
    from statusdocs.checks import registry

    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    shared: list[bool] = []
    real = registry.check_in_shares
    monkeypatch.setattr(registry, "check_in_shares", lambda *a, **k: shared.append((r := real(*a, **k)) is not None)
                        or r)
    workers = load.Workers(min_files=1)  # the bundled content is below the real threshold
    seen = 0
    steps = [(name, lambda text, data=data: yaml.safe_dump(_merge(_load(text), data), sort_keys=False,
                                                            allow_unicode=True)) for name, data in _steps()]
    # Then comparisons that do not load: a warning of the loader, a file named for another pair, a syntax error.
    comparison = sorted((folder / "comparisons").glob("*.yaml"))[0].name
    steps += [(f"comparisons/{comparison}", lambda text: text.replace("summary:", "summary:\n  # \tnote\n", 1)),
              ("comparisons/100-vs-599.yaml", lambda text: (folder / "comparisons" / comparison).read_text()),
              ("comparisons/100-vs-599.yaml", lambda text: "codes: [100, 599\n")]
    for step, (name, edit) in enumerate(steps):
        path = folder / name
        path.write_text(edit(path.read_text(encoding="utf-8") if path.exists() else ""), encoding="utf-8")
        if step % 3 and step < len(steps) - 3:
            continue  # the edits add up: every third state is compared, and the last three
        one = load_and_check(str(folder), jobs=1)[1].items
        two = load_and_check(str(folder), jobs=2, workers=workers)[1].items
        assert [repr(d) for d in two] == [repr(d) for d in one], (step, name)
        seen += len(one)
    assert seen > 100 and True in shared and False in shared  # findings; both ways were taken


def _plain_groups(records: dict[str, bytes]) -> list[list[tuple[int, str, int, int]]]:
    """V005's groups as the rule defines them: each key's sentences, where the key is in three files or more."""
    by_key: dict[bytes, list[tuple[int, str, int, int]]] = {}
    for n, (source, packed) in enumerate(records.items()):
        for key, i, si in PF.unpack_records(packed):
            by_key.setdefault(key, []).append((n, source, i, si))
    return [members for members in by_key.values() if len(members) >= 3 and len({m[1] for m in members}) >= 3]


@settings(max_examples=scaled(300, 30), deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from([bytes([k]) * 8 for k in range(6)] + [b"12345678", b"\0" * 8]),
                                   st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)), max_size=8), max_size=12))
def test_v005_groups_read_from_all_records_at_once(files):
    """V005 counts the group keys of every file's records at once, as integers read from the packed bytes: the
    groups (files, cells, sentences, in order) are those of unpacking each record."""
    records = {f"f{n}.yaml": PF.pack_records(file) for n, file in enumerate(files)}
    assert V.repeated_groups(records) == _plain_groups(records)
