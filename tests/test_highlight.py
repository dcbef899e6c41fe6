"""HTTP examples as the built pages show them: highlighted by Pygments at build time, a JSON body pretty-printed
with only its whitespace changed, any method read as one, and a text that is no HTTP message left as written."""

from __future__ import annotations

import html
import re
from pathlib import Path

import yaml

from tests.conftest import CONTENT

BLOCK = re.compile(r'<pre class="http"[^>]*><code>(.*?)</code></pre>', re.S)
OUTSIDE_STRINGS = re.compile(r'("(?:\\.|[^"\\])*")|\s+')


def _text(block: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", block))


def _squeezed(text: str) -> str:
    return OUTSIDE_STRINGS.sub(lambda m: m.group(1) or "", text)


def test_examples_differ_from_their_entries_in_whitespace_alone(built_site: Path):
    checked = 0
    for path in sorted((CONTENT / "codes").glob("*.yaml")):
        examples = yaml.safe_load(path.read_text()).get("examples", [])
        shown = [_text(b) for b in BLOCK.findall((built_site / path.stem / "index.html").read_text())]
        written = [m.rstrip("\n") for x in examples for m in (x["request"], x["response"])]
        assert len(shown) == len(written), path.stem
        for page_text, entry_text in zip(shown, written, strict=True):
            assert _squeezed(page_text) == _squeezed(entry_text), path.stem
            checked += 1
    assert checked > 150


def test_json_bodies_are_indented_and_every_method_is_highlighted(built_site: Path):
    page = (built_site / "409" / "index.html").read_text()
    bodies = [b for b in BLOCK.findall(page) if "json" in b]
    # Pygments escapes the key's quote as &quot; before 2.21 and leaves it as it is from 2.21 on
    key = re.compile(r'\n<span class="w">  </span><span class="nt">(?:&quot;|")')
    assert bodies and all(key.search(b) for b in bodies)
    webdav = (built_site / "207" / "index.html").read_text()
    assert '<span class="nf">PROPFIND</span>' in webdav and 'class="err"' not in webdav


def test_a_log_line_example_is_shown_as_written(built_site: Path):
    page = (built_site / "499" / "index.html").read_text()
    blocks = BLOCK.findall(page)
    assert any(b.startswith("(client closed") and "<span" not in b for b in blocks)


HEAD = "HTTP/1.1 200 OK\nContent-Type: application/json\n\n"


def test_a_body_is_indented_only_when_whitespace_alone_changes():
    """The check that pretty-printing changes whitespace alone, on the bodies where it could go wrong: strings with
    spaces, quotes, a no-break space or an escaped tab; empty containers; and bodies that JSON would write
    differently (a number, a \\u escape, a duplicate key, a no-break space between tokens), which stay as written."""
    from statusdocs.pages.highlight import pretty_body

    indented = {
        '{"a": "x  y", "b": [1, 2]}': '{\n  "a": "x  y",\n  "b": [\n    1,\n    2\n  ]\n}',
        '{"q":"say \\"hi\\"", "t": "a\\tb"}': '{\n  "q": "say \\"hi\\"",\n  "t": "a\\tb"\n}',
        '{"a": "x\u00a0y", "e": [], "o": {}}': '{\n  "a": "x\u00a0y",\n  "e": [],\n  "o": {}\n}',
    }
    for body, pretty in indented.items():
        assert pretty_body(HEAD + body) == HEAD + pretty, body
    for body in ('{"a": 1.50}', '{"a": "\\u00e9"}', '{"a": 1, "a": 2}', '{"a":\u00a01}', '{"a": 1e3}',
                 '{"a": "x" }  trailing', '["unterminated'):
        assert pretty_body(HEAD + body) == HEAD + body, body


def test_bodies_are_indented_as_json_dumps_indents_them():
    """`indented` (the pretty-printer of bodies, without json.dumps' reference cycles) gives json.dumps(indent=2)'s
    text for any JSON value: nested and empty containers, strings holding JSON's punctuation, quotes, escapes and
    other scripts, numbers of every kind."""
    import json
    import random

    from statusdocs.pages.highlight import indented

    rng = random.Random(23)

    def value(depth: int = 0) -> object:
        kind = rng.randrange(9 if depth < 4 else 6)
        if kind == 0:
            return rng.choice([True, False, None])
        if kind == 1:
            return rng.randint(-10**20, 10**20)
        if kind == 2:
            return rng.choice([1.5, -0.0, 1e300, 3.14159, float("nan"), float("inf"), 1e-7])
        if kind < 6:
            return "".join(rng.choice('ab "\\:,{}[]\u00a0\u00e9\t\n\x01/') for _ in range(rng.randrange(6)))
        if kind == 6:
            return [value(depth + 1) for _ in range(rng.randrange(4))]
        return {"".join(rng.choice('k:,"{[]\\ ') for _ in range(rng.randrange(4))): value(depth + 1)
                for _ in range(rng.randrange(4))}

    for _ in range(5000):
        data = value()
        compact = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        assert indented(compact) == json.dumps(data, indent=2, ensure_ascii=False), compact



PLUGIN = '''
from pygments.lexer import Lexer
from pygments.token import Generic


class ShoutingLexer(Lexer):
    """Marks every body of its types as an error."""
    name = "Shouting"
    aliases = ["shouting-test"]
    mimetypes = ["application/problem+json", "text/html", "application/x-unknown-test"]

    def get_tokens_unprocessed(self, text):
        yield 0, Generic.Error, text
'''

SHOWN = '''
import json, sys
from pygments.lexers import get_lexer_for_mimetype
from pygments.util import ClassNotFound
from statusdocs.pages.highlight import http_html

try:
    plugin = get_lexer_for_mimetype("application/x-unknown-test").name
except ClassNotFound:
    plugin = None
print(json.dumps([plugin, [str(http_html(m)) for m in json.loads(sys.stdin.read())]]))
'''


def test_examples_look_the_same_whatever_pygments_plugins_are_installed(tmp_path: Path):
    """An installed package that offers Pygments a lexer (an entry point of group `pygments.lexers`, as IPython
    does) changes no example's highlighting: bodies are read by Pygments' built-in lexers only, or shown as text.
    Pygments' own HttpLexer would give the plugin the problem+json and unknown bodies it has no lexer for. Each
    side in a process of its own: Pygments reads the installed plugins once per process."""
    import json
    import os
    import subprocess
    import sys

    messages = [HEAD.replace("application/json", kind) + body for kind, body in (
        ("application/problem+json", '{"type": "about:blank", "status": 409}'),
        ("application/json", '{"a": 1}'),
        ("text/html", "<p>Gone</p>"),
        ("application/x-unknown-test", "plain words"),
        ("application/merge-patch+json", '{"a": null}'),
    )]
    (tmp_path / "shouting_lexer_test.py").write_text(PLUGIN)
    info = tmp_path / "shouting_lexer_test-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: shouting-lexer-test\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[pygments.lexers]\nshouting = shouting_lexer_test:ShoutingLexer\n")

    def shown(with_plugin: bool) -> tuple[str | None, list[str]]:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        if with_plugin:
            env["PYTHONPATH"] = str(tmp_path)
        res = subprocess.run([sys.executable, "-c", SHOWN], input=json.dumps(messages), capture_output=True,
                             text=True, env=env, timeout=120, check=True)
        plugin, pages = json.loads(res.stdout)
        return plugin, pages

    without, plain = shown(False)
    plugin, with_plugin = shown(True)
    assert (without, plugin) == (None, "Shouting")  # the plugin is installed in the second process only
    assert with_plugin == plain
    assert '<span class="p">{</span>' in plain[0] and "Gone" in plain[2]  # JSON and HTML lexers: built-in ones

