"""statusdocs uses other packages through their public API only (issue 23): no import of an underscore name from
another package, no `._name` read on another package's module or class, no override of another package's private
method, and none of the internals it once reached into. A library upgrade within the declared ranges must never
break the default path."""

from __future__ import annotations

import ast
import importlib
import inspect
import io
import pkgutil
import textwrap
import tokenize
from pathlib import Path

import pytest

import statusdocs

GENERATOR = Path(statusdocs.__file__).resolve().parent
OURS = "statusdocs"

# Internals statusdocs used to reach into, found by name wherever they appear in code (not in comments or text).
# (`re._parser` and `from re import _parser` are found as a private attribute or import of another package.)
KNOWN = {
    "find_code_spans", "_escape_inner", "_escape_attrib_html", "sre_parse", "sre_compile", "visit_Getattr",
    "_output_child_pre", "_output_child_post", "_argument_count", "_setup_logging", "__globals__",
}
# Names with a leading underscore that are documented public API all the same.
DOCUMENTED = {("os", "_exit")}


def _written_in_body(cls: type) -> set[str]:
    """The names a class's own body defines or assigns: what we wrote, not what a metaclass or a library's machinery
    sets in the class's namespace (abc.ABCMeta's `_abc_impl`, typing.Protocol's `_is_protocol`, the `_tokens` a
    Pygments RegexLexer subclass is given when first used, as Pygments' docs write a lexer)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):
        return set(vars(cls))  # no source to read: every name counts
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    names: set[str] = set()
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


# Hits allowed in our own files: none. A new one is a finding, never an entry here.
ALLOWED: set[tuple[str, str]] = set()


def _sources() -> list[Path]:
    return sorted(p for p in GENERATOR.rglob("*.py") if "__pycache__" not in p.parts)


def _rel(path: Path) -> str:
    return path.relative_to(GENERATOR).as_posix()


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _foreign(module: str | None, level: int) -> bool:
    return level == 0 and module is not None and module.split(".")[0] != OURS


def _imports(tree: ast.AST) -> tuple[list[tuple[int, str]], set[str]]:
    """The underscore names imported from other packages (line, name), and the local names bound to another
    package's module or object."""
    hits: list[tuple[int, str]] = []
    foreign: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != OURS:
                    hits += [(node.lineno, part) for part in alias.name.split(".") if _private(part)]
                    foreign.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and _foreign(node.module, node.level):
            hits += [(node.lineno, part) for part in str(node.module).split(".") if _private(part)]
            hits += [(node.lineno, alias.name) for alias in node.names if _private(alias.name)]
            foreign |= {alias.asname or alias.name for alias in node.names}
    return hits, foreign


def _hits_in(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, name) of underscore names imported from, or read on, another package's modules and names."""
    hits, foreign = _imports(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in foreign and (root.id, node.attr) not in DOCUMENTED:
                hits.append((node.lineno, node.attr))
    return hits


def _known_in(source: str) -> list[tuple[int, str]]:
    """(line, name) of every KNOWN name used in code: names and attributes, not comments or strings."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [(t.start[0], t.string) for t in tokens if t.type == tokenize.NAME and t.string in KNOWN]


def _private_overrides() -> list[tuple[str, int, str]]:
    """(file, line, name) of methods of our classes that override a private method of another package's class."""
    found = []
    for info in pkgutil.walk_packages([str(GENERATOR)], prefix=f"{OURS}."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            theirs = [base for base in cls.__mro__[1:] if base.__module__.split(".")[0] not in (OURS, "builtins")]
            written = _written_in_body(cls)
            for name, value in vars(cls).items():
                if name in written and _private(name) and any(name in vars(base) for base in theirs):
                    path = Path(inspect.getsourcefile(cls) or "").resolve()
                    line = getattr(getattr(value, "__code__", None), "co_firstlineno", 0)
                    found.append((_rel(path), line, name))
    return found


def _allowed(rel: str, name: str) -> bool:
    return (rel, name) in ALLOWED


def test_no_private_import_or_attribute_of_another_package():
    found = []
    for path in _sources():
        source = path.read_text(encoding="utf-8")
        for line, name in sorted(set(_hits_in(ast.parse(source)) + _known_in(source))):
            if not _allowed(_rel(path), name):
                found.append(f"generator/{_rel(path)}:{line}: {name}")
    assert not found, "private internals of other packages:\n" + "\n".join(found)


def test_no_override_of_another_packages_private_method():
    # As in a build that highlighted an example, whatever ran before: Pygments gives a lexer class private names
    # (`_tokens`) when it is first used, HttpLexer's own as much as ours.
    from pygments.lexers import HttpLexer

    from statusdocs.pages.highlight import http_html

    HttpLexer()
    http_html('HTTP/1.1 409 Conflict\nContent-Type: application/problem+json\n\n{"status": 409}')
    found = [f"generator/{rel}:{line}: {name}" for rel, line, name in _private_overrides() if not _allowed(rel, name)]
    assert not found, "private methods of other packages overridden:\n" + "\n".join(found)


@pytest.mark.parametrize("source, names", [
    ("from markupsafe._speedups import _escape_inner", {"_speedups", "_escape_inner"}),
    ("from markdown.serializers import _escape_attrib_html", {"_escape_attrib_html"}),
    ("import re\nre._parser.parse('a')", {"_parser"}),
    ("from jinja2.runtime import Macro\nMacro._argument_count", {"_argument_count"}),
    ("import yaml as y\ny.constructor._private", {"_private"}),
    ("class Mine:\n    def _own(self):\n        self._x = 1\n", set()),
    ("from statusdocs.content import load\nload._Loader", set()),
    ("import os\nos.__file__\nos._exit(0)", set()),
    ("from re import _parser as P", {"_parser"}),
])
def test_the_scan_finds_what_it_must(source: str, names: set[str]):
    """The scan itself: a private name of another package is found, our own and dunder names are not."""
    assert {name for _, name in _hits_in(ast.parse(source))} == names
