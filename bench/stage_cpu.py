"""CPU time by stage of a cold build, in one process (`build(..., jobs=1)`, no search index), for the tree whose
statusdocs the interpreter imports: this tree, or an older one (989bace's module names are tried too), so that
two trees can be compared stage by stage (bench/README.md, "What the public-API path costs").

    python bench/stage_cpu.py bench/corpus/5000 /dev/shm/stage-site      # run from the tree's own folder

Each stage's time is exclusive (`time.process_time`): while a wrapped function runs inside another (Markdown
inside a page's context), the time goes to the innermost one. The wrappers are this script's own, around the
tree's functions; the build's output is the same as without them. "rest" is what no wrapper covers (planning,
hashing, the staging folder, start-up after import)."""

from __future__ import annotations

import collections
import gc
import importlib
import os
import shutil
import sys
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

clock = time.process_time
spent: collections.Counter[str] = collections.Counter()
running = ["rest"]
since = [0.0]


def module(*names: str) -> ModuleType | None:
    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            pass
    return None


def timed(mod: ModuleType | None, path: str, label: str) -> None:
    """Charge the calls of `mod.path` (a function or Class.method) to `label`, if the tree has it."""
    owner: Any = mod
    *outer, name = path.split(".")
    for part in outer:
        owner = getattr(owner, part, None)
    if owner is None or not hasattr(owner, name):
        return
    func: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        now = clock()
        spent[running[-1]] += now - since[0]
        since[0] = now
        running.append(label)
        try:
            return func(*args, **kwargs)
        finally:
            now = clock()
            spent[running.pop()] += now - since[0]
            since[0] = now

    setattr(owner, name, wrapper)


def main() -> None:
    corpus, out = sys.argv[1], sys.argv[2]
    pipeline = module("statusdocs.build.pipeline", "statusdocs.build")
    new = pipeline is not None and pipeline.__name__.endswith("pipeline")
    contexts = module("statusdocs.pages.contexts", "statusdocs.views")
    for mod, path, label in [
        (module("statusdocs.content.load", "statusdocs.load"), "load_content", "load"),
        (pipeline, "load", "load"),
        (pipeline, "_check", "check"),
        (contexts, "Views.context", "page contexts"),
        (contexts, "Views.api", "JSON pages"),
        (module("statusdocs.pages.prose", "statusdocs.prose"), "Prose.html", "Markdown"),
        (contexts, "http_html", "highlighting"),
        (contexts, "decision_svg", "diagrams"),
        (module("statusdocs.pages.render", "statusdocs.render"), "Renderer.render", "templates"),
        (module("statusdocs.build.cache", "statusdocs.cache"), "PageKeys.__call__", "page keys"),
        (module("statusdocs.build.builder", "statusdocs.builder"), "Builder.page_deps", "page dependencies"),
        (pipeline, "PageWriter.write", "writing files"),
        (module("statusdocs.build.cache", "statusdocs.cache"), "BuildCache.save", "build cache record"),
    ]:
        timed(mod, path, label)
    assert pipeline is not None
    for path in (out, os.path.join(os.path.dirname(out), "." + os.path.basename(out) + ".cache")):
        shutil.rmtree(path, ignore_errors=True)
    gc.disable()  # as `statusdocs build` runs (cli.run)
    options = {"search": False} if new else {}
    start = since[0] = clock()
    result = pipeline.build(corpus, os.path.abspath("templates"), out, jobs=1, **options)
    spent["rest"] += clock() - since[0]
    assert result.ok, result.diagnostics[:3]
    print(f"total={clock() - start:.3f} " + " ".join(f"{k.replace(' ', '_')}={v:.3f}" for k, v in spent.items()))


if __name__ == "__main__":
    main()
