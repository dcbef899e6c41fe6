"""statusdocs as a package: the theme it carries, `--templates` overriding it file by file, `statusdocs init`, and
the built wheel used from a fresh venv outside the repository, with a decoy `generator/` folder beside it."""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.browser import ServeProcess
from tests.conftest import CONTENT, ROOT, TEMPLATES, run_cli

CODE_PAGE = re.compile(r"^\d{3}/index\.html$")
MARKER = "<!-- overridden code.html -->"


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _build(*args: str, cwd: Path | str = ROOT) -> subprocess.CompletedProcess:
    result = run_cli("build", *args, cwd=cwd, search=True)  # compared with built_site, which has the index
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _override(folder: Path) -> Path:
    """A templates folder that holds only code.html: the built-in one with a marker."""
    folder.mkdir(exist_ok=True)
    source = (TEMPLATES / "code.html").read_text()
    (folder / "code.html").write_text(source.replace("{% block main %}", "{% block main %}" + MARKER, 1))
    assert MARKER in (folder / "code.html").read_text()
    return folder


# ------------------------------------------------------------------ --templates over the built-in theme


def test_one_overridden_template_changes_its_pages_only(tmp_path, built_site):
    out = tmp_path / "site"
    _build("--content", str(CONTENT), "--templates", str(_override(tmp_path / "mine")), "--out", str(out))
    mine, theirs = _tree(out), _tree(built_site)
    assert set(mine) == set(theirs)
    changed = {p for p in mine if mine[p] != theirs[p]}
    assert changed == {p for p in mine if CODE_PAGE.match(p)} and len(changed) > 50
    assert all(MARKER.encode() in mine[p] for p in changed)


def test_a_static_file_of_the_override_is_added_to_the_theme(tmp_path, built_site):
    mine = tmp_path / "mine"
    (mine / "static").mkdir(parents=True)
    (mine / "static" / "extra.css").write_text("body { color: teal }\n")
    out = tmp_path / "site"
    _build("--content", str(CONTENT), "--templates", str(mine), "--out", str(out))
    built = _tree(out)
    assert built.pop("static/extra.css") == b"body { color: teal }\n"
    assert built == _tree(built_site)


def test_without_a_templates_folder_the_built_in_theme_builds_the_same_site(tmp_path, built_site):
    """No ./templates in the working directory and no --templates: the theme shipped with statusdocs."""
    _build("--content", str(CONTENT), "--out", str(tmp_path / "site"), cwd=tmp_path)
    assert _tree(tmp_path / "site") == _tree(built_site)


