"""Write a synthetic, deterministic content folder for the benchmark (issue 8).

    python3 bench/make_corpus.py N [--comparisons M] [--out bench/corpus/N]

N is the number of content pages: min(N, 500) code entries (codes 100..599; the schema allows no others)
and, unless --comparisons says otherwise, N - 500 comparison pages between pairs of those codes. The folder
is a statusdocs content folder (site.yaml, codes/, comparisons/) that `statusdocs check --strict` accepts,
and it also holds the same pages as Markdown with YAML front matter for Hugo (hugo/) and MkDocs (mkdocs/).

Every file is generated from its own seeded RNG (keyed by the code or the pair), so a page is the same in
every corpus size. Sentences are composed from word lists plus made-up product words, so that no sentence
template repeats across three files (the boilerplate rule V005).
"""

from __future__ import annotations

import argparse
import http
import os
import random
import shutil
import sys
from collections.abc import Callable

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from statusdocs.reference import constant_tables, registry  # noqa: E402

MAX_ENTRIES = 500            # codes 100..599: the schema's whole range
ALL_CODES = list(range(100, 600))

# ---------------------------------------------------------------------------------------------- word lists
# Chosen to stay clear of the validator's trigger phrases (another code's defining case, hedges, deferrals,
# cache and retry claims, class words after "is").
CONS = "bdfgklmnprstvz"
VOWELS = "aeiou"
RESOURCES = ["invoice", "shipment", "playlist", "sensor reading", "booking", "ledger line", "support ticket",
             "manifest", "render job", "payout", "seat map", "firmware image", "price list", "photo album",
             "lab result", "timetable", "warehouse slot", "subscription", "survey answer", "route plan",
             "parcel label", "meter reading", "match report", "recipe card", "tax form", "crop survey",
             "fleet log", "course outline", "claim packet", "loyalty card"]
ACTORS = ["mobile app", "command-line client", "nightly import job", "browser tab", "partner integration",
          "webhook consumer", "kiosk terminal", "data pipeline", "desktop sync agent", "smart speaker",
          "test harness", "reporting dashboard", "point-of-sale device", "build agent", "chat bot",
          "spreadsheet plug-in", "field tablet", "billing worker"]
PLACES = ["edge proxy", "origin", "API gateway", "load balancer", "mesh sidecar", "regional replica",
          "object store", "message broker", "front proxy", "search cluster", "scheduler", "ingest tier"]
STATES = ["parked", "sealed", "held for review", "mid-migration", "paused", "detached", "frozen for audit",
          "waiting on a countersignature", "being re-indexed", "queued for export", "split across shards",
          "pinned to an older schema", "locked by a batch window", "staged but unpublished"]
DURATIONS = ["two seconds", "thirty seconds", "five minutes", "an hour", "ten minutes", "ninety seconds",
             "a quarter of an hour", "one day", "forty seconds", "three minutes", "half an hour"]
VERBS = ["reschedules", "parks", "queues", "logs", "flags", "holds", "forwards", "tags", "records",
         "annotates", "mirrors", "archives", "stamps", "counts"]
FEELINGS = ["puzzled operators", "noisy alerts", "stuck dashboards", "half-filled reports", "orphaned drafts",
            "confused support staff", "doubled invoices", "silent data gaps", "empty screens", "late payouts"]
TEAMS = ["the platform group", "the billing squad", "the mobile crew", "the data engineers", "the on-call rota",
         "the storefront developers", "the integration partners", "the warehouse staff"]
