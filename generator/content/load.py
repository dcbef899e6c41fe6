"""Load: YAML files -> typed model, with a source location on every field.

PyYAML's composer gives nodes with line and column marks; we convert nodes ourselves, driven by
`schema`, so that duplicate keys, unknown fields, wrong types and missing fields are all reported
together with their position, and nothing in a content file can make the loader run code.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from statusdocs.build.cache import CONTENT_SUFFIXES, MAX_CONTENT_BYTES, digest, is_content_file
from statusdocs.content import model, schema, yaml_loader
from statusdocs.diagnostics import Loc, Report

_Loader: Any = yaml_loader.Loader  # libyaml's (faster, with the same marks) if PyYAML has it
_STR_TAG, _MAP_TAG = _Loader.DEFAULT_SCALAR_TAG, _Loader.DEFAULT_MAPPING_TAG

MAX_FILE_BYTES = MAX_CONTENT_BYTES  # the build cache does not hash a file it refuses
MAX_DEPTH = 64
_ALLOWED_TAGS = {f"tag:yaml.org,2002:{t}" for t in
                 ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}
_SCALAR = yaml.constructor.SafeConstructor()
_INVALID = object()


def _loc(path: str, node: yaml.Node) -> Loc:
    return Loc(path, node.start_mark.line + 1, node.start_mark.column + 1)


def _at(node: yaml.Node) -> int:
    """Where a node starts, as `model.Located.locs` holds it."""
    mark = node.start_mark
    return (mark.line + 1) << model.COL_BITS | (mark.column + 1)  # model.at, written out: called for every node


def read_text(path: str, report: Report, digests: dict[str, str] | None = None) -> str | None:
    """Read a content file as UTF-8 text, reporting why it cannot be read instead of raising. With `digests`,
    the hash of the bytes read is recorded there (`cache.digest`): the build cache's record of its inputs."""
    try:
        # O_NONBLOCK: opening a FIFO named like a content file must not wait forever for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                what = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file (a pipe or device?)"
                report.error("S009", Loc(path, 1, 1), f"cannot read file: it is {what}",
                             hint="content files must be plain files; move or rename it")
                return None
            if st.st_size > MAX_FILE_BYTES:
                report.error("S001", Loc(path, 1, 1), f"file is {st.st_size / 1e6:.1f} MB; content files are "
                                                      f"limited to {MAX_FILE_BYTES // 1_000_000} MB")
                return None
            # Up to MAX_FILE_BYTES + 1 bytes, asking for the size we expect: a read buffer of the limit's size for
            # every file is slow.
            data = os.read(fd, min(st.st_size, MAX_FILE_BYTES) + 1)
            while len(data) <= MAX_FILE_BYTES:
                more = os.read(fd, MAX_FILE_BYTES + 1 - len(data))
                if not more:
                    break
                data += more
        finally:
            os.close(fd)
    except OSError as exc:
        report.error("S009", Loc(path, 1, 1), f"cannot read file: {exc.strerror or exc}")
        return None
    if digests is not None:
        digests[path] = digest(data)
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark is harmless: drop it
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        report.error("S001", Loc(path, line, col),
                     f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8")
        return None
    if "\x00" in text:
        line, col = _position(text, re.search("\x00", text))
        report.error("S001", Loc(path, line, col), "file contains a NUL byte; is it a binary file?")
        return None
    return text


# The depth bound below. A block collection nested in another starts at a greater column, except a sequence
# that is a mapping's value (which may start at the mapping's column), so block nesting is at most
# 2 * (largest column + 1) over the columns where a block collection can start: a line's indentation followed
# by indicators (`- `, `? `, `: `, `--- `), anchors and tags. Flow nesting is at most 2 per `[` (a `key: value`
# pair in a flow sequence is a mapping) and 1 per `{`. _BREAKS are the line breaks libyaml knows.
_BREAKS = "\n\r\x85\u2028\u2029"
_LEAD = "[ \t\ufeff?:-]"  # a superset of the characters of indentation and indicators


@functools.lru_cache(maxsize=64)
def _deep_line(columns: int) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Patterns for the start of a line (first line, later lines) where a block collection may start at or
    after `columns`: a long run of indentation and indicators, or an anchor or tag after such a run. The third
    is the second for text with no line break but \\n and no anchor or tag: a literal first character makes
    `re` search several times faster."""
    tail = f"(?:{_LEAD}{{{columns}}}|{_LEAD}*[&!])"
    return re.compile(tail), re.compile(f"[{_BREAKS}]{tail}"), re.compile(f"\n{_LEAD}{{{columns}}}")


def _surely_shallow(text: str) -> bool:
    """True when the bound above shows that no collection nests deeper than MAX_DEPTH; cheap, unlike the
    parser's events. Otherwise (or when in doubt) the events decide."""
    flow = 2 * text.count("[") + text.count("{")
    if flow > MAX_DEPTH - 2:
        return False
    columns = (MAX_DEPTH - flow) // 2  # block nesting <= 2 * columns when every block collection starts before
    first, later, later_plain = _deep_line(columns)
    if first.match(text) is not None:
        return False
    if text.isascii() and "\r" not in text and "&" not in text and "!" not in text:
        return later_plain.search(text) is None
    return later.search(text) is None


def _depth_ok(text: str, path: str, line_offset: int, report: Report) -> bool:
    """libyaml's composer recurses in C: ~100,000 nested `[` or `- - - ` (block style) within the size limit
    crash the process. Its parser does not recurse, so measure the depth from its events first, unless the
    text is shallow by construction (as every real content file is)."""
    if _surely_shallow(text):
        return True
    seen = [0, 0]  # the depth after the last event libyaml gave, and where that event ended
    try:
        return _events_shallow(yaml.parse(text, Loader=_Loader), path, line_offset, report, seen)
    except yaml.YAMLError as exc:
        # A parser may stop before the depth shows in its events: libyaml scans ahead for a possible key, and
        # some builds limit the nesting they scan (PyYAML 6.0.4's libyaml stops 1,000 `[` deep, with an error
        # of its own). So that the finding does not depend on which libyaml is installed, the pure-Python
        # parser, which has no such limit, measures the text up to where libyaml stopped; only if it could be
        # too deep there: every collection starts with one of the characters counted (a `[`, `{`, or the `-`,
        # `?` or `:` of a block one), so if those after the last event cannot pass the bound, nothing did.
        # Otherwise (as for any syntax error) the composer reports libyaml's error at its position.
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        end = mark.index + 1 if mark is not None and mark.index is not None else len(text)
        gap = text[seen[1]:end]
        if seen[0] + sum(map(gap.count, "[{-?:")) <= MAX_DEPTH:
            return True
        try:
            return _events_shallow(yaml.parse(text[:end], Loader=yaml.SafeLoader), path, line_offset, report,
                                   [0, 0])
        except yaml.YAMLError:
            return True


def _events_shallow(events: Iterator[yaml.Event], path: str, line_offset: int, report: Report,
                    seen: list[int]) -> bool:
    """Whether no collection among `events` nests deeper than MAX_DEPTH (if one does, reported at it). Raises
    the parser's YAMLError; `seen` then holds the depth after the last event, and where that event ended."""
    depth = 0
    for event in events:
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                report.error("S001", _mark_loc(path, event.start_mark, line_offset),
                             f"nesting is deeper than {MAX_DEPTH} levels")
                return False
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
        if event.end_mark is not None:  # the parser marks every event; the types allow none
            seen[0], seen[1] = depth, event.end_mark.index
    return True


class _Mark(Protocol):
    """A parser's position: PyYAML's `yaml.Mark` and libyaml's, whose events and errors carry either."""

    @property
    def line(self) -> int: ...

    @property
    def column(self) -> int: ...


def _mark_loc(path: str, mark: _Mark | None, line_offset: int = 0) -> Loc:
    """Where a parser's mark points (line and column 1-based); the file's start when there is no mark."""
    if mark is None:
        return Loc(path, 1 + line_offset, 1)
    return Loc(path, mark.line + 1 + line_offset, mark.column + 1)


# What YAML's reader refuses (libyaml's and PyYAML's test), and the line breaks it counts (CR LF is one).
_NOT_YAML = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LINE_BREAK = re.compile("\r\n|[" + _BREAKS + "]")


def _position(text: str, found: re.Match[str] | None) -> tuple[int, int]:
    """The 1-based line and column (in characters, as YAML's marks count them) where `found` starts."""
    if found is None:
        return 1, 1
    start, line, line_start = found.start(), 1, 0
    for brk in _LINE_BREAK.finditer(text, 0, start):
        line, line_start = line + 1, brk.end()
    return line, start - line_start + 1


def parse_yaml(text: str, path: str, report: Report, line_offset: int = 0) -> yaml.Node | None:
    """Compose one YAML document into nodes, turning every parser complaint into a finding."""
    if not _depth_ok(text, path, line_offset, report):
        return None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        _syntax_error(exc, text, path, line_offset, report)
        return None
    except yaml.reader.ReaderError:  # a character YAML does not allow; its position counts bytes, not characters
        _not_allowed(text, path, line_offset, report)
        return None
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        report.error("S001", Loc(path, 1 + line_offset, 1), f"YAML error: {exc}")
        return None
    except RecursionError:
        report.error("S001", Loc(path, 1 + line_offset, 1), "nesting is too deep")
        return None
    if node is None:
        report.error("S001", Loc(path, 1 + line_offset, 1), "file is empty")
        return None
    if line_offset:
        _shift_marks(node, line_offset)
    return node


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, path: str, line_offset: int, report: Report) -> None:
    """Report a parser's error at its mark, with a hint at tabs or at where the broken construct began."""
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "invalid YAML"
    if exc.context and exc.context not in problem:
        problem = f"{exc.context}: {problem}"
    report.error("S001", _mark_loc(path, mark, line_offset), f"YAML syntax error: {problem}",
                 hint=_syntax_hint(text, mark, exc.context_mark, line_offset))


