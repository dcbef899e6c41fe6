"""The content folder's layout and its numbers: an unreadable or misplaced folder, a symlink out of the content
folder, a stray large file, a status code in a YAML 1.1 number form, and `statusdocs new` in the way of
something. Each is a finding at its path (and line:col), exit 1, never a traceback, a silent gap or a lie."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, TEMPLATES, run_cli
from fuzz_targets import make_small_content

SECRET = "AWS_SECRET_ACCESS_KEY"  # a key name of the file a symlink leads to: it must never be printed


@pytest.fixture()
def content(tmp_path: Path) -> Path:
    """The four-file content folder, plus a page (pages/ is a folder the loader lists)."""
    root = make_small_content(tmp_path / "content")
    (root / "pages").mkdir()
    (root / "pages" / "about.md").write_text("---\ntitle: About\ndescription: What this is.\n---\nText.\n")
    return root


def _unprivileged() -> list[str]:
    """A command prefix that runs statusdocs the way any other user would: root reads any file and lists any
    folder whatever its mode, so as root it runs without the two capabilities that let it (setpriv, from
    util-linux). The folders tests make unreadable are root's, and mode 0 denies the owner too."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root, and no setpriv to drop the capability to read any file")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


def _run(*args: str, prefix: list[str] | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([*(prefix or []), sys.executable, "-m", "statusdocs", *args], capture_output=True,
                            text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return result


def _command(which: str, content: Path, out: Path) -> list[str]:
    if which == "check":
        return ["check", "--content", str(content)]
    return ["build", "--content", str(content), "--templates", str(TEMPLATES), "--out", str(out)]


def _finding(path: Path, rule: str, line: int | None = None, col: int | None = None) -> re.Pattern[str]:
    """A finding at `path` (absolute, or relative to the tests' root, as the CLI shows it), by rule."""
    where = re.escape(str(path))
    if line is not None:
        where += f":{line}" + (f":{col}" if col is not None else r":\d+")
    return re.compile(rf"^(?:{where}): error {rule} ", re.M)


@pytest.fixture()
def locked(request):
    """Folders made unreadable by a test, readable again after it (so that pytest can delete them)."""
    paths: list[Path] = []
    yield paths
    for path in paths:
        path.chmod(0o755)


# ------------------------------------------------------------------ 1. unreadable folders


@pytest.mark.parametrize("command", ["check", "build"])
@pytest.mark.parametrize("folder", ["codes", "pages", "comparisons", "."])
def test_unreadable_folder_is_a_finding(content, tmp_path, locked, command, folder):
    """Mode 0 on a folder: `check` printed a traceback, `build` said "cannot write the site", and an unreadable
    content folder was reported as "site.yaml is missing"."""
    prefix = _unprivileged()
    path = content / folder if folder != "." else content
    path.chmod(0)
    locked.append(path)
    result = _run(*_command(command, content, tmp_path / "site"), prefix=prefix)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert re.search(rf"^{re.escape(str(path))}: error S009 cannot read folder: ", output, re.M), output
    assert "S005" not in output and "S008" not in output and "C010" not in output, "no follow-on findings"


def test_unreadable_folder_with_a_warm_cache_is_not_up_to_date(content, tmp_path, locked):
    """After a good build, pages/ becomes unreadable: the next build must not skip the page it cannot list and
    call the site up to date, nor say it cannot write the site: it reports the folder."""
    prefix = _unprivileged()
    out = tmp_path / "site"
    first = _run(*_command("build", content, out), prefix=prefix)
    assert first.returncode == 0, first.stderr
    assert (out / "about" / "index.html").is_file()
    (content / "pages").chmod(0)
    locked.append(content / "pages")
    result = _run(*_command("build", content, out), prefix=prefix)
    assert result.returncode == 1, result.stdout + result.stderr
    assert _finding(content / "pages", "S009").search(result.stderr), result.stderr
    assert "up to date" not in result.stdout
    assert (out / "about" / "index.html").is_file(), "the previous site is left as it was"


# ------------------------------------------------------------------ 2. layout mistakes, symlinks out of content


def _file_instead_of(name: str) -> Callable[[Path], Path]:
    def mutate(content: Path) -> Path:
        shutil.rmtree(content / name)
        (content / name).write_text("not a folder\n")
        return content / name
    return mutate


def _secrets(content: Path) -> Path:
    secrets = content.parent / "secrets.yaml"
    secrets.write_text(f"{SECRET}: wJalrXUtnFEMI/K7MDENG\nDATABASE_PASSWORD: hunter2\n")
    return secrets


def _linked_out(name: str) -> Callable[[Path], Path]:
    """`name` (a file of the content folder) replaced by a symlink to a secrets file outside it."""
    def mutate(content: Path) -> Path:
        path = content / name
        if path.exists():
            path.unlink()
        path.symlink_to(_secrets(content))
        return path
    return mutate


def _codes_linked_out(content: Path) -> Path:
    """codes/ moved out of the content folder and linked back: its files are not the writer's content."""
    outside = content.parent / "elsewhere"
    (content / "codes").rename(outside)
    (outside / "412.yaml").write_text(f"code: 412\n{SECRET}: x\n")
    (content / "codes").symlink_to(outside)
    return content / "codes"


LAYOUT = {
    "codes is a file": (_file_instead_of("codes"), None),
    "comparisons is a file": (_file_instead_of("comparisons"), None),
    "pages is a file": (_file_instead_of("pages"), None),
    "codes links outside": (_codes_linked_out, None),
    "site.yaml links outside": (_linked_out("site.yaml"), 1),
    "guide.yaml links outside": (_linked_out("guide.yaml"), 1),
    "a page links outside": (_linked_out("pages/about.md"), 1),
    "an entry links outside": (_linked_out("codes/412.yaml"), 1),
}


@pytest.mark.parametrize("command", ["check", "build"])
@pytest.mark.parametrize("case", sorted(LAYOUT))
def test_layout_mistake_is_a_finding_at_its_path(content, tmp_path, case, command):
    mutate, line = LAYOUT[case]
    path = mutate(content)
    result = _run(*_command(command, content, tmp_path / "site"))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    pattern = _finding(path, "S009", line, 1 if line else None)
    assert pattern.search(output), output
    assert SECRET not in output and "hunter2" not in output, "nothing of a file outside the content is read"
    assert not (tmp_path / "site").exists()


# ------------------------------------------------------------------ 3. stray large files


def test_stray_files_in_content_are_not_read(content, tmp_path):
    """Files the loader does not read (a video, a backup, a pipe) are not hashed by the cache either: with them
    added, a build with nothing else changed is up to date. Each would have been read whole on every build (the
    pipe would make the cache unusable)."""
    out = tmp_path / "site"
    assert run_cli(*_command("build", content, out)).returncode == 0
    for name in ("video.mp4", "pages/clip.mov", "codes/412.yaml.bak"):
        with open(content / name, "wb") as fh:
            fh.truncate(3_000_000_000)  # sparse: no disk used, but reading it takes seconds
    os.mkfifo(content / "comparisons" / "notes.txt")
    result = run_cli(*_command("build", content, out), timeout=60)
    assert result.returncode == 0, result.stderr
    assert "is up to date" in result.stdout, result.stdout


# ------------------------------------------------------------------ 5. status codes in YAML 1.1 number forms

NUMBER_FORMS = ["0634", "0x19c", "6:52", "4_12", "+412", "0b110011100", "1" * 5000]


def _at_line(path: Path, needle: str) -> tuple[int, int]:
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return i, line.index(needle) + 1
    raise AssertionError(needle)


@pytest.mark.parametrize("form", NUMBER_FORMS, ids=lambda f: f[:8])
def test_code_in_a_yaml_number_form_is_a_finding(content, form):
    path = content / "codes" / "412.yaml"
    path.write_text(path.read_text().replace("code: 412\n", f"code: {form}\n", 1))
    result = run_cli("check", "--content", str(content))
    assert result.returncode == 1, result.stdout
    assert _finding(path, "S004", 1, 7).search(result.stdout), result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("file,old,new,needle", [
    ("codes/412.yaml", "related: [409]", "related: [0631]", "0631"),           # octal: 409
    ("comparisons/409-vs-412.yaml", "codes: [409, 412]", "codes: [409, 0x19c]", "0x19c"),
    ("comparisons/409-vs-412.yaml", "    yes: 409", "    yes: 6:52", "6:52"),  # a decision's answer
    ("guide.yaml", None, None, "4_12"),                                         # the guide's answer
])
def test_status_code_fields_take_three_decimal_digits(content, file, old, new, needle):
    path = content / file
    if file == "guide.yaml":
        path.write_text("title: Guide\ndescription: Which code?\nintro: Pick one.\ntree:\n  question: Conflict?\n"
                        "  yes: 409\n  no: 4_12\n")
    else:
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))
    line, col = _at_line(path, needle)
    for command in ("check", "build"):
        result = _run(*_command(command, content, content.parent / "site"))
        output = result.stdout + result.stderr
        assert result.returncode == 1, output
        assert _finding(path, "S004", line, col).search(output), output