# ---------------------------------------------------------------- the accelerator (highlight_fast)
# It writes what Pygments writes (HttpLexer or JsonLexer, HtmlFormatter(nowrap=True)) for the texts it answers for,
# and answers None for any other: compared with Pygments itself on every example and JSON fence of the bundled
# content and a benchmark corpus, and on generated texts around its boundaries.

import functools  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import pytest  # noqa: E402
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from statusdocs.pages import highlight_fast  # noqa: E402
from statusdocs.pages.highlight import pretty_body  # noqa: E402
from tests.conftest import PROPERTY_SCALE, ROOT  # noqa: E402

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# The comparisons with Pygments hold for the releases the accelerator is on for; on another (the lowest supported,
# in .ci/run) it is off, and test_an_unchecked_pygments_release_turns_the_accelerator_off checks that it is not used.
fast_only = pytest.mark.skipif(not highlight_fast.ENABLED, reason="the accelerator is off on this Pygments release")
FENCE = re.compile(r"```json\n(.*?)```", re.S)


@functools.cache
def _pygments() -> tuple:
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import HttpLexer, JsonLexer

    formatter = HtmlFormatter(nowrap=True)
    return (lambda text: highlight(text, HttpLexer(), formatter),
            lambda code: highlight(code, JsonLexer(stripnl=False, ensurenl=False), formatter))


def assert_http_as_pygments(text: str) -> bool:
    """The accelerator's HTML for an HTTP message, if it answers, is Pygments'; whether it answered."""
    html = highlight_fast.http_message(text)
    if html is not None:
        assert html == _pygments()[0](text), repr(text)
    return html is not None


