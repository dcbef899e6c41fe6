"""What Jinja's public path costs on today's templates: the comparison and code pages of a corpus rendered by
stock Jinja (as statusdocs renders them) and by the private code generator of the last tree before issue 23
(commit 989bace, `generator/render.py`, read from git: nothing of it is kept in this tree), whole and one trick
at a time, over the same contexts. Every variant's output is asserted identical to stock Jinja's.

    python bench/jinja_private.py bench/corpus/5000 --rounds 2          # from this tree's folder (git needed)

The tricks: "joined yields" (a block collects its output and yields it once, `blockvisit`/`visit_Output`),
"inline escape" (`{{ value }}` escaped in the compiled code with markupsafe's private `_escape_inner`, patched into
the template's `__globals__`), "x.name as subscript" (`visit_Getattr`), "macro fast call" (`Macro._func` by
`Macro._argument_count`) and "globals dict" (a template's globals copied from a ChainMap into a dict)."""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import time
from typing import Any

import jinja2

OLD = "989bace"
VARIANTS = {"all private": {"join", "escape", "getattr", "macro", "globals"}, "joined yields": {"join"},
            "inline escape (_escape_inner)": {"escape"}, "x.name as subscript": {"getattr"},
            "macro fast call": {"macro"}, "globals dict": {"globals"}}
# Each trick of the old code generator behind a flag (the text it is tested in, and what it becomes).
SWITCHES = [
    ("        if not ((frame.block_frame", '        if "join" not in FLAGS or not ((frame.block_frame'),
    ("        if frame.buffer is not None or frame.require_output_check",
     '        if "join" not in FLAGS or frame.buffer is not None or frame.require_output_check'),
    ("        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape",
     '        if "escape" not in FLAGS or frame.eval_ctx.volatile or not frame.eval_ctx.autoescape'),
    ("        if self.environment.is_async or node.attr in _DICT_ATTRIBUTES:",
     '        if "getattr" not in FLAGS or self.environment.is_async or node.attr in _DICT_ATTRIBUTES:'),
    ('        template.root_render_func.__globals__["escape"] = _escape',
     '        if "escape" in FLAGS: template.root_render_func.__globals__["escape"] = _escape'),
    ("        template.globals = dict(template.globals)",
     '        if "globals" in FLAGS: template.globals = dict(template.globals)'),
    ("        if (type(__obj) is Macro and", '        if ("macro" in FLAGS and type(__obj) is Macro and'),
]


def old_generator() -> dict[str, Any]:
    """989bace's private Jinja classes (from `def _escape` to `_is_mapping`), each trick behind FLAGS."""
    source = subprocess.run(["git", "show", f"{OLD}:generator/render.py"], capture_output=True, text=True,
                            check=True).stdout
    code = source[source.index("def _escape("):source.index("_PACKAGE = ")]
    for before, after in SWITCHES:
        assert before in code, before
        code = code.replace(before, after)
    space: dict[str, Any] = {"FLAGS": set()}
    header = ("from __future__ import annotations\nimport os\nfrom collections.abc import Callable, Mapping\n"
              "from typing import Any\nimport jinja2, jinja2.runtime\n"
              "from jinja2.compiler import CodeGenerator, Frame, optimizeconst\n"
              "from jinja2.nodes import Getattr, Output\nfrom jinja2.runtime import Macro\n"
              "from markupsafe import Markup, escape\nfrom markupsafe._speedups import _escape_inner as _escape_str\n"
              "from statusdocs.pages.prose import as_markup\n")
    exec(compile(header + code, f"{OLD}:generator/render.py", "exec"), space)  # noqa: S102 - our own old code
    return space


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from statusdocs.build.pipeline import BuildContext, load, plan

    gc.disable()
    ctx = BuildContext(args.corpus, os.path.abspath("templates"), "/dev/null/never-written", jobs=1,
                       use_cache=False, search=False, check=False)
    assert load(ctx)
    plan(ctx)
    assert ctx.builder is not None and ctx.builder.renderer is not None and ctx.builder.views is not None
    renderer, views = ctx.builder.renderer, ctx.builder.views
    pages = [(p.template, {**views.context(p), "root": "../" * p.depth}) for p in ctx.todo
             if p.kind in ("comparison", "code")]
    stock = renderer.env
    old = old_generator()

    def stock_run() -> list[str]:
        return [stock.get_template(t).render(c) for t, c in pages]

    def variant(flags: set[str]) -> Any:
        env = old["_Environment"](loader=stock.loader, autoescape=jinja2.select_autoescape(["html", "xml"]),
                                  undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                  keep_trailing_newline=True, auto_reload=False, cache_size=-1)
        env.tests["mapping"] = old["_is_mapping"]
        env.globals.update(stock.globals)

        def run() -> list[str]:
            old["FLAGS"].clear()
            old["FLAGS"].update(flags)  # read when a template compiles and at each macro call
            return [env.concat(env.get_template(t).root_render_func(env.get_template(t).new_context(c)))
                    for t, c in pages]
        return run

    expected = stock_run()
    runs = {"stock Jinja (public API)": stock_run}
    for name, flags in VARIANTS.items():
        runs[name] = variant(flags)
        assert runs[name]() == expected, name
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, run in runs.items():
            start = time.process_time()
            run()
            times[name].append(time.process_time() - start)
    print(f"{len(pages)} pages, every variant's output identical to stock Jinja's; CPU s per pass, best of "
          f"{args.rounds}:")
    for name, spent in times.items():
        print(f"  {name:32s} {min(spent):6.3f}   ({' '.join(f'{s:.3f}' for s in spent)})")


if __name__ == "__main__":
    main()
