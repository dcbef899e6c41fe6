"""Vague cells (V): prose that says nothing a reader can act on.

Each rule reads the prose cells (checks/cells.py). The patterns a rule searches for are declared with the
words every match needs (`keyed`), which lets the optional prefilter skip the cells without them.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from itertools import accumulate

from statusdocs.checks import knowledge as K
from statusdocs.checks import text as T
from statusdocs.checks.cells import (
    MIN_WORDS,
    Cell,
    masked_content,
    masked_sentence,
    names_of,
    own_mentions,
    registry_names,
)
from statusdocs.checks.prefilter import RECORD, surely_different
from statusdocs.checks.registry import Run, rule
from statusdocs.content.model import Entry
from statusdocs.diagnostics import Diagnostic

PROSE = "every prose cell but questions"


# ---------------------------------------------------------------- V001

THIS_CODE = re.compile(r"\bth(is|e) (status )?code\b", re.I)  # names the code without its number


@rule("V001", "restates-code", "The cell only restates the code, its name or its class, and says nothing a "
      "reader can act on.",
      "client_behavior: HTTP 412 Precondition Failed indicates a client errors response outcome.",
      "client_behavior: Re-read the resource to get its current ETag, re-apply the change, and send it again "
      "with the new If-Match value.", scope="file", reads=PROSE, index=True)
def restates(run: Run) -> Iterator[Diagnostic]:
    for i in run.unless("informative"):
        cell = run.cells[i]
        if cell.kind == "question":
            continue
        if not (own_mentions(run.content, cell) or THIS_CODE.search(cell.text)):
            continue
        words = set(masked_content(run.content, cell, names_as_written=True, fast=run.prefilter))
        if len(set(cell.codes) | T.codes_in(cell.text)) <= 1:  # naming another code relates the two: content
            words -= T.CARRIER
        if len(words) <= 1:
            yield cell.diag("V001", f"{cell.field} restates the code, name or class without saying anything "
                                    "specific", hint="say what triggers it, what the client does, or what changes")


# ---------------------------------------------------------------- V002

DEFER = T.keyed("defer",
                r"\bsee (the |our |its )?([\w-]+ ){0,3}(spec|specs|specification|rfc|docs|documentation|standard|"
                r"guide|reference|section|page|link|article)\b|\brefer(s|red)? to\b|\bconsult\b|\bcheck the (spec|"
                r"docs|documentation|rfc|standard)\b|\bas (defined|specified|described|documented) (in|by) (the )?"
                r"(spec|specification|standard|rfc|relevant|docs|documentation)\b|\bper (the )?(spec|specification|"
                r"standard)\b|\bfor (more )?details\b|\bdefined elsewhere\b|\bsee (above|below)\b", re.I,
                needs=("above article below check consult defined described details docs documentation documented "
                       "elsewhere guide link page refer reference referred refers rfc section spec specification "
                       "specified specs standard",))
ACCORDING_SEMANTICS = T.keyed("according", r"\baccording to ([\w-]+[ -]){0,3}semantics\b|\bfollows? ([\w-]+[ -])"
                              r"{0,3}semantics\b|\bper ([\w-]+[ -]){0,3}semantics\b", re.I, needs=("semantics",))


# A pointer to another text by its title: "See Also: <title>", "See <Title>", "is explained in "<title>" [43]",
# "consult additional resources". The title is no content of the cell, so it is not counted.
POINTER = T.keyed("pointer", T.led_by("siacrfo",
                  r"\b(?:(?-i:See)\s+(?:also\b:?|(?=[A-Z0-9\"“]))|(?:is|are) (?:explained|described|"
                  r"documented|covered|detailed|discussed) (?:in|by|at|on)\b|consult(?:s|ing|ed)?\b|"
                  r"refer(?:s|red|ring)? to\b|(?:additional|further|other) (?:resources|reading)\b|"
                  r"for (?:more|further) (?:information|details)\b)"), re.I,
                  needs=("additional reading resources consult consulted consulting consults covered described "
                         "detailed details discussed documented explained further information refer referred referring "
                         "refers see",))
TITLE = re.compile(r"(?:\s*(?:\"[^\"]*\"|“[^”]*”|\[[^\]]*\]|(?:RFC\s?\d+|[A-Z0-9][\w./:-]*)(?:\s+(?:[A-Z0-9][\w./:-]*|"
                   r"of|the|and|for|to|in|on|a|with|within))*)[.,;:]?)*")

SENTENCE_END = re.compile(r"[.!?](\s|$)|$")


def _pointer_only(run: Run, cell: Cell) -> str | None:
    """The pointer, if the cell less the pointer and the title it names says next to nothing."""
    # "See" points only where it opens a sentence (not in "the client will see Location").
    m = next((m for m in POINTER.finditer(cell.text) if not m.group(0).startswith("See") or
              not cell.text[:m.start()].strip() or cell.text[:m.start()].rstrip()[-1] in ".:;!?"), None)
    if m is None:
        return None
    # What follows "See also" to the sentence's end is pointers; after any other pointer, a title.
    tail = SENTENCE_END.search(cell.text, m.end()) if m.group(0).lower().startswith("see also") else \
        TITLE.match(cell.text, m.end())
    end = tail.end() if tail else len(cell.text)
    rest = cell.text[:m.start()] + " " + cell.text[end:]
    left = masked_content(run.content, cell._replace(text=rest), fast=run.prefilter)
    return m.group(0).strip() if len(left) <= 3 else None


@rule("V002", "defers-elsewhere", "The cell sends the reader elsewhere (\"see the spec\", \"according to ... "
      "semantics\", \"refer to\") instead of giving the content.",
      "client_behavior: When an upload fails with 412, the client handles it according to client-errors semantics.",
      "client_behavior: The client fetches the current representation, merges its change and retries with "
      "the new ETag in If-Match.", scope="file", reads=PROSE, keywords=(ACCORDING_SEMANTICS, DEFER, POINTER))
def defers(run: Run) -> Iterator[Diagnostic]:
    for i in run.may(ACCORDING_SEMANTICS, DEFER, POINTER):
        cell = run.cells[i]
        if cell.kind == "question":
            continue
        # Each pattern is tried only where the prefilter leaves it possible: most cells get here for one of them.
        if run.may_at(i, ACCORDING_SEMANTICS) and ACCORDING_SEMANTICS.search(cell.text):
            yield cell.diag("V002", f"{cell.field} defers to \"semantics\" instead of saying what they are",
                            hint="write out what happens")
            continue
        m = DEFER.search(cell.text) if run.may_at(i, DEFER) else None
        said = m.group(0) if m and len(masked_content(run.content, cell, fast=run.prefilter)) \
            - len(T.content_words(m.group(0))) <= 4 else _pointer_only(run, cell) if run.may_at(i, POINTER) else None
        if said:
            yield cell.diag("V002", f"{cell.field} points elsewhere (\"{said}\") instead of giving the "
                                    "content", hint="state the rule here; a pointer may follow the content")


# ---------------------------------------------------------------- V003

# The whole cell is a placeholder: the prefilter's fact "no_placeholder" is what this pattern needs.
PLACEHOLDER = re.compile(r"^\W*(tbd|tba|todo|fixme|xxx|n/?a|none|null|nil|unknown|placeholder|lorem ipsum.*|"
                         r"coming soon|to be (written|determined|decided|added)|-+|—|–|\?+|\.+)\W*$", re.I)
PLACEHOLDER_WORD = T.keyed("placeholder_word", r"\b(TODO|TBD|FIXME|XXX|lorem ipsum)\b",
                           needs=("fixme lorem tbd todo xxx",))


@rule("V003", "placeholder", "The cell is a placeholder (TBD, TODO, N/A, a dash) or empty.",
      "cacheable: {default: false, note: TBD}",
      "cacheable: {default: false, note: Caches do not store it unless Cache-Control gives explicit freshness.}",
      scope="file", reads="every prose cell", keywords=(PLACEHOLDER_WORD,))
def placeholder(run: Run) -> Iterator[Diagnostic]:
    for i in sorted(set(run.unless("no_placeholder")) | set(run.may(PLACEHOLDER_WORD))):
        cell = run.cells[i]
        if not cell.text.strip() or PLACEHOLDER.match(cell.text.strip()) or PLACEHOLDER_WORD.search(cell.text):
            yield cell.diag("V003", f"{cell.field} is a placeholder", hint="write the cell or remove it")


# ---------------------------------------------------------------- V004

USE_WHEN = T.keyed("use_when",
                   r"\b(use|return|send|respond with|choose|pick|prefer|reach for)\s+(?:an?\s+|the\s+)?(?:HTTP\s+)?"
                   r"(\d{3}|[A-Z][\w' -]{2,40}?)\s+(?:\w+\s+){0,2}?(when|if|whenever|where|for|because)\b(.*?)"
                   r"(?:[;.]|$)", re.I,
                   needs=("because for if when whenever where", "choose pick prefer reach respond return send use"))
TAUTOLOGY_EXTRA = {"communicate", "communicates", "signal", "accurate", "correct", "right", "intended",
                   "behavior", "behaviour", "semantics", "matches", "match", "fits", "fit", "apt", "suits",
                   "describe", "best", "better", "applicable", "convenience", "contract", "chosen", "choice",
                   "wrong", "reason", "reasons", "protocol", "meaning", "outcome", "expectations"}


@rule("V004", "tautology", "The cell is circular: \"use X when X is the right signal\". A decision needs an "
      "observable test.",
      "decision_rule: Use 409 when the response should communicate conflict behavior to the editing tool; use 412 "
      "when precondition failed is the accurate protocol signal.",
      "decision_rule: If the request carried If-Match or If-Unmodified-Since and it evaluated false, send 412; "
      "if no precondition was sent and the change clashes with the resource's state, send 409.",
      scope="file", reads=PROSE + "; every code's names", keywords=(USE_WHEN,))
def tautology(run: Run) -> Iterator[Diagnostic]:
    content = run.content
    for i in run.may(USE_WHEN):
        cell = run.cells[i]
        if cell.kind == "question":
            continue
        for m in USE_WHEN.finditer(cell.text):
            names = run.derived("V004 names", lambda: {n.lower() for c in content.entries for n in names_of(content, c)}
                                | {n.lower() for n in registry_names().values()})  # made once, when first needed
            if _circular(run, cell, m, names):
                yield cell.diag("V004", f"{cell.field} is circular: \"{m.group(0).strip()}\" gives no condition a "
                                        "developer can test", hint="name the header, state or timing that decides")
                break


def _circular(run: Run, cell: Cell, m: re.Match[str], names: set[str]) -> bool:
    """The condition of a "use X when ..." says nothing but X's own names and words of filler."""
    target = m.group(2)
    if not target.isdigit() and not any(target.lower().startswith(n) for n in names if not n.isdigit()):
        return False  # "use that URI for ..." is not about choosing a status code
    condition = m.group(4)
    codes = set(cell.codes) | T.codes_in(cell.text)
    phrases = [n for c in codes for n in names_of(run.content, c)] + [target]
    for c in codes:
        phrases += list(T.CLASS_WORDS[c // 100])
    stems = {t[:5] for p in phrases for t in T.tokens(p) if len(t) >= 4}
    rest = [w for w in T.content_words(T.mask(condition, phrases, run.prefilter), TAUTOLOGY_EXTRA)
            if w[:5] not in stems]
    return len(rest) <= 1 and len(T.tokens(condition)) >= 2


# ---------------------------------------------------------------- V005


@rule("V005", "boilerplate", "The same sentence, once code numbers and names are masked, appears in three or "
      "more entries: the mark of generated filler.",
      "mistakes: [\"Returning 409 for the wrong reason breaks client expectations and monitoring.\"] "
      "(and the same sentence with 410, 412, ...)",
      "mistakes: [\"Returning 409 for a malformed JSON body; that is a 400.\"]",
      reads=PROSE + ", every file's", sentences=True)
def boilerplate(run: Run) -> Iterator[Diagnostic]:
    seen: dict[str, dict[str, Cell]] = defaultdict(dict)
    for key, cell in _repeated_sentences(run):
        if len(key.split()) >= 6:
            seen[key].setdefault(cell.owner.source, cell)
    reported: set[tuple[str, str]] = set()  # a cell with two repeated sentences is one finding
    for key, owners in seen.items():
        if len(owners) < 3:
            continue
        for cell in owners.values():
            if (cell.owner.source, cell.field) in reported:
                continue
            reported.add((cell.owner.source, cell.field))
            yield cell.diag("V005", f"{cell.field} repeats a sentence template used in {len(owners)} files: "
                                    f"\"{key[:80]}\"", hint="write a sentence for this code")


Groups = list[list[tuple[int, str, int, int]]]


def repeated_groups(records: Mapping[str, bytes]) -> Groups:
    """V005's groups: the sentences (file's number, source, cell index, sentence index) of each group key found in
    three files or more, from every file's records (`Run.sentence_records`). The keys are counted as integers read
    from all the records at once (each record's first 8 bytes: an integer as wide, equal for equal keys), without
    unpacking every record."""
    packed = list(records.values())
    whole = b"".join(packed)
    keys = memoryview(whole).cast("Q")[::_KEY_STRIDE].tolist()
    repeated = {key for key, size in Counter(keys).items() if size >= 3}
    if not repeated:
        return []
    sources = list(records)
    ends = list(accumulate(len(p) // RECORD.size for p in packed))  # each file's records end before its number
    groups: dict[bytes, list[tuple[int, str, int, int]]] = defaultdict(list)
    for r in [r for r, key in enumerate(keys) if key in repeated]:
        n = bisect_right(ends, r)
        key, i, si = RECORD.unpack_from(whole, r * RECORD.size)
        groups[key].append((n, sources[n], i, si))
    return [members for members in groups.values() if len({source for _, source, _, _ in members}) >= 3]


# A record is its 8-byte key and two 4-byte numbers: read as 8-byte integers, every other one is a key.
_KEY_STRIDE = RECORD.size // 8
assert RECORD.size % 8 == 0 and RECORD.format.lstrip("<").startswith("8s"), "a record starts with its 8-byte key"


def boilerplate_sources(groups: Groups) -> set[str]:
    """The files whose cells V005 reads, given its groups (`repeated_groups`)."""
    return {source for members in groups for _, source, _, _ in members}


def keep_groups(run: Run, records: Mapping[str, bytes], groups: Groups) -> None:
    """Let V005 in `run` read `groups` instead of making them again, if they are those of its sentence records
    (the same files in the same order: a group's members are numbered by their file's place)."""
    if list(run.sentence_records().items()) == list(records.items()):
        run.derived(_GROUPS, lambda: groups)


_GROUPS = "V005 groups"


def _repeated_sentences(run: Run) -> list[tuple[str, Cell]]:
    """(masked key, cell) of the sentences that may be repeated in three files, in the order of the cells and of
    the sentences in each. Sentences whose masked keys are equal have equal group keys (see prefilter), so only
    groups spanning three files can hold a finding; only their keys are computed, from the cells of their files."""
    keyed: list[tuple[int, int, int, str, Cell]] = []
    for members in run.derived(_GROUPS, lambda: repeated_groups(run.sentence_records())):
        for n, source, i, si in members:
            cell = run.file_cells(source)[i]
            masked = masked_sentence(run.content, T.sentences(cell.text)[si], cell.codes, run.prefilter)
            keyed.append((n, i, si, masked, cell))
    keyed.sort(key=lambda k: k[:3])
    return [(masked, cell) for _, _, _, masked, cell in keyed]


# ---------------------------------------------------------------- V006

HEDGE = T.keyed("hedge",
                r"\b(in (various|different|many|several) ways|may or may not|might or might not|it depends|"
                r"depending on (the )?(situation|context|circumstances|use case|implementation|needs|"
                r"scenario|case|server|client|application)|can vary|varies|vary (widely|greatly|by)|"
                r"under certain (conditions|circumstances)|in (some|certain) (cases|situations)|as (appropriate|"
                r"needed|necessary|required)|if (needed|necessary|appropriate)|where (applicable|appropriate)|"
                r"handled differently|case[- ]by[- ]case)\b", re.I,
                needs=("applicable appropriate case certain depending depends differently might necessary needed not "
                       "required some varies vary ways",))


# Both outcomes hedged ("it might retry, or it might just give up"), or speculation stacked in one sentence
# ("unlikely, as browsers probably refuse"): the reader learns nothing either way.
EITHER_WAY = T.keyed("either_way", r"\b(might|may|could) [^.;:]{1,80}?, or (it|they|he|she|you|we|this|that|the \w+) "
                     r"(just |simply )?(might|may|could)\b", re.I,
                     needs=("could may might",))
SPECULATION = T.keyed("speculation", r"\b(probably|perhaps|possibly|maybe|unlikely|might)\b", re.I,
                      needs=("maybe might perhaps possibly probably unlikely",))


def _speculates(sentence: str) -> str | None:
    m = EITHER_WAY.search(sentence)
    if m:
        return m.group(0)
    said = [m.group(0) for m in SPECULATION.finditer(sentence)]
    return " ... ".join(said) if len({w.lower() for w in said}) >= 2 else None


# A method or a header named next to the hedge is what it depends on ("in some cases also for DELETE").
CONCRETE = re.compile(r"\b(GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS|CONNECT|TRACE)\b|\b[A-Z][a-z]+(-[A-Z][a-z]+)+\b")


@rule("V006", "empty-hedge", "A hedge with no content: \"in various ways\", \"may or may not\", \"it depends\".",
      "client_behavior: Clients react to 412 in various ways depending on the implementation.",
      "retry: {safe: true, note: Idempotent requests may be retried with exponential backoff after Retry-After.}",
      scope="file", reads=PROSE, keywords=(HEDGE, SPECULATION))
def hedge(run: Run) -> Iterator[Diagnostic]:
    for i in run.may(HEDGE, SPECULATION):
        cell = run.cells[i]
        if cell.kind == "question":
            continue
        # A match in a sentence is one in the cell (\b holds at a sentence's ends, next to whitespace).
        if run.may_at(i, SPECULATION) and SPECULATION.search(cell.text):
            said = next(filter(None, map(_speculates, T.sentences(cell.text))), None)
            if said:
                yield cell.diag("V006", f"{cell.field} hedges (\"{said}\") and leaves the reader nothing to act on",
                                hint="say what happens, or drop the guess")
                continue
        if HEDGE.search(cell.text) is None:
            continue
        for sentence in T.sentences(cell.text):
            m = HEDGE.search(sentence)
            if not m:
                continue
            rest = T.content_words(T.mask(sentence, [m.group(0)] + names_of(run.content, cell.code), run.prefilter))
            if len(rest) <= 3 and not CONCRETE.search(sentence):
                yield cell.diag("V006", f"{cell.field} hedges (\"{m.group(0)}\") without saying what it depends on",
                                hint="name the condition and the outcome")
                break


# ---------------------------------------------------------------- V007

MARKETING = T.keyed("marketing",
                    r"\b(book (a|an|your) [\w-]*\s?(call|demo|consultation|session|meeting)|our team|"
                    r"our (experts?|engineers|consultants|clients|customers|engagements?|services?|platform|"
                    r"product|agency|company|firm)|contact us|get in touch|reach out to us|"
                    r"strategy call|no-pressure|hire us|schedule a (call|demo)|we (can )?help you|"
                    r"(talk|speak) to (an|our) (expert|engineer|specialist)|our recent|our perspective|"
                    r"subscribe to|try it free|request a (quote|demo)|use our (free )?([\w-]+ )?(tool|checker|app|"
                    r"extension|plugin)s?|try our|(recommended|best|top) ([\w-]+ )?tools?|(qualified|certified) "
                    r"(professional|technician|expert|developer)s?|"
                    r"(high-performance|managed|premium|scalable) (cloud )?hosting|"
                    r"seamless(ly)?|effortless(ly)?|hassle-free|cutting-edge|game-changer|peace of mind|"
                    r"(more |greater |fine-)?granular control|supercharge[sd]?|best-in-class|world-class)\b",
                    re.I,
                    # For each phrase, a word every match of it holds that documentation rarely uses: "our" for "our
                    # platform" and "use our app", "qualified"/"certified" for "certified developers" (not "platform",
                    # "app" or "developers", which prose about HTTP uses, so that fewer cells are searched).
                    needs=("book contact touch reach strategy pressure hire schedule help talk speak our subscribe "
                           "free quote demo tool tools qualified certified hosting seamless seamlessly effortless "
                           "effortlessly hassle cutting game peace granular supercharge supercharged supercharges "
                           "best world",))


@rule("V007", "marketing", "The cell is marketing (\"book a call\", \"our team\", \"use our tool\", \"seamless\") "
      "rather than documentation.",
      "when_to_use: Considering HTTP 409? Book a no-pressure strategy call with our team.",
      "when_to_use: Return 409 when the change is valid but clashes with the resource's current state.",
      scope="file", reads="every prose cell", keywords=(MARKETING,))
def marketing(run: Run) -> Iterator[Diagnostic]:
    for i in run.may(MARKETING):
        cell = run.cells[i]
        m = MARKETING.search(cell.text)
        if m:
            yield cell.diag("V007", f"{cell.field} is marketing (\"{m.group(0)}\")", hint="remove it")


# ---------------------------------------------------------------- V008


@rule("V008", "too-short", "The cell is too short to inform for its field.",
      "definition: Request conflicts.",
      "definition: The request could not be completed because it conflicts with the current state of the "
      "target resource, and the user may be able to resolve the conflict and resubmit.",
      scope="file", reads="every prose cell, with its kind's minimum (cells.MIN_WORDS)", index=True)
def too_short(run: Run) -> Iterator[Diagnostic]:
    for i in run.unless("enough_words"):
        cell = run.cells[i]
        need = MIN_WORDS.get(cell.kind, 0)
        got = T.words(cell.text)
        if cell.text.strip() and not PLACEHOLDER.match(cell.text.strip()) and got < need:
            yield cell.diag("V008", f"{cell.field} has {got} word{'s' if got != 1 else ''}; at least {need} are "
                                    "needed to inform", hint="say what, when and what to do")


# ---------------------------------------------------------------- V009


@rule("V009", "same-both-sides", "In a comparison, a row whose two cells say the same thing once the codes and "
      "names are masked.",
      "rows: [{aspect: \"Safe to retry?\", left: Only after fixing the underlying cause, right: Only after fixing "
      "the underlying cause}]",
      "rows: [{aspect: \"Safe to retry?\", left: After resolving the conflict, right: After re-reading the ETag}]",
      scope="file", reads="comparisons' rows", index=True)
def same_both_sides(run: Run) -> Iterator[Diagnostic]:
    content, index = run.content, run.index
    letters = index.universe.letters if index is not None and index.universe.ascii else None
    row_tokens = iter(index.row_tokens if index is not None else ())  # the row cells in order, left then right
    for comp in run.comparisons():
        for i, row in enumerate(comp.rows):
            if letters is not None:
                known = [None if t is None else set(t.split()) for t in (next(row_tokens), next(row_tokens))]
                if surely_different(row.left, row.right, letters, *known):
                    continue
            left = set(masked_sentence(content, row.left, tuple(comp.codes), run.prefilter).split())
            right = set(masked_sentence(content, row.right, tuple(comp.codes), run.prefilter).split())
            if not left or not right:
                continue
            overlap = len(left & right) / len(left | right)
            if overlap >= 0.8:
                cell = Cell(comp, f"rows[{i}].right", row.right, comp.codes[1], "row")
                yield cell.diag("V009", f"rows[{i}] says the same thing for {comp.codes[0]} and {comp.codes[1]} "
                                        f"({row.aspect})", hint="state the difference, or drop the row")


# ---------------------------------------------------------------- V010

FILLER = T.keyed("filler",
                 r"\b((real|major|big|huge) (headache|pain)|frustrat(ing|ed|ion)|nightmare|roadblock|"
                 r"(identify|spot|find) any (potential|possible) (issues?|problems?)|if (these|the above) steps "
                 r"(do not|don't|did not|didn't)|follow these (simple |easy )?steps|any of these (status )?"
                 r"(codes|errors)|(all|many|most) of these (status )?(codes|errors)|"
                 r"^\W*(these|the|such) (status |error )?codes\b)\b", re.I,
                 needs=("big codes did didn don errors follow frustrated frustrating frustration headache huge "
                        "identify major nightmare pain roadblock real spot find steps",))


@rule("V010", "filler", "The cell is filler any page about any code could carry: how an error feels, generic "
      "troubleshooting steps, advice for a list of codes at once.",
      "client_behavior: Seeing a 502 can be a real headache. Follow these steps to identify any potential issues.",
      "client_behavior: Retry an idempotent request after a short delay, since the upstream may recover; report "
      "the failure if it persists.", scope="file", reads=PROSE, keywords=(FILLER,))
def filler(run: Run) -> Iterator[Diagnostic]:
    for i in run.may(FILLER):
        cell = run.cells[i]
        m = FILLER.search(cell.text) if cell.kind != "question" else None
        if m and m.group(0).lstrip(" \"'(*").lower().startswith(("these", "the", "such")) and \
                not isinstance(cell.owner, Entry):
            continue  # "These codes ..." opens many a sound comparison: there they are its two codes
        if m:
            yield cell.diag("V010", f"{cell.field} is filler (\"{m.group(0)}\") that says nothing of this code",
                            hint="say what this code means, when it is sent or what to do about it")


# ---------------------------------------------------------------- V011

# Words that speak of status codes as such (where they are listed, who defined them, that servers send them),
# which every pair of codes shares: a comparison's summary made of nothing else does not tell the two codes apart.
ABOUT_CODES = frozenset(" ".join((
    "both neither listed list lists registry registered register iana ietf defined define defines",
    "definition official officially standardised standardized documented specified assigned number",
    "numbers numbered three-digit digit digits appear appears appearing exist exists existing part web",
    "internet widely popular well-known known valid real legitimate servers return returned returning",
    "returns sent send sends receive received browsers browser applications application developers",
    "developer apps app libraries library frameworks framework related similar different differ differs",
    "difference differences distinct distinguish separate same alike common kinds kind family families",
    "group groups belong belongs members member numeric numerical headers header documentation docs",
    "reference familiar",
)).split())


@functools.cache
def _dropped_runs() -> frozenset[bytes]:
    """The runs of letters of every word V011 or `T.content_words` drops, and single letters (`_SurelySays`)."""
    dropped = T.STOP | T.GENERIC | ABOUT_CODES
    return frozenset({r for w in dropped for r in T.letter_runs(w.encode())} | {bytes([c]) for c in range(97, 123)})


class _SurelySays:
    """V011's count of masked content words outside ABOUT_CODES, bounded from below without masking. In ASCII
    text (and phrases) masking keeps every run of letters outside `Universe.letters` (see Universe); a token with
    a run outside `skip` (those, the runs of every word V011 or `T.content_words` drops, single letters) is
    a word V011 counts, and the tokens holding such runs are at least their number less the text's ' and -
    (each joins two runs into one token at most)."""

    def __init__(self, run: Run):
        universe = run.index.universe if run.index is not None else run.universe()
        self.ascii = universe.ascii
        self.skip = universe.letters | _dropped_runs()

    def two_words(self, text: str) -> bool:
        """True if the summary surely keeps 2+ such words once masked."""
        if not (self.ascii and text.isascii()):
            return False
        raw = text.encode()
        kept = sum(1 for r in T.letter_runs(raw) if r not in self.skip)
        return kept - raw.count(b"-") - raw.count(b"'") >= 2


@rule("V011", "summary-without-difference", "A comparison's summary says nothing that tells the two codes apart: "
      "once the codes, their names and classes are masked, only words about status codes as such remain (that both "
      "are listed, defined, returned by servers), and it names no situation of either code's knowledge.",
      "codes: [409, 412]\nsummary: Both of these are HTTP status codes that servers return, and both are defined "
      "by the IETF and listed in the IANA registry.",
      "codes: [409, 412]\nsummary: 412 means a precondition header the client sent evaluated false; 409 means the "
      "change clashes with the resource's current state, with no precondition involved.",
      scope="file", reads="comparisons' summaries; the concepts of checks/knowledge.yaml")
def summary_without_difference(run: Run) -> Iterator[Diagnostic]:
    concepts = K.knowledge().concepts.values()
    said = run.derived("V011 words", lambda: _SurelySays(run))
    for cell in run.cells:
        if cell.kind != "comp_summary" or not cell.text.strip() or PLACEHOLDER.match(cell.text.strip()):
            continue
        if run.prefilter and said.two_words(cell.text):
            continue  # what the next test finds, known without masking
        if len([w for w in masked_content(run.content, cell, fast=run.prefilter) if w not in ABOUT_CODES]) > 1:
            continue
        low = T.lowered(cell.text)
        if any(c.start(cell.text, low) is not None for c in concepts):
            continue  # it names a situation of the knowledge (a trigger or a claim): a difference
        yield cell.diag("V011", f"{cell.field} says nothing that tells {cell.codes[0]} and {cell.codes[1]} apart",
                        hint="say which situation calls for each code, or what a client does differently")
