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
