"""Render: Jinja2 templates (autoescape, StrictUndefined) over the views, one page at a time."""

from __future__ import annotations

import collections
import contextlib
import os
import stat
import traceback
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn

import jinja2
import jinja2.meta
from markupsafe import Markup, escape

from statusdocs.diagnostics import Loc, Report
from statusdocs.pages.contexts import Views
from statusdocs.pages.plan import PlannedPage
from statusdocs.pages.prose import ROOT_MARK
from statusdocs.pages.recorded import read_if_shown
from statusdocs.shipped import shown

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep  # generator/, for frames of our own code


class TemplateFailure(Exception):
    """A template could not be compiled or rendered; already recorded in the report."""


class UnsafeFile(jinja2.TemplateError):
    """A file under the templates folder that is not read: a symlink leading out of the folder (or broken), or
    not a regular file (a FIFO would block the build, a device never ends). Reported as T002 at `path`."""

    def __init__(self, path: str, problem: str):
        super().__init__(problem)
        self.path, self.problem = path, problem


def link_problem(path: str, real_root: str) -> str | None:
    """Why `path` may not be read as part of the folder `real_root` (a realpath) if it is, or leads through, a
    symlink: one that is broken or loops, or leads outside the folder. None if it may be."""
    try:
        target = os.path.realpath(path, strict=True)
    except OSError as exc:
        what = "broken or looping symlink" if os.path.islink(path) else "cannot read file"
        return f"{what}: {exc.strerror or exc}"
    if os.path.commonpath([target, real_root]) != real_root:
        return "symlink leads outside the templates folder; copy the file into it instead"
    return None


def file_problem(path: str, real_root: str) -> str | None:
    """Why the file at `path` may not be read as part of the templates folder `real_root` (a realpath), or None:
    the rules of content files. A symlink must lead to a file inside the folder; only regular files are read."""
    problem = link_problem(path, real_root)
    if problem:
        return problem
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return f"cannot read file: {exc.strerror or exc}"
    return None if stat.S_ISREG(mode) else f"not a regular file ({_kind(mode)}); only plain files are read"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a plain file"


def read_file(path: str, real_root: str) -> bytes:
    """The bytes of a file of the templates folder; UnsafeFile if it must not be read (see file_problem). Opened
    without blocking and checked again once open: a file swapped for a FIFO after the check must not hang."""
    problem = file_problem(path, real_root)
    if problem is None:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            problem = f"cannot read file: {exc.strerror or exc}"
        else:
            try:
                mode = os.fstat(fd).st_mode
                if stat.S_ISREG(mode):
                    with open(fd, "rb", closefd=False) as fh:
                        return fh.read()
                problem = f"not a regular file ({_kind(mode)}); only plain files are read"
            except OSError as exc:
                problem = f"cannot read file: {exc.strerror or exc}"
            finally:
                os.close(fd)
    raise UnsafeFile(path, problem)


def _template_path(name: str) -> list[str]:
    """The parts of a template's name (`a/b.html`), as FileSystemLoader splits it: a name that leads out of the
    folder (`..`) or holds a separator of the system's own is not found."""
    parts = [part for part in name.split("/") if part and part != "."]
    if any(part == ".." or os.sep in part or (os.altsep and os.altsep in part) for part in parts):
        raise jinja2.TemplateNotFound(name)
    return parts


class _Loader(jinja2.BaseLoader):
    """Jinja's FileSystemLoader for one folder, reading templates as content files are read: never through a
    symlink out of the folder nor from a FIFO or device (UnsafeFile, T002), and text that is not UTF-8 is a
    syntax error at the line of the first bad byte (FileSystemLoader raises UnicodeDecodeError, with no file)."""

    def __init__(self, root: str):
        self.root, self.real_root = root, os.path.realpath(root)

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = os.path.join(self.root, *_template_path(template))
        if not os.path.lexists(path) or os.path.isdir(path):
            raise jinja2.TemplateNotFound(template)
        data = read_file(path, self.real_root)
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise jinja2.TemplateSyntaxError(f"template is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it "
                                             "as UTF-8", line, template, path) from None
        mtime = os.path.getmtime(path)
        return source, path, lambda: os.path.exists(path) and os.path.getmtime(path) == mtime


# What `getattr` finds on a plain dict: its methods (and the object's own attributes), never a key.
_DICT_NAMES = frozenset(dir(dict))