def assert_json_as_pygments(code: str) -> bool:
    html = highlight_fast.json_text(code)
    if html is not None:
        assert html == _pygments()[1](code), repr(code)
    return html is not None


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _examples_and_fences(folder: Path) -> tuple[list[str], list[str]]:
    messages, fences = [], []
    for path in sorted(folder.glob("*/*.yaml")):
        data = yaml.safe_load(path.read_text())
        for x in data.get("examples", []) if isinstance(data, dict) else []:
            messages += [pretty_body(x[k]) for k in ("request", "response") if isinstance(x.get(k), str)]
        fences += [f for s in _strings(data) for f in FENCE.findall(s)]
    return messages, fences


@fast_only
@pytest.mark.parametrize("folder", ["content", "corpus"])
def test_the_accelerator_writes_every_example_as_pygments_does(folder: str, tmp_path: Path):
    """Every example message (as pretty_body leaves it) and JSON fence of the bundled content and of the benchmark
    corpus (the 5,000-page one if made, else the 1,000-page one, made here): the accelerator's HTML is Pygments'.
    On the corpus it answers for every one (its examples are the shapes a build highlights most)."""
    if folder == "content":
        where = CONTENT
    else:
        where = ROOT / "bench" / "corpus" / "5000"
        if not where.is_dir():
            where = tmp_path / "1000"
            subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), "1000", "--out", str(where)],
                           check=True, capture_output=True, timeout=600)
    messages, fences = _examples_and_fences(where)
    assert len(messages) > 300
    answered = [assert_http_as_pygments(m) for m in messages] + [assert_json_as_pygments(f) for f in fences]
    if folder == "corpus":
        assert fences and all(answered)
    else:
        assert sum(answered) > 100


# Generated messages: start lines (any method, odd versions, a reason or none, spaces), header fields (spaces
# before the colon, empty values, continuation lines, no colon, a name with `&<>`), line ends (CR, CRLF, blank
# lines at either end), Content-Types (JSON with parameters, in capitals, +json, none, another) and bodies.
START = st.sampled_from(["GET / HTTP/1.1", "PROPFIND /a&b<c> HTTP/1.1", "BREW  /pot  HTTP/2", "get x HTTP/3",
                         "GET /a\nb HTTP/1.1", "X-1 / HTTP/1.1", "GET / HTTP/1.2", "GET / HTTP/2.0", "HTTP/1.1 200 OK",
                         "HTTP/2 404", "HTTP/1.1 200 ", "HTTP/1.1 418 I'm a <teapot> & \"more\"", "HTTP/1.1 20 OK",
                         "HTTP/1.0 301  Moved\tPermanently", "(connection closed)", "", "\ufeffGET / HTTP/1.1"])
FIELD = st.sampled_from(["Host: a.example", "Content-Type: application/json", "content-type:application/json",
                         "Content-Type: application/json; charset=utf-8", "Content-Type: APPLICATION/JSON",
                         "Content-Type: application/problem+json", "Content-Type: text/plain", "Content-Type:",
                         "Content-Type : application/json", "X-A:", "X-B:  two  spaces ", "A&B<c>: \"d\" & 'e'",
                         "  continued value", "\tcontinued", "no colon here", ":x", "X-É: ünïcode",
                         "Set-Cookie: a=b; Path=/"])
JSON_PIECE = st.sampled_from(['{', '}', '[', ']', ',', ':', ' ', '\n', '\t', '\r', '\n  ', '"k"', '"a b"',
                              '"\\"q\\""', '"\\u00e9"', '"\\u12"', '"\\\\"', '"<&>"', '"é\u2028"', '"x', '0', '-1',
                              '1.5', '1e-7', '1E+3', '--1--', 'true', 'false', 'null', 'trueX', 'nul', 'NaN',
                              'Infinity', '/', '// c\n', '/* c */', '\xa0', 'x', "'s'", '""', '{}', '[]', '},'])
json_code = st.lists(JSON_PIECE, max_size=24).map("".join)
BODY = json_code | st.sampled_from(["", "plain <text> & more", "a\n\nb", "{\"a\": 1}\n", "\n\n"])
LINE_END = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r"])


@st.composite
def http_text(draw: st.DrawFn) -> str:
    end = draw(LINE_END)
    lines = [draw(START)] + draw(st.lists(FIELD, max_size=5))
    text = end.join(lines)
    if draw(st.booleans()):
        text += end + end + draw(BODY)
    return draw(st.sampled_from(["", "\n"])) + text + draw(st.sampled_from(["", "\n", "\n\n"]))