def test_a_template_that_is_nowhere_names_the_folders_looked_in(tmp_path):
    mine = _override(tmp_path / "mine")
    code = mine / "code.html"
    code.write_text(code.read_text().replace(MARKER, MARKER + '\n{% include "nowhere.html" %}'))
    line = code.read_text().splitlines().index('{% include "nowhere.html" %}') + 1
    result = run_cli("build", "--content", str(CONTENT), "--templates", str(mine), "--out", str(tmp_path / "site"),
                     cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    found = re.search(rf"^mine/code\.html:{line}: error T001 template not found: nowhere\.html "
                      r"\(looked in mine, (.+)\)$", result.stderr, re.M)
    assert found, result.stderr
    assert Path(found[1]).resolve() == TEMPLATES.resolve()  # from the checkout: the built-in theme is templates/


def test_a_missing_templates_folder_is_a_usage_error(tmp_path):
    result = run_cli("build", "--content", str(CONTENT), "--templates", str(tmp_path / "nope"),
                     "--out", str(tmp_path / "site"))
    assert result.returncode == 2 and "nope" in result.stderr
    assert not (tmp_path / "site").exists()


def test_the_cache_sees_a_template_added_to_the_override(tmp_path):
    """The cache hashes both folders: a code.html added to the user's folder replaces the built-in one."""
    mine = tmp_path / "mine"
    (mine / "static").mkdir(parents=True)
    (mine / "static" / "extra.css").write_text("p {}\n")
    out = tmp_path / "site"
    args = ("--content", str(CONTENT), "--templates", str(mine), "--out", str(out))
    _build(*args)
    assert MARKER.encode() not in (out / "409" / "index.html").read_bytes()
    _override(mine)
    assert "up to date" not in _build(*args).stdout
    assert MARKER.encode() in (out / "409" / "index.html").read_bytes()
    fresh = tmp_path / "fresh"
    _build("--content", str(CONTENT), "--templates", str(mine), "--out", str(fresh), "--no-cache")
    assert _tree(out) == _tree(fresh)


def test_serve_watches_the_override_folder(tmp_path):
    """A template added to the user's folder while the preview runs replaces the built-in one on the next rebuild."""
    assert run_cli("init", "--minimal", "s", cwd=tmp_path).returncode == 0
    site = tmp_path / "s"
    (site / "mine" / "static").mkdir(parents=True)
    (site / "mine" / "static" / "extra.css").write_text("p {}\n")
    preview = ServeProcess(site, "--templates", "mine")
    try:
        path = "/" + preview.url.split("/", 3)[3] + "409/"
        status, body, _ = preview.get(path)
        assert status == 200 and MARKER.encode() not in body
        assert preview.get("/" + preview.url.split("/", 3)[3] + "static/extra.css")[1] == b"p {}\n"
        start = len(preview.lines)
        _override(site / "mine")
        preview.wait_for(r"rebuilt \d+ pages", 30, start)
        assert MARKER.encode() in preview.get(path)[1]
    finally:
        preview.stop()


# ------------------------------------------------------------------ statusdocs init


def test_init_minimal_site_checks_strict_and_builds(tmp_path):
    result = run_cli("init", "--minimal", "new-site", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "new-site"
    assert sorted(p.name for p in (site / "content" / "codes").iterdir()) == \
        ["200.yaml", "404.yaml", "409.yaml", "412.yaml"]
    assert (site / "content" / "comparisons" / "409-vs-412.yaml").is_file()
    check = run_cli("check", "--strict", cwd=site)
    assert check.returncode == 0 and "no findings" in check.stdout, check.stdout + check.stderr
    _build("--strict", cwd=site)
    assert (site / "site" / "compare" / "409-vs-412" / "index.html").is_file()
    for name in (".gitignore", ".pre-commit-config.yaml", ".github/workflows/pages.yml", ".vscode/settings.json"):
        assert (site / name).is_file(), name
    version = re.search(r"statusdocs (\S+)", run_cli("--version").stdout)[1]  # type: ignore[index]
    # with the search extra: the site it deploys has its full-text search
    assert f"pip install 'statusdocs[search]=={version}'" in (site / ".github/workflows/pages.yml").read_text()
    assert f"rev: v{version}" in (site / ".pre-commit-config.yaml").read_text()
    assert {"/site/", "/.site.cache/"} <= set((site / ".gitignore").read_text().splitlines())
    schemas = json.loads((site / ".vscode" / "settings.json").read_text())["yaml.schemas"]
    assert schemas["./.statusdocs/schema/entry.json"] == ["content/codes/*.yaml", "content/codes/*.yml"]
    for path in schemas:
        assert json.loads((site / path).read_text()) == json.loads(run_cli("schema", Path(path).stem).stdout)


@pytest.mark.parametrize("occupant", ["file", "folder", "hidden"])
def test_init_refuses_a_folder_that_is_not_empty(tmp_path, occupant):
    target = tmp_path / "mine"
    target.mkdir()
    {"file": lambda: (target / "notes.txt").write_text("mine\n"),
     "folder": lambda: (target / "content").mkdir(),
     "hidden": lambda: (target / ".git").mkdir()}[occupant]()
    before = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    result = run_cli("init", str(target))
    assert result.returncode == 2, result.stderr
    assert str(target) in result.stderr and "not empty" in result.stderr
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == before, "nothing written"


def test_init_refuses_a_file(tmp_path):
    (tmp_path / "site").write_text("x\n")
    result = run_cli("init", "site", cwd=tmp_path)
    assert result.returncode == 2 and "site" in result.stderr
    assert (tmp_path / "site").read_text() == "x\n"


def test_new_binds_the_entry_schema_and_keeps_line_numbers(tmp_path):
    assert run_cli("init", "--minimal", "s", cwd=tmp_path).returncode == 0
    site = tmp_path / "s"
    assert run_cli("new", "410", cwd=site).returncode == 0
    lines = (site / "content" / "codes" / "410.yaml").read_text().splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../../.statusdocs/schema/entry.json"
    assert (site / "content" / "codes" / lines[0].split("=", 1)[1]).resolve().is_file()
    summary = lines.index("summary: TODO") + 1
    check = run_cli("check", cwd=site)
    assert re.search(rf"^content/codes/410\.yaml:{summary}:1: error V003 summary ", check.stdout, re.M), check.stdout


# ------------------------------------------------------------------ the wheel, from a fresh venv


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel built from this checkout, installed into a fresh venv (the dependencies come from the running
    interpreter's site-packages, so nothing is downloaded but the build backend)."""
    base = tmp_path_factory.mktemp("wheel")
    # Built from a copy of what the wheel is made of: setuptools would leave build/ in the checkout, and reuse
    # whatever an earlier build left there (a deleted module would still ship).
    source = base / "source"
    source.mkdir()
    for path in ROOT.iterdir():
        if path.is_file():
            shutil.copy2(path, source / path.name)
    for folder in ("generator", "templates", "content"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    wheels = base / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(source)],
                   check=True, capture_output=True, timeout=600, env=_user_env())
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    # The wheel's dependencies are the running environment's (its versions, not the base interpreter's): a path
    # file adds that site-packages after the venv's own, where the wheel goes. Path files there are not run, so
    # the running environment's editable statusdocs stays invisible.
    site_packages = next((venv / "lib").glob("python*/site-packages"))
    paths = dict.fromkeys((sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]))
    (site_packages / "running-environment.pth").write_text("\n".join(paths) + "\n")
    wheel = next(wheels.glob("statusdocs-*.whl"))
    # --ignore-installed: the statusdocs of the running interpreter (an editable install) is visible in the venv
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "--ignore-installed",
                    str(wheel)], check=True, capture_output=True, timeout=300, env=_user_env())
    return venv