class Environment(jinja2.Environment):
    """Jinja's environment, with `a.b` on the views' dicts looked up as Jinja itself resolves it, more directly.

    Jinja tries the attribute first, then the key: on a dict every key is a failed attribute lookup first, an
    exception raised and caught for each `{{ e.code }}` of every page. A name that is not an attribute of a plain
    dict can only be found as its key, so it is looked up as one straight away: the same value, or the same
    Undefined, as Jinja's own `getattr` (which anything else still goes to). A recorded text a template looks up
    is recorded as read by the page (`recorded.read_if_shown`)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_NAMES:
            try:
                return read_if_shown(obj[attribute])
            except KeyError:
                pass
        return read_if_shown(super().getattr(obj, attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        return read_if_shown(super().getitem(obj, argument))


class Renderer:
    def __init__(self, theme: tuple[str, ...], views: Views, report: Report,
                 bytecode: jinja2.BytecodeCache | None = None, reads: Mapping[str, Iterable[str]] | None = None):
        """`theme`: the template folders (absolute), first match winning: the user's, then the built-in one.
        `bytecode`: where compiled templates are kept across builds (the build cache's, `build/bytecode.py`);
        `reads`: the templates each template reads, as `reads()` found them from the same template files."""
        self.theme = theme
        self.bytecode = bytecode
        self.templates_dir = theme[0]
        self.views = views
        self.report = report
        self.fragments: dict[tuple[str, str], Markup] = {}  # (macro, key) -> its output, for one build
        self.env = self._environment()
        # template -> the names of the templates it reads
        self._deps: dict[str, frozenset[str]] = {name: frozenset(names) for name, names in (reads or {}).items()}
        self._paths: dict[str, frozenset[str]] = {}   # the same as absolute paths

    def _environment(self) -> jinja2.Environment:
        self.fragments.clear()  # made by the macros of the environment being replaced
        env = Environment(
            loader=jinja2.ChoiceLoader([_Loader(folder) for folder in self.theme]),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # no stat of each template for each page; the preview calls `forget` on edits
            cache_size=-1,  # a site has a handful of templates: keep them all
            bytecode_cache=self.bytecode,
        )
        env.globals["fragment"] = self.fragment
        return env

    def fragment(self, macro: jinja2.runtime.Macro, key: str, *args: Any) -> Markup:
        """`{{ fragment(macro, key, args...) }}`: what `macro(args..., root=...)` makes, when it is the same on
        every page of a build (the side navigation's lists): made once per build (`new_build`) and named by the
        macro's name and `key`. Its links lead from the root mark, which each page's own root replaces."""
        name = (macro.name, key)
        made = self.fragments.get(name)
        if made is None:
            made = self.fragments[name] = Markup(macro(*args, root=Markup(ROOT_MARK)))  # noqa: S704 - escaped by Jinja
        return made

    def new_build(self, views: Views, report: Report) -> None:
        """The views and the report of the next build; the fragments of the last one are made again."""
        self.views, self.report = views, report
        self.fragments.clear()

    # ------------------------------------------------------------ dependencies
    def forget(self) -> None:
        """Templates changed on disk: compile them again (in a new environment), and find again which read which."""
        self._deps.clear()
        self._paths.clear()
        self.env = self._environment()

    def reads(self) -> dict[str, frozenset[str]]:
        """The templates each template reads, itself included, as found so far (by name)."""
        return dict(self._deps)

    def template_deps(self, name: str) -> frozenset[str]:
        """The template files `name` reads: itself and everything it extends, includes or imports."""
        paths = self._paths.get(name)
        if paths is None:
            paths = self._paths[name] = frozenset(self._path(t) for t in self._reads(name))
        return paths

    def _path(self, name: str) -> str:
        """Where the template `name` is read from: the first theme folder that has it (the first if none does)."""
        paths = [os.path.join(folder, *name.split("/")) for folder in self.theme]
        return next((p for p in paths if os.path.lexists(p)), paths[0])

    def _reads(self, name: str) -> frozenset[str]:
        """The names of the templates `name` reads, itself included."""
        if name not in self._deps:
            seen: set[str] = set()
            todo = [name]
            loader = self.env.loader
            assert loader is not None, "_environment always gives the environment a loader"
            while todo:
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                try:
                    source = loader.get_source(self.env, current)[0]
                    ast = self.env.parse(source)
                except (jinja2.TemplateError, OSError, RecursionError):
                    continue  # reported when the page renders
                todo += [t for t in jinja2.meta.find_referenced_templates(ast) if t]
            self._deps[name] = frozenset(seen)
        return self._deps[name]

    def compile(self, name: str) -> None:
        """Compile a template, and the layout and macros it reads, ahead of its pages: forked workers then
        inherit them instead of each compiling them again (the layout and the macros are the costly ones). A
        broken one is reported when a page renders."""
        for template in sorted(self._reads(name)):
            with contextlib.suppress(jinja2.TemplateError, OSError, RecursionError, SyntaxError):
                self.env.get_template(template)

    # ------------------------------------------------------------ rendering
    def render(self, page: PlannedPage) -> bytes:
        """A page's bytes; TemplateFailure, with a finding in the report, if its templates fail.

        Whatever a template makes Python raise is a finding at the template's line where it was raised (T001):
        `{{ 1/0 }}`, a wrong type, a file that is not UTF-8, templates that include, extend or call themselves
        without end (RecursionError; under `depth.bounded`, well before Python's own limit). An exception with no
        template on its stack did not come from a template but from statusdocs itself (the views, the plan): a bug
        with valid input, not caught here; one raised in our code that a template called is the template's finding,
        said to come from statusdocs."""
        if page.template is None:
            return self.views.api(page)
        root = self.views.base_path if page.kind == "404" else "../" * page.depth
        variables = {**self.views.context(page), "root": root}
        try:
            html = self.env.get_template(page.template).render(variables)
        except (jinja2.TemplateError, RecursionError) as exc:  # UnsafeFile is a TemplateError
            self._template_fault(exc, page.template)
        except Exception as exc:  # noqa: BLE001 - from a template (it is on the stack), or raised again below
            self._python_fault(exc)
            raise  # no template on its stack: a bug of statusdocs, not a finding
        # The root is written into attributes: escaped like any value (the 404 page's is the base URL's path).
        return html.replace(ROOT_MARK, str(escape(root))).encode()

    def _template_fault(self, exc: jinja2.TemplateError | RecursionError, template: str) -> NoReturn:
        """Report what Jinja raised (or a recursion too deep) as a finding; raises TemplateFailure."""
        if isinstance(exc, UnsafeFile):
            self._fail(exc.path, 0, exc.problem, "T002")
        if isinstance(exc, jinja2.TemplateSyntaxError):
            self._fail(exc.filename or template, exc.lineno, f"template syntax error: {exc.message}")
        if isinstance(exc, RecursionError):
            path, line = self._loop_frame(exc)
            self._fail(path or template, line, "templates nest deeper than statusdocs allows: an include or "
                       "extends loop, or a macro that calls itself without end")
        path, line = self._template_frame(exc)
        if isinstance(exc, jinja2.TemplateNotFound):
            looked = ", ".join(shown(folder) for folder in self.theme)
            self._fail(path or template, line, f"template not found: {exc.name} (looked in {looked})")
        if isinstance(exc, jinja2.UndefinedError):
            self._fail(path or template, line, f"undefined name in template: {exc.message}")
        self._fail(path or template, line, f"template error: {exc}")

    def _python_fault(self, exc: Exception) -> None:
        """Report what Python raised in a template as a finding at its line (raises TemplateFailure); return if no
        template is on its stack."""
        path, line = self._template_frame(exc)
        if path is None and isinstance(exc, SyntaxError) and exc.filename and \
                any(os.path.abspath(exc.filename).startswith(folder + os.sep) for folder in self.theme):
            # Python cannot compile the code Jinja made of it; its line is one of that code, not the template's
            self._fail(exc.filename, 0, f"template too complex to compile: {exc.msg}")
        if path is None:
            return
        # Raised in our own code that the template called (a view, a filter): still the template's line, the
        # one the user can change, but said so: if the template is right, it is a bug to report.
        ours = traceback.extract_tb(exc.__traceback__)[-1].filename.startswith(_PACKAGE)
        self._fail(path, line, f"template error: {type(exc).__name__}: {exc}" +
                   (" (raised inside statusdocs: if the template is right, please report it)" if ours else ""))

    def _template_frames(self, exc: BaseException) -> list[tuple[str, int]]:
        """Jinja rewrites tracebacks so frames point into templates: the template lines on the stack, outermost
        first."""
        roots = tuple(folder + os.sep for folder in self.theme)
        return [(f.filename, f.lineno or 0) for f in traceback.extract_tb(exc.__traceback__)
                if f.filename.startswith(roots)]

    def _template_frame(self, exc: BaseException) -> tuple[str | None, int]:
        """The innermost template line on the stack: where the template was when it failed."""
        frames = self._template_frames(exc)
        return frames[-1] if frames else (None, 0)

    def _loop_frame(self, exc: BaseException) -> tuple[str | None, int]:
        """For templates that call themselves without end: the outermost template line that is on the stack
        again further in, where the loop starts (the same line whichever process or depth it failed at)."""
        frames = self._template_frames(exc)
        again = {f for f, n in collections.Counter(frames).items() if n > 1}
        return next((f for f in frames if f in again), frames[-1] if frames else (None, 0))

    def _fail(self, path: str, line: int, message: str, rule: str = "T001") -> NoReturn:
        if not os.path.isabs(path):
            path = self._path(path)
        self.report.error(rule, Loc(path, line or 0, 0), message)
        raise TemplateFailure(message)