@fast_only
@settings(max_examples=int(3000 * PROPERTY_SCALE), **SETTINGS)
@given(http_text())
@example('GET / HTTP/1.1\nContent-Type: application/json\n\n{\n  "a": [1, 2.5, true, null],\n  "b": {}\n}')
@example('HTTP/1.1 200 OK\nContent-Type: text/plain\n\nhello')
@example('HTTP/1.1 200 OK\nX: y\n\nno type <b>')
@example('HTTP/1.1 200 OK\nContent-Type: application/json\n\n"a" "b": 1')
def test_the_accelerator_highlights_messages_as_pygments_does(text: str):
    assert_http_as_pygments(text)


@fast_only
@settings(max_examples=int(3000 * PROPERTY_SCALE), **SETTINGS)
@given(json_code)
@example('{"a": "b", "c": [1, -2.5e+3, true, false, null], "d": {}}\n')
@example('"a"\n "b" : 1')
@example('"a",: 1')
@example('"\\u12"x"')
@example("")
@example("\n\n")
def test_the_accelerator_highlights_json_as_pygments_does(code: str):
    assert_json_as_pygments(code)


CLASSES = ["", "", "w", "p", "nt", "s2", "mi"]


@fast_only
@settings(max_examples=int(2000 * PROPERTY_SCALE), **SETTINGS)
@given(st.lists(st.tuples(st.sampled_from(CLASSES), st.text(alphabet="ab \n<&>\"'\t", max_size=6)), max_size=12))
def test_the_accelerator_formats_any_tokens_as_html_formatter_does(tokens: list[tuple[str, str]]):
    """The formatting alone (lines_html), on any sequence of tokens of the classes it writes: empty tokens, runs of
    one class, line breaks inside tokens and at either end."""
    from pygments import format as pygments_format
    from pygments.formatters import HtmlFormatter
    from pygments.token import Name, Number, Punctuation, String, Text, Whitespace

    types = {"": Text, "w": Whitespace, "p": Punctuation, "nt": Name.Tag, "s2": String.Double,
             "mi": Number.Integer}
    stock = pygments_format([(types[c], v) for c, v in tokens], HtmlFormatter(nowrap=True))
    assert highlight_fast.lines_html(tokens) == stock


@fast_only
def test_the_accelerator_is_taken_for_the_common_examples():
    """Guards the speed: a request without a body and a JSON response take it; a type Pygments looks up among
    plugins (`+json`), another language, a line Pygments marks as an error leave it to Pygments."""
    for text in ["GET /a HTTP/1.1\nHost: x", 'HTTP/1.1 409 Conflict\nContent-Type: application/json\n\n{\n  "a": 1\n}',
                 "HTTP/2 204"]:
        assert assert_http_as_pygments(text), text
    for text in ['HTTP/1.1 409 Conflict\nContent-Type: application/problem+json\n\n{"a": 1}',
                 "HTTP/1.1 200 OK\nContent-Type: text/html\n\n<p>", "HTTP/1.1 200 OK\nno colon", "log line"]:
        assert highlight_fast.http_message(text) is None, text
    assert highlight_fast.json_text('{"a": [1, true]}\n') is not None
    assert highlight_fast.json_text('{"a": 1} // note') is None


def test_the_accelerator_reads_a_long_unclosed_string_in_linear_time():
    """A body of 200,000 escaped quotes and no closing one: left to Pygments (which reads it in linear time) after
    one pass, not after trying the string again from each quote (minutes)."""
    import time

    body = '"' + '\\"' * 200_000
    start = time.process_time()
    assert highlight_fast.json_text(body) is None
    assert highlight_fast.http_message("HTTP/1.1 200 OK\nContent-Type: application/json\n\n" + body) is None
    assert time.process_time() - start < 5


def test_an_unchecked_pygments_release_turns_the_accelerator_off():
    """On a Pygments release the accelerator was not checked against, it is off and every example is Pygments' own
    highlighting."""
    script = (
        "import pygments\n"
        "pygments.__version__ = '2.99.0'\n"
        "from statusdocs.pages import highlight, highlight_fast\n"
        "assert not highlight_fast.ENABLED\n"
        "def refuse(*args):\n"
        "    raise AssertionError('the accelerator was consulted')\n"
        "highlight_fast.http_message = highlight_fast.json_text = refuse\n"
        "print(highlight.http_html('HTTP/1.1 200 OK\\nContent-Type: application/json\\n\\n{\"a\": 1}'))\n"
        "print(highlight.fenced_block('json', '{\"a\": 1}\\n'))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    message = 'HTTP/1.1 200 OK\nContent-Type: application/json\n\n{\n  "a": 1\n}'
    assert out.stdout.startswith(_pygments()[0](message).rstrip("\n") + "\n")
    assert _pygments()[1]('{"a": 1}\n') in out.stdout
    # And a release from 2.21 on is a checked one (see CHECKED_RELEASES): a newer one fails here until checked.
    import pygments

    assert highlight_fast.ENABLED or tuple(map(int, pygments.__version__.split(".")[:2])) < (2, 21)