def _decoy(folder: Path) -> Path:
    """A working directory holding a `generator/` package of the user's own."""
    (folder / "generator").mkdir(parents=True)
    for name in ("__init__.py", "__main__.py"):
        (folder / "generator" / name).write_text('print("DECOY")\nraise SystemExit(3)\n')
    return folder


def _import_name(venv: Path) -> str:
    """The package the installed `statusdocs` script runs: `statusdocs`, whose files are the `generator/` folder."""
    entry = next((venv / "lib").glob("python*/site-packages/statusdocs-*.dist-info/entry_points.txt"))
    module = re.search(r"^statusdocs\s*=\s*([\w.]+?)\.cli:run$", entry.read_text(), re.M)
    assert module, entry.read_text()
    return module[1]


def _user_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


@pytest.mark.slow
def test_the_wheel_makes_a_site_beside_a_decoy_identical_to_the_repository_build(installed, tmp_path, built_site):
    work = _decoy(tmp_path / "work")
    statusdocs = str(installed / "bin" / "statusdocs")

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
        result = subprocess.run([statusdocs, *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                                env=_user_env())
        assert result.returncode == 0 and "DECOY" not in result.stdout, result.stdout + result.stderr
        return result

    name = _import_name(installed)
    where = subprocess.run([str(installed / "bin" / "python"), "-c", f"import {name}; print({name}.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=60, env=_user_env())
    assert Path(where.stdout.strip()).is_relative_to(installed), "the venv runs the wheel, not the checkout"
    run("init", "site", cwd=work)
    site = work / "site"
    assert not (site / "templates").exists(), "the theme comes from the package"
    run("check", "--strict", cwd=site)
    run("build", cwd=site)
    built = site / "site"
    comparison = filecmp.dircmp(built, built_site)
    assert _tree(built) == _tree(built_site), (comparison.left_only, comparison.right_only, comparison.diff_files)


@pytest.mark.slow
def test_python_m_is_not_shadowed_by_a_decoy(installed, tmp_path):
    """`python -m <the package of the statusdocs script>` from a folder that holds a decoy `generator/`."""
    work = _decoy(tmp_path / "work")
    result = subprocess.run([str(installed / "bin" / "python"), "-m", _import_name(installed), "--version"], cwd=work,
                            capture_output=True, text=True, timeout=60, env=_user_env())
    assert result.returncode == 0 and "DECOY" not in result.stdout, result.stdout + result.stderr


@pytest.mark.slow
def test_the_wheel_holds_the_theme_and_the_starter_content(installed):
    """Cheap once the wheel is built: every theme and content file of the checkout is in the installed package."""
    package = next((installed / "lib").glob(f"python*/site-packages/{_import_name(installed)}"))
    for source, shipped in ((TEMPLATES, package / "theme"), (CONTENT, package / "starter")):
        files = sorted(p.relative_to(source) for p in source.rglob("*") if p.is_file())
        assert files and all((shipped / f).read_bytes() == (source / f).read_bytes() for f in files), shipped