HEADERS = {
    "Retry-After": ["{svc} puts the number of seconds until the {res} leaves the {state} state here.",
                    "The {actor} reads it to schedule its next look at the {svc} {res}, which is {dur} at most."],
    "Cache-Control": ["{svc} sends `max-age` of {dur} so shared copies expire with the `{field}` window.",
                      "Tells intermediaries such as the {place} how long a copy of this {svc} answer stays usable."],
    "Link": ["Points at the `{field}` document where the {actor} can watch the {res} change state.",
             "{svc} links the {res} audit trail with `rel=\"{word}\"` so the {actor} can show it."],
    "Vary": ["Lists `{hdr}` because {svc} answers differently per tenant of the {res} store.",
             "The {place} keys its copies by `{hdr}` as well, which keeps tenants of {svc} apart."],
    "Content-Location": ["Names the {res} whose state the body describes, which {svc} keeps at `/{word}`.",
                         "Lets the {actor} tell which {res} in a batch the `{field}` value belongs to."],
    "X-Request-Id": ["Echoes the identifier the {actor} sent, so {team} can find the {svc} log line.",
                     "{svc} generates one when the {actor} sends none, and prints it beside `{field}`."],
    "Server-Timing": ["Reports how long the {place} spent on the `{field}` lookup before answering.",
                      "{svc} adds a `{word}` metric so the {actor} can tell queueing time from work time."],
    "ETag": ["Carries the current tag of the {res}, which {svc} changes whenever `{field}` moves.",
             "The {actor} keeps it beside its copy of the {res} and shows it in the {word} panel."],
    "Warning": ["{svc} still emits it for old {actor} builds that display the text to operators.",
                "Older {place} software reads the text here because it ignores the `{field}` body."],
    "Content-Type": ["`application/{word}+json` for the {svc} body that names `{field}` and `{field2}`.",
                     "The {actor} switches parsers on it, and {svc} answers JSON unless `{hdr}` asks for CSV."],
}
SIMPLE_HEADERS = ["Accept-Language", "X-Tenant", "Accept", "X-Client-Build", "Prefer"]
ASPECTS = ["Who notices first", "What the body names", "Where {svc} logs it", "Typical reaction of the {actor}",
           "Header the client reads", "What the operator sees", "Effect on the {res} record",
           "How long the state lasts", "Which component answers", "What the dashboard shows"]

DEFINITION = [
    "The {svc} {place} answers with {code} when a {res} it holds is {state} and the {actor} asked for it before "
    "the `{field}` step finished.",
    "{svc} reserves {code} for a {res} that has been {state} for up to {dur}, so the body names the `{field}` "
    "that put it there.",
    "{svc} introduced the code for {actor} traffic: a {res} that is {state} cannot change until the `{field}` "
    "window closes.",
    "The request itself is fine; the {svc} {place} reports that the {res} is {state} and gives the end time in "
    "`{field}`.",
    "The body is a short JSON document with `{field}` and `{field2}`, which the {actor} reads to learn how long "
    "the {res} stays {state} in {svc}.",
    "Because {svc} {verb} every {res} that is {state}, the answer tells the {actor} that nothing was written and "
    "that `{field}` holds the reason.",
]
WHEN = [
    "the `{field}` flag on the {res} is set and the {svc} {place} has not yet released it",
    "the {actor} writes to a {res} that {svc} marked {state} less than {dur} ago",
    "a {res} sits in the {word} queue of {svc} and `{field}` names a later slot",
    "the {svc} {place} sees `{hdr}: {word}` on a request for a {res} that is {state}",
    "{team} has switched the {res} store of {svc} to the {word} mode for maintenance",
]
CLIENT = [
    "The {actor} keeps its local copy of the {res}, shows the `{field}` time, and {verb} the change in its "
    "outbox.",
    "A well-behaved {actor} reads `{field}` from the body and waits {dur} before it asks {svc} about the {res} "
    "again.",
    "Browsers hand the body to the page script, which in the {svc} front end renders the `{field}` banner.",
    "The {svc} SDK raises a `{Word}Hold` exception carrying `{field}`, so the {actor} can tell it apart from "
    "transport faults.",
    "Crawlers that meet it on a {svc} {res} page keep their previous copy and come back after about {dur}.",
]
CACHE = [
    "The {svc} {place} sends `Cache-Control: max-age` matching the `{field}` window, and shared copies expire "
    "with it.",
    "Intermediaries such as the {place} keep a copy only for as long as the explicit freshness that {svc} gives "
    "allows.",
    "{svc} adds `Vary: {hdr}` so that the {place} never hands one tenant's `{field}` answer to another.",
    "A copy held by the {actor} is worth keeping only until the {svc} {res} leaves the {state} state.",
]
RETRY = [
    "The {actor} waits {dur}, reads `{field}` again, and only then sends its second attempt to {svc}.",
    "{svc} counts attempts per {res}; after the third one inside {dur} the {place} answers from its `{word}` "
    "log.",
    "A second attempt makes sense once `{field}` has passed; before that the {res} is still {state}.",
    "Jitter the delay between attempts so a fleet of {actor} builds does not wake {svc} at the same second.",
]
SCENARIOS = [
    "A {actor} edits a {res} while the {svc} {place} has it {state}; the edit waits in the outbox for {dur}.",
    "During a {word} release {team} moves every {res} of {svc} into the {state} state for {dur}.",
    "The {actor} of a {word} customer asks for a {res} that {svc} {verb} overnight, and sees the `{field}` "
    "banner.",
    "A support agent opens a {res} that is {state}; the {svc} console shows `{field}` and the owner's name.",
    "{svc} imports a {res} from a {word} partner, and the {place} answers the {actor} before the import is done.",
]
MISTAKES = [
    "Sending it without `{field}`, which leaves the {actor} guessing how long the {res} stays {state}.",
    "Letting the {place} rewrite it to a generic page, so the {actor} of {svc} loses the `{field}` body.",
    "Logging it at error level in {svc}; it is expected traffic and floods {team} with {feel}.",
    "Reusing the `{field}` value across tenants of {svc}, which produces {feel} in the {word} report.",
    "Dropping `{hdr}` from the answer, so the {place} mixes {svc} answers meant for different {actor} builds.",
]
SUMMARY = [
    "The {svc} {place} holds a {res} that is {state} and tells the {actor} when it will be released.",
    "A {res} in {svc} is {state}, so the {place} refuses the change and names the moment it will accept one.",
    "{svc} reports that the {res} the {actor} wants is {state} for about {dur} and nothing was written.",
]
FAQ = [
    ("How long does a {res} usually stay {state} in {svc}?",
     "About {dur} in the {svc} deployments measured so far; `{field}` on the {word} record always carries "
     "the exact end time."),
    ("Does the {actor} lose its edit when the {svc} {place} answers this way?",
     "No. The {actor} keeps the edit in its outbox and {verb} it until `{field}` has passed."),
    ("Can {team} release a {res} early in {svc}?",
     "Yes: the `{word}` console of {svc} has a release button, and each use is logged with the operator's name."),
    ("Why does the {svc} {place} add `{hdr}` to the answer?",
     "So that answers for different tenants of {svc} never share one copy in the {place}."),
]
FAQ_CODE_Q = ["What does the {svc} body look like?", "Which field of the {svc} body does the {actor} need?",
              "What does the {actor} log from the {svc} answer?"]