def _syntax_hint(text: str, mark: yaml.Mark | None, started: yaml.Mark | None, line_offset: int) -> str:
    if mark is None:
        return ""
    lines = text.splitlines()
    if mark.line < len(lines) and "\t" in lines[mark.line]:
        return "YAML indentation must use spaces, not tabs"
    if started is not None and started.line != mark.line:
        return f"the construct began at line {started.line + 1 + line_offset}, column {started.column + 1}"
    return ""


def _not_allowed(text: str, path: str, line_offset: int, report: Report) -> None:
    """Report the first character YAML's reader refuses, at its position counted in characters."""
    char = _NOT_YAML.search(text)
    line, col = _position(text, char)
    what = f"U+{ord(char.group()):04X}" if char else "a character"
    report.error("S001", Loc(path, line + line_offset, col), f"control character {what} is not allowed in YAML",
                 hint="remove it; in a double-quoted string an escape such as \\x1b stands for one")


def _shift_marks(node: yaml.Node, offset: int, seen: set[int] | None = None) -> None:
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    node.start_mark = yaml.Mark("", 0, node.start_mark.line + offset, node.start_mark.column, None, 0)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _shift_marks(key, offset, seen)
            _shift_marks(value, offset, seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _shift_marks(item, offset, seen)


def _kind_name(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return {
        "tag:yaml.org,2002:null": "nothing (an empty value)",
        "tag:yaml.org,2002:bool": "a boolean",
        "tag:yaml.org,2002:int": "an integer",
        "tag:yaml.org,2002:float": "a number",
        "tag:yaml.org,2002:timestamp": "a date",
    }.get(node.tag, "text")


_EXPECTED = {schema.Str: "text", schema.Int: "an integer", schema.Bool: "true or false",
             schema.Date: "a date (YYYY-MM-DD)", schema.ListOf: "a list", schema.MapOf: "a mapping",
             schema.Obj: "a mapping", schema.Branch: "a status code or a question"}


_INT_TAG, _BOOL_TAG, _NULL_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_CONSTRUCT = yaml.SafeLoader.yaml_constructors

# Editors and check-jsonschema read YAML 1.2, PyYAML reads YAML 1.1: a plain scalar the two read as different
# types is refused, so that the tool and the JSON Schema (`statusdocs schema`) agree. Booleans: YAML 1.2 has only
# these (`yes`, `on` are text there); numbers: YAML 1.2's as ruamel.yaml (check-jsonschema's reader) resolves
# them, the core schema's forms plus `_` separators. docs/editor-setup.md lists what the schema cannot see.
_BOOLS_1_2 = frozenset(("true", "True", "TRUE", "false", "False", "FALSE"))
_NUMBER_1_2 = re.compile(r"""[-+]?(?:0b[0-1_]+|0o?[0-7_]+|[0-9_]+|0x[0-9a-fA-F_]+)
    |[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)""", re.X)
_NUMBER_START = frozenset("-+.0123456789")


def _number_where_text(node: ScalarNode) -> bool:
    """A plain scalar (style None, or "" from libyaml) that YAML 1.1 or 1.2 reads as a number."""
    return not node.style and (node.tag in (_INT_TAG, _FLOAT_TAG) or (
        node.value[:1] in _NUMBER_START and _NUMBER_1_2.fullmatch(node.value) is not None))


class Converter:
    """Turns a composed node into model objects according to a schema kind, recording locations.

    It visits every node of every content file, so it avoids work per node where it can: locations are made
    only for paths that have none yet, and alias tracking only runs when the text could hold an anchor."""

    def __init__(self, path: str, report: Report, locs: dict[str, int], aliases: bool = True):
        self.path = path
        self.report = report
        self.locs = locs
        self.seen: set[int] | None = set() if aliases else None

    def error(self, rule: str, node_or_loc: yaml.Node | Loc, field: str, message: str, hint: str = "") -> None:
        loc = node_or_loc if isinstance(node_or_loc, Loc) else _loc(self.path, node_or_loc)
        self.report.error(rule, loc, message, hint=hint, field=field)

    def convert(self, node: yaml.Node, kind: schema.Kind, field: str) -> Any:
        seen = self.seen
        if seen is not None:
            if id(node) in seen:
                self.error("S001", node, field, "YAML aliases (*name) are not supported in content files",
                           hint="write the value out in full")
                return _INVALID
            seen.add(id(node))
        if node.tag not in _ALLOWED_TAGS:
            self.error("S001", node, field, f"unsupported YAML tag {node.tag!r}",
                       hint="statusdocs only reads plain YAML data; remove the tag")
            return _INVALID
        if field not in self.locs:
            self.locs[field] = _at(node)
        method = _METHODS.get(type(kind)) or getattr(type(self), "_" + type(kind).__name__.lower())
        return method(self, node, kind, field)

    def _mismatch(self, node: yaml.Node, kind: schema.Kind, field: str, extra: str = "") -> Any:
        label = field or "document"
        hint = ""
        if isinstance(kind, schema.Str) and isinstance(node, yaml.MappingNode):
            hint = "a colon followed by a space makes YAML read a mapping: quote the text or use a block scalar (|)"
        self.error("S004", node, field,
                   f"{label} must be {_EXPECTED[type(kind)]}, not {_kind_name(node)}{extra}", hint)
        return _INVALID

    def _str(self, node: yaml.Node, kind: schema.Str, field: str) -> Any:
        if not isinstance(node, ScalarNode) or node.tag in (_NULL_TAG, _BOOL_TAG):
            hint = " (put it in quotes)" if node.tag == _BOOL_TAG else ""
            return self._mismatch(node, kind, field, hint)
        if _number_where_text(node):  # section: 15.5 is a number to an editor's schema: quote it
            self.error("S004", node, field, f"{field} must be text, not a number ({node.value})",
                       hint=f'put it in quotes: "{node.value}"')
            return _INVALID
        # A scalar's text as written: dates where text is expected keep their literal spelling (check-jsonschema
        # reads them as text too), and the safe constructor returns a str-tagged scalar's value unchanged.
        value = node.value
        if not value.strip():
            self.error("S004", node, field, f"{field} is empty")
            return _INVALID
        if kind.enum and value not in kind.enum:
            close = difflib.get_close_matches(value, kind.enum, 1)
            self.error("S004", node, field, f"{field} must be one of {', '.join(kind.enum)}, not {value!r}",
                       hint=f"did you mean {close[0]!r}?" if close else "")
            return _INVALID
        if kind.pattern is not None and not schema.matches(kind, value):
            self.error("S004", node, field, f"{field} must be {kind.pattern_doc}, not {value!r}")
            return _INVALID
        return value

    def _int(self, node: yaml.Node, kind: schema.Int, field: str) -> Any:
        if not isinstance(node, ScalarNode) or node.tag != _INT_TAG:  # `!!int [412]` is a list
            return self._mismatch(node, kind, field)
        # YAML 1.1 reads 0634 (octal), 0x19c, 6:52 (base 60), 4_12 and +412 all as 412: a number is taken only
        # as plain decimal digits, so that what the writer sees is what the site shows. Judged on the text as
        # written (the composed node's value), which also keeps int() off a number of 5,000 digits.
        text = node.value
        if _DECIMAL.fullmatch(text) is None:
            meant = _yaml_int(node)
            hint = f"YAML reads {_shown(text)} as the number {meant}" if meant is not None and str(meant) != text \
                else ""
            self.error("S004", node, field, f"{field} must be written in decimal digits, such as 412, not "
                                            f"{_shown(text)}", hint=hint)
            return _INVALID
        value = int(text) if len(text) <= _MAX_DIGITS else None
        if value is None:
            self.error("S004", node, field,
                       f"{field} must be between {kind.minimum} and {kind.maximum}, not {_shown(text)}")
            return _INVALID
        if (kind.minimum is not None and value < kind.minimum) or (
                kind.maximum is not None and value > kind.maximum):
            self.error("S004", node, field,
                       f"{field} must be between {kind.minimum} and {kind.maximum}, not {value}")
            return _INVALID
        return value

    def _bool(self, node: yaml.Node, kind: schema.Bool, field: str) -> Any:
        if not isinstance(node, ScalarNode) or node.tag != _BOOL_TAG:  # `!!bool [true]` is a list
            return self._mismatch(node, kind, field)
        if node.value not in _BOOLS_1_2:  # YAML 1.1's yes/no/on/off: text to an editor
            self.error("S004", node, field, f"{field} must be true or false, not {node.value!r}, which YAML 1.2 "
                                            "(editors, check-jsonschema) reads as text", hint="write true or false")
            return _INVALID
        return _CONSTRUCT[_BOOL_TAG](_SCALAR, node)

    def _date(self, node: yaml.Node, kind: schema.Date, field: str) -> Any:
        if isinstance(node, yaml.ScalarNode) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", node.value):
            try:
                return yaml.SafeLoader.yaml_constructors["tag:yaml.org,2002:timestamp"](_SCALAR, node).isoformat()
            except ValueError:
                pass
        return self._mismatch(node, kind, field)

    def _listof(self, node: yaml.Node, kind: schema.ListOf, field: str) -> Any:
        if not isinstance(node, SequenceNode):
            return self._mismatch(node, kind, field)
        if len(node.value) < kind.min_items:
            self.error("S004", node, field, f"{field} needs at least {kind.min_items} item"
                                            f"{'s' if kind.min_items > 1 else ''}")
        pairs = zip(_item_paths(field, len(node.value)), node.value, strict=False)
        if self.seen is None and id(kind.item) in _PLAIN_TEXT:
            items = [self._text_item(item, kind.item, sub) for sub, item in pairs]
        elif self.seen is None and type(kind.item) is schema.Obj:
            items = [self._obj_item(item, kind.item, sub) for sub, item in pairs]
        else:
            items = [self.convert(item, kind.item, sub) for sub, item in pairs]
        return _INVALID if any(i is _INVALID for i in items) else items

    def _text_item(self, item: yaml.Node, kind: schema.Kind, sub: str) -> Any:
        """An item of a list of text (scenarios, mistakes): what `convert` and `_str` do for a text scalar,
        inline, since such lists are most of every content file; anything else goes through `convert`."""
        value = item.value
        if type(item) is not ScalarNode or item.tag != _STR_TAG or not value.strip() or (
                not item.style and value[0] in _NUMBER_START):
            return self.convert(item, kind, sub)
        if sub not in self.locs:
            self.locs[sub] = _at(item)
        return value

    def _obj_item(self, item: yaml.Node, kind: schema.Obj, sub: str) -> Any:
        """An item of a list of objects (examples, FAQ, rows): what `convert` does for a mapping, inline."""
        if type(item) is not MappingNode or item.tag != _MAP_TAG:
            return self.convert(item, kind, sub)
        if sub not in self.locs:
            self.locs[sub] = _at(item)
        return self._obj(item, kind, sub)

    def _pairs(self, node: yaml.MappingNode, field: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
        pairs: list[tuple[str, yaml.Node, yaml.Node]] = []
        first: dict[str, yaml.Node] = {}
        for key, value in node.value:
            # Keys are read as written: YAML 1.1 would turn a decision's `yes:`/`no:` into booleans.
            if not isinstance(key, ScalarNode) or key.tag not in _KEY_TAGS:
                self.error("S004", key, field, "mapping keys must be plain names")
                continue
            name = key.value
            if name in first:
                self._duplicate(key, first[name], field, name)
                continue
            first[name] = key
            pairs.append((name, key, value))
        return pairs

    def _duplicate(self, key: yaml.Node, first: yaml.Node, field: str, name: str) -> None:
        self.error("S002", key, _join(field, name), f"duplicate key {name!r} (first defined on line "
                                                     f"{first.start_mark.line + 1}); YAML would silently keep only "
                                                     "the last one")

    def _mapof(self, node: yaml.Node, kind: schema.MapOf, field: str) -> Any:
        if not isinstance(node, MappingNode):
            return self._mismatch(node, kind, field)
        out, ok = {}, True
        for name, key, value in self._pairs(node, field):
            sub = _join(field, name)
            if kind.key_pattern is not None:  # open keys (a case's answers by question id)
                if not re.fullmatch(kind.key_pattern, name):
                    self.error("S004", key, _join(field, name), f"{name!r} in {field} is not a question id "
                                                                "(lower-case words joined by hyphens)")
                    ok = False
                    continue
            elif name not in kind.keys:
                self._unknown(key, field, name, kind.keys)
                ok = False
                continue
            self.locs[sub] = _at(key)
            converted = self.convert(value, kind.value, sub)
            ok &= converted is not _INVALID
            out[name] = converted
        return out if ok else _INVALID

    def _unknown(self, key: yaml.Node, field: str, name: str, known: tuple[str, ...] | list[str]) -> None:
        close = difflib.get_close_matches(name, list(known), 1, 0.6)
        where = f" in {field}" if field else ""
        self.error("S003", key, _join(field, name), f"unknown field {name!r}{where}",
                   hint=f"did you mean {close[0]!r}?" if close else f"expected one of: {', '.join(known)}")

    def _obj(self, node: yaml.Node, kind: schema.Obj, field: str) -> Any:
        if not isinstance(node, MappingNode):
            return self._mismatch(node, kind, field)
        values: dict[str, Any] = {}
        present: dict[str, yaml.Node] = {}
        ok = True
        by_name, locs = kind.by_name, self.locs
        inline = self.seen is None
        for key, value in node.value:  # _pairs, written out here: every mapping of every file passes here
            if not isinstance(key, ScalarNode) or key.tag not in _KEY_TAGS:
                self.error("S004", key, field, "mapping keys must be plain names")
                continue
            name = key.value
            if name in present:
                self._duplicate(key, present[name], field, name)
                continue
            present[name] = key
            spec = by_name.get(name)
            if spec is None:
                self._unknown(key, field, name, [f.name for f in kind.fields])
                ok = False
                continue
            sub = _join(field, name)
            mark = key.start_mark
            locs[sub] = (mark.line + 1) << model.COL_BITS | (mark.column + 1)  # _at(key)
            if inline and id(spec.kind) in _PLAIN_TEXT and type(value) is ScalarNode and value.tag == _STR_TAG:
                text = value.value  # what `convert` and `_str` do for a text scalar (its location is the key's)
                if text.strip() and (value.style or text[0] not in _NUMBER_START):
                    values[name] = text
                    continue
            converted = self.convert(value, spec.kind, sub)
            if converted is _INVALID:
                ok = False
            else:
                values[name] = converted
        for name in kind.required:
            if name not in present:
                self.error("S005", node, _join(field, name), f"missing required field {name!r}"
                                                              + (f" in {field}" if field else ""))
                ok = False
        return kind.cls(**values) if ok else _INVALID

    def _branch(self, node: yaml.Node, kind: schema.Branch, field: str) -> Any:
        if isinstance(node, yaml.MappingNode):
            # A question reached through n answers (`decision.yes.no` is 2) is n + 1 deep. The bound also keeps
            # the recursion far from Python's limit.
            if field.count(".") + 1 > kind.max_depth:
                self.error("S004", node, field, f"decisions nest at most {kind.max_depth} questions deep")
                return _INVALID
            assert kind.node is not None, "schema.DECISION sets every branch's node"
            return self._obj(node, kind.node, field)
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:int":
            return self._int(node, kind.leaf, field)
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
            return self._str(node, kind.ref, field)
        self.error("S004", node, field, f"{field} must be a status code, a comparison such as 409-vs-412, "
                                        f"or a further question, not {_kind_name(node)}")
        return _INVALID


_DECIMAL = re.compile(r"0|[1-9][0-9]*")  # ASCII digits only, unlike \d
_MAX_DIGITS = 18  # past this, no integer field's range (and int() refuses 4,300 digits)


def _yaml_int(node: ScalarNode) -> int | None:
    """The number YAML 1.1 reads from an int-tagged scalar such as 0x19c, if it is not absurdly long."""
    if len(node.value) > 2 * _MAX_DIGITS:
        return None
    try:
        return int(_CONSTRUCT[_INT_TAG](_SCALAR, node))
    except (ValueError, yaml.YAMLError):
        return None


def _shown(text: str, limit: int = 40) -> str:
    """A scalar's text quoted for a message, cut short."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


_KEY_TAGS = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool")
# Text kinds without an enum or a pattern (Markdown and plain text), compared by identity: `convert` of a
# text scalar for them needs no more than a non-blank check.
_PLAIN_TEXT = {id(k) for k in (schema.MD, schema.TEXT) if not k.enum and k.pattern is None}
_METHODS: dict[type, Callable[..., Any]] = {
    schema.Str: Converter._str, schema.Int: Converter._int, schema.Bool: Converter._bool,
    schema.Date: Converter._date, schema.ListOf: Converter._listof, schema.MapOf: Converter._mapof,
    schema.Obj: Converter._obj, schema.Branch: Converter._branch,
}


def _item_paths(field: str, count: int) -> list[str]:
    """The paths of a list's items (`rows[2]`), interned as _join's are."""
    return [sys.intern(f"{field}[{i}]") for i in range(count)]


def _join(parent: str, name: str) -> str:
    """A field's path (`rows[2].left`). Interned: every file has mostly the same ones, so the load worker pickles each
    once per chunk of files, and memory holds each once."""
    return sys.intern(f"{parent}.{name}" if parent else name)


@dataclass
class Loaded:
    value: Any
    locs: dict[str, int]


def load_document(text: str, path: str, kind: schema.Obj, report: Report, line_offset: int = 0) -> Loaded | None:
    node = parse_yaml(text, path, report, line_offset)
    if node is None:
        return None
    locs: dict[str, int] = {"": _at(node)}
    if not isinstance(node, yaml.MappingNode):
        report.error("S004", _loc(path, node), f"a {kind.title or 'content file'} must be a mapping of fields, "
                                                f"not {_kind_name(node)}")
        return None
    # Without an `&` there is no anchor, so no node can be reached twice: skip the alias tracking.
    value = Converter(path, report, locs, aliases="&" in text).convert(node, kind, "")
    if value is _INVALID:
        return None
    value.source = path
    value.locs = locs
    return Loaded(value, locs)


# ---------------------------------------------------------------- whole content tree

class Layout:
    """The content folder's top level, listed once: what is there, and whether each name may be read. Every
    path the loader opens is checked here first: a symlink must lead inside the content folder (its target is
    never opened otherwise, so nothing of it can reach a message), and a folder that cannot be listed is a
    finding, never a traceback or a silent gap."""

    def __init__(self, root: str, report: Report):
        self.root, self.report = root, report
        self.real_root = os.path.realpath(root)
        self.top: dict[str, bool] = {}  # name -> is a symlink
        self.ok = False
        try:
            st = os.stat(root)
        except (FileNotFoundError, NotADirectoryError):
            report.error("S009", Loc(root), "content folder does not exist")
            return
        except OSError as exc:
            report.error("S009", Loc(root), f"cannot read folder: {exc.strerror or exc}")
            return
        if not stat.S_ISDIR(st.st_mode):
            report.error("S009", Loc(root), "cannot read folder: it is a file, not a folder",
                         hint="--content names the folder that holds site.yaml, codes/ and comparisons/")
            return
        listed = self.listing(root)
        if listed is not None:
            self.top, self.ok = listed, True

    def listing(self, folder: str) -> dict[str, bool] | None:
        """The names in `folder` and whether each is a symlink (it comes with the listing: no lstat per file);
        None, reported, if it cannot be listed."""
        try:
            with os.scandir(folder) as found:
                return {e.name: e.is_symlink() for e in found}
        except OSError as exc:
            self.report.error("S009", Loc(folder), f"cannot read folder: {exc.strerror or exc}")
            return None

    def outside(self, path: str) -> str:
        """Why the symlink at `path` may not be followed ("" if it leads inside the content folder)."""
        try:
            target = os.path.realpath(path, strict=True)
        except OSError as exc:
            return f"broken or looping symlink: {exc.strerror or exc}"
        if os.path.commonpath([target, self.real_root]) != self.real_root:
            return f"symlink leads outside the content folder (to {target})"
        return ""

    def file(self, name: str) -> str | None:
        """The path of a top-level file such as site.yaml if it is there and may be read; None if it is absent
        or refused (reported)."""
        if name not in self.top:
            return None
        path = os.path.join(self.root, name)
        if self.top[name]:
            problem = self.outside(path)
            if problem:
                self.report.error("S009", Loc(path, 1, 1), problem)
                return None
        return path

    def files(self, sub: str, refused: list[str] | None = None) -> list[str] | None:
        """The files the loader reads in the subfolder `sub` (see `cache.is_content_file`), sorted; symlinks
        among them must stay inside the content folder (those refused are reported and added to `refused`).
        Anything else named like a content file (a folder, a pipe) is returned, so that `read_text` says why
        it cannot be read. [] if the folder is absent; None if it is there but cannot be read (reported)."""
        if sub not in self.top:
            return []
        folder = os.path.join(self.root, sub)
        if self.top[sub]:
            problem = self.outside(folder)
            if problem:
                self.report.error("S009", Loc(folder), problem)
                return None
        try:
            is_dir = stat.S_ISDIR(os.stat(folder).st_mode)
        except OSError as exc:
            self.report.error("S009", Loc(folder), f"cannot read folder: {exc.strerror or exc}")
            return None
        if not is_dir:
            self.report.error("S009", Loc(folder), "cannot read folder: it is a file, not a folder",
                              hint=f"{sub}/ must be a folder of {' or '.join(CONTENT_SUFFIXES[sub])} files")
            return None
        links = self.listing(folder)
        if links is None:
            return None
        out = []
        for name in sorted(links):
            if not is_content_file(sub, name):
                continue
            path = os.path.join(folder, name)
            if links[name]:
                problem = self.outside(path)
                if problem:
                    self.report.error("S009", Loc(path, 1, 1), problem)
                    if refused is not None:
                        refused.append(path)
                    continue
            out.append(path)
        return out


FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)(?:\r?\n)?^---[ \t]*\r?\n?", re.S | re.M)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
RESERVED_SLUGS = {"api", "compare", "static", "guide", "rules", "search", "404"}


def load_page(path: str, report: Report) -> model.Page | None:
    text = read_text(path, report)
    if text is None:
        return None
    slug = os.path.splitext(os.path.basename(path))[0]
    if not _SLUG.match(slug) or slug in RESERVED_SLUGS or re.fullmatch(r"\d+|[1-5]xx", slug):
        report.error("S010", Loc(path, 1, 1), f"page file name {slug!r} cannot be a URL slug",
                     hint="use lowercase letters, digits and hyphens, not a status code or a reserved "
                          f"name ({', '.join(sorted(RESERVED_SLUGS))})")
        return None
    match = FRONT_MATTER.match(text)
    if not match:
        report.error("S005", Loc(path, 1, 1), "page needs YAML front matter between --- lines "
                                              "(title and description)")
        return None
    loaded = load_document(match.group(1), path, schema.PAGE, report, line_offset=1)
    if loaded is None:
        return None
    page: model.Page = loaded.value
    page.slug = slug
    page.body = text[match.end():]
    page.body_line = text[: match.end()].count("\n") + 1
    return page


class FileCache:
    """Parsed files kept between loads (the preview's rebuilds): a file whose size, modification time
    and inode are unchanged is not read or parsed again, and its findings are replayed."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[tuple, list, Any]] = {}
        # The paths that may have changed since the last load (a file watcher's), None if unknown: a file held
        # and not among them is taken as it is held, without looking at its state.
        self.changed: set[str] | None = None

    def get(self, path: str, tag: str, report: Report, parse: Callable[[Report], Any]) -> Any:
        hit = self._items.get(path)
        if hit is not None and self.changed is not None and path not in self.changed and hit[0][0] == tag:
            report.extend(hit[1])
            return hit[2]
        try:
            st = os.stat(path)
            key: tuple | None = (tag, st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            key = None
        if key is not None and hit is not None and hit[0] == key:
            report.extend(hit[1])
            return hit[2]
        sub = Report()
        value = parse(sub)
        report.extend(sub.items)
        if key is not None:
            self._items[path] = (key, list(sub.items), value)
        return value


def _load_file(path: str, kind: schema.Obj, report: Report, cache: FileCache | None,
               digests: dict[str, str] | None = None) -> Loaded | None:
    def parse(into: Report) -> Loaded | None:
        text = read_text(path, into, digests)
        return load_document(text, path, kind, into) if text is not None else None
    return cache.get(path, kind.title, report, parse) if cache else parse(report)


@dataclass(frozen=True)
class Workers:
    """When the loader and the check split their work among forked workers: from `min_files` entry and
    comparison files on (fewer are done sooner in one process), the loader's worker taking `chunk_files` files
    at a time. Tests pass lower values to make the bundled content take the parallel paths."""

    min_files: int = 400
    chunk_files: int = 50


WORKERS = Workers()


class Store(Protocol):
    """Loaded files kept across builds by content hash (the build cache's `ParsedStore`)."""

    def lookup(self, path: str, tag: str) -> tuple[list, Any] | None: ...

    def record(self, path: str, tag: str, file_hash: str, findings: list, value: Any) -> None: ...


def _load_files(files: list[tuple[str, schema.Obj]], cache: FileCache | None, jobs: int,
                digests: dict[str, str] | None, store: Store | None = None, workers: Workers = WORKERS,
                meanwhile: Callable[[], None] | None = None) -> list[tuple[Loaded | None, list]]:
    """Each file loaded, with its findings, in order. With a `store`, a file whose bytes it holds is not parsed,
    and what is parsed is recorded in it with the hash of the bytes read. `meanwhile`: see `_parse_files`."""
    results: list[tuple[Loaded | None, list] | None] = [None] * len(files)
    if store is not None:
        for i, (path, kind) in enumerate(files):
            hit = store.lookup(path, kind.title)
            if hit is not None:
                results[i] = (hit[1], hit[0])
    todo = [i for i, item in enumerate(results) if item is None]
    read: dict[str, str] | None = None if digests is None and store is None else {}
    for i, item in zip(todo, _parse_files([files[i] for i in todo], cache, jobs, read, workers, meanwhile),
                       strict=True):
        results[i] = item
        path, kind = files[i]
        if store is not None and read and path in read:  # read: its bytes' hash is known
            store.record(path, kind.title, read[path], item[1], item[0])
    if digests is not None and read:
        digests.update(read)
    return [item for item in results if item is not None]


def _parse_files(files: list[tuple[str, schema.Obj]], cache: FileCache | None, jobs: int,
                 digests: dict[str, str] | None, workers: Workers = WORKERS,
                 meanwhile: Callable[[], None] | None = None) -> list[tuple[Loaded | None, list]]:
    """Each file parsed and converted, with its findings, in order. Parsing is CPU-bound Python (libyaml's
    composer calls back into Python for every node, then the conversion), so with hundreds of files a forked
    worker takes chunks of them too; its models come back pickled, which with locations as plain integers
    costs far less than parsing them. The preview's loads (with a cache) read a few changed files: no worker.
    `meanwhile` runs once here: while the worker parses, before this process takes files too; or first."""
    def parse(chunk: range) -> tuple[list[tuple[Loaded | None, list]], dict[str, str] | None]:
        out: list[tuple[Loaded | None, list]] = []
        read: dict[str, str] | None = None if digests is None else {}
        for i in chunk:
            path, kind = files[i]
            sub = Report()
            out.append((_load_file(path, kind, sub, cache, read), sub.items))
        return out, read

    from statusdocs.build.workers import can_fork, run_chunks

    if cache is not None or jobs < 2 or len(files) < workers.min_files or not can_fork():
        if meanwhile is not None:
            meanwhile()
        parts = [parse(range(len(files)))]
    else:
        size = workers.chunk_files
        chunks = [range(i, min(i + size, len(files))) for i in range(0, len(files), size)]
        parts = run_chunks(parse, chunks, jobs - 1, None if meanwhile is None else lambda: _done(meanwhile))
    for _, read in parts:
        if digests is not None and read:
            digests.update(read)
    return [item for part, _ in parts for item in part]


def _done(task: Callable[[], None]) -> bool:
    task()
    return True


def load_content(root: str, report: Report, cache: FileCache | None = None, jobs: int = 1,
                 digests: dict[str, str] | None = None, store: Store | None = None,
                 workers: Workers | None = None) -> model.Content | None:
    """Load everything under `root`, parsing in `jobs` processes if `workers` (default WORKERS) says a fork pays.
    Returns None only if nothing usable could be read; problems go into `report`, all of them. With `digests`,
    the hashes of the entry and comparison files' bytes as read go there, by path (the build cache's record of
    them, without reading them twice). With a `store`, the entry and comparison files it holds with their current
    bytes are not parsed again."""
    # No garbage-collector tuning here: a library call leaves the process as it found it (the CLI tunes it).
    return _load_content(root, report, cache, jobs, digests, store, workers or WORKERS)


def _load_content(root: str, report: Report, cache: FileCache | None, jobs: int,
                  digests: dict[str, str] | None, store: Store | None = None,
                  workers: Workers = WORKERS) -> model.Content | None:
    layout = Layout(root, report)
    if not layout.ok:
        return None
    site_path = layout.file("site.yaml")
    if site_path is None and "site.yaml" not in layout.top:
        report.error("S005", Loc(os.path.join(root, "site.yaml")),
                     "site.yaml is missing (title, description, base_url)")
    site = _load_optional(site_path, schema.SITE, report, cache)

    code_files, unloadable = _code_files(layout)
    comparison_files = layout.files("comparisons") or []
    parsed = iter(_load_files([(p, schema.ENTRY) for p in code_files] +
                              [(p, schema.COMPARISON) for p in comparison_files], cache, jobs, digests, store,
                              workers))
    entries = _collect_entries(code_files, parsed, unloadable, report)
    comparisons = _collect_comparisons(comparison_files, parsed, entries, unloadable, report)

    guide_path = layout.file("guide.yaml")  # optional: the /guide/ page
    guide = _load_optional(guide_path, schema.GUIDE, report, cache)
    page_files = layout.files("pages") or []
    pages = _load_pages(page_files, report, cache)

    if site is None:
        return None
    files = len(code_files) + len(comparison_files) + len(page_files) + (site_path is not None) \
        + (guide_path is not None)
    return model.Content(root=root, site=site, entries=entries, comparisons=comparisons, pages=pages,
                         guide=guide, files=files, unloadable=unloadable)


@dataclass
class Shares:
    """A content folder loaded but for its comparisons, which workers load in shares (`load_comparisons`) and
    check where they load them (`checks.registry.check_in_shares`): a worker sends back findings, not models."""

    base: model.Content     # no comparisons; `files` counts every file
    comparison_files: list[str]
    head: list              # the findings of loading the folder's layout, site.yaml and the entries, in order
    tail: list              # of loading the guide and the pages


def load_but_comparisons(root: str, jobs: int = 1, workers: Workers | None = None,
                         meanwhile: Callable[[], None] | None = None) -> Shares | None:
    """`load_content` less the comparisons' files, in the order a full load reports. None when the folder or
    site.yaml did not load (a full load reports why). `meanwhile` runs once while the entries load, on this
    process's core while another parses them (in `jobs` processes): what the check makes once per process."""
    report = Report()
    layout = Layout(root, report)
    site_path = layout.file("site.yaml") if layout.ok else None
    site = _load_optional(site_path, schema.SITE, report, None)
    if site is None:
        return None
    code_files, unloadable = _code_files(layout)
    comparison_files = layout.files("comparisons") or []
    parsed = iter(_load_files([(p, schema.ENTRY) for p in code_files], None, jobs, None, None, workers or WORKERS,
                              meanwhile))
    entries = _collect_entries(code_files, parsed, unloadable, report)
    head, report = report.items, Report()
    guide_path = layout.file("guide.yaml")
    guide = _load_optional(guide_path, schema.GUIDE, report, None)
    page_files = layout.files("pages") or []
    pages = _load_pages(page_files, report, None)
    files = len(code_files) + len(comparison_files) + len(page_files) + 1 + (guide_path is not None)
    base = model.Content(root=root, site=site, entries=entries, comparisons={}, pages=pages, guide=guide,
                         files=files, unloadable=unloadable)
    return Shares(base, comparison_files, head, report.items)


def load_comparisons(paths: list[str], base: model.Content, report: Report) -> dict[str, model.Comparison]:
    """The comparisons of these files (a share of `Shares.comparison_files`) that load, by slug, as a full load
    keeps them against `base`'s entries."""
    parsed = iter(_load_files([(p, schema.COMPARISON) for p in paths], None, 1, None))
    return _collect_comparisons(paths, parsed, base.entries, base.unloadable, report)


def _load_optional(path: str | None, kind: schema.Obj, report: Report, cache: FileCache | None) -> Any:
    """The model of a top-level file such as site.yaml; None if it is absent or did not load."""
    if path is None:
        return None
    loaded = _load_file(path, kind, report, cache)
    return loaded.value if loaded else None


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def _code_files(layout: Layout) -> tuple[list[str], set[int]]:
    """The entry files to read, and the codes known to have a file that cannot be loaded (a refused symlink,
    or the whole folder if it cannot be listed), for which no follow-on "no entry" finding is made."""
    refused: list[str] = []
    code_files = layout.files("codes", refused)
    unloadable: set[int] = set()
    if code_files is None:  # reported: every code may have an entry there, so none is said to be missing
        code_files = []
        unloadable.update(range(schema.CODE.minimum or 0, (schema.CODE.maximum or 0) + 1))
    unloadable.update(int(stem) for stem in map(_stem, refused) if stem.isdigit())
    return code_files, unloadable


_Parsed = Iterator[tuple[Loaded | None, list]]


def _collect_entries(code_files: list[str], parsed: _Parsed, unloadable: set[int],
                     report: Report) -> dict[int, model.Entry]:
    """The entries by code, taking one parsed file from `parsed` per path; a file that did not load makes its
    code unloadable."""
    entries: dict[int, model.Entry] = {}
    for path in code_files:
        stem = _stem(path)
        loaded, findings = next(parsed)
        report.extend(findings)
        if loaded is None:
            if stem.isdigit():
                unloadable.add(int(stem))
            continue
        entry: model.Entry = loaded.value
        if stem != str(entry.code):
            report.error("S006", entry.loc("code"), f"file name {os.path.basename(path)!r} does not match "
                                                    f"code {entry.code}", hint=f"rename it to {entry.code}.yaml",
                         field="code", codes=(entry.code,))
        if entry.code in entries:
            other = entries[entry.code]
            report.error("S007", entry.loc("code"), f"code {entry.code} already has an entry in {other.source}",
                         field="code", codes=(entry.code,))
            continue
        _entry_invariants(entry, report)
        entries[entry.code] = entry
    return entries


def _collect_comparisons(comparison_files: list[str], parsed: _Parsed, entries: dict[int, model.Entry],
                         unloadable: set[int], report: Report) -> dict[str, model.Comparison]:
    """The comparisons by slug, taking one parsed file from `parsed` per path."""
    comparisons: dict[str, model.Comparison] = {}
    for path in comparison_files:
        loaded, findings = next(parsed)
        report.extend(findings)
        if loaded is None:
            continue
        comp: model.Comparison = loaded.value
        if not _comparison_invariants(comp, path, entries, unloadable, report):
            continue
        if comp.slug in comparisons:
            report.error("S007", comp.loc("codes"), f"comparison {comp.slug} already defined in "
                                                    f"{comparisons[comp.slug].source}", field="codes")
            continue
        comparisons[comp.slug] = comp
    return comparisons


def _load_pages(page_files: list[str], report: Report, cache: FileCache | None) -> dict[str, model.Page]:
    pages: dict[str, model.Page] = {}
    for path in page_files:
        page = cache.get(path, "page", report, functools.partial(load_page, path)) if cache \
            else load_page(path, report)
        if page is not None:
            pages[page.slug] = page
    return pages


def _entry_invariants(entry: model.Entry, report: Report) -> None:
    codes = (entry.code,)
    if not entry.official and not entry.origin:
        report.error("S005", entry.loc("official"), "an unofficial code (official: false) needs an origin",
                     hint="add `origin:` naming who uses the code, e.g. nginx", field="origin", codes=codes)
    if entry.official and entry.origin:
        report.error("S004", entry.loc("origin"), "origin is only for unofficial codes (official: false)",
                     field="origin", codes=codes)
    if not entry.spec.rfc and not entry.spec.url:
        report.error("S005", entry.loc("spec"), f"spec.document {entry.spec.document!r} is not an RFC, so "
                                                "spec.url is required", field="spec.url", codes=codes)


def _comparison_invariants(comp: model.Comparison, path: str, entries: dict[int, model.Entry],
                           unloadable: set[int], report: Report) -> bool:
    ok = True
    if len(comp.codes) != 2 or comp.codes[0] >= comp.codes[1]:
        report.error("S004", comp.loc("codes"), "codes must be two different codes, lower first",
                     field="codes")
        return False
    expected = f"{comp.slug}.yaml"
    if os.path.basename(path) not in (expected, f"{comp.slug}.yml"):
        report.error("S006", comp.loc("codes"), f"file name {os.path.basename(path)!r} does not match codes "
                                                f"{comp.codes}", hint=f"rename it to {expected}", field="codes",
                     codes=tuple(comp.codes))
        ok = False
    for i, code in enumerate(comp.codes):
        if code in unloadable:
            ok = False
        elif code not in entries:
            report.error("S008", comp.loc(f"codes[{i}]"), f"comparison names code {code}, which has no entry",
                         hint=f"add content/codes/{code}.yaml or fix the code", field=f"codes[{i}]",
                         codes=tuple(comp.codes))
            ok = False
    return ok
