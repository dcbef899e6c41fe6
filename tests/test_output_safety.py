"""The output folder: statusdocs replaces only a folder it wrote itself (issue 21, item 1).

`build --out X` and `serve --out X` refuse, with exit status 2 and a message naming X, every folder that is not a
missing path, an empty folder or a site statusdocs wrote (it holds `.statusdocs-site`); a refused run leaves every
byte of the project as it was. `serve` without `--out` previews from a temporary folder, removed on exit."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CONTENT, TEMPLATES, run_cli
from fuzz_targets import make_small_content

from tests.browser import ServeProcess, free_port

MARKER = ".statusdocs-site"
INPUTS = ("--content", "docs/content", "--templates", "docs/templates")


def snapshot(root: Path) -> dict[str, object]:
    """Every entry below `root`, dotfiles and .git included: folders, file bytes, symlink targets."""
    found: dict[str, object] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            if os.path.islink(path):
                found[rel] = ("link", os.readlink(path))
            elif os.path.isdir(path):
                found[rel] = "folder"
            else:
                found[rel] = Path(path).read_bytes()
    return found


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A user's project: docs/content (the small content folder: where a site goes does not depend on its size)
    and docs/templates, a file of theirs, run from its top."""
    proj = tmp_path / "proj"
    make_small_content(proj / "docs" / "content")
    shutil.copytree(TEMPLATES, proj / "docs" / "templates")
    (proj / "notes.txt").write_text("the user's notes\n")
    return proj


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main",
                    *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _user_folder(proj: Path) -> None:
    (proj / "mine" / "drafts").mkdir(parents=True)
    (proj / "mine" / "drafts" / "a.md").write_text("a draft\n")