CMP_SUMMARY = [
    "{a} and {b} both stop a {res} change in {svc}, but {a} is about the `{field}` state while {b} comes from "
    "the {place}.",
    "With {a} the {actor} learns that the {res} is {state}; with {b} it learns that the {svc} {place} {verb} "
    "the request instead.",
    "The {actor} reacts to {a} by waiting for `{field}`, and to {b} by reading the `{field2}` note from {svc}.",
    "Operators of {svc} see {a} in the {word} log and {b} in the {place} log, which tells them where to look.",
]
CMP_RULE = [
    "If the {svc} {place} finds the {res} {state} before it reads the body, answer {a}; if it only notices while "
    "writing the `{field}` record, answer {b}.",
    "Ask whether `{field}` on the {res} is set: when it is, {a}; when the {place} of {svc} refused for its own "
    "reasons, {b}.",
    "Look at who decided: the {res} store of {svc} (`{field}` set) gives {a}, the {word} {place} gives {b}.",
]
CMP_Q = [
    "Is the `{field}` flag on the {res} set?",
    "Did the {svc} {place} look at the {res} before reading the body?",
    "Has the {res} been {state} for less than {dur}?",
    "Does the {actor} send `{hdr}` with the request?",
    "Was the {word} step of {svc} still running?",
]
CMP_NOTE = [
    "Only the `{field}` flag counts here, not the `{field2}` note that the {actor} may also send.",
    "The {svc} {place} logs this check under `{word}`, which makes it easy to audit.",
]
ROW = [
    "The {svc} {place}, as soon as the `{field}` lookup returns.",
    "The {actor}, after it reads `{field}` and compares it with its {word} copy.",
    "A `{field}` block with the {res} owner and the {state} reason.",
    "Only the {place} name and a `{word}` trace id for {team}.",
    "It {verb} the {res} and shows the `{field}` banner to the user.",
    "About {dur}, set by the {word} policy of {svc}.",
    "Until {team} lifts the `{field}` flag on the {word} queue by hand.",
]


def pseudo_word(rng: random.Random, syllables: int | None = None) -> str:
    n = syllables or rng.choice((2, 3, 3))
    word = "".join(rng.choice(CONS) + rng.choice(VOWELS) for _ in range(n))
    return word + rng.choice(("", "", "n", "r", "l", "s"))


