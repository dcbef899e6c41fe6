"""Render: Jinja2 templates (autoescape, StrictUndefined) over the views, one page at a time."""

from __future__ import annotations

import contextlib
import os
import stat
import traceback
from collections.abc import Callable, Mapping
from typing import Any

import jinja2
import jinja2.meta
import jinja2.runtime
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.loaders import split_template_path
from jinja2.nodes import Getattr, Output
from jinja2.runtime import Macro
from markupsafe import Markup, escape

from statusdocs.diagnostics import Loc, Report
from statusdocs.pages.contexts import Views
from statusdocs.pages.plan import PlannedPage
from statusdocs.pages.prose import ROOT_MARK, as_markup
from statusdocs.shipped import shown


def _escape(value: Any) -> str:
    """markupsafe.escape for `{{ value }}`, without wrapping each piece in a new Markup: compiled templates call
    `escape` only there, and only join what it returns into the page (or into a macro's Markup), so the text is
    the same. Markup (all rendered prose) passes as it is; a plain str is escaped by markupsafe."""
    kind = type(value)
    if kind is Markup:
        return value
    if kind is str:
        return escape(value)  # markupsafe's C escape; the Markup joins into the page as the same text
    if kind is int:
        return str(value)  # digits and a sign: nothing to escape
    return escape(value)


class _CodeGenerator(CodeGenerator):
    """Jinja yields each piece of output (each text run, each `{{ }}`) on its own, and each yield passes up
    through the block, the child template and the layout: a comparison page made ~400 of them. Here a block,
    and the root of a template that extends none, collect their output in a list and yield it as one string;
    elsewhere one output node (everything between two tags) is yielded as one string."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._escaped: list[tuple[str, str] | None] = []  # the temporaries of each `{{ value }}` being written

    def blockvisit(self, nodes: Any, frame: Frame) -> None:
        if not ((frame.block_frame or frame.rootlevel) and frame.buffer is None and not frame.require_output_check):
            super().blockvisit(nodes, frame)  # an inner scope (or a child template's root): as it was
            return
        self._joined(frame, lambda: super(_CodeGenerator, self).blockvisit(nodes, frame))

    def visit_Output(self, node: Output, frame: Frame) -> None:
        if frame.buffer is not None or frame.require_output_check or len(node.nodes) < 2:
            super().visit_Output(node, frame)  # a macro or {% set %} body (a buffer already), or one piece
            return
        self._joined(frame, lambda: super(_CodeGenerator, self).visit_Output(node, frame))

    def _joined(self, frame: Frame, visit: Callable[[], None]) -> None:
        """Write `visit`'s code with the frame's output collected in a new list, then a yield of it joined."""
        buffer = frame.buffer = self.temporary_identifier()
        self.writeline(f"{buffer} = []")
        try:
            visit()
        finally:
            frame.buffer = None
        self.writeline(f"yield ''.join({buffer})")

    def _output_child_pre(self, node: Any, frame: Frame, finalize: Any) -> None:
        """`{{ value }}` with autoescape as `escape(value)` does it (_escape), with its two common cases tested in the
        template's code: a Markup (rendered prose) as it is, a str escaped in C. A call to _escape for each of the
        ~800,000 values of 5,000 pages costs more than the escaping."""
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape or finalize.src is not None:
            self._escaped.append(None)
            super()._output_child_pre(node, frame, finalize)
            return
        value, kind = self.temporary_identifier(), self.temporary_identifier()
        self._escaped.append((value, kind))
        self.write(f"({value} if ({kind} := ({value} := ")

    def _output_child_post(self, node: Any, frame: Frame, finalize: Any) -> None:
        names = self._escaped.pop()
        if names is None:
            super()._output_child_post(node, frame, finalize)
            return
        value, kind = names
        self.write(f").__class__) is Markup else escape_str({value}) if {kind} is str else escape({value}))")

    @optimizeconst
    def visit_Getattr(self, node: Getattr, frame: Frame) -> None:
        """`x.name` on a dict (every view is one) as a subscript written out in the template's code, instead of a
        call to environment.getattr per lookup (~200 a comparison page); anything else, or a name a dict has as
        an attribute (`items`...), still goes to environment.getattr, so the result is the same."""
        if self.environment.is_async or node.attr in _DICT_ATTRIBUTES:
            super().visit_Getattr(node, frame)
            return
        value, attr = self.temporary_identifier(), repr(node.attr)
        self.write(f"({value}[{attr}] if ({value} := ")
        self.visit(node.node, frame)
        self.write(f").__class__ is dict and {attr} in {value} else environment.getattr({value}, {attr}))")


_DICT_ATTRIBUTES = frozenset(dir(dict))  # names a dict has as attributes: `x.items` is the method, as in Jinja


class _Template(jinja2.Template):
    @classmethod
    def from_code(cls, environment: jinja2.Environment, code: Any, globals: Any, uptodate: Any = None) -> Any:
        template = super().from_code(environment, code, globals, uptodate)
        # The compiled module looks `escape` up in its globals each time it writes `{{ value }}`.
        template.root_render_func.__globals__["escape"] = _escape
        template.root_render_func.__globals__["escape_str"] = escape  # see _CodeGenerator._output_child_pre
        # Jinja keeps a template's globals as a ChainMap over the environment's, which every page copies key by
        # key in Python: into its context (new_context, Context.__init__) and to test the macros' import for new
        # globals. Nothing changes the environment's globals once a template is loaded (the Renderer sets them
        # first; the preview compiles again after `forget`), so a dict of the same items is the same globals,
        # which those copies make in C.
        template.globals = dict(template.globals)
        return template


class _Context(jinja2.runtime.Context):
    """Calling a macro with exactly its positional arguments skips the general path (Context.call looks for
    pass_* markers and hands the eval context to Macro.__call__, which matches arguments to parameters, callers,
    *varargs and **kwargs): a comparison page calls ~11 macros, the decision tree recursively. The result is
    what Macro._invoke returns, Markup when the calling template autoescapes."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Context.call's own names
        if (type(__obj) is Macro and len(args) == __obj._argument_count and not __obj.caller
                and not __obj.catch_kwargs and not __obj.catch_varargs and kwargs.keys() <= _RUNTIME_KWARGS
                and not __obj._environment.is_async):
            rv = __obj._func(*args)
            return as_markup(rv) if __self.eval_ctx.autoescape else rv
        return super().call(__obj, *args, **kwargs)