def _repository(proj: Path) -> None:
    """A folder with a .git folder, holding even the marker (say a clone of a gh-pages branch)."""
    (proj / "repo" / ".git" / "refs").mkdir(parents=True)
    (proj / "repo" / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (proj / "repo" / MARKER).write_text("a deployed site\n")
    (proj / "repo" / "index.html").write_text("<p>published</p>\n")


def _worktree_file(proj: Path) -> None:
    """A folder whose .git is a file, as in a git worktree, with an uncommitted file."""
    (proj / "wt").mkdir()
    (proj / "wt" / ".git").write_text("gitdir: /elsewhere/.git/worktrees/wt\n")
    (proj / "wt" / MARKER).write_text("a deployed site\n")
    (proj / "wt" / "uncommitted.html").write_text("<p>work in progress</p>\n")


def _git_worktree(proj: Path) -> None:
    """A real git worktree of a gh-pages branch (the marker committed by a deploy) with an uncommitted file."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    main = proj / "pages-repo"
    main.mkdir()
    _git("init", "-q", cwd=main)
    (main / MARKER).write_text("a deployed site\n")
    (main / "index.html").write_text("<p>published</p>\n")
    _git("add", "-A", cwd=main)
    _git("commit", "-q", "-m", "deploy", cwd=main)
    _git("worktree", "add", "-q", "-b", "gh-pages", str(proj / "site"), cwd=main)
    (proj / "site" / "uncommitted.html").write_text("<p>work in progress</p>\n")


def _symlink_to_content(proj: Path) -> None:
    (proj / "alias").symlink_to(proj / "docs" / "content")


def _old_site_without_cache(proj: Path) -> None:
    """Looks like a site (even .nojekyll), but nothing records that statusdocs wrote it."""
    (proj / "public").mkdir()
    (proj / "public" / ".nojekyll").write_bytes(b"")
    (proj / "public" / "index.html").write_text("<p>hand-made</p>\n")


def _cache_is_a_symlink(proj: Path) -> None:
    """The build cache's place beside the output is a symlink to the user's data: the cache's files would be
    written there, and its clean-up would delete the user's prose-*.marshal files."""
    (proj / "mydata").mkdir()
    (proj / "mydata" / "prose-1.marshal").write_bytes(b"the user's data")
    (proj / ".out.cache").symlink_to(proj / "mydata")


# (out, setup, reason, snapshot root relative to the project, commands)
Case = tuple[str, Callable[[Path], None] | None, str, str, tuple[str, ...]]
BOTH = ("build", "serve")
REFUSED: dict[str, Case] = {
    "empty path": ("", None, "the path is empty", ".", BOTH),
    "current folder": (".", None, "it is the current folder", ".", BOTH),
    "current folder with a slash": ("./", None, "it is the current folder", ".", BOTH),
    "parent folder": ("..", None, "it is a parent of the current folder", "..", BOTH),
    "folder holding the content": ("docs", None, "it holds the content folder 'docs/content'", ".", BOTH),
    "content folder": ("docs/content", None, "it is the content folder", ".", BOTH),
    "inside the content": ("docs/content/codes", None, "it is inside the content folder 'docs/content'", ".", BOTH),
    "new folder inside the content": ("docs/content/_preview", None, "it is inside the content folder", ".", BOTH),
    "templates folder": ("docs/templates", None, "it is the templates folder", ".", BOTH),
    "inside the templates": ("docs/templates/static", None, "it is inside the templates folder", ".", BOTH),
    "symlink to the content": ("alias", _symlink_to_content, "it is a symbolic link", ".", BOTH),
    "inside the content through a symlink": ("alias/new", _symlink_to_content,
                                             "it is inside the content folder", ".", BOTH),
    "a file": ("notes.txt", None, "it exists and is not a folder", ".", BOTH),
    "user's folder": ("mine", _user_folder, "it is not empty and has no .statusdocs-site file", ".", BOTH),
    "site-like folder, nothing records it": ("public", _old_site_without_cache,
                                             "delete it or choose another --out", ".", BOTH),
    ".git folder": ("repo", _repository, "it holds .git", ".", BOTH),
    ".git file (worktree)": ("wt", _worktree_file, "it holds .git", ".", BOTH),
    "git worktree of gh-pages": ("site", _git_worktree, "it holds .git", ".", BOTH),
    "build cache is a symlink": ("out", _cache_is_a_symlink, "the build cache beside it", ".", ("build",)),
}


@pytest.mark.parametrize(("case", "command"), [(case, cmd) for case in sorted(REFUSED) for cmd in REFUSED[case][4]])
def test_a_folder_statusdocs_did_not_write_is_refused_and_left_untouched(project: Path, case: str, command: str):
    out, setup, reason, root, _ = REFUSED[case]
    if setup is not None:
        setup(project)
    watched = (project / root).resolve()
    before = snapshot(watched)
    args = ("--port", str(free_port())) if command == "serve" else ()
    result = run_cli(command, *INPUTS, "--out", out, *args, cwd=project, timeout=60)
    assert result.returncode == 2, (result.stdout, result.stderr)
    message = result.stderr.strip().splitlines()
    assert len(message) == 1 and message[0].startswith(f"error: refusing to write the site into '{out}': "), message
    assert reason in message[0]
    assert "serving" not in result.stdout and "wrote" not in result.stdout
    assert snapshot(watched) == before


@pytest.mark.parametrize("command", BOTH)
def test_the_root_folder_is_refused(project: Path, command: str):
    args = ("--port", str(free_port())) if command == "serve" else ()
    result = run_cli(command, *INPUTS, "--out", "/", *args, cwd=project, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == "error: refusing to write the site into '/': it is a parent of the current folder"
    assert not [n for n in os.listdir("/") if n.startswith(("..build-", "..cache"))]


def test_a_library_caller_gets_an_exception(project: Path):
    from statusdocs.build.output import OutputRefused
    from statusdocs.build.pipeline import build

    before = snapshot(project)
    with pytest.raises(OutputRefused, match="it is the content folder"):
        build(str(project / "docs" / "content"), str(project / "docs" / "templates"), str(project / "docs" / "content"))
    assert snapshot(project) == before


def _build(project: Path, out: str, *extra: str) -> subprocess.CompletedProcess:
    return run_cli("build", *INPUTS, "--out", out, *extra, cwd=project)


@pytest.mark.parametrize("prepare", ["missing", "missing parents", "empty folder"])
def test_a_missing_path_or_an_empty_folder_is_written_and_marked(project: Path, prepare: str):
    out = "a/b/site" if prepare == "missing parents" else "site"
    if prepare == "empty folder":
        (project / out).mkdir()
    result = _build(project, out)
    assert result.returncode == 0, result.stderr
    assert (project / out / "index.html").is_file() and (project / out / MARKER).is_file()
    assert not (project / out / ".git").exists()


def test_its_own_site_is_replaced_and_an_edit_rebuilds_it(project: Path):
    assert _build(project, "site").returncode == 0
    (project / "site" / "stray.html").write_text("left by hand\n")  # the folder is statusdocs': replaced whole
    entry = project / "docs" / "content" / "codes" / "409.yaml"
    entry.write_text(re.sub(r"^summary: .*$", "summary: Edited after the first build of this output folder.",
                            entry.read_text(), count=1, flags=re.M))
    result = _build(project, "site")
    assert result.returncode == 0, result.stderr
    assert b"Edited after the first build" in (project / "site" / "409" / "index.html").read_bytes()
    assert not (project / "site" / "stray.html").exists() and (project / "site" / MARKER).is_file()


def test_a_site_of_the_version_before_the_marker_is_recognised_by_its_cache(project: Path):
    """A site/ written before the marker existed has .nojekyll and the build cache beside it: it is replaced
    (and marked); the same folder with no cache beside it is refused with what to do."""
    assert _build(project, "site").returncode == 0
    (project / "site" / MARKER).unlink()
    assert (project / ".site.cache").is_dir()
    result = _build(project, "site")
    assert result.returncode == 0, result.stderr
    assert (project / "site" / MARKER).is_file()

    (project / "site" / MARKER).unlink()
    shutil.rmtree(project / ".site.cache")
    before = snapshot(project)
    result = _build(project, "site")
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: refusing to write the site into 'site': it is not empty and has no "
                                     ".statusdocs-site file, so statusdocs did not write it; delete it or choose "
                                     "another --out")
    assert snapshot(project) == before


def test_a_deleted_marker_is_written_again_by_a_build_with_nothing_else_to_do(project: Path):
    assert _build(project, "site").returncode == 0
    (project / "site" / MARKER).unlink()
    result = _build(project, "site")
    assert result.returncode == 0, result.stderr
    assert "up to date" not in result.stdout
    assert (project / "site" / MARKER).is_file()


def test_folders_beside_the_output_that_look_like_staging_are_kept_unless_statusdocs_made_them(project: Path):
    """Staging folders of killed builds are removed by the next build; a folder of the user's with such a name
    (a dead pid, mkdtemp's 8 characters) and no marker, or a name that is not exactly a staging folder's, stays."""
    dead = 99_999_999  # above any pid_max: no such process
    lookalike = project / f".site.build-{dead}-abcdefgh"
    lookalike.mkdir()
    (lookalike / "keep.txt").write_text("the user's\n")
    other = project / f".site.build-{dead}-mine"
    other.mkdir()
    (other / MARKER).write_text("x\n")
    stale = project / f".site.build-{dead}-zyxwvuts"  # left by a killed build: marked
    stale.mkdir()
    (stale / MARKER).write_bytes(b"")
    (stale / "index.html").write_text("half a site\n")
    empty = project / f".site.build-{dead}-emptyxyz"  # killed before its marker
    empty.mkdir()
    kept = {p.name: snapshot(p) for p in (lookalike, other)}
    result = _build(project, "site")
    assert result.returncode == 0, result.stderr
    assert {p.name: snapshot(p) for p in (lookalike, other)} == kept
    assert not stale.exists() and not empty.exists()


def test_serve_without_out_writes_no_site_and_removes_its_folder_on_exit(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch):
    work = tmp_path / "work"
    shutil.copytree(CONTENT, work / "content")
    shutil.copytree(TEMPLATES, work / "templates")
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))  # where the server makes its temporary folder
    before = snapshot(work)
    proc = ServeProcess(work)
    try:
        status, body, _ = proc.get("/statusdocs/409/")
        assert status == 200 and b"<h1" in body
        previews = [p for p in temp.iterdir() if p.name.startswith("statusdocs-serve-")]
        assert len(previews) == 1 and (previews[0] / "409" / "index.html").is_file(), list(temp.iterdir())
        assert snapshot(work) == before  # no site/, nothing else either
    finally:
        code = proc.stop()  # SIGINT, as Ctrl-C
    assert code == 0, proc.lines
    assert not (work / "site").exists() and snapshot(work) == before
    assert not [p.name for p in temp.iterdir() if "statusdocs-serve-" in p.name]


def test_a_refused_name_with_control_characters_reaches_the_terminal_escaped(project: Path):
    out = "x\x1b]0;pwned\x07\x1b[2J"
    (project / out).mkdir()
    (project / out / "data.txt").write_text("the user's\n")
    before = snapshot(project)
    result = _build(project, out)
    assert result.returncode == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert result.stderr.startswith("error: refusing to write the site into 'x\\x1b]0;pwned\\x07\\x1b[2J': ")
    assert snapshot(project) == before


def test_a_folder_filled_by_someone_else_during_the_write_is_not_replaced(tmp_path: Path):
    """The output is checked again just before the staged site replaces it."""
    from statusdocs.build.output import OutputRefused, Staging

    out = tmp_path / "site"
    out.mkdir()
    staging = Staging(str(out))  # empty: accepted
    staging.write("index.html", b"<p>new</p>\n")
    (out / "thesis.tex").write_text("months of work\n")  # meanwhile
    with pytest.raises(OutputRefused, match="it is not empty and has no .statusdocs-site file"):
        staging.commit()
    staging.abort()
    assert snapshot(tmp_path) == {"site": "folder", "site/thesis.tex": b"months of work\n"}