class Slots(dict):
    """format_map() mapping: fixed keys (code, svc) from the dict, anything else drawn fresh for each use."""

    def __init__(self, rng: random.Random, fixed: dict[str, object]):
        super().__init__(fixed)
        self.rng = rng

    def __missing__(self, key: str) -> str:
        r = self.rng
        draws: dict[str, Callable[[], str]] = {
            "res": lambda: r.choice(RESOURCES), "actor": lambda: r.choice(ACTORS), "place": lambda: r.choice(PLACES),
            "state": lambda: r.choice(STATES), "dur": lambda: r.choice(DURATIONS), "verb": lambda: r.choice(VERBS),
            "feel": lambda: r.choice(FEELINGS), "team": lambda: r.choice(TEAMS), "word": lambda: pseudo_word(r),
            "Word": lambda: pseudo_word(r).capitalize(), "hdr": lambda: r.choice(SIMPLE_HEADERS),
            "field": lambda: f"{pseudo_word(r, 2)}_{r.choice(('until', 'ref', 'window', 'owner', 'slot'))}",
            "field2": lambda: f"{pseudo_word(r, 2)}_{r.choice(('note', 'reason', 'batch', 'lane'))}",
        }
        if key not in draws:
            raise KeyError(key)
        return draws[key]()


class Memo(Slots):
    """Like Slots, but a key drawn once keeps its value: for a question and its answer."""

    def __missing__(self, key: str) -> str:
        self[key] = super().__missing__(key)
        return self[key]


def fill(slots: Slots, template: str) -> str:
    text = template.format_map(slots)
    return text[0].upper() + text[1:]


def pick(rng: random.Random, options: list[str], k: int) -> list[str]:
    return rng.sample(options, k)


# ---------------------------------------------------------------------------------------------- entries
def codes_for(n_entries: int) -> list[int]:
    """Registered codes first (they exercise the fact checks), then unregistered ones in order."""
    reg = sorted(int(c) for c in registry()["registry"])
    rest = [c for c in ALL_CODES if c not in reg]
    return sorted((reg + rest)[:n_entries])


def _constants(code: int) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, table in constant_tables().items():
        names = [n for n in table.names_for(code) if n not in table.deprecated]
        if key == "python" and not names:
            try:
                names = [http.HTTPStatus(code).name]
            except ValueError:
                names = []
        if names:
            out[key] = table.prefix + names[0]
    return out


def _http_example(rng: random.Random, s: Slots, code: int, name: str) -> dict[str, str]:
    word, res = pseudo_word(rng), rng.choice(RESOURCES).replace(" ", "-")
    method = rng.choice(("PUT", "PATCH", "POST", "GET", "DELETE"))
    field = s["field"]
    body = f'{{"{res}": "{word}", "note": "{fill(s, "{actor} edit")}"}}'
    request = (f"{method} /{res}s/{word} HTTP/1.1\nHost: {s['svc'].lower()}.example.net\n"
               f"X-Request-Id: {pseudo_word(rng)}-{rng.randrange(1000, 9999)}\n")
    if method in ("PUT", "PATCH", "POST"):
        request += f"Content-Type: application/json\nContent-Length: {len(body)}\n\n{body}\n"
    rbody = f'{{"{field}": "2026-{rng.randrange(1, 12):02d}-{rng.randrange(1, 28):02d}T10:00:00Z", "{res}": "{word}"}}'
    response = (f"HTTP/1.1 {code} {name}\nContent-Type: application/json\nRetry-After: {rng.randrange(5, 600)}\n"
                f"Content-Length: {len(rbody)}\n\n{rbody}\n")
    return {"title": fill(s, f"{method} on a {{state}} {res} in {{svc}}"), "request": request, "response": response}


