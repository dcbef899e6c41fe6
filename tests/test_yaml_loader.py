"""The content loader's YAML loader (content/yaml_loader.py) composes the same nodes as PyYAML's own safe loader:
the same tags (what the fast `resolve` answers), values, styles and positions, on every file of the bundled
content, the generator's data and the benchmark corpus (if made), and on scalars at the resolvers' boundaries."""

from __future__ import annotations

import itertools
import re

import pytest
import yaml
from conftest import CONTENT, ROOT

from statusdocs.content import yaml_loader

# Scalars whose first character starts an implicit resolver, and neighbours of what those resolvers accept.
TRICKY = ["yes", "Yes", "YES", "yEs", "no", "No", "NO", "n", "y", "Y", "on", "On", "off", "OFF", "true", "True",
          "tRUE", "false", "False", "FALSE", "null", "Null", "NULL", "nULL", "~", "~~", "", "0", "-0", "+1", "0x1F",
          "0x1G", "0o17", "017", "0b101", "1_000", "1,000", "1:20", "190:20:30", "1.5", "-.5", "+.5e3", "1e3",
          "1.0e+3", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", ".NAN", ".", "..", "-", "+", "2001-12-14",
          "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "2001-1-1", "2001-13-45", "=", "==", "<<",
          "<<<", "< <", "Typical reaction", "time-out", "Notes", "nothing", "true story", "12 apples", "é", "ño",
          "N/A", "O'Brien", "FALSE-ish", "~/home", "0.", "._"]


def _trees(node: yaml.Node) -> list:
    """A node as comparable data: kind, tag, value (or children), style, start and end marks."""
    marks = (node.start_mark.line, node.start_mark.column, node.end_mark.line, node.end_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return ["scalar", node.tag, node.value, node.style, marks]
    if isinstance(node, yaml.SequenceNode):
        return ["seq", node.tag, [_trees(n) for n in node.value], node.flow_style, marks]
    return ["map", node.tag, [[_trees(k), _trees(v)] for k, v in node.value], node.flow_style, marks]


def _composed(text: str, loader: type) -> object:
    """The node tree as data, or the error as text (a scalar may be no YAML where the tests put it)."""
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.YAMLError as exc:
        return str(exc)
    return None if node is None else _trees(node)


def _same(text: str) -> None:
    assert _composed(text, yaml_loader.Loader) == _composed(text, yaml_loader.PLAIN), text


def test_the_fast_path_is_on_where_it_was_checked():
    """On PyYAML 6 with libyaml (the installs the project supports) the accelerator is in use: the comparisons
    below then test it, not the plain loader against itself."""
    if not hasattr(yaml, "CSafeLoader") or yaml.__version__.split(".")[0] not in yaml_loader.CHECKED_MAJORS:
        pytest.skip("another PyYAML build: the plain loader is used")
    assert yaml_loader.ENABLED and yaml_loader.Loader is yaml_loader.FastLoader


def test_tags_agree_on_tricky_scalars():
    yaml_loader.FastLoader._memo.clear()
    for _ in range(2):  # the second time from the remembered tags
        for value, style in itertools.product(TRICKY, ("{}", "'{}'", '"{}"')):
            scalar = style.format(value.replace("'", "''") if style == "'{}'" else value)
            _same(f"key: {scalar}\n")
            _same(f"{scalar}: value\n" if value else "? ''\n: value\n")
            _same(f"- {scalar}\n- [{scalar}, x]\n")
            _same(f"{{a: {scalar}}}\n")
            _same(f"{scalar}\n")
    _same("")
    _same("a: |\n  yes\nb: >\n  1.5\nc: !!str 12\nd: !!int '12'\ne: ! 12\nf: &x yes\ng: *x\n")


def test_tags_agree_on_every_file():
    folders = [CONTENT, ROOT / "generator", ROOT / "bench" / "corpus" / "1000", ROOT / "tests" / "fixtures"]
    files = [p for folder in folders if folder.is_dir() for p in sorted(folder.rglob("*.y*ml"))]
    assert len(files) > 100
    for path in files:
        _same(path.read_text(encoding="utf-8"))


def test_a_loader_the_fast_path_does_not_fit_is_used_as_it_is():
    """A wildcard or path resolver would change what `resolve` answers: the fast path is then not taken."""

    class Wildcard(yaml.SafeLoader):
        pass

    Wildcard.add_implicit_resolver("!any", re.compile(".*"), None)

    class ByPath(yaml.SafeLoader):
        pass

    ByPath.add_path_resolver("!p", ["a"], yaml.ScalarNode)
    assert not yaml_loader._applies(Wildcard) and not yaml_loader._applies(ByPath)
    assert yaml_loader._applies(yaml.SafeLoader) == (yaml.__version__.split(".")[0] in yaml_loader.CHECKED_MAJORS)


def test_the_remembered_tags_stay_bounded():
    memo = yaml_loader.FastLoader._memo
    memo.clear()
    text = "".join(f"- n{i}\n" for i in range(yaml_loader._MEMO_SIZE + 50)) + "- " + "n" * 100 + "\n"
    _same(text)
    assert len(memo) == yaml_loader._MEMO_SIZE and not any(len(k) > yaml_loader._MEMO_LENGTH for k in memo)
    memo.clear()
