"""`statusdocs deploy`: publish the site on a gh-pages branch, as `mkdocs gh-deploy` does.

The site is built strictly into a temporary folder, never into the working tree's site/. Its files are
stored with git plumbing in a temporary index (hash-object, update-index, write-tree), committed with
commit-tree on top of the branch's current tip (local or on the remote, whichever is newer) and the branch
ref is moved with update-ref. The working tree, the real index and the checked-out branch are never
touched. Then the branch is pushed, unless --no-push.

Every value from the command line reaches git after `--` (or on stdin, the message), and is validated first:
the remote is a configured remote, a URL or a path to a repository, never something git would read as an
option; the branch is a valid branch name. A refused value is a usage error (exit 2).

Every deploy commit ends with the trailer `Deployed-by: statusdocs`. An existing branch (local or on the
remote) whose tip is neither such a commit nor a deploy of a statusdocs from before the trailer (its own
subject, and a tree that holds a site: `.nojekyll`, `index.html`, no `content/`) is refused, so a source
branch never gets the site committed on top of it, unless the user passes `adopt=True` (--adopt-branch).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field

from statusdocs import __version__
from statusdocs.diagnostics import Diagnostic

LOCAL_TIMEOUT = 120  # seconds for a local git command; fetch and push may wait for credentials, so have none
TRAILER = "Deployed-by: statusdocs"  # the last line of every deploy commit's message: how a deploy is recognised
_TRAILER = re.compile(r"^Deployed-by:[ \t]*statusdocs(?:[ \t]|$)", re.M)
# the subject statusdocs 0.1.0 wrote before the trailer existed
_OLD_SUBJECT = re.compile(r"^Deployed (?:[0-9a-f]{12} )?with statusdocs \S+(?: and uncommitted changes)?$")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^[^/:\s]+:")  # scheme://... or scp-like [user@]host:path
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class DeployError(Exception):
    """A one-line reason the deploy stopped, with the build's findings when the build failed."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.diagnostics = diagnostics or []


class DeployUsageError(DeployError):
    """A refused command-line value (a remote, a branch): a usage error, exit status 2."""


@dataclass
class Deployed:
    branch: str
    commit: str
    parent: str | None
    pages: int
    files: int
    remote: str | None            # where it was pushed; None with --no-push
    unchanged: bool = False       # same files as the parent commit
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parent = f"on top of {self.parent[:12]}" if self.parent else "as its first commit"
        where = f"pushed to {self.remote}" if self.remote else "not pushed (--no-push)"
        same = "; the files are the same as the previous deploy" if self.unchanged else ""
        return (f"deployed {self.pages} pages ({self.files} files): {self.branch} is now {self.commit[:12]}, "
                f"{parent}; {where}{same}")


def _git_reason(text: str) -> str:
    """The line of git's stderr that says what went wrong: a rejected ref, else the first fatal or error."""
    lines = [" ".join(ln.split()) for ln in text.splitlines() if ln.strip()]
    for wanted in (lambda ln: "[rejected]" in ln or "[remote rejected]" in ln,
                   lambda ln: ln.startswith("fatal:"), lambda ln: ln.startswith("error:")):
        found = next((ln for ln in lines if wanted(ln)), None)
        if found:
            return found.lstrip("! ").rstrip(".")
    return lines[-1].rstrip(".") if lines else "no message from git"


class _Git:
    def __init__(self, cwd: str):
        self.cwd = cwd

    def run(self, *args: str, env: dict[str, str] | None = None, input: str | None = None,
            timeout: float | None = LOCAL_TIMEOUT, check: bool = True) -> subprocess.CompletedProcess:
        try:
            result = subprocess.run(["git", "--no-optional-locks", *args], cwd=self.cwd, capture_output=True,
                                    text=True, input=input, timeout=timeout,
                                    env={**os.environ, **(env or {}), "LC_ALL": "C"})
        except FileNotFoundError:
            raise DeployError("git is not installed (statusdocs deploy commits with git)") from None
        except subprocess.TimeoutExpired:
            raise DeployError(f"`git {args[0]}` did not finish in {timeout:.0f} s") from None
        if check and result.returncode != 0:
            raise DeployError(f"`git {' '.join(args[:2])}` failed: {_git_reason(result.stderr)}")
        return result

    def out(self, *args: str, **kw) -> str:
        return self.run(*args, **kw).stdout.strip()

    def commit_of(self, rev: str) -> str | None:
        result = self.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
        return result.stdout.strip() if result.returncode == 0 else None

    def is_ancestor(self, a: str, b: str) -> bool:
        return self.run("merge-base", "--is-ancestor", a, b, check=False).returncode == 0