def make_entry(code: int, corpus: list[int]) -> dict:
    rng = random.Random(f"entry-{code}")
    reg = registry()["registry"].get(code)
    svc = pseudo_word(rng, 3).capitalize()
    s = Slots(rng, {"code": code, "svc": svc})
    entry: dict = {"code": code}
    if reg is not None:
        name = str(reg["phrase"]).split(" (")[0] if not str(reg["phrase"]).startswith("(") else str(reg["phrase"])
        entry |= {"name": name, "official": True}
        if reg.get("registration"):
            entry["registration"] = reg["registration"]
        spec = {"document": str(reg["document"])}
        if reg.get("section"):
            spec["section"] = str(reg["section"])
        if not spec["document"].startswith("RFC"):
            spec["url"] = f"https://datatracker.ietf.org/doc/{spec['document']}/"
    else:
        name = f"{pseudo_word(rng, 2).capitalize()} {rng.choice(['Hold', 'Parked', 'Sealed', 'Paused', 'Fenced'])}"
        entry |= {"name": name, "official": False, "origin": "synthetic benchmark"}
        spec = {"document": "statusdocs synthetic benchmark", "section": "1",
                "url": f"https://statusdocs.invalid/bench/{code}"}
    others = [c for c in corpus if c != code]
    related = sorted(rng.sample(others, min(3, len(others))))
    entry["summary"] = fill(s, rng.choice(SUMMARY))
    entry["spec"] = spec
    table = "\n".join(f"| `{s['field']}` | {fill(s, '{verb} the {res} for the {actor}')} |" for _ in range(2))
    entry["definition"] = (" ".join(fill(s, t) for t in pick(rng, DEFINITION, 2)) + "\n\n"
                           + fill(s, "The body of the {svc} answer carries these fields:") + "\n\n"
                           + "| field | meaning |\n|---|---|\n" + table + "\n")
    entry["when_to_use"] = (fill(s, "Send {code} from the {svc} {place} when one of these holds:") + "\n\n"
                            + "".join(f"- {fill(s, t)};\n" for t in pick(rng, WHEN, 2)) + "\n"
                            + fill(s, "Decide it after routing and before the {svc} {res} is written, so the "
                                      "{actor} never sees a half-applied change.") + "\n")
    entry["when_not_to_use"] = "".join(
        f"- {fill(s, t)}: {c} instead.\n" for t, c in zip(
            ["the {res} was written and the {actor} only waits for the `{field}` echo",
             "the {svc} {place} itself stopped answering for {dur}",
             "the {actor} asked for a {res} that {team} moved to the `{word}` archive"], related, strict=False))
    entry["client_behavior"] = " ".join(fill(s, t) for t in pick(rng, CLIENT, 2)) + "\n"
    entry["cacheable"] = {"default": code in registry()["heuristically_cacheable"],
                          "note": fill(s, rng.choice(CACHE)) + "\n"}
    entry["retry"] = {"safe": rng.random() < 0.4, "note": fill(s, rng.choice(RETRY)) + "\n"}
    entry["headers"] = [{"name": h, "note": fill(s, rng.choice(HEADERS[h]))}
                        for h in pick(rng, sorted(HEADERS), 2)]
    entry["constants"] = _constants(code)
    entry["scenarios"] = [fill(s, t) for t in pick(rng, SCENARIOS, 3)]
    entry["examples"] = [_http_example(rng, s, code, name)]
    entry["mistakes"] = [fill(s, t) for t in pick(rng, MISTAKES, 2)]
    question, answer = rng.choice(FAQ)
    links = ", ".join(f"[{c}](../{c}/)" for c in related)
    entry["faq"] = [_faq(rng, svc, rng.choice(FAQ_CODE_Q), None),
                    _faq(rng, svc, question, answer, f" Related codes: {links}.")]
    entry["related"] = related
    return entry


def _faq(rng: random.Random, svc: str, question: str, answer: str | None, tail: str = "") -> dict[str, str]:
    """One question and its answer, sharing their drawn words; answer None: a fenced JSON sample."""
    s = Memo(rng, {"svc": svc})
    q = fill(s, question)
    return {"question": q, "answer": (fill(s, answer) + tail) if answer else _code_answer(rng, s)}


def _code_answer(rng: random.Random, s: Slots) -> str:
    field, word = s["field"], pseudo_word(rng)
    return (fill(s, "The {svc} body is small; the {actor} only needs `" + field + "` from it:") + "\n\n"
            + "```json\n"
            + f'{{"{field}": "2026-{rng.randrange(1, 12):02d}-01T00:00:00Z", "{word}": {rng.randrange(1, 99)}}}\n'
            + "```\n")