_RUNTIME_KWARGS = frozenset(("_loop_vars", "_block_vars"))  # what compiled code adds to context.call


class _Environment(jinja2.Environment):
    """`{{ page.title }}` on a dict: Jinja tries the attribute first and takes the key after an AttributeError.
    The views are plain dicts, so look the key up first, except for names a dict has as attributes (`items`,
    `get`...), which keep Jinja's order: the result is the same, without an exception per lookup."""

    template_class = _Template
    code_generator_class = _CodeGenerator
    context_class = _Context

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


_NOT_MAPPINGS = frozenset((str, Markup, list, tuple, int, float, bool, type(None)))


def _is_mapping(value: Any) -> bool:
    """Jinja's `is mapping` (isinstance of collections.abc.Mapping, an ABC check that is slow for a str), with
    the answer for the views' own types first: a comparison row tests each of its cells."""
    kind = type(value)
    return kind is dict or (kind not in _NOT_MAPPINGS and isinstance(value, Mapping))


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


class _Loader(jinja2.BaseLoader):
    """Jinja's FileSystemLoader for one folder, reading templates as content files are read: never through a
    symlink out of the folder nor from a FIFO or device (UnsafeFile, T002), and text that is not UTF-8 is a
    syntax error at the line of the first bad byte (FileSystemLoader raises UnicodeDecodeError, with no file)."""

    def __init__(self, root: str):
        self.root, self.real_root = root, os.path.realpath(root)

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = os.path.join(self.root, *split_template_path(template))  # TemplateNotFound for `..`
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