def _repository(git: _Git, branch: str) -> None:
    result = git.run("rev-parse", "--git-dir", check=False)
    if result.returncode != 0:
        raise DeployError(f"{os.path.abspath(git.cwd)} is not in a git repository: "
                          "run statusdocs deploy inside the site's repository (git init, then commit it)")
    _check_branch(git, branch)
    ref = f"refs/heads/{branch}"
    for line in git.out("worktree", "list", "--porcelain").splitlines():
        if line == f"branch {ref}":
            raise DeployError(f"{branch} is checked out (in a working tree of this repository); "
                              "deploy from your source branch, so the working tree is left alone")


def _check_branch(git: _Git, branch: str) -> None:
    # check-ref-format --branch also expands @{-1} and the like: the name must come back unchanged
    checked = git.run("check-ref-format", "--branch", branch, check=False) \
        if branch and not branch.startswith("-") and not _CONTROL.search(branch) else None
    if checked is None or checked.returncode != 0 or checked.stdout.rstrip("\n") != branch:
        raise DeployUsageError(f"--branch {branch!r} is not a valid branch name")


def _check_remote(git: _Git, remote: str, push: bool) -> None:
    """A configured remote, a URL or a path to a repository; never a value git would read as an option.
    Without push, a name that is none of these is only noted later (a repository with no remote yet)."""
    configured = git.out("remote").split()
    if remote in configured and not remote.startswith("-"):
        return
    why = None
    if not remote or remote.startswith("-") or _CONTROL.search(remote):
        why = "starts with '-' (git would read it as an option)" if remote.startswith("-") else \
            "is empty" if not remote else "holds a control character"
    elif remote.lower().startswith(("ext::", "fd::")):
        why = "is a transport that runs a command"
    elif push and not (_URL.match(remote) or os.path.isdir(os.path.join(git.cwd, remote))):
        names = ", ".join(configured) or "none"
        why = f"is neither a remote of this repository (configured: {names}) nor a URL or a path to a repository"
    if why:
        raise DeployUsageError(f"--remote {remote!r} {why}")


def _is_deploy(git: _Git, commit: str) -> bool:
    """The commit was made by statusdocs deploy: the trailer, or an older statusdocs's subject on a site's tree."""
    message = git.out("cat-file", "commit", commit).partition("\n\n")[2]
    paragraphs = [p for p in message.strip().split("\n\n") if p.strip()]
    if len(paragraphs) > 1 and _TRAILER.search(paragraphs[-1]):  # as git reads trailers: never in the subject
        return True
    if not _OLD_SUBJECT.match(message.partition("\n")[0]):
        return False
    top = set(git.out("ls-tree", "--name-only", commit).splitlines())
    return {".nojekyll", "index.html"} <= top and not top & {"content", "templates", ".github", "pyproject.toml"}


def _check_tips(git: _Git, branch: str, remote: str, tips: dict[str, str | None], adopt: bool) -> None:
    """Refuse to commit on top of a branch statusdocs did not make, unless adopt."""
    for where, tip in tips.items():
        if tip is None or adopt or _is_deploy(git, tip):
            continue
        place = f"the local branch {branch!r}" if where == "local" else f"the branch {branch!r} on {remote!r}"
        raise DeployUsageError(
            f"{place} exists and its tip {tip[:12]} is not a statusdocs deploy (no {TRAILER!r} trailer): "
            f"the site would be committed on top of it. Name a branch that holds only the site (default gh-pages) "
            f"or a new one, or pass --adopt-branch if {branch!r} is meant to hold the site from now on")


def _remote_tip(git: _Git, remote: str, branch: str, push: bool, notes: list[str]) -> str | None:
    """Fetch the remote's branch, so the new commit goes on top of what is published."""
    listed = git.run("ls-remote", "--heads", "--", remote, f"refs/heads/{branch}", timeout=None, check=False)
    if listed.returncode != 0:
        why = f"cannot read remote {remote!r}: {_git_reason(listed.stderr)}"
        if push:
            raise DeployError(why)
        notes.append(f"{why}; building on the local {branch} only")
        return None
    if not listed.stdout.strip():
        return None
    fetched = git.run("fetch", "--quiet", "--no-tags", "--", remote, f"refs/heads/{branch}", timeout=None,
                      check=False)
    if fetched.returncode != 0:
        raise DeployError(f"cannot fetch {branch} from {remote!r}: {_git_reason(fetched.stderr)}")
    return git.commit_of(listed.stdout.split()[0]) or git.commit_of("FETCH_HEAD")


def _parent(git: _Git, local: str | None, remote: str | None, branch: str, notes: list[str]) -> str | None:
    if not (local and remote) or local == remote:
        return local or remote
    if git.is_ancestor(local, remote):
        return remote
    if git.is_ancestor(remote, local):
        return local  # earlier deploys not pushed yet
    notes.append(f"the local {branch} and the remote's have diverged: building on the remote's, "
                 f"the local one was {local[:12]}")
    return remote