# ---------------------------------------------------------------------------------------------- comparisons
def pairs_for(codes: list[int], m: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for d in range(1, len(codes)):
        for i in range(len(codes) - d):
            if len(out) == m:
                return out
            out.append((codes[i], codes[i + d]))
    return out


def make_comparison(a: int, b: int, names: dict[int, str]) -> dict:
    rng = random.Random(f"comparison-{a}-{b}")
    svc = pseudo_word(rng, 3).capitalize()
    s = Slots(rng, {"a": a, "b": b, "svc": svc})
    inner = {"question": fill(s, rng.choice(CMP_Q)), "yes": a, "no": b}
    if rng.random() < 0.5:
        inner = {"question": fill(s, rng.choice(CMP_Q)), "yes": inner, "no": b}
    decision = {"question": fill(s, rng.choice(CMP_Q)), "note": fill(s, rng.choice(CMP_NOTE)),
                "yes": inner, "no": b}
    rows = []
    for aspect in pick(rng, ASPECTS, 4):
        left, right = pick(rng, ROW, 2)
        rows.append({"aspect": fill(s, aspect), "left": fill(s, left), "right": fill(s, right)})
    examples = [_http_example(rng, s, a, names[a]), _http_example(rng, s, b, names[b])]
    question, answer = rng.choice(FAQ)
    faq = [_faq(rng, svc, question, answer), _faq(rng, svc, rng.choice(FAQ_CODE_Q), None)]
    return {"codes": [a, b], "summary": " ".join(fill(s, t) for t in pick(rng, CMP_SUMMARY, 3)) + "\n",
            "decision_rule": fill(s, rng.choice(CMP_RULE)) + "\n", "decision": decision, "rows": rows,
            "examples": examples, "faq": faq}


# ---------------------------------------------------------------------------------------------- output
class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:  # noqa: ARG002 - the loader refuses aliases
        return True


def _str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100000)


SITE = {
    "title": "statusdocs benchmark",
    "description": "A synthetic corpus of status-code entries and comparisons for timing the build.",
    "base_url": "https://statusdocs.invalid/bench/",
    "language": "en",
}


def _site(root_site: str) -> dict:
    with open(root_site, encoding="utf-8") as fh:
        real = yaml.safe_load(fh)
    return SITE | {"classes": real["classes"]}


def _md_link(code: int, style: str) -> str:
    return f"[{code}](../{code}/)" if style == "hugo" else f"[{code}]({code}.md)"


def _relink(text: str, style: str) -> str:
    if style == "hugo":
        return text
    import re

    return re.sub(r"\]\(\.\./(\d{3})/\)", r"](\1.md)", text)


def entry_markdown(e: dict, style: str) -> str:
    out = [f"{e['summary']}", "", "## Definition", "", _relink(e["definition"], style),
           f"Defined in {e['spec']['document']}" + (f" section {e['spec']['section']}" if e["spec"].get("section")
                                                   else "") + ".", "",
           "## When to use", "", e["when_to_use"], "## When not to use", "", e["when_not_to_use"],
           "## What the client does", "", e["client_behavior"],
           "## Caching", "", f"Heuristically cacheable: {'yes' if e['cacheable']['default'] else 'no'}.", "",
           e["cacheable"]["note"], "## Retrying", "",
           f"Safe to repeat unchanged: {'yes' if e['retry']['safe'] else 'no'}.", "", e["retry"]["note"],
           "## Headers", ""]
    out += [f"- `{h['name']}`: {h['note']}" for h in e["headers"]] + [""]
    if e.get("constants"):
        out += ["## Constants", "", "| library | constant |", "|---|---|"]
        out += [f"| {k} | `{v}` |" for k, v in e["constants"].items()] + [""]
    out += ["## Scenarios", ""] + [f"- {x}" for x in e["scenarios"]] + ["", "## Examples", ""]
    for ex in e["examples"]:
        out += [f"### {ex['title']}", "", "```http", ex["request"].rstrip(), "```", "", "```http",
                ex["response"].rstrip(), "```", ""]
    out += ["## Common mistakes", ""] + [f"- {x}" for x in e["mistakes"]] + ["", "## FAQ", ""]
    for f in e["faq"]:
        out += [f"### {f['question']}", "", _relink(f["answer"], style), ""]
    out += ["## Related", "", ", ".join(_md_link(c, style) for c in e["related"]), ""]
    return "\n".join(out)


def _decision_md(node, depth: int = 0) -> list[str]:
    pad = "    " * depth
    lines = [f"{pad}- {node['question']}"]
    for key in ("yes", "no"):
        branch = node[key]
        if isinstance(branch, dict):
            lines.append(f"{pad}    - {key.capitalize()}:")
            lines += _decision_md(branch, depth + 2)
        else:
            lines.append(f"{pad}    - {key.capitalize()}: {branch}")
    return lines


