"""The build cache beside the output and the parallel render: whatever the cache holds and however many
workers render, `statusdocs build` writes exactly what a clean single-process build writes; with nothing
changed it writes nothing; a change to the generator itself invalidates the cache."""

from __future__ import annotations

import importlib.util
import marshal
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CONTENT, ROOT, TEMPLATES, budgeted, run_cli, scaled
from sitecheck import tree_bytes
from test_incremental import _fix_broken

from statusdocs.build import cache as cache_module
from statusdocs.build import kept_views, pipeline

CACHE = ".site.cache"


def build(*args, **kwargs):  # the pages alone, as the CLI builds here (run_cli: --no-search)
    return pipeline.build(*args, search=False, **kwargs)


def manifest_of(folder: Path) -> dict:
    data = cache_module.read_manifest(str(folder))
    assert data is not None
    return data


def _states(site: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and modification time: what tells a file was written again."""
    out = {}
    for folder, _, files in os.walk(site):
        for name in files:
            st = os.stat(os.path.join(folder, name))
            out[os.path.relpath(os.path.join(folder, name), site)] = (st.st_ino, st.st_mtime_ns)
    return out


@pytest.fixture(scope="module")
def clean_tree(tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("clean") / "site"
    result = run_cli("build", "--no-cache", "--jobs", "1", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert not (out.parent / CACHE).exists()  # --no-cache neither reads nor writes one
    return tree_bytes(str(out))


def test_parallel_build_equals_a_single_process_build(clean_tree, tmp_path):
    out = tmp_path / "site"
    result = run_cli("build", "--no-cache", "--jobs", "2", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert tree_bytes(str(out)) == clean_tree


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_first_build_records_the_hashes_of_every_input(tmp_path, jobs):
    """With no previous build, the loader hashes the files it reads (in its worker too) and the build hashes the
    rest: the record must be what hashing every input up front gives, or the next build would be wrongly up to
    date, or never."""
    from statusdocs.content import load

    workers = load.Workers(min_files=1, chunk_files=7)  # the bundled content is below the real threshold
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "codes" / "notes.txt").write_text("not read by the loader, so not an input: never hashed")
    out = tmp_path / "site"
    result = build(str(content), str(TEMPLATES), str(out), jobs=jobs, workers=workers)
    assert result.ok, result.diagnostics
    recorded = manifest_of(tmp_path / CACHE)["inputs"]
    assert recorded == cache_module.hash_inputs(str(content), str(TEMPLATES))
    assert str(content / "codes" / "409.yaml") in recorded and str(content / "codes" / "notes.txt") not in recorded
    assert build(str(content), str(TEMPLATES), str(out), jobs=jobs, workers=workers).up_to_date


def test_nothing_changed_writes_nothing(clean_tree, tmp_path):
    out = tmp_path / "site"
    first = run_cli("build", "--out", str(out))
    assert first.returncode == 0 and "rendered" not in first.stdout, first.stdout + first.stderr
    assert tree_bytes(str(out)) == clean_tree
    before = _states(out)
    second = run_cli("build", "--out", str(out))
    assert second.returncode == 0, second.stderr
    assert f"{out}/ is up to date ({sum(1 for p in clean_tree if p.endswith(('.html', '.xml', '.json', '.txt')))} " \
           "pages, nothing changed)" in second.stdout, second.stdout
    assert _states(out) == before and tree_bytes(str(out)) == clean_tree


def test_a_build_with_nothing_to_do_imports_no_content_model_template_or_check(tmp_path):
    """A build with nothing to do reads the cache's record and looks at the files: it loads nothing, so it imports
    nothing that loads, checks or renders (each import costs it time it has not got)."""
    out = tmp_path / "site"
    assert run_cli("build", "--out", str(out)).returncode == 0
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    shown = subprocess.run([sys.executable, "-X", "importtime", "-m", "statusdocs", "build", "--no-search", "--out",
                            str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert f"{out}/ is up to date" in shown.stdout, shown.stdout + shown.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in shown.stderr.splitlines()
                if line.startswith("import time:")}
    assert "statusdocs.build.cache" in imported
    assert not imported & {"statusdocs.content.model", "statusdocs.pages.recorded", "statusdocs.build.checking",
                           "markupsafe", "jinja2", "yaml", "markdown"}


def test_a_build_after_an_edit_whose_texts_were_rendered_before_imports_no_markdown(tmp_path):
    """After an edit of a field shown as it is (a summary), every Markdown text of the pages made again was
    rendered by the last build (the cache's record of it): the build does not import Python-Markdown, which would
    cost it a tenth of its time. An edited text that is Markdown is rendered, and the pages are a clean build's."""
    ws = tmp_path / "ws"
    shutil.copytree(CONTENT, ws / "content")
    out = ws / "out" / "site"
    assert run_cli("build", "--content", str(ws / "content"), "--out", str(out)).returncode == 0
    _sub(ws / "content" / "codes" / "412.yaml", r"^summary: .*$", "summary: Edited summary of this code, by a test.")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    shown = subprocess.run([sys.executable, "-X", "importtime", "-m", "statusdocs", "build", "--no-search",
                            "--content", str(ws / "content"), "--out", str(out)],
                           cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert shown.returncode == 0 and "rendered, the others unchanged" in shown.stdout, shown.stdout + shown.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in shown.stderr.splitlines()
                if line.startswith("import time:")}
    assert "jinja2" in imported and "markdown" not in imported
    _sub(ws / "content" / "codes" / "412.yaml", r"^(definition: \|\n  The client made)", r"\1 *the*")
    assert run_cli("build", "--content", str(ws / "content"), "--out", str(out)).returncode == 0
    assert b"The client made <em>the</em> its request" in (out / "412" / "index.html").read_bytes()
    assert _tree(out) == _clean(ws, tmp_path)


def test_a_build_with_nothing_to_do_counts_the_pages_the_build_wrote(tmp_path):
    """With the full-text index, the site also holds Pagefind's files (one is JSON): neither summary line counts them
    as pages, so a build and the build with nothing to do after it say the same number."""
    if importlib.util.find_spec("pagefind") is None:
        pytest.skip("pagefind is not installed: pip install -e '.[test]'")
    out = tmp_path / "site"
    first = run_cli("build", "--out", str(out), search=True)
    assert first.returncode == 0, first.stderr
    assert (out / "pagefind").is_dir()
    pages = sum(1 for p in out.rglob("*") if p.is_file() and p.suffix in (".html", ".xml", ".json", ".txt")
                and "pagefind" not in p.relative_to(out).parts)
    assert f"wrote {pages} pages to {out}/" in first.stdout, first.stdout
    second = run_cli("build", "--out", str(out), search=True)
    assert f"{out}/ is up to date ({pages} pages, nothing changed)" in second.stdout, second.stdout


def test_a_page_rendered_again_with_the_same_bytes_keeps_its_file(clean_tree, tmp_path):
    """Every page reads base.html: after a change there, each is rendered again, and a page whose bytes did not
    change keeps the file it had (inode and modification time: rsync and Pages see nothing new); a page whose
    bytes changed, even to the same size, is written anew."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    out = tmp_path / "site"
    build = ("build", "--templates", str(templates), "--out", str(out))
    assert run_cli(*build).returncode == 0
    before = _states(out)
    base = templates / "base.html"
    base.write_text(base.read_text() + "{# a comment: the same output #}")
    result = run_cli(*build)
    rendered = re.search(r"\((\d+) rendered", result.stdout)
    assert result.returncode == 0 and rendered, result.stdout
    assert int(rendered.group(1)) == sum(1 for rel in before if rel.endswith(".html"))  # every HTML page again
    assert _states(out) == before and tree_bytes(str(out)) == clean_tree
    # The same number of bytes, different ones: "Home" becomes "HOME" in every page's breadcrumbs.
    code = templates / "code.html"
    assert '">Home</a>' in code.read_text()
    code.write_text(code.read_text().replace('">Home</a>', '">HOME</a>'))
    assert run_cli(*build).returncode == 0
    after = _states(out)
    changed = {rel for rel in before if after[rel] != before[rel]}
    assert changed and {rel.split("/")[0] for rel in changed} <= {f"{c}" for c in range(100, 600)}
    assert all(rel.endswith("index.html") and (out / rel).read_text().count('">HOME</a>') for rel in changed)
    assert len(changed) == sum(1 for rel in before if rel.split("/")[0].isdigit() and len(rel.split("/")) == 2)


def test_a_site_file_changed_by_hand_is_made_again(clean_tree, tmp_path):
    out = tmp_path / "site"
    assert run_cli("build", "--out", str(out)).returncode == 0
    (out / "412" / "index.html").write_text("edited by hand")
    (out / "409" / "index.html").unlink()
    result = run_cli("build", "--out", str(out))
    assert result.returncode == 0 and "(2 rendered, the others unchanged)" in result.stdout, result.stdout
    assert tree_bytes(str(out)) == clean_tree


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other format", "prose garbage", "prose cut short",
                                    "prose missing", "manifest a FIFO", "prose a FIFO", "manifest a folder",
                                    "views garbage", "views a FIFO", "views of another site"])
def test_a_damaged_cache_is_ignored(clean_tree, tmp_path, damage):
    out = tmp_path / "site"
    assert run_cli("build", "--out", str(out)).returncode == 0
    manifest = tmp_path / CACHE / cache_module.MANIFEST
    if damage == "garbage":
        manifest.write_bytes(b"\x00\xff not marshal")
    elif damage == "truncated":
        manifest.write_bytes(manifest.read_bytes()[:1000])
    elif damage == "other format":
        data = manifest_of(tmp_path / CACHE)
        data["pages"] = {k: [v[0]] for k, v in data["pages"].items()}
        manifest.write_bytes(cache_module.sealed(marshal.dumps(data)))
    elif damage.startswith("manifest a"):  # a read of a FIFO would wait for a writer
        manifest.unlink()
        os.mkfifo(manifest) if damage == "manifest a FIFO" else manifest.mkdir()
    elif damage.startswith("views"):
        views = tmp_path / CACHE / kept_views.VIEWS
        assert views.is_file()
        if damage == "views garbage":
            views.write_bytes(b"\x00\xff not marshal")
        elif damage == "views a FIFO":
            views.unlink()
            os.mkfifo(views)
        else:  # a valid file, made under another shared fingerprint: none of its pieces is used
            data = marshal.loads(cache_module.unsealed(views.read_bytes()))
            data["fingerprint"] = "another site"
            data["pieces"] = {k: ("wrong", *r[1:]) for k, r in data["pieces"].items()}
            views.write_bytes(cache_module.sealed(marshal.dumps(data)))
    else:
        prose = sorted((tmp_path / CACHE).glob("prose-*.marshal"))
        assert prose and manifest_of(tmp_path / CACHE)["prose"]["files"] == [p.name for p in prose]
        if damage == "prose garbage":
            prose[0].write_bytes(b"\x00\xff not marshal")
        elif damage == "prose cut short":
            prose[0].write_bytes(prose[0].read_bytes()[:-10])
        elif damage == "prose a FIFO":
            prose[0].unlink()
            os.mkfifo(prose[0])
        else:
            prose[0].unlink()
    shutil.rmtree(out)
    result = run_cli("build", "--out", str(out), timeout=60)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert tree_bytes(str(out)) == clean_tree


class _CountingProse:
    """Counts the Markdown rendered (not taken from the build cache) by Prose in this process."""

    def __init__(self, monkeypatch):
        from statusdocs.pages.prose import Prose

        self.rendered = 0
        render = Prose._render

        def counted(prose, text):
            self.rendered += 1
            return render(prose, text)

        monkeypatch.setattr(Prose, "_render", counted)


def test_the_cache_keeps_the_markdown_of_every_page(tmp_path, monkeypatch):
    """After a cold build, an edit build (its new Markdown added to the recorded files) and a template change
    (every page rendered again), no Markdown is rendered twice; the files stay few and the output exact."""
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    shutil.copytree(CONTENT, tmp_path / "content")
    args = (str(tmp_path / "content"), str(tmp_path / "templates"), str(tmp_path / "out" / "site"))
    cache = tmp_path / "out" / CACHE
    counting = _CountingProse(monkeypatch)
    assert build(*args, jobs=1).ok
    assert counting.rendered > 100
    files = set(manifest_of(cache)["prose"]["files"])
    merged = 0

    for n in range(cache_module.MAX_PROSE_FILES + 2):  # edits: a new summary sentence each time
        entry = tmp_path / "content" / "codes" / "412.yaml"
        _sub(entry, r"^summary: .*$", f"summary: Edited summary {n} of this code, written by the cache test.")
        _sub(entry, r"^when_to_use: \|\n  ", f"when_to_use: |\n  Edit {n}. ")
        counting.rendered = 0
        result = build(*args, jobs=1)
        assert result.ok and 0 < result.rendered < result.pages / 2
        assert 0 < counting.rendered < 10  # the edited text only
        before, files = files, set(manifest_of(cache)["prose"]["files"])
        if len(files) == 1 and len(before) == cache_module.MAX_PROSE_FILES:
            merged += 1  # too many: merged into one
        else:
            assert before < files and len(files - before) == 1  # kept, and one added
        assert {p.name for p in cache.glob("prose-*")} == files  # nothing left behind
    assert merged == 1

    _sub(tmp_path / "templates" / "base.html", r"</body>", "<!-- changed --></body>")
    counting.rendered = 0
    result = build(*args, jobs=1)
    assert result.ok and result.rendered == len(list(Path(args[2]).rglob("*.html")))  # every HTML page
    assert counting.rendered == 0
    clean = tmp_path / "clean" / "site"
    assert build(args[0], args[1], str(clean), jobs=1, use_cache=False).ok
    assert tree_bytes(args[2]) == tree_bytes(str(clean))


def test_a_generator_change_invalidates_the_cache(tmp_path):
    """A copy of the package, edited between two builds: the second build must show the edit everywhere."""
    shutil.copytree(ROOT / "generator", tmp_path / "pkg" / "statusdocs",
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "pkg")}
    out = tmp_path / "site"
    cmd = ["build", "--content", str(CONTENT), "--templates", str(TEMPLATES), "--out", str(out)]

    def run() -> None:
        result = subprocess.run([sys.executable, "-m", "statusdocs", *cmd], capture_output=True, text=True,
                                env=env, cwd=tmp_path, timeout=120)
        assert result.returncode == 0, result.stderr

    run()
    views = tmp_path / "pkg" / "statusdocs" / "pages" / "contexts.py"
    views.write_text(views.read_text().replace('("definition", "Definition")', '("definition", "Meaning")'))
    run()
    pages = [out / p.stem / "index.html" for p in (CONTENT / "codes").glob("*.yaml")]
    assert all(">Meaning</a>" in p.read_text() for p in pages)


def _sub(path: Path, pattern: str, repl: str) -> None:
    text = path.read_text()
    new = re.sub(pattern, repl, text, count=1, flags=re.M)
    assert new != text, (path, pattern)
    path.write_text(new)


def _edit(ws: Path, rng: random.Random, parked: Path) -> str:
    """One random edit that keeps the content valid (a build checks it), or breaks a file on purpose."""
    content, codes = ws / "content", ws / "content" / "codes"
    n = rng.randrange(10**6)
    kind = rng.choice(["summary", "summary", "comparison", "site", "template", "macro", "static", "delete",
                       "restore", "break", "page"])
    if kind == "summary":
        _sub(rng.choice(sorted(codes.glob("*.yaml"))), r"^summary: .*$", f"summary: Edited summary {n} of this "
             "code, written by the cache test.")
    elif kind == "comparison":
        _sub(content / "comparisons" / "409-vs-412.yaml", r"^decision_rule: \|\n  ", f"decision_rule: |\n  Edit {n}. ")
    elif kind == "site":
        _sub(content / "site.yaml", r"^description: .*$", f"description: A reference for HTTP status codes, {n}.")
    elif kind == "template":
        _sub(ws / "templates" / "code.html", r">Definition</a></h2>", f">Definition</a></h2><!-- {n} -->")
    elif kind == "macro":
        _sub(ws / "templates" / "_macros.html", r'<pre class="http"', f'<pre class="http" data-n="{n}"')
    elif kind == "static":
        with open(ws / "templates" / "static" / "style.css", "a") as fh:
            fh.write(f"\n/* {n} */\n")
    elif kind == "delete":  # an entry no other file names, so that nothing dangles
        others = {p: p.read_text() for p in content.rglob("*.*") if p.is_file()}
        free = [p for p in sorted(codes.glob("*.yaml"))
                if not any(re.search(rf"\b{p.stem}\b", t) for q, t in others.items() if q != p)]
        shutil.move(rng.choice(free), parked / f"{n}.yaml")
    elif kind == "restore":
        for path in sorted(parked.glob("*.yaml"))[:1]:
            code = re.search(r"^code: (\d+)", path.read_text(), flags=re.M).group(1)  # type: ignore[union-attr]
            shutil.move(path, codes / f"{code}.yaml")
    elif kind == "break":
        with open(rng.choice(sorted(codes.glob("*.yaml"))), "a") as fh:
            fh.write("\nname: [unclosed\n")
    else:
        with open(content / "pages" / "about.md", "a") as fh:
            fh.write(f"\nOne more paragraph, number {n}.\n")
    return kind


@pytest.mark.parametrize("seed", [4, 5])
def test_random_edits_with_the_cache_equal_a_clean_build(tmp_path, seed):
    """Edits of every kind (entries, comparisons, config, templates, static files, added and deleted entries,
    broken files), each followed by a cached build, serial or parallel, compared with a clean one."""
    ws = tmp_path
    shutil.copytree(CONTENT, ws / "content")
    shutil.copytree(TEMPLATES, ws / "templates")
    rng = random.Random(seed)
    parked = ws / "parked"  # deleted entries, to be restored later
    parked.mkdir()
    live, clean = ws / "out" / "site", ws / "clean" / "site"
    args = (str(ws / "content"), str(ws / "templates"))
    assert build(*args, str(live)).ok
    kinds = []
    for _ in budgeted(8, 4, 40):  # conftest: 8 edits (a fraction in .ci/run's other stages), at least 4
        kinds.append(_edit(ws, rng, parked))
        if kinds[-1] == "break" and rng.random() < 0.5:
            _fix_broken(ws)
        before = tree_bytes(str(live))
        result = build(*args, str(live), jobs=rng.choice([1, 2]))
        if not result.ok:
            assert kinds[-1] == "break" and tree_bytes(str(live)) == before, (kinds, result.diagnostics[:3])
            _fix_broken(ws)
            continue
        shutil.rmtree(clean, ignore_errors=True)
        assert build(*args, str(clean), jobs=1, use_cache=False).ok
        assert tree_bytes(str(live)) == tree_bytes(str(clean)), kinds
        assert result.rendered < result.pages or kinds[-1] in ("site", "template", "macro", "delete", "restore",
                                                                "break"), (kinds, result.rendered)


def _cache_bytes(cache: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(cache.iterdir())} if cache.exists() else {}


def _damage(cache: Path, rng: random.Random) -> str:
    """One random fault in the cache: a bit flipped in one of its files (each file as likely as the others, though
    the Markdown files are ~30 times the manifest's size), or a file cut short."""
    victim = rng.choice(sorted(p for p in cache.iterdir() if p.is_file()))
    data = bytearray(victim.read_bytes())
    at = rng.randrange(len(data))
    if rng.random() < 0.85:
        bit = rng.randrange(8)
        data[at] ^= 1 << bit
        what = f"bit {bit} of byte {at} of {victim.name} flipped"
    else:
        del data[at:]
        what = f"{victim.name} cut at {at}"
    victim.write_bytes(bytes(data))
    return what


def test_random_damage_to_the_cache_never_reaches_the_site(clean_tree, tmp_path):
    """The README's promise, "whatever the cache holds, the output is byte for byte what --no-cache --jobs 1
    writes", under random faults: each round flips a bit in the cache (or cuts a file short), then builds with
    nothing changed, with every page rendered again (a template comment: the recorded Markdown is used for every
    page), or with some pages of the site deleted; that build and the next one must write the clean site, with
    the clean build's findings. Seeded, 40 rounds (times the property scale), at most 150 s."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    out = tmp_path / "out" / "site"
    cache = tmp_path / "out" / CACHE
    args = (str(CONTENT), str(templates), str(out))
    clean = build(str(CONTENT), str(TEMPLATES), str(tmp_path / "clean" / "site"), jobs=1, use_cache=False)
    assert clean.ok and build(*args, jobs=1).ok
    rng = random.Random(21)
    pages = sorted(rel for rel in clean_tree if rel.endswith("index.html"))
    deadline = time.monotonic() + 150
    rounds: list[str] = []
    while len(rounds) < scaled(40, 10) and time.monotonic() < deadline:
        what = _damage(cache, rng)
        action = rng.choice(["nothing changed", "every page rendered", "every page rendered", "pages deleted"])
        if action == "every page rendered":
            with open(templates / "base.html", "a") as fh:
                fh.write(f"{{# round {len(rounds)} #}}")
        elif action == "pages deleted":
            for rel in rng.sample(pages, 20):
                (out / rel).unlink()
        rounds.append(f"{what}; {action}")
        for attempt in ("the build after the fault", "the next build"):
            result = build(*args, jobs=rng.choice([1, 2]))
            assert result.ok and result.diagnostics == clean.diagnostics and result.files == clean.files, \
                (attempt, rounds)
            assert tree_bytes(str(out)) == clean_tree, (attempt, rounds)
    assert len(rounds) >= 10, rounds  # a slow machine runs fewer rounds, never none


def test_an_edited_markdown_record_never_reaches_a_page(clean_tree, tmp_path):
    """The cache records rendered Markdown, which pages include as HTML: a record edited to hold a script (the
    file otherwise well formed) must be refused, and the page rendered from its source, in this build and the
    next."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    out = tmp_path / "site"
    cmd = ("build", "--templates", str(templates), "--out", str(out))
    assert run_cli(*cmd).returncode == 0
    script = b"<script>alert('statusdocs cache')</script>"
    edited = 0
    for path in sorted((tmp_path / CACHE).glob("prose-*")):
        data = path.read_bytes()
        # The text of each long enough paragraph, replaced by as many bytes: every length in the file still holds.
        for match in re.finditer(rb"<p>([^<]{%d,})</p>" % len(script), data):
            start, end = match.span(1)
            data = data[:start] + script + b" " * (end - start - len(script)) + data[end:]
            edited += 1
        path.write_bytes(data)
    assert edited > 100
    with open(templates / "base.html", "a") as fh:
        fh.write("{# every page rendered again #}")
    for _ in range(2):
        result = run_cli(*cmd)
        assert result.returncode == 0, result.stderr
        site = tree_bytes(str(out))
        assert not [rel for rel, data in site.items() if b"statusdocs cache" in data]
        assert site == clean_tree


def test_a_page_edited_by_hand_is_made_again_even_with_its_size_and_time_kept(clean_tree, tmp_path):
    """The build trusts a file of the previous site that is as the last build left it: an edit in place that keeps
    the file's size, inode and modification time (`touch -r`, a restore with times) must still be seen."""
    out = tmp_path / "site"
    assert run_cli("build", "--out", str(out)).returncode == 0
    page = out / "412" / "index.html"
    before = page.stat()
    with open(page, "r+b") as fh:
        fh.write(b"<!-- edited -->")
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = page.stat()
    assert (after.st_size, after.st_ino, after.st_mtime_ns) == (before.st_size, before.st_ino, before.st_mtime_ns)
    result = run_cli("build", "--out", str(out))
    assert result.returncode == 0 and "(1 rendered, the others unchanged)" in result.stdout, result.stdout
    assert tree_bytes(str(out)) == clean_tree


def _listing(folder: Path) -> dict[str, int]:
    """Every file below `folder`, with its size."""
    return {str(p.relative_to(folder)): p.stat().st_size for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("previous", ["no previous build", "a previous build"])
@pytest.mark.parametrize("failure", ["content error", "--strict", "template error", "disk full", "interrupted"])
def test_failed_builds_leave_no_staging_and_no_cache_growth(tmp_path, monkeypatch, failure, previous):
    """Builds that fail while pages render (which record their Markdown in the cache as they go) leave the cache
    and the output's folder exactly as they were: no Markdown files of theirs, no staging folder, no cache folder
    where there was none."""
    ws = tmp_path / "ws"
    shutil.copytree(CONTENT, ws / "content")
    shutil.copytree(TEMPLATES, ws / "templates")
    out = ws / "out" / "site"
    cmd = ["build", "--content", str(ws / "content"), "--templates", str(ws / "templates"), "--out", str(out)]
    if previous == "a previous build":
        assert run_cli(*cmd).returncode == 0
    else:
        (ws / "out").mkdir()
    # Every page rendered again and written anew (with a previous build), and a fault found while they render.
    base = ws / "templates" / "base.html"
    _sub(base, r"</body>", "<!-- changed --></body>")
    finding = ""  # what the failed build reports: file, then rule
    if failure in ("content error", "--strict"):
        _sub(ws / "content" / "codes" / "412.yaml", r"^summary: .*$", "summary: Short.")
        cmd += ["--strict"] if failure == "--strict" else []
        finding = rf"{re.escape(str(ws / 'content' / 'codes' / '412.yaml'))}:\d+:\d+: error V008 "
    elif failure == "template error":
        _sub(base, r"</body>", "{{ no_such_name.attribute }}</body>")
        finding = rf"{re.escape(str(base))}:\d+:(\d+:)? error T001 "
    elif failure == "interrupted":  # Ctrl-C while a page renders, in this process or in a worker
        from statusdocs.build.builder import Builder

        render_page = Builder.render_page

        def interrupted(builder: Builder, page) -> bytes:
            if page.output == "412/index.html":
                raise KeyboardInterrupt
            return render_page(builder, page)

        monkeypatch.setattr(Builder, "render_page", interrupted)

    def small_files() -> None:
        """Files may grow to 16 KB only (some pages are larger): pages and the Markdown log fail to be written
        partway, as on a full disk."""
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (16_000, 16_000))

    before = _listing(ws / "out")
    for jobs in (1, 2, 2):
        if failure == "disk full":
            result = subprocess.run([sys.executable, "-m", "statusdocs", *cmd], capture_output=True, text=True,
                                    timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)}, preexec_fn=small_files)
            assert result.returncode == 1 and "cannot write the site" in result.stderr, result.stderr
        elif failure == "interrupted":
            with pytest.raises(KeyboardInterrupt):
                build(str(ws / "content"), str(ws / "templates"), str(out), jobs=jobs)
        else:
            result = run_cli(*cmd, "--jobs", str(jobs))
            assert result.returncode == 1 and re.search(finding, result.stderr, re.M), result.stderr
        assert _listing(ws / "out") == before
        assert sorted(p.name for p in (ws / "out").iterdir()) == sorted({*(["site", CACHE] if before else [])})


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_edit_the_check_refuses_leaves_the_site_and_cache_as_they_were(tmp_path, jobs):
    """After an edit, the few pages it affects are staged while the check may still run beside them (in a child):
    when the check then fails, nothing staged is swapped in, and the site, the cache and the output's folder are
    as they were, with the finding reported."""
    ws = tmp_path / "ws"
    shutil.copytree(CONTENT, ws / "content")
    out = ws / "out" / "site"
    cmd = ["build", "--content", str(ws / "content"), "--out", str(out), "--jobs", str(jobs)]
    assert run_cli(*cmd).returncode == 0
    before, pages = _listing(ws / "out"), tree_bytes(str(out))
    entry = ws / "content" / "codes" / "412.yaml"
    _sub(entry, r"^summary: .*$", "summary: Short.")
    result = run_cli(*cmd)
    assert result.returncode == 1, result.stderr
    assert re.search(rf"^{re.escape(str(entry))}:\d+:\d+: error V008 ", result.stderr, re.M), result.stderr
    assert _listing(ws / "out") == before and tree_bytes(str(out)) == pages


def test_what_a_killed_build_left_is_removed_by_the_next_failing_one(tmp_path):
    """A build killed while it renders (SIGKILL: no clean-up of its own) leaves its staging folder and the Markdown
    its processes recorded; the next build removes them, even one that fails."""
    ws = tmp_path / "ws"
    shutil.copytree(CONTENT, ws / "content")
    out = ws / "out" / "site"
    cmd = [sys.executable, "-m", "statusdocs", "build", "--content", str(ws / "content"), "--out", str(out),
           "--jobs", "2"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    left: list[str] = []
    for _ in range(5):  # until the kill comes while pages render (bounded)
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline and not list((ws / "out").glob(f"{CACHE}/prose-*")):
            time.sleep(0.002)
        proc.kill()
        proc.wait(timeout=60)
        left = sorted(p.name for p in (ws / "out").glob(f"{CACHE}/prose-*"))
        if proc.returncode == -signal.SIGKILL and left and not (ws / "out" / CACHE / cache_module.MANIFEST).exists():
            break
        shutil.rmtree(ws / "out")
    assert left and list((ws / "out").glob(".site.build-*")), "the build was never killed while it rendered"
    _sub(ws / "content" / "codes" / "412.yaml", r"^summary: .*$", "summary: Short.")
    result = run_cli(*cmd[3:])
    assert result.returncode == 1 and "V008" in result.stderr, result.stderr
    assert _listing(ws / "out") == {}


def _tree(site: Path) -> tuple[dict[str, bytes], list[str]]:
    """Every file's bytes and every folder (an empty one too) below `site`."""
    return tree_bytes(str(site)), sorted(os.path.relpath(f, site) for f, _, _ in os.walk(site))


def _folders(site: Path) -> dict[str, int]:
    """Each folder below `site` (itself included) by its inode: what tells a folder was made again."""
    return {os.path.relpath(f, site): os.stat(f).st_ino for f, _, _ in os.walk(site)}


def _edited_build(ws: Path, n: int, search: bool = False) -> subprocess.CompletedProcess:
    _sub(ws / "content" / "codes" / "412.yaml", r"^summary: .*$",
         f"summary: Edited summary {n} of this code, written by the cache test.")
    result = run_cli("build", "--content", str(ws / "content"), "--out", str(ws / "out" / "site"), search=search)
    assert result.returncode == 0 and "rendered, the others unchanged" in result.stdout, result.stdout + result.stderr
    return result


def _clean(ws: Path, tmp_path: Path, search: bool = False) -> tuple[dict[str, bytes], list[str]]:
    clean = tmp_path / "clean" / "site"
    result = run_cli("build", "--no-cache", "--jobs", "1", "--content", str(ws / "content"), "--out", str(clean),
                     search=search)
    assert result.returncode == 0, result.stderr
    return _tree(clean)


def test_a_build_after_an_edit_updates_the_site_replaced_before(tmp_path):
    """The site a build replaces is kept in the cache's folder, and the next build writes what changed into it and
    swaps it in, instead of deleting a whole tree (a folder at a time) and making a new one: the folders of the
    site are those of the site before last. The site is exactly a clean build's, nothing else is beside it."""
    ws = tmp_path / "ws"
    shutil.copytree(CONTENT, ws / "content")
    out = ws / "out" / "site"
    assert run_cli("build", "--content", str(ws / "content"), "--out", str(out)).returncode == 0
    first = _folders(out)
    _edited_build(ws, 1)
    assert (ws / "out" / CACHE / "site-spare").is_dir()
    assert set(_folders(out).values()).isdisjoint(first.values())  # a new tree, the first one kept aside
    _edited_build(ws, 2)
    assert _folders(out) == first  # the first tree again, its changed files written anew
    _edited_build(ws, 3)
    assert _tree(out) == _clean(ws, tmp_path)
    assert sorted(p.name for p in (ws / "out").iterdir()) == [CACHE, "site"]


# A build in a process of its own (a test worker has threads, beside which no folders are made: see
# `Staging._make_folders_beside`), whose child records the folders it made.
_FOLDERS_RECORDED = """
import os, sys
from statusdocs.build import output, pipeline

content, out, made, jobs = sys.argv[1:]
make_folders = output._make_folders

def recorded(site, staging):
    make_folders(site, staging)
    with open(made, "w") as fh:
        fh.write("\\n".join(sorted(os.path.relpath(f, staging) for f, _, _ in os.walk(staging))))

output._make_folders = recorded
result = pipeline.build(content, None, out, search=False, jobs=int(jobs))
print(result.ok, result.rendered, result.pages)
"""


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_first_build_after_a_clean_one_makes_the_folders_beside_and_leaves_none_the_site_lacks(tmp_path, jobs):
    """With no kept site yet (the first build after a clean one), a child makes the previous site's folders in the
    new staging folder while the build goes on (not with `--jobs 1`: one process). A folder the new site does not
    have leaves nothing behind, a symlink in the previous site is not followed (the user's folder gets no folder),
    and the site equals a clean build's."""
    ws = tmp_path / "ws"
    shutil.copytree(CONTENT, ws / "content")
    out = ws / "out" / "site"
    assert run_cli("build", "--content", str(ws / "content"), "--out", str(out)).returncode == 0
    mine = _user_folder(ws)
    (mine / "sub").mkdir()
    (out / "gone" / "deeper").mkdir(parents=True)
    (out / "linked").symlink_to(mine, target_is_directory=True)
    before = {str(p.relative_to(mine)) for p in mine.rglob("*")}
    made = tmp_path / "made"
    _sub(ws / "content" / "codes" / "412.yaml", r"^summary: .*$", "summary: Edited once, for the folders' test.")
    result = subprocess.run([sys.executable, "-c", _FOLDERS_RECORDED, str(ws / "content"), str(out), str(made),
                             str(jobs)], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    ok, rendered, pages = result.stdout.split()
    assert ok == "True" and 0 < int(rendered) < int(pages), result.stdout + result.stderr
    if jobs == 1:
        assert not made.exists()
    else:
        assert {"gone", "gone/deeper", "412"} <= set(made.read_text().split("\n"))  # the child made them
    assert {str(p.relative_to(mine)) for p in mine.rglob("*")} == before
    assert not (out / "gone").exists() and not (out / "linked").exists()
    assert _tree(out) == _clean(ws, tmp_path)


def _user_folder(ws: Path) -> Path:
    mine = ws / "mine"
    mine.mkdir()
    (mine / "index.html").write_text("the user's page\n")
    (mine / "notes.txt").write_text("the user's notes\n")
    return mine


@pytest.mark.parametrize("search", [False, True])
def test_what_the_kept_site_holds_never_reaches_the_next_site_nor_leads_outside(tmp_path, search):
    """The kept site (the next staging folder) decides nothing: a page's folder that is a symlink to the user's
    folder, a folder where a page's file goes, a file where a page's folder goes and a page no site has are all
    replaced or removed, before Pagefind reads the pages; the user's folder is not written or deleted through the
    symlink. The site equals a clean build's."""
    ws = tmp_path / "ws"
    shutil.copytree(CONTENT, ws / "content")
    mine = _user_folder(ws)
    cmd = ("build", "--content", str(ws / "content"), "--out", str(ws / "out" / "site"))
    assert run_cli(*cmd, search=search).returncode == 0
    _edited_build(ws, 1, search)
    spare = ws / "out" / CACHE / "site-spare"
    shutil.rmtree(spare / "409")
    (spare / "409").symlink_to(mine, target_is_directory=True)
    (spare / "412" / "index.html").unlink()
    (spare / "412" / "index.html").mkdir()
    (spare / "412" / "index.html" / "inside.html").write_text("<p>stale</p>\n")
    shutil.rmtree(spare / "410")
    (spare / "410").write_text("a file where a folder goes\n")
    (spare / "999").mkdir()
    (spare / "999" / "index.html").write_text("<main data-pagefind-body><h1>zyzzyva stale page</h1></main>\n")
    before = snapshot_of(mine)
    _edited_build(ws, 2, search)
    assert snapshot_of(mine) == before
    assert _tree(ws / "out" / "site") == _clean(ws, tmp_path, search)


def snapshot_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_kept_site_without_the_marker_is_left_alone(tmp_path):
    """Only a folder statusdocs wrote (with its marker) is taken as the next staging folder; another folder at
    that place keeps every byte, and the build makes its staging folder anew."""
    ws = tmp_path / "ws"
    shutil.copytree(CONTENT, ws / "content")
    cmd = ("build", "--content", str(ws / "content"), "--out", str(ws / "out" / "site"))
    assert run_cli(*cmd).returncode == 0
    _edited_build(ws, 1)
    spare = ws / "out" / CACHE / "site-spare"
    (spare / ".statusdocs-site").unlink()
    (spare / "thesis.tex").write_text("months of work\n")
    before = snapshot_of(spare)
    _edited_build(ws, 2)
    assert snapshot_of(spare) == before
    assert _tree(ws / "out" / "site") == _clean(ws, tmp_path)


# ---------------------------------------------------------------- what the build cache keeps of loading and checking

SAME = "Every archived ledger row keeps its signed audit stamp for later review."  # V005 once in three files


def _say_same(entry: Path, ignored: bool) -> None:
    """Add the sentence to the entry's summary; `ignored`: with an `ignore:` of V005 there, so that the entry counts
    towards the three files without being reported."""
    _sub(entry, r"^(summary: .*)$", rf"\1 {SAME}")
    if ignored:
        with open(entry, "a") as fh:
            fh.write("\nignore:\n  - rule: V005\n    field: summary\n    reason: The cache test repeats it.\n")


def _unsay_same(entry: Path) -> None:  # the sentence only (an `ignore:` stays)
    _sub(entry, rf" {re.escape(SAME)}$", "")


def _clean_check(content: Path) -> list:
    _, report = pipeline.load_and_check(str(content))
    return report.sorted()


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_edited_build_reports_what_a_clean_check_reports(tmp_path, jobs):
    """A finding that one file causes in others (V005: a sentence in three files) appears in a file that did not
    change when another file is edited, and goes when that file is edited back: every cached build reports exactly
    the findings of a clean build (and of a clean check, when the content loads)."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    codes = content / "codes"
    out = tmp_path / "site"
    _say_same(codes / "200.yaml", ignored=True)
    _say_same(codes / "410.yaml", ignored=False)
    steps = [("two files say it: nothing to report", lambda: None),
             ("a third says it (ignored there): reported in 410, unchanged",
              lambda: _say_same(codes / "404.yaml", True)),
             ("the third no more: nothing again", lambda: _unsay_same(codes / "404.yaml")),
             ("an entry broken, then 410 unchanged", lambda: _sub(codes / "404.yaml", r"^summary: ", "summary: [")),
             ("fixed, and the third says it again", lambda: (_sub(codes / "404.yaml", r"^summary: \[", "summary: "),
                                                             _say_same(codes / "404.yaml", False)))]  # ignore kept
    seen = []
    for what, edit in steps:
        edit()
        result = build(str(content), str(TEMPLATES), str(out), jobs=jobs)
        shutil.rmtree(tmp_path / "clean", ignore_errors=True)
        expected = build(str(content), str(TEMPLATES), str(tmp_path / "clean" / "site"), jobs=1, use_cache=False)
        assert result.diagnostics == expected.diagnostics and result.ok == expected.ok, what
        if not any(d.rule.startswith("S") for d in expected.diagnostics):  # a build stops at the loader's errors
            assert result.diagnostics == _clean_check(content), what
        seen.append(sorted({(d.rule, os.path.basename(d.loc.path)) for d in result.diagnostics}))
    assert seen[0] == [] and seen[2] == []
    assert seen[1] == [("V005", "410.yaml")] and seen[4] == [("V005", "410.yaml")]
    assert seen[3] and all(rule.startswith("S") for rule, _ in seen[3])  # the loader's finding, not V005
    assert any(p.name.startswith(cache_module.PARSED_PREFIX) for p in (tmp_path / CACHE).iterdir())


def _built_copy(tmp_path: Path) -> tuple[Path, Path, tuple[str, str, str]]:
    """A copy of the bundled content and templates, built once with the cache: their folders and build's arguments."""
    content, templates = tmp_path / "content", tmp_path / "templates"
    shutil.copytree(CONTENT, content)
    shutil.copytree(TEMPLATES, templates)
    args = (str(content), str(templates), str(tmp_path / "out" / "site"))
    assert build(*args, jobs=1).ok
    return content, templates, args


def test_a_build_after_an_edit_parses_only_the_edited_file(tmp_path, monkeypatch):
    """The loaded model of each content file is kept in the cache by the file's content hash: after an edit of one
    entry, only that entry is parsed; after an edit of a template, none is; and the site is a clean build's."""
    from statusdocs.content import load as load_module

    content, templates, args = _built_copy(tmp_path)
    parsed: list[str] = []
    real = load_module.load_document

    def counting(text, path, *rest, **kwargs):
        parsed.append(os.path.basename(path))
        return real(text, path, *rest, **kwargs)

    monkeypatch.setattr(load_module, "load_document", counting)
    _sub(content / "codes" / "412.yaml", r"^summary: .*$", "summary: Edited by the cache test, one entry only.")
    assert build(*args, jobs=1).ok
    assert [p for p in parsed if p.endswith(".yaml") and p not in ("site.yaml", "guide.yaml")] == ["412.yaml"]
    parsed.clear()
    _sub(templates / "code.html", r">Definition</a></h2>", ">Definition</a></h2><!-- edited -->")
    assert build(*args, jobs=1).ok
    assert [p for p in parsed if p.endswith(".yaml") and p not in ("site.yaml", "guide.yaml")] == []
    monkeypatch.undo()
    clean = tmp_path / "clean" / "site"
    assert build(*args[:2], str(clean), jobs=1, use_cache=False).ok
    assert tree_bytes(args[2]) == tree_bytes(str(clean))


def test_a_build_after_an_edit_makes_the_key_of_each_page_made_again_once(tmp_path, monkeypatch):
    """A page made from a field whose digest changed has a new key, known without making it from its old record: its
    key is made once, as it is rendered again, and no other page's is made (theirs are the recorded ones). The site
    is a clean build's."""
    content, templates, args = _built_copy(tmp_path)
    made: list[str] = []
    real = cache_module.PageKeys.__call__

    def counting(keys, output, deps, templated=True):
        made.append(output)
        return real(keys, output, deps, templated)

    monkeypatch.setattr(cache_module.PageKeys, "__call__", counting)
    _sub(content / "codes" / "412.yaml", r"^summary: .*$", "summary: Edited by the cache test, one entry only.")
    result = build(*args, jobs=1)
    assert result.ok and 0 < result.rendered < result.pages
    assert len(made) == len(set(made)) == result.rendered, sorted(made)
    assert "412/index.html" in made
    monkeypatch.undo()
    clean = tmp_path / "clean" / "site"
    assert build(*args[:2], str(clean), jobs=1, use_cache=False).ok
    assert tree_bytes(args[2]) == tree_bytes(str(clean))


def test_a_build_after_an_edit_makes_the_wide_pages_views_of_the_edited_files_only(tmp_path, monkeypatch):
    """What the search index and the JSON of every entry show of each entry and comparison is kept by the build
    cache: after an edit of one entry's summary, only that entry's item and JSON are made again, and the items of
    the comparisons that show its name; after an edit of a comparison's summary, only its item and description.
    The site is a clean build's each time."""
    from statusdocs.pages import contexts

    content, templates, args = _built_copy(tmp_path)
    made: dict[str, list[object]] = {"entry item": [], "comparison item": [], "description": [], "json": []}

    def counting(kind: str, real, name: str):
        def made_again(views, item):
            made[kind].append(getattr(item, name, item))
            return real(views, item)
        return made_again

    monkeypatch.setattr(contexts.Views, "_search_entry", counting("entry item", contexts.Views._search_entry, ""))
    monkeypatch.setattr(contexts.Views, "_search_comparison",
                        counting("comparison item", contexts.Views._search_comparison, "slug"))
    monkeypatch.setattr(contexts.Views, "_entry_json", counting("json", contexts.Views._entry_json, "code"))
    excerpt = contexts.excerpt
    monkeypatch.setattr(contexts, "excerpt", lambda text: made["description"].append(text) or excerpt(text))
    with412 = sorted(p.stem for p in (content / "comparisons").glob("*.yaml") if "412" in p.stem.split("-vs-"))
    assert len(with412) >= 2

    _sub(content / "codes" / "412.yaml", r"^summary: .*$", "summary: Edited by the cache test, one entry only.")
    assert build(*args, jobs=1).ok
    assert made == {"entry item": [412], "comparison item": with412, "description": [], "json": [412]}
    for found in made.values():
        found.clear()
    _sub(content / "comparisons" / f"{with412[0]}.yaml", r"^summary: \|\n  ",
         "summary: |\n  Edited by the cache test, one comparison only. ")
    assert build(*args, jobs=1).ok
    assert made["entry item"] == made["json"] == [] and made["comparison item"] == [with412[0]]
    assert len(made["description"]) == 1 and "Edited by the cache test" in str(made["description"][0])

    monkeypatch.undo()
    clean = tmp_path / "clean" / "site"
    assert build(*args[:2], str(clean), jobs=1, use_cache=False).ok
    assert tree_bytes(args[2]) == tree_bytes(str(clean))


def test_a_record_of_the_loaded_model_that_names_anything_else_is_never_run(tmp_path):
    """The records of loaded files are pickles: one that would call anything but the model's classes (here
    `os.system`, with a valid checksum: whoever can write the cache) is damaged, and its files are parsed again."""
    import pickle

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    out = tmp_path / "out" / "site"
    assert build(str(content), str(TEMPLATES), str(out), jobs=1).ok
    proof = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {proof}",))

    records = sorted((tmp_path / "out" / CACHE).glob(f"{cache_module.PARSED_PREFIX}*"))
    assert records
    for record in records:
        record.write_bytes(cache_module.sealed(pickle.dumps(Evil())))
    _sub(content / "codes" / "412.yaml", r"^summary: .*$", "summary: Edited by the cache test, one entry only.")
    result = build(str(content), str(TEMPLATES), str(out), jobs=1)
    assert result.ok and not proof.exists()
    clean = tmp_path / "clean" / "site"
    assert build(str(content), str(TEMPLATES), str(clean), jobs=1, use_cache=False).ok
    assert tree_bytes(str(out)) == tree_bytes(str(clean))


def test_a_build_after_a_template_edit_does_not_check_the_same_content_again(tmp_path, monkeypatch):
    """The check's findings are kept with the hash of every content file: a template edit reuses them, an edit of
    any content file checks again (that file by the rules that read one file, and the site by the others)."""
    from statusdocs.checks import registry

    content, templates, args = _built_copy(tmp_path)
    checks: list[tuple] = []
    real = registry.check_rules

    def counting(*a, **kw):
        checks.append((kw.get("scope"), sorted(kw["files"]) if kw.get("files") is not None else None))
        return real(*a, **kw)

    monkeypatch.setattr(registry, "check_rules", counting)
    _sub(templates / "code.html", r">Definition</a></h2>", ">Definition</a></h2><!-- edited -->")
    assert build(*args, jobs=1).ok and checks == []
    with open(content / "pages" / "about.md", "a") as fh:
        fh.write("\nOne more paragraph.\n")
    assert build(*args, jobs=1).ok and checks == [("file", [str(content / "pages" / "about.md")]), ("site", None)]


def test_an_input_edited_with_its_size_and_modification_time_kept_is_read_again(tmp_path):
    """A build reads again only the inputs whose state (size, modification time, inode, change time) is not the one
    they had when the last build hashed them: an edit that keeps the size and sets the modification time back (a
    restore with times, `touch -r`) still changes the change time, which nobody can set, and is built."""
    content, templates = tmp_path / "content", tmp_path / "templates"
    shutil.copytree(CONTENT, content)
    shutil.copytree(TEMPLATES, templates)
    time.sleep(cache_module.TRUST_NS / 1e9 + 0.5)  # every input older than the build: trusted by state next time
    args = (str(content), str(templates), str(tmp_path / "out" / "site"))
    assert build(*args, jobs=1).ok
    entry = content / "codes" / "412.yaml"
    before = entry.stat()
    text = entry.read_text()
    assert "turned out false" in text
    entry.write_text(text.replace("turned out false", "turned out FALSE", 1))
    os.utime(entry, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = entry.stat()
    assert (after.st_size, after.st_ino, after.st_mtime_ns) == (before.st_size, before.st_ino, before.st_mtime_ns)
    result = build(*args, jobs=1)
    assert result.ok and 0 < result.rendered < result.pages
    assert "turned out FALSE" in (tmp_path / "out" / "site" / "412" / "index.html").read_text()
    clean = tmp_path / "clean" / "site"
    assert build(*args[:2], str(clean), jobs=1, use_cache=False).ok
    assert tree_bytes(args[2]) == tree_bytes(str(clean))


def test_a_damaged_compiled_template_is_compiled_again(tmp_path):
    """The build cache keeps the templates compiled (Jinja's bytecode cache), each file behind its checksum: a
    damaged one is compiled again from its template, never run, and the site is a clean build's."""
    content, _, args = _built_copy(tmp_path)
    compiled = sorted((tmp_path / "out" / CACHE).glob("jinja-*/*.code"))
    assert compiled, "the templates compiled by the first build are kept"
    for n, path in enumerate(compiled):
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x55 if n % 2 else 0xFF
        path.write_bytes(bytes(data))
    _sub(content / "codes" / "412.yaml", r"^summary: .*$", "summary: Edited by the cache test, one entry only.")
    assert build(*args, jobs=1).ok
    clean = tmp_path / "clean" / "site"
    assert build(*args[:2], str(clean), jobs=1, use_cache=False).ok
    assert tree_bytes(args[2]) == tree_bytes(str(clean))


def test_compiled_templates_of_other_keys_go_but_nothing_statusdocs_did_not_write(tmp_path):
    """A build removes the compiled templates kept for another cache key (a newer generator, other options), and
    only those: a folder of the user's in the cache folder, even one named like ours, and a file of the user's in
    one of ours, are left."""
    content, _, args = _built_copy(tmp_path)
    cache = tmp_path / "out" / CACHE
    stale = cache / ("jinja-" + "0" * 20)
    stale.mkdir()
    (stale / "code.html.code").write_bytes(b"compiled for another key")
    kept = cache / ("jinja-" + "1" * 20)
    kept.mkdir()
    (kept / "notes.txt").write_text("the user's\n")
    (cache / "jinja-notes").mkdir()
    (cache / "jinja-notes" / "a.code").write_text("the user's\n")
    _sub(content / "codes" / "412.yaml", r"^summary: .*$", "summary: Edited by the cache test, one entry only.")
    assert build(*args, jobs=1).ok
    assert not stale.exists()
    assert (kept / "notes.txt").read_text() == "the user's\n" and not list(kept.glob("*.code"))
    assert (cache / "jinja-notes" / "a.code").read_text() == "the user's\n"


def test_a_template_that_comes_to_include_another_is_followed_by_the_cache(tmp_path):
    """Which templates each template reads is kept by the build cache while no template changes: a template edited
    to include a new one reads it from then on, and an edit of that one alone is seen on the pages."""
    _, templates, args = _built_copy(tmp_path)
    (templates / "extra.html").write_text("<p>EXTRA-ONE</p>\n")
    _sub(templates / "code.html", r">Definition</a></h2>", '>Definition</a></h2>{% include "extra.html" %}')
    assert build(*args, jobs=1).ok
    page = Path(args[2]) / "412" / "index.html"
    assert "EXTRA-ONE" in page.read_text()
    (templates / "extra.html").write_text("<p>EXTRA-TWO</p>\n")
    result = build(*args, jobs=1)
    assert result.ok and 0 < result.rendered < result.pages
    assert "EXTRA-TWO" in page.read_text()
    clean = tmp_path / "clean" / "site"
    assert build(*args[:2], str(clean), jobs=1, use_cache=False).ok
    assert tree_bytes(args[2]) == tree_bytes(str(clean))