def _store_tree(git: _Git, site: str, scratch: str) -> tuple[str, int]:
    """Write every file under `site` into the object database, as a tree. Returns (tree, number of files)."""
    paths: list[str] = []
    for folder, dirs, files in os.walk(site):
        dirs.sort()
        paths.extend(os.path.join(folder, name) for name in sorted(files))
    if not paths:
        raise DeployError("the build wrote no files")
    # --no-filters: the bytes as built, whatever autocrlf, .gitattributes or clean filters say
    hashes = git.out("hash-object", "-w", "--no-filters", "--stdin-paths", input="\n".join(paths) + "\n").split()
    if len(hashes) != len(paths):
        raise DeployError("git hash-object did not store every file of the site")
    index_info = "".join(f"100644 {sha}\t{os.path.relpath(p, site).replace(os.sep, '/')}\0"
                         for sha, p in zip(hashes, paths, strict=True))
    env = {"GIT_INDEX_FILE": os.path.join(scratch, "index")}  # a temporary index: the real one is not touched
    git.run("update-index", "-z", "--add", "--index-info", input=index_info, env=env)
    return git.out("write-tree", env=env), len(paths)


def _message(git: _Git, message: str | None) -> str:
    """The user's message or one naming the source commit, then the trailer that marks a statusdocs deploy."""
    if not (message and message.strip()):
        head = git.commit_of("HEAD")
        dirty = head is not None and git.out("status", "--porcelain", "--untracked-files=no")
        message = (f"Deployed {head[:12]} with statusdocs {__version__}" if head else
                   f"Deployed with statusdocs {__version__}") + (" and uncommitted changes" if dirty else "")
    return f"{message.rstrip()}\n\n{TRAILER} {__version__}\n"


def deploy(content_dir: str, templates_dir: str | None, *, base_url: str | None = None, remote: str = "origin",
           branch: str = "gh-pages", message: str | None = None, push: bool = True, cwd: str = ".",
           adopt: bool = False) -> Deployed:
    """Build the site strictly and commit it as the new tip of `branch`, then push it to `remote`.
    `adopt`: commit on top of an existing branch even if its tip is not a statusdocs deploy."""
    from statusdocs.build.pipeline import build

    git = _Git(cwd)
    _repository(git, branch)
    _check_remote(git, remote, push)
    notes: list[str] = []
    ref = f"refs/heads/{branch}"
    local = git.commit_of(ref)
    remote_tip = _remote_tip(git, remote, branch, push, notes)
    _check_tips(git, branch, remote, {"local": local, "remote": remote_tip}, adopt)
    parent = _parent(git, local, remote_tip, branch, notes)

    with tempfile.TemporaryDirectory(prefix="statusdocs-deploy-") as scratch:
        site = os.path.join(scratch, "site")
        try:
            result = build(os.path.join(cwd, content_dir), templates_dir and os.path.join(cwd, templates_dir), site,
                           base_url=base_url, strict=True)
        except OSError as exc:
            raise DeployError(f"cannot write the site into {scratch}: {exc.strerror or exc}") from None
        if not result.ok:
            errors = sum(1 for d in result.diagnostics if d.severity == "error")
            found = f"{errors} error{'s' if errors != 1 else ''}" if errors else \
                f"{len(result.diagnostics)} finding{'s' if len(result.diagnostics) != 1 else ''} (deploy is strict)"
            raise DeployError(f"the build has {found}; nothing was committed", result.diagnostics)
        tree, files = _store_tree(git, site, scratch)

    unchanged = parent is not None and git.out("rev-parse", f"{parent}^{{tree}}") == tree
    # the message on stdin: never an argument git could read as an option
    made = git.run("commit-tree", tree, *(("-p", parent) if parent else ()), input=_message(git, message),
                   check=False)
    if made.returncode != 0:
        hint = "; set it with `git config user.name ...` and `git config user.email ...`" \
            if "user.email" in made.stderr or "identity" in made.stderr else ""
        raise DeployError(f"cannot commit the site: {_git_reason(made.stderr)}{hint}")
    commit = made.stdout.strip()
    # compare-and-swap: the ref still has the value read above (the empty string: it does not exist yet)
    git.run("update-ref", "-m", "statusdocs deploy", ref, commit, local or "")

    if push:
        pushed = git.run("push", "--quiet", "--", remote, f"{ref}:{ref}", timeout=None, check=False)
        if pushed.returncode != 0:
            raise DeployError(f"push to {remote!r} failed: {_git_reason(pushed.stderr)} "
                              f"(the commit {commit[:12]} is on the local {branch}; run `git push {remote} {branch}`)")
    return Deployed(branch, commit, parent, result.pages, files, remote if push else None, unchanged, notes)