def _cell(text: str) -> str:
    """A prose field as one table cell: the text before any table of its own, on one line."""
    return " ".join(text.split("|")[0].split())


def comparison_markdown(c: dict, entries: dict[int, dict], style: str) -> str:
    """The comparison file plus the parts of both entries that statusdocs shows on a comparison page."""
    a, b = c["codes"]
    ea, eb = entries[a], entries[b]
    out = [c["summary"], "## Decision rule", "", c["decision_rule"]] + _decision_md(c["decision"]) + [""]
    out += ["## Side by side", "", f"| aspect | {a} | {b} |", "|---|---|---|"]
    for field, label in (("definition", "Definition"), ("when_to_use", "When to use"),
                         ("client_behavior", "Client behaviour")):
        out.append(f"| {label} | {_cell(ea[field])} | {_cell(eb[field])} |")
    out += [f"| Caching | {_cell(ea['cacheable']['note'])} | {_cell(eb['cacheable']['note'])} |",
            f"| Retry | {_cell(ea['retry']['note'])} | {_cell(eb['retry']['note'])} |",
            f"| Spec | {ea['spec']['document']} | {eb['spec']['document']} |"]
    out += [f"| {r['aspect']} | {r['left']} | {r['right']} |" for r in c["rows"]] + [""]
    for code, e in ((a, ea), (b, eb)):
        out += [f"## Scenarios for {_md_link(code, style)}", ""] + [f"- {x}" for x in e["scenarios"]] + [""]
        out += [f"Headers: {', '.join('`' + h['name'] + '`' for h in e['headers'])}.", ""]
    out += ["## Examples", ""]
    for ex in c["examples"]:
        out += [f"### {ex['title']}", "", "```http", ex["request"].rstrip(), "```", "", "```http",
                ex["response"].rstrip(), "```", ""]
    out += ["## FAQ", ""]
    for f in c["faq"]:
        out += [f"### {f['question']}", "", f["answer"], ""]
    return "\n".join(out)


def front_matter(title: str, description: str, params: dict | None = None) -> str:
    return "---\n" + dump({"title": title, "description": description, **(params or {})}) + "---\n\n"


HUGO_TOML = """baseURL = "https://statusdocs.invalid/bench/"
title = "statusdocs benchmark (Hugo)"
languageCode = "en"
disableKinds = ["taxonomy", "term", "rss", "home", "section"]
relativeURLs = true

# The frame of a statusdocs page, by Hugo's own means: examples highlighted with CSS classes (Chroma, as
# statusdocs does with Pygments), a table of contents of the sections, and the side navigation of every code by
# class (layouts/partials/sitenav.html, made once per build with partialCached, as statusdocs makes it once).
[markup.highlight]
codeFences = true
noClasses = false

[markup.tableOfContents]
startLevel = 2
endLevel = 2
"""
HUGO_LAYOUT = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }}</title><meta name="description" content="{{ .Description }}"></head>
<body>{{ partialCached "sitenav.html" . }}
<main><h1>{{ .Title }}</h1>
<nav class="toc" aria-label="On this page">{{ .TableOfContents }}</nav>
{{ .Content }}
</main></body>
</html>
"""
HUGO_SITENAV = """<nav class="sitenav" aria-label="All status codes"><details><summary>All status codes</summary>
{{ range (where .Site.RegularPages "Params.kind" "code").GroupByParam "class" }}
<details><summary>{{ .Key }}</summary><ul>
{{ range .Pages.ByWeight -}}
<li><a href="../{{ .Params.code }}/"><span class="num">{{ .Params.code }}</span> {{ .Params.name }}</a></li>
{{- end }}
</ul></details>
{{ end }}
</details></nav>
"""
MKDOCS_YML = """site_name: statusdocs benchmark (MkDocs)
site_url: https://statusdocs.invalid/bench/
theme:
  name: null
  custom_dir: theme
# The frame of a statusdocs page, by MkDocs' own means: examples highlighted by Pygments with CSS classes
# (codehilite), a table of contents (toc) and the navigation of every code by class (nav, below; comparisons
# stay out of it, as they are out of statusdocs' side navigation).
markdown_extensions:
  - tables
  - fenced_code
  - toc
  - codehilite:
      guess_lang: false
