"""Prose.html against the frozen original (bench/prose_reference.py): identical output, and how much faster.

    python3 bench/prose_bench.py [CONTENT ...]      # default: content/ and bench/corpus/5000 if present

Collects every (text, inline) pair the build renders, by driving Views.context over every planned page with a
recording Prose, then renders each distinct pair uncached with the reference and with statusdocs.pages.prose, asserts
byte equality, and prints the CPU time per text and in total (best of --repeat rounds, a fresh Prose each round, so
the new one's time includes making its Markdown instances). CPU time rather than wall time: the code is
single-threaded, and on a shared machine the wall clock also counts other processes' turns.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import os
import sys
import time
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from statusdocs.content.load import load_content  # noqa: E402
from statusdocs.diagnostics import Report  # noqa: E402
from statusdocs.pages import prose as prose_module  # noqa: E402
from statusdocs.pages import prose_fast  # noqa: E402
from statusdocs.pages.contexts import Views  # noqa: E402
from statusdocs.pages.plan import plan_site  # noqa: E402
from statusdocs.pages.prose import Prose  # noqa: E402


def load_reference() -> Any:
    spec = importlib.util.spec_from_file_location("prose_reference", os.path.join(ROOT, "bench", "prose_reference.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Recorder(Prose):
    def __init__(self, codes: set[int]):
        super().__init__(codes)
        self.seen: dict[tuple[str, bool], None] = {}  # insertion-ordered set
        self.calls = 0

    def html(self, text: str, inline: bool = False) -> Any:
        self.calls += 1
        self.seen[(text, inline)] = None
        return super().html(text, inline)


def collect(content_dir: str) -> tuple[set[int], list[tuple[str, bool]], int]:
    """The codes, the distinct (text, inline) pairs the build renders, and the number of html() calls."""
    report = Report()
    content = load_content(content_dir, report)
    assert content is not None, report.sorted()
    recorder = _Recorder(set(content.entries))
    views = Views(content, content.site.base_url, recorder)
    views.plan = plan_site(content)
    for page in views.plan:
        if page.template and page.template.endswith(".html"):
            views.context(page)
    return set(content.entries), list(recorder.seen), recorder.calls


def timed(make: Any, pairs: list[tuple[str, bool]], repeat: int) -> tuple[float, list[str]]:
    best, out = float("inf"), []
    for _ in range(repeat):
        prose = make()  # fresh: no cache hits
        t = time.process_time()
        out = [str(prose.html(text, inline)) for text, inline in pairs]
        best = min(best, time.process_time() - t)
    return best, out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("content", nargs="*")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="pyinstrument over the new implementation")
    args = parser.parse_args()
    dirs = args.content or [d for d in (os.path.join(ROOT, "content"), os.path.join(ROOT, "bench/corpus/5000"))
                            if os.path.isdir(d)]
    reference = load_reference()
    failed = False
    for content_dir in dirs:
        codes, pairs, calls = collect(content_dir)
        old, old_out = timed(lambda codes=codes: reference.Prose(codes), pairs, args.repeat)
        new, new_out = timed(lambda codes=codes: Prose(codes), pairs, args.repeat)
        bad = [(p, o, n) for p, o, n in zip(pairs, old_out, new_out, strict=True) if o != n]
        n = len(pairs)
        print(f"{content_dir}: {calls} html() calls, {n} distinct (text, inline), "
              f"{sum(len(t) for t, _ in pairs) / 1e6:.2f} MB")
        print(f"  reference {old:8.3f} s  {old / n * 1e6:7.1f} us/text")
        print(f"  new       {new:8.3f} s  {new / n * 1e6:7.1f} us/text   speed-up x{old / new:.2f}")
        direct = [prose_module._plain_paragraph(text, codes) is not None for text, _ in pairs]
        link = functools.partial(prose_module._linked, codes=codes)
        fast = [not d and prose_fast.ENABLED and prose_fast.paragraph(text, link) is not None
                for d, (text, _) in zip(direct, pairs, strict=True)]
        instances = Prose(codes)
        for d, f, (text, _) in zip(direct, fast, pairs, strict=True):
            if not (d or f):
                instances._markdown(text)
        rest = n - sum(direct) - sum(fast)
        print(f"  identical: {n - len(bad)}/{n}; plain paragraphs written directly: {sum(direct)}, code-span "
              f"paragraphs by prose_fast: {sum(fast)}, through Python-Markdown: {rest}, "
              f"by {len(instances._by_left_out)} Markdown instances")
        for (text, inline), o, nw in bad[:5]:
            print(f"  MISMATCH inline={inline} text={text!r}\n    ref={o!r}\n    new={nw!r}")
        failed |= bool(bad)
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
            timed(lambda codes=codes: Prose(codes), pairs, 1)
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