class Renderer:
    def __init__(self, theme: tuple[str, ...], views: Views, report: Report):
        """`theme`: the template folders (absolute), first match winning: the user's, then the built-in one."""
        self.theme = theme
        self.templates_dir = theme[0]
        self.views = views
        self.report = report
        self.env = _Environment(
            loader=jinja2.ChoiceLoader([_Loader(folder) for folder in theme]),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # no stat of each template for each page; the preview calls `forget` on edits
            # A dict: Jinja's LRU cache takes a lock and reorders its queue on each of the ~3 loads a page makes
            # (its template, the layout, the macros), and a site has a handful of templates.
            cache_size=-1,
        )
        self.env.tests["mapping"] = _is_mapping
        self._deps: dict[str, frozenset[str]] = {}    # template -> the names of the templates it reads
        self._paths: dict[str, frozenset[str]] = {}   # the same as absolute paths

    # ------------------------------------------------------------ dependencies
    def forget(self) -> None:
        """Templates changed on disk: compile them again, and find again which read which."""
        self._deps.clear()
        self._paths.clear()
        if self.env.cache is not None:
            self.env.cache.clear()

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
            while todo:
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                try:
                    source = self.env.loader.get_source(self.env, current)[0]  # type: ignore[union-attr]
                    ast = self.env.parse(source)
                except (jinja2.TemplateError, OSError, RecursionError):
                    continue  # reported when the page renders
                todo += [t for t in jinja2.meta.find_referenced_templates(ast) if t]
            self._deps[name] = frozenset(seen)
        return self._deps[name]

    def compile(self, name: str) -> None:
        """Compile a template, and the layout and macros it reads, ahead of its pages: forked workers then
        inherit them instead of each compiling them again (~16 ms for base.html and _macros.html). A broken
        one is reported when a page renders."""
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
            html = self._render(self.env.get_template(page.template), variables)
        except UnsafeFile as exc:
            self._fail(exc.path, 0, exc.problem, "T002")
        except jinja2.TemplateSyntaxError as exc:
            self._fail(exc.filename or page.template, exc.lineno, f"template syntax error: {exc.message}")
        except jinja2.TemplateNotFound as exc:
            path, line = self._template_frame(exc)
            looked = ", ".join(shown(folder) for folder in self.theme)
            self._fail(path or page.template, line, f"template not found: {exc.name} (looked in {looked})")
        except jinja2.UndefinedError as exc:
            path, line = self._template_frame(exc)
            self._fail(path or page.template, line, f"undefined name in template: {exc.message}")
        except jinja2.TemplateError as exc:
            path, line = self._template_frame(exc)
            self._fail(path or page.template, line, f"template error: {exc}")
        except RecursionError as exc:
            path, line = self._loop_frame(exc)
            self._fail(path or page.template, line, "templates nest deeper than statusdocs allows: an include or "
                       "extends loop, or a macro that calls itself without end")
        except Exception as exc:  # noqa: BLE001 - from a template (it is on the stack), or raised again below
            path, line = self._template_frame(exc)
            if path is None and isinstance(exc, SyntaxError) and exc.filename and \
                    any(os.path.abspath(exc.filename).startswith(folder + os.sep) for folder in self.theme):
                # Python cannot compile the code Jinja made of it; its line is one of that code, not the template's
                self._fail(exc.filename, 0, f"template too complex to compile: {exc.msg}")
            if path is None:
                raise
            # Raised in our own code that the template called (a view, a filter): still the template's line, the
            # one the user can change, but said so: if the template is right, it is a bug to report.
            ours = traceback.extract_tb(exc.__traceback__)[-1].filename.startswith(_PACKAGE)
            self._fail(path, line, f"template error: {type(exc).__name__}: {exc}" +
                       (" (raised inside statusdocs: if the template is right, please report it)" if ours else ""))
        # The root is written into attributes: escaped like any value (the 404 page's is the base URL's path).
        return html.replace(ROOT_MARK, str(escape(root))).encode()

    def _render(self, template: jinja2.Template, variables: dict[str, Any]) -> str:
        """Template.render(variables) without its copy of them into a new dict before new_context copies them
        again (with the globals) for the context."""
        try:
            return self.env.concat(template.root_render_func(template.new_context(variables)))  # type: ignore
        except Exception:  # noqa: BLE001 - as Template.render: Jinja points the traceback at the template lines
            self.env.handle_exception()
            raise  # not reached: handle_exception raises

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
        seen: set[tuple[str, int]] = set()
        again = {f for f in frames if f in seen or seen.add(f)}  # type: ignore[func-returns-value]
        return next((f for f in frames if f in again), frames[-1] if frames else (None, 0))

    def _fail(self, path: str, line: int, message: str, rule: str = "T001") -> None:
        if not os.path.isabs(path):
            path = self._path(path)
        self.report.error(rule, Loc(path, line or 0, 0), message)
        raise TemplateFailure(message)
