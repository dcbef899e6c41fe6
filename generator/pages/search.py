"""Full-text search for the built site, by Pagefind (https://pagefind.app), when it is installed.

`pip install statusdocs[search]` brings the `pagefind` package with its binary (`pagefind[bin]`); `statusdocs
build` then indexes the pages it has written, before the new site replaces the old one, into `pagefind/`
beside them. The theme marks what is indexed (`data-pagefind-body` on each page's main content, never the
header, footer or 404 page) and what kind of page a hit is (`data-pagefind-meta="kind:..."`). Without
Pagefind, or opened from file:// (where a browser refuses to load its module), the search box falls back to
`search-index.js`, the code-number and title search every build writes.

Pagefind's output is a function of the pages alone (same pages, same bytes), so the site stays byte-identical
for identical input. `statusdocs serve` does not run it: its preview uses the fallback.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile

FOLDER = "pagefind"
# Not searched: navigation (breadcrumbs, tables of contents, previous/next) repeats other pages' titles, and
# citation marks and source lists are noise in an excerpt.
EXCLUDE = "nav, .prevnext, sup.cite, ol.sources, button"


def available() -> bool:
    """Whether the `pagefind` package is installed (without importing it)."""
    return importlib.util.find_spec("pagefind") is not None


def index_files(site: str) -> dict[str, bytes]:
    """Pagefind's index of the HTML pages under `site`: the files of `pagefind/` by path (with `/`), for the
    build to write as it writes pages (a file whose bytes did not change keeps its inode and time); none when
    Pagefind is not installed or fails (then the site keeps the fallback search, and a warning says why)."""
    if not available():
        return {}
    with tempfile.TemporaryDirectory(prefix="statusdocs-pagefind-") as bundle:
        # Pagefind's command line, as its package documents it (`python -m pagefind`): it returns once every
        # file is written. Run in the site's folder, so that no pagefind.yml of the user's working folder applies.
        command = [sys.executable, "-m", "pagefind", "--site", ".", "--output-path", bundle, "--exclude-selectors",
                   EXCLUDE]  # its report goes to the captured output
        try:
            done = subprocess.run(command, cwd=site, capture_output=True, text=True, timeout=600, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            done = subprocess.CompletedProcess(command, 1, "", str(exc))
        if done.returncode != 0:
            reason = (done.stderr or done.stdout).strip().splitlines()
            print(f"warning: no full-text search index: Pagefind failed ({reason[-1] if reason else done.returncode})",
                  file=sys.stderr)
            return {}
        files: dict[str, bytes] = {}
        for folder, dirs, names in os.walk(bundle):
            dirs.sort()
            for name in sorted(names):
                path = os.path.join(folder, name)
                with open(path, "rb") as fh:
                    files[FOLDER + "/" + os.path.relpath(path, bundle).replace(os.sep, "/")] = fh.read()
        return files