plugins: []
"""
MKDOCS_MAIN = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ page.title }}</title>
<meta name="description" content="{{ page.meta.description }}"></head>
<body><nav class="sitenav" aria-label="All status codes"><details><summary>All status codes</summary>
{% for section in nav %}<details><summary>{{ section.title }}</summary><ul>
{% for p in section.children %}<li><a href="{{ p.url|url }}">{{ p.title }}</a></li>{% endfor %}
</ul></details>{% endfor %}
</details></nav>
<main><h1>{{ page.title }}</h1>
<nav class="toc" aria-label="On this page"><ul>
{%- for t in page.toc %}<li><a href="{{ t.url }}">{{ t.title }}</a></li>{% endfor -%}
</ul></nav>
{{ page.content }}
</main></body>
</html>
"""


def mkdocs_yml(codes: list[int]) -> str:
    """MKDOCS_YML with the navigation of every code, by class."""
    classes: dict[str, list[int]] = {}
    for code in codes:
        classes.setdefault(f"{code // 100}xx", []).append(code)
    nav = {"nav": [{klass: [f"{c}.md" for c in members]} for klass, members in classes.items()]}
    return MKDOCS_YML + dump(nav)

def write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def build_corpus(n_pages: int, n_comparisons: int | None, out: str) -> tuple[int, int]:
    n_entries = min(n_pages, MAX_ENTRIES)
    m = max(0, n_pages - MAX_ENTRIES) if n_comparisons is None else n_comparisons
    codes = codes_for(n_entries)
    pairs = pairs_for(codes, m)
    if len(pairs) < m:
        raise SystemExit(f"only {len(pairs)} distinct pairs exist among {len(codes)} codes")
    if os.path.isdir(out):
        shutil.rmtree(out)
    entries = {c: make_entry(c, codes) for c in codes}
    names = {c: e["name"] for c, e in entries.items()}
    comparisons = [make_comparison(a, b, names) for a, b in pairs]

    write(os.path.join(out, "site.yaml"), dump(_site(os.path.join(ROOT, "content", "site.yaml"))))
    write(os.path.join(out, "hugo", "hugo.toml"), HUGO_TOML)
    write(os.path.join(out, "hugo", "layouts", "_default", "single.html"), HUGO_LAYOUT)
    write(os.path.join(out, "hugo", "layouts", "partials", "sitenav.html"), HUGO_SITENAV)
    write(os.path.join(out, "mkdocs", "mkdocs.yml"), mkdocs_yml(sorted(entries)))
    write(os.path.join(out, "mkdocs", "theme", "main.html"), MKDOCS_MAIN)
    for code, e in entries.items():
        write(os.path.join(out, "codes", f"{code}.yaml"), dump(e))
        title = f"{code} {e['name']}"
        code_params = {"kind": "code", "class": f"{code // 100}xx", "code": code, "name": e["name"], "weight": code}
        write(os.path.join(out, "hugo", "content", f"{code}.md"),
              front_matter(title, e["summary"], code_params) + entry_markdown(e, "hugo"))
        write(os.path.join(out, "mkdocs", "docs", f"{code}.md"),
              front_matter(title, e["summary"]) + entry_markdown(e, "mkdocs"))
    for c in comparisons:
        a, b = c["codes"]
        slug = f"{a}-vs-{b}"
        write(os.path.join(out, "comparisons", f"{slug}.yaml"), dump(c))
        title = f"{a} {names[a]} vs {b} {names[b]}"
        desc = " ".join(c["summary"].split())
        write(os.path.join(out, "hugo", "content", f"{slug}.md"),
              front_matter(title, desc) + comparison_markdown(c, entries, "hugo"))
        write(os.path.join(out, "mkdocs", "docs", f"{slug}.md"),
              front_matter(title, desc) + comparison_markdown(c, entries, "mkdocs"))
    return len(entries), len(comparisons)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("pages", type=int, help="number of content pages: min(N, 500) entries, the rest comparisons")
    p.add_argument("--comparisons", type=int, help="number of comparisons (default: N - 500, at least 0)")
    p.add_argument("--out", help="output folder (default: bench/corpus/N)")
    args = p.parse_args(argv)
    if args.pages < 1:
        p.error("N must be at least 1")
    out = args.out or os.path.join(HERE, "corpus", str(args.pages))
    n_entries, n_comp = build_corpus(args.pages, args.comparisons, out)
    print(f"wrote {n_entries} entries and {n_comp} comparisons to {out} (also as Markdown in hugo/ and mkdocs/)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