# ------------------------------------------------------------------ 4. statusdocs new


@pytest.mark.parametrize("code", ["0410", "4_10", "+410", " 410", "410 ", "099", "600", "41", "\u0664\u0661\u0660"])
def test_new_refuses_anything_but_three_digits(content, code):
    result = _run("new", code, "--content", str(content))
    assert result.returncode == 2, result.stderr
    assert not [p.name for p in (content / "codes").iterdir() if p.name.startswith(("41", "60", "09"))
                and p.name not in ("412.yaml",)]


def _yml_beside(content: Path) -> Path:
    path = content / "codes" / "410.yml"
    path.write_text("code: 410\n")
    return path


def _dangling_target(content: Path) -> Path:
    path = content / "codes" / "410.yaml"
    path.symlink_to(content.parent / "missing.yaml")
    return path


def _codes_a_file(content: Path) -> Path:
    shutil.rmtree(content / "codes")
    (content / "codes").write_text("")
    return content / "codes"


def _codes_dangling(content: Path) -> Path:
    shutil.rmtree(content / "codes")
    (content / "codes").symlink_to(content.parent / "nowhere")
    return content / "codes"


@pytest.mark.parametrize("mutate,rule", [(_yml_beside, "S007"), (_dangling_target, "S009"),
                                         (_codes_a_file, "S009"), (_codes_dangling, "S009")],
                         ids=["410.yml exists", "dangling symlink at 410.yaml", "codes is a file",
                              "codes is a dangling symlink"])
def test_new_in_the_way_of_something_is_an_error(content, mutate, rule):
    path = mutate(content)
    before = sorted(os.listdir(content.parent))
    result = _run("new", "410", "--content", str(content))
    assert result.returncode == 1, result.stderr
    assert _finding(path, rule).search(result.stderr), result.stderr
    assert sorted(os.listdir(content.parent)) == before, "nothing made"
    if (content / "codes").is_dir() and not (content / "codes").is_symlink():
        assert not (content / "codes" / "410.yaml").exists() or (content / "codes" / "410.yaml").is_symlink()


def test_content_that_is_a_file_is_a_finding(tmp_path):
    path = tmp_path / "content"
    path.write_text("title: not a folder\n")
    for command in ("check", "build"):
        result = _run(*_command(command, path, tmp_path / "site"))
        assert result.returncode == 1, result.stdout + result.stderr
        assert _finding(path, "S009").search(result.stdout + result.stderr), result.stdout + result.stderr
