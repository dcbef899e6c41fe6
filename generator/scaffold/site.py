"""`statusdocs init DIR`: a new site that builds and passes `check --strict` as it is.

It holds the content shipped with statusdocs (or, with `--minimal`, a few entries and one comparison), a GitHub
Pages workflow that installs this very version, a pre-commit hook pinned to its tag, a `.gitignore` for the build
output and the cache, and editor settings that bind the JSON Schemas of the content files (written into
`.statusdocs/schema/`). It writes only into a folder that is missing or empty: nothing of the user's is replaced.
"""

from __future__ import annotations

import json
import os
import re

from statusdocs import __version__
from statusdocs.content.schema import json_schema
from statusdocs.shipped import STARTER_CONTENT

# --minimal: entries whose related codes and comparisons are all among them, so that `check --strict` passes.
MINIMAL_ENTRIES = ("200", "404", "409", "412")
MINIMAL_COMPARISONS = ("409-vs-412",)
SCHEMA_DIR = ".statusdocs/schema"
# kind -> the content files it validates (a page's front matter sits in Markdown, which editors do not validate)
SCHEMA_GLOBS = {
    "entry": ["content/codes/*.yaml", "content/codes/*.yml"],
    "comparison": ["content/comparisons/*.yaml", "content/comparisons/*.yml"],
    "guide": ["content/guide.yaml", "content/guide.yml"],
    "site": ["content/site.yaml", "content/site.yml"],
    "page": [],
}

# Based on this repository's .github/workflows/pages.yml (actions pinned by commit, least permissions), but
# installing the released statusdocs instead of the checkout.
PAGES_WORKFLOW = """\
# Publishes the site on GitHub Pages on every push to main.
# One-time set-up: Settings -> Pages -> Build and deployment -> Source: GitHub Actions.
# Actions are pinned by commit (the tag in the comment); each job gets only the permissions it needs.
name: Pages

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions: {}

# One deployment at a time; a run that is already deploying is allowed to finish.
concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    name: Check and build
    runs-on: ubuntu-latest
    permissions:
      contents: read  # checkout
      pages: read     # configure-pages reads the Pages site's address
    steps:
      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0
        with:
          persist-credentials: false
      - uses: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065 # v5.6.0
        with:
          python-version: "3.11"
      - name: Install statusdocs (with Pagefind: the site's full-text search)
        run: python -m pip install 'statusdocs[search]=={version}'
      - name: Check the content (findings annotate the commit)
        run: statusdocs check --format github
      - name: Configure Pages
        id: pages
        uses: actions/configure-pages@983d7736d9b0ae728b81ab479565c72886d7745b # v5.0.0
      - name: Build the site
        env:
          BASE_URL: ${{ steps.pages.outputs.base_url }}
        run: statusdocs build --strict --base-url "$BASE_URL/"
      - uses: actions/upload-pages-artifact@56afc609e74202658d3ffba0e8f6dda462b719fa # v3.0.1
        with:
          path: site

  deploy:
    name: Deploy
    needs: build
    runs-on: ubuntu-latest
    permissions:
      pages: write     # deploy-pages publishes the artifact
      id-token: write  # and proves with an OIDC token that it comes from this workflow
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - name: Deploy to GitHub Pages
        id: deployment
        uses: actions/deploy-pages@d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e # v4.0.5
"""

PRE_COMMIT = """\
repos:
  - repo: https://github.com/statusdocs/statusdocs
    rev: v{version}  # a release tag; `pre-commit autoupdate` moves it to the newest
    hooks:
      - id: statusdocs-check
"""

GITIGNORE = """\
# statusdocs build output and its cache
/site/
/.site.cache/
"""


class InitRefused(Exception):
    """The folder cannot be made into a new site (it is not empty, or not a folder): a usage error."""


def _starter_files(minimal: bool) -> list[str]:
    """The content files to copy, as paths below the shipped content folder."""
    if minimal:
        return ["site.yaml", *(f"codes/{c}.yaml" for c in MINIMAL_ENTRIES),
                *(f"comparisons/{c}.yaml" for c in MINIMAL_COMPARISONS)]
    files = []
    for folder, dirs, names in os.walk(STARTER_CONTENT):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        for name in sorted(names):
            if not name.startswith(".") and name.endswith((".yaml", ".yml", ".md")):
                files.append(os.path.relpath(os.path.join(folder, name), STARTER_CONTENT).replace(os.sep, "/"))
    return files


def _only_related(data: bytes, codes: tuple[str, ...]) -> bytes:
    """An entry's `related: [..]` line with only the codes among `codes` (the others have no entry in a minimal
    site), on the same line so that every other line keeps its number."""
    def keep(match: re.Match[bytes]) -> bytes:
        kept = [c.strip() for c in match[1].split(b",") if c.strip().decode() in codes]
        return b"related: [" + b", ".join(kept) + b"]"

    return re.sub(rb"^related: \[([^\]\n]*)\]", keep, data, count=1, flags=re.M)


def schema_modeline(path: str, project: str) -> str:
    """The yaml-language-server modeline that binds the entry schema to the file at `path`, for a project whose
    schemas are (or would be) in `project`/.statusdocs/schema/."""
    schema = os.path.join(project, SCHEMA_DIR, "entry.json")
    rel = os.path.relpath(schema, os.path.dirname(os.path.abspath(path))).replace(os.sep, "/")
    return f"# yaml-language-server: $schema={rel}\n"


def plan(minimal: bool) -> dict[str, bytes]:
    """Every file of the new site (path below it -> bytes)."""
    files: dict[str, bytes] = {}
    for rel in _starter_files(minimal):
        with open(os.path.join(STARTER_CONTENT, *rel.split("/")), "rb") as fh:
            data = fh.read()
        files[f"content/{rel}"] = _only_related(data, MINIMAL_ENTRIES) if minimal and rel.startswith("codes/") else data
    files[".github/workflows/pages.yml"] = PAGES_WORKFLOW.replace("{version}", __version__).encode()
    files[".pre-commit-config.yaml"] = PRE_COMMIT.replace("{version}", __version__).encode()
    files[".gitignore"] = GITIGNORE.encode()
    for kind in SCHEMA_GLOBS:
        files[f"{SCHEMA_DIR}/{kind}.json"] = (json.dumps(json_schema(kind), indent=2) + "\n").encode()
    settings = {"yaml.schemas": {f"./{SCHEMA_DIR}/{kind}.json": globs for kind, globs in SCHEMA_GLOBS.items()
                                 if globs}}
    files[".vscode/settings.json"] = (json.dumps(settings, indent=2) + "\n").encode()
    return files


def init(target: str, minimal: bool = False) -> list[str]:
    """Write a new site into `target` (created if missing). InitRefused if it exists and is not an empty folder:
    nothing is written then. Returns the paths written, below `target`."""
    if os.path.lexists(target):
        if not os.path.isdir(target) or os.path.islink(target):
            raise InitRefused(f"{target}: not a folder; give a new or empty folder for the site")
        try:
            entries = os.listdir(target)
        except OSError as exc:
            raise InitRefused(f"{target}: cannot read the folder: {exc.strerror or exc}") from None
        if entries:
            raise InitRefused(f"{target}: the folder is not empty ({len(entries)} "
                              f"entr{'ies' if len(entries) != 1 else 'y'}); statusdocs init writes only into a new "
                              "or empty folder")
    files = plan(minimal)  # everything is read before anything is written
    os.makedirs(target, exist_ok=True)
    for rel, data in files.items():
        path = os.path.join(target, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "xb") as fh:  # never replaces a file (one made since the check above)
            fh.write(data)
    return list(files)
