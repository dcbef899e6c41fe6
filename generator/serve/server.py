"""`statusdocs serve`: a live preview on the `livereload` package that rebuilds only what changed.

Every build of the preview, the first and each after an edit, is `statusdocs build`'s own (`pipeline.run`), with
the preview's options (`pipeline.preview_context`): its state kept in memory between builds (`preview.Session`),
so only the pages whose key changed are rendered again, and its folder updated in place.

Files are watched with `watchfiles` (inotify and its kind: nothing is read while nothing changes); livereload
gives the browser's side only: its reload socket and livereload.js, on a tornado Application of our own (its
Server, which polls the tree, is not used). What we do about the traps on the way:
- `watchfiles` hands over the changes of a burst together, once none came for a moment, so an editor's
  save-rename-write burst gives one rebuild; edits made during a rebuild give one more, after it;
- an exception in the callback prints a tornado traceback and leaves the page stale: rebuilds run in
  one worker thread (serialized), every finding or crash is kept and shown on every page as an overlay,
  and the last good pages stay on disk underneath; the lint runs in a second process, after the page
  is already updated, so it never delays a rebuild; its result is shown in place, without a second reload of
  the page (the plugin below takes a reload message of its own, `OVERLAY`, and fetches the overlay): one edit,
  one reload;
- a reload asked while a page is still loading is lost (the page's socket connects once it has loaded):
  each page tells, when its socket connects, how many reloads had been asked when it was served (a
  livereload.js plugin's `analyze`, sent in the protocol's `info` message), and is reloaded at once if
  that number has changed since (`ReloadSocket`);
- a watched folder containing the output rebuilds forever: the output folder is never watched;
- a save made before the watcher's inotify watches exist is never seen (a save during the first build, or
  right after it, before its thread got going): the watcher starts, and is waited for, before the first build
  reads a file, and hands what changed meanwhile to the first rebuild;
- the site's 404.html is not served: our own handler serves it with status 404, under the base path,
  and keeps every request inside the output folder;
- its reload socket and `/forcereload` accept any Origin, and every handler any Host, so a page elsewhere could
  drive them, or read the preview through DNS rebinding: each handler refuses a Host other than the names the
  server was started for, and a request from another origin (`Guard`).

The lint runs in one spawned process that ignores Ctrl-C and dies with this one, whatever kills it (`Linter`);
SIGTERM and SIGHUP stop the preview as Ctrl-C does.
"""

from __future__ import annotations

import contextlib
import gc
import html
import ipaddress
import mimetypes
import multiprocessing
import os
import re
import signal
import socket
import sys
import threading
import time
import traceback
import webbrowser
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import watchfiles
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import escape, ioloop, web

from statusdocs.build.output import check_output
from statusdocs.build.pipeline import BuildResult, preview_context, run
from statusdocs.build.preview import Session
from statusdocs.build.workers import become_worker, starting_worker
from statusdocs.diagnostics import Diagnostic, report_lines
from statusdocs.shipped import theme_dirs

EDITOR_TEMPORARIES = ("~", ".swp", ".swx", ".tmp")
READY_WITHIN_MS = 100  # how soon an idle watcher says it is watching (it wakes every 50 ms anyway: `step`)


class FolderWatcher:
    """Watches folders with `watchfiles` in a thread of its own and hands each burst of changes (absolute paths,
    deletions included) to `on_change` on the server's loop. Hidden files and folders, editor temporaries and
    anything under a skipped folder (the output) are left out."""

    def __init__(self, folders: list[str], skip: list[str], loop: ioloop.IOLoop, on_change: Any):
        self.folders = [os.path.abspath(f) for f in folders]
        self.skip = tuple(os.path.abspath(p) + os.sep for p in skip)
        self.loop, self.on_change = loop, on_change
        self.stop_event = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="statusdocs-watch", daemon=True)

    def wanted(self, _change: watchfiles.Change, path: str) -> bool:
        if (path + os.sep).startswith(self.skip):  # the output folder, or anything in it
            return False
        root = next((f for f in self.folders if path.startswith(f + os.sep)), None)
        parts = (path[len(root) + 1:] if root else os.path.basename(path)).split(os.sep)
        return not any(p.startswith(".") for p in parts) and not parts[-1].endswith(EDITOR_TEMPORARIES)

    def start(self, timeout: float = 10) -> bool:
        """Start watching, and wait (at most `timeout` s) until the folders are watched: from then on no change
        is missed. Whether they are."""
        self.thread.start()
        return self.ready.wait(timeout)

    def _run(self) -> None:
        # watch() makes its inotify watches before its first yield; with `yield_on_timeout` that yield comes
        # within `rust_timeout` ms even when nothing changes, and says the folders are watched.
        try:
            for changes in watchfiles.watch(*self.folders, watch_filter=self.wanted, stop_event=self.stop_event,
                                            debounce=1600, step=50, rust_timeout=READY_WITHIN_MS,
                                            yield_on_timeout=True, raise_interrupt=False):
                self.ready.set()
                if changes:
                    self.loop.add_callback(self.on_change, sorted({path for _, path in changes}))
        finally:
            self.ready.set()  # a watcher that failed must not keep `start` waiting

    def stop(self) -> None:
        self.stop_event.set()
        if self.thread.is_alive():
            self.thread.join(5)


def lint(content_dir: str) -> list[str]:
    """The error findings of `statusdocs check`, as text (runs in the linter process)."""
    from statusdocs.build.pipeline import load_and_check

    _, report = load_and_check(content_dir)
    return list(report_lines(d for d in report.sorted() if d.severity == "error"))


def _lint_worker(conn: Any, parent: int) -> None:
    """The linter process: lint each content folder asked for until the parent's end of the pipe closes."""
    become_worker(parent)
    while True:
        try:
            content_dir = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[bool, Any] = (True, lint(content_dir))
        except Exception as exc:  # noqa: BLE001 - shown on the page; the next lint may go well
            answer = (False, repr(exc))
        conn.send(answer)


class Linter:
    """`lint` in a spawned process of its own, kept between lints (it imports once), one lint at a time. A pool
    (ProcessPoolExecutor) would not do: its worker takes Ctrl-C with a traceback, and outlives a parent killed
    with SIGTERM, for its queue's pipe never closes (the worker holds both ends). This one ignores Ctrl-C, dies
    with the parent, and is killed by `close` without waiting for a lint under way (it only reads)."""

    def __init__(self) -> None:
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="statusdocs-lint")
        self.lock = threading.Lock()
        self.proc: Any = None
        self.conn: Any = None
        self.closed = False

    def submit(self, content_dir: str) -> Future:
        return self.thread.submit(self._lint, content_dir)

    def _lint(self, content_dir: str) -> list[str]:
        with self.lock:
            if self.closed:
                raise RuntimeError("the preview is stopping")
            if self.proc is None:
                context = multiprocessing.get_context("spawn")  # not fork: this process runs threads
                self.conn, theirs = context.Pipe()
                self.proc = context.Process(target=_lint_worker, args=(theirs, os.getpid()), daemon=True,
                                            name="statusdocs-lint")
                with starting_worker():
                    self.proc.start()
                theirs.close()
            proc, conn = self.proc, self.conn
        try:
            conn.send(content_dir)
            ok, answer = conn.recv()
        except (EOFError, OSError):
            with self.lock:
                if self.proc is proc:  # start afresh next time
                    self.proc = None
                    conn.close()
            proc.join(1)
            raise RuntimeError(f"the checking process stopped (exit status {proc.exitcode})") from None
        if not ok:
            raise RuntimeError(answer)
        return answer

    def close(self) -> None:
        with self.lock:
            self.closed = True
            proc, conn = self.proc, self.conn
        if proc is not None:
            proc.kill()
        self.thread.shutdown(wait=True, cancel_futures=True)
        if proc is not None:
            proc.join()
            conn.close()


def base_paths(url: str) -> tuple[str, str]:
    """The path of a base URL as requests are matched against it (percent-decoded) and as it is linked to
    (encoded), both ending with one slash: without it a page's relative links would resolve one folder up."""
    path = "/" + unquote(urlsplit(url).path).strip("/")
    path = path if path == "/" else path + "/"
    return path, quote(path, safe="/!$&'()*+,;=:@~")


class Preview:
    def __init__(self, content_dir: str, templates_dir: str | None, out_dir: str, base_url: str | None):
        self.content_dir = os.path.abspath(content_dir)
        self.out_dir = os.path.abspath(out_dir)
        self.base_url = base_url
        self.theme = theme_dirs(templates_dir)  # the user's templates, then the built-in theme they override
        self.templates_dir = templates_dir
        self.session = Session()             # what the builds keep in memory between them
        self.problems: list[str] = []       # what the overlay shows; empty when all is well
        self.failed = False                 # do the problems stop the build (load/template errors, crash)?
        self.pending: set[str] = set()      # changed files not yet built
        self.unbuilt: set[str] = set()      # changed files whose build failed: part of the next one
        self.busy = False
        self.loop: ioloop.IOLoop | None = None
        self.worker = ThreadPoolExecutor(1, thread_name_prefix="statusdocs-build")  # serialized rebuilds
        self.linter = Linter()
        self.generation = 0                 # counts good builds; a lint result is for one of them
        self.shown = 0                      # counts the reloads asked of browsers (see ReloadSocket)
        self.overlaid = 0                   # counts the lint results sent to browsers to show in place
        self.linting = self.lint_again = False
        self.base_path = self.base_href = "/"  # as matched (decoded), as linked to (encoded): see base_paths

    def set_base(self, url: str) -> None:
        self.base_path, self.base_href = base_paths(url)

    # ------------------------------------------------------------ building
    def build(self, changed: set[str] | None) -> None:
        """Build through the pipeline (only the pages whose key changed are rendered); reload the browser; then
        lint and reload again only if the findings changed. Files that changed while the build failed are
        carried to the next one."""
        if changed is not None:
            changed, self.unbuilt = changed | self.unbuilt, set()
        try:
            first = not self.session.site
            ctx = preview_context(self.content_dir, self.templates_dir, self.out_dir, self.base_url, self.session,
                                  changed)
            result = run(ctx)
            if not result.ok:
                self._fail(changed, result.diagnostics,
                           "templates have errors" if ctx.builder is not None else "content has errors")
                return
            if self.base_url is None and ctx.content is not None:
                self.set_base(ctx.content.site.base_url)
            self._built(result, [p.output for p in ctx.todo], first)
        except Exception as exc:  # a bug, not bad input: say so on the page instead of dying
            self.problems, self.failed = [f"internal error while building: {exc!r}", traceback.format_exc()], True
            self.unbuilt |= changed or set()
            self._say(self.problems[1])
            self._reload()

    def _built(self, result: BuildResult, rendered: list[str], first: bool) -> None:
        count, ms = len(rendered), result.seconds * 1000
        shown = ", ".join(rendered[:6]) + (" …" if count > 6 else "")
        self._say(f"rebuilt {count} page{'s' if count != 1 else ''} ({len(result.changed)} changed, "
                  f"{len(result.removed)} removed) in {ms:.0f} ms" + (f": {shown}" if not first else ""))
        # Load and template errors are gone now; lint findings stay shown until the next lint redoes them.
        was_failing, self.failed = self.failed, False
        if was_failing:
            self.problems = []
        if result.changed or result.removed or was_failing:
            self._reload()
        self.generation += 1
        if self.loop is not None:
            self.loop.add_callback(self.request_lint)

    # ------------------------------------------------------------ linting, on the other core
    def request_lint(self) -> None:
        """Lint the current content in a separate process, so that it never delays the next rebuild; a
        result that an edit has overtaken is dropped. Runs on the server's loop."""
        if self.linting:
            self.lint_again = True
            return
        self.linting, generation = True, self.generation
        future = self.linter.submit(self.content_dir)
        future.add_done_callback(lambda f: self.loop.add_callback(self._linted, generation, f))  # type: ignore

    def _linted(self, generation: int, future) -> None:
        self.linting = False
        try:
            problems = future.result()
        except Exception as exc:  # noqa: BLE001 - reported on the page, the server keeps going
            problems = [f"internal error while checking: {exc!r}"]
        if generation == self.generation and not self.failed:
            if problems:
                self._say(f"{len(problems)} finding{'s' if len(problems) != 1 else ''}:\n  " + "\n  ".join(problems))
            if problems != self.problems:  # shown in place: the build's reload was this edit's one
                self.problems = problems
                self.show_problems()
        if self.lint_again or generation != self.generation:
            self.lint_again = False
            self.request_lint()

    def _fail(self, changed: set[str] | None, diagnostics: list[Diagnostic], what: str) -> None:
        self.unbuilt |= changed or set()
        problems = list(report_lines(d for d in diagnostics if d.severity == "error")) or \
            ["the content could not be loaded"]
        self.failed = True
        if problems != self.problems:
            self.problems = problems
            self._reload()
        self._say(f"{what}; still serving the last good pages\n  " + "\n  ".join(problems))

    def _reload(self) -> None:
        if self.loop is not None:  # thread-safe hand-over to the server's loop
            self.loop.add_callback(self.broadcast)

    def broadcast(self) -> None:
        """Tell every connected browser to reload (on the server's loop). A page still loading has no socket
        yet and misses it; when its socket connects, ReloadSocket sees that `shown` has changed since."""
        self.shown += 1
        for socket_ in list(LiveReloadHandler.waiters):
            socket_.send_message(RELOAD)

    def show_problems(self) -> None:
        """Tell every connected browser to show the problems as they are now, in place of the overlay it has, without
        reloading the page (on the server's loop): each edit reloads a page once, when its pages are written."""
        self.overlaid += 1
        for socket_ in list(LiveReloadHandler.waiters):
            socket_.send_message(OVERLAY)

    def _say(self, text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)

    def on_change(self, paths: list[str]) -> None:
        """Files changed (on the server's loop): rebuild, unless a rebuild runs; then they wait for the next."""
        self.pending |= {p for p in paths if not p.startswith(self.out_dir + os.sep)}
        self.start_build()

    def start_build(self) -> None:
        if self.pending and not self.busy:
            changed, self.pending = self.pending, set()
            self.busy = True
            future = self.worker.submit(self.build, changed)
            future.add_done_callback(lambda _: self.loop.add_callback(self._done))  # type: ignore[union-attr]

    def _done(self) -> None:
        self.busy = False
        self.start_build()  # what changed while it ran

    # ------------------------------------------------------------ serving
    def live_script(self) -> bytes:
        """For every HTML page: livereload.js, with a plugin that tells the server, once the page's socket is
        connected, how many reloads had been asked when the page was served (see ReloadSocket)."""
        return (f'<script>(function(p){{p.identifier="statusdocs";p.version="1";p.prototype.analyze=function()'
                f'{{return{{shown:{self.shown},overlaid:{self.overlaid}}}}};p.prototype.reload=function(path)'
                f'{{if(path!=="{OVERLAY["path"]}")return false;fetch("/{OVERLAY["path"]}",{{cache:"no-store"}})'
                '.then(function(r){return r.text()}).then(function(h){var o=document.getElementById('
                '"statusdocs-overlay");if(o)o.remove();if(h)document.body.insertAdjacentHTML("beforeend",h)});'
                'return true};window.LiveReloadPluginStatusdocs=p})(function(){});</script>').encode() + LIVE_SCRIPT

    def overlay(self) -> bytes:
        """The problems over the bottom of the page (the header stays in view), each with the line it names; its
        colours follow the page's light or dark scheme (light-dark())."""
        if not self.problems:
            return b""
        items = "".join(f"<li>{html.escape(p)}{_quoted_line(p)}</li>" for p in self.problems)
        return ('<div id="statusdocs-overlay" role="alert" style="position:fixed;inset:auto 0 0 0;max-height:45vh;'
                "overflow:auto;z-index:2147483647;margin:0;padding:1rem 1.25rem;"
                "background:light-dark(#fff5f5,#2d1215);color:light-dark(#1b1f24,#f0d9db);"
                "border-top:4px solid light-dark(#cf222e,#f85149);font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;"
                'white-space:pre-wrap"><strong>statusdocs: the last edit has problems; this page is the last '
                f"good build.</strong><ul>{items}</ul></div>").encode()


RELOAD = {"command": "reload", "path": "*", "liveCSS": True, "liveImg": True}  # livereload's, for every page
# A reload message that the page's plugin takes (livereload.js asks its plugins first): fetch the overlay from the
# path of the same name and put it in place of the page's.
OVERLAY = {"command": "reload", "path": "statusdocs-overlay", "liveCSS": False, "liveImg": False}
_LOCATION = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+)(?::(?P<col>\d+))?: ")


def _quoted_line(problem: str) -> str:
    """The line a problem names (`path:line:col: ...`), with a caret under its column, as an overlay's `<pre>`;
    empty when the problem names no readable line."""
    m = _LOCATION.match(problem)
    if m is None:
        return ""
    try:
        with open(m["path"], encoding="utf-8", errors="replace") as fh:
            text = next((t for n, t in enumerate(fh, 1) if n == int(m["line"])), None)
    except OSError:
        return ""
    if text is None:
        return ""
    text = text.rstrip("\n")
    gutter = f"{m['line']} | "
    caret = " " * (len(gutter) + max(int(m["col"] or 1) - 1, 0)) + "^" if m["col"] else ""
    return ('<pre class="statusdocs-source" style="margin:.3rem 0 .6rem;padding:.4rem .6rem;overflow-x:auto;'
            'white-space:pre;background:light-dark(#ffffff,#0d1117);border-radius:4px">'
            f"{html.escape(gutter + text)}\n{caret}</pre>")


_HOST = re.compile(r"(\[[0-9a-fA-F:.]+\]|[^\[\]:]+)(?::(\d+))?")
_WILDCARD = ("0.0.0.0", "::", "")


class HostCheck:
    """Which `Host` headers the preview answers: a browser sends the name it resolved, so a page of another site
    whose name an attacker points at 127.0.0.1 (DNS rebinding) names its own host, never one of these. Served on
    loopback: its names (127.0.0.1, localhost, [::1]) and the one given to --host; on another address: that, an
    address literal (no name to rebind) and, on every address, this machine's name. A port, if given, must be
    the server's."""

    def __init__(self, host: str, port: int):
        bound = host.lower()
        self.names = {"127.0.0.1", "localhost", "[::1]", f"[{bound}]" if ":" in bound else bound}
        self.addresses = not _is_loopback(bound)
        if bound in _WILDCARD:
            self.names.add(socket.gethostname().lower())
        self.port = port

    def __call__(self, header: str | None) -> bool:
        if header is None:  # HTTP/1.0 without a Host: not a browser
            return True
        m = _HOST.fullmatch(header.strip().lower())
        if m is None or m.group(2) is not None and int(m.group(2)) != self.port:
            return False
        name = m.group(1)
        if name in self.names:
            return True
        if self.addresses:
            with contextlib.suppress(ValueError):
                ipaddress.ip_address(name.strip("[]"))
                return True
        return False


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def same_origin(origin: str, host: str) -> bool:
    """Does a request's `Origin` name the host and port it was sent to (as tornado compares them)?"""
    return urlsplit(origin).netloc.lower() == host.lower()


class Guard(web.RequestHandler):
    """Refuses, with an empty 403, a request for a host the server was not started for (see HostCheck) or one
    sent by a page of another origin; mixed into every handler of the preview."""

    def prepare(self) -> None:
        origin = self.request.headers.get("Origin")
        host = self.request.headers.get("Host")
        if not self.settings["statusdocs_hosts"](host) or origin is not None and not same_origin(origin, host or ""):
            self.set_status(403)
            self.finish()


class ReloadSocket(Guard, LiveReloadHandler):
    """livereload's reload channel; a connection from another origin is refused (livereload accepts any). A page
    whose reload was asked before its socket connected (its plugin's `shown` is older) is reloaded at once; one
    that missed a lint result (`overlaid`) is sent it."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def check_origin(self, origin: str) -> bool:
        return same_origin(origin, self.request.headers.get("Host", ""))

    def on_message(self, message: str | bytes) -> None:
        super().on_message(message)
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            sent = escape.json_decode(message)
            if sent.get("command") == "info":
                plugin = sent["plugins"]["statusdocs"]
                if plugin["shown"] != self.preview.shown:
                    self.send_message(RELOAD)
                elif plugin.get("overlaid") != self.preview.overlaid:  # a lint result came while it loaded
                    self.send_message(OVERLAY)


class ForceReload(Guard):
    """livereload's `/forcereload`: every connected page reloads. An `<img>` of another site could also ask for
    it: such requests carry no Origin, but browsers say where they come from in Sec-Fetch-Site."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def prepare(self) -> None:
        if self.request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            self.set_status(403)
            self.finish()
            return
        super().prepare()

    def get(self) -> None:
        self.preview.broadcast()
        self.finish("ok")


class ReloadScript(Guard, LiveReloadJSHandler):
    pass


class OverlayHandler(Guard):
    """The problems' overlay alone (empty when all is well), which a page fetches to show a lint result in place."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(self.preview.overlay())


class SiteHandler(Guard):
    """Serves the output folder under the base path: index.html for folders, 404.html with status 404,
    the error overlay on every HTML page, and nothing outside the folder."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")

    def get(self, _: str = "") -> None:
        self._send(head=False)

    def head(self, _: str = "") -> None:
        self._send(head=True)

    def _send(self, head: bool) -> None:
        base = self.preview.base_path
        path = unquote(urlsplit(self.request.uri or "/").path)
        if path in ("", "/") and base != "/" or path + "/" == base:
            return self.redirect(self.preview.base_href)
        if not path.startswith(base):
            return self._not_found(head)
        rel = path[len(base):]
        parts = rel.split("/")
        if any(p in (".", "..") or "\\" in p or "\x00" in p for p in parts):
            return self._not_found(head)
        root = os.path.realpath(self.preview.out_dir)
        full = os.path.realpath(os.path.join(root, *[p for p in parts if p]))
        if full != root and not full.startswith(root + os.sep):
            return self._not_found(head)
        if os.path.isdir(full):
            if rel and not rel.endswith("/"):
                return self.redirect(self.request.path + "/")
            full = os.path.join(full, "index.html")
        if not os.path.isfile(full):
            return self._not_found(head)
        self._file(full, 200, head)

    def _not_found(self, head: bool) -> None:
        page = os.path.join(self.preview.out_dir, "404.html")
        if os.path.isfile(page):
            return self._file(page, 404, head)
        self.set_status(404)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        if not head:
            self.finish(b"<!doctype html><title>Not found</title><head>" + self.preview.live_script() +
                        b"</head><h1>Not found</h1>" + self.preview.overlay())

    def _file(self, path: str, status: int, head: bool) -> None:
        try:
            with open(path, "rb") as fh:  # pages are replaced by rename: this reads the old or the new one
                data = fh.read()
        except OSError:
            self.set_status(404)
            return
        kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/json", "application/javascript"):
            kind += "; charset=utf-8"
        if kind.startswith("text/html"):
            script = self.preview.live_script()
            data = data.replace(b"</head>", script + b"</head>", 1) if b"</head>" in data else data + script
            overlay = self.preview.overlay()
            data = data.replace(b"</body>", overlay + b"</body>", 1) if b"</body>" in data else data + overlay
        self.set_status(status)
        self.set_header("Content-Type", kind)
        if not head:
            self.finish(data)


# livereload's loader of livereload.js (Server.application), which finds the server by the page's own address.
LIVE_SCRIPT = (b'<script type="text/javascript">(function(){var s=document.createElement("script");'
               b"var port=(window.location.port || (window.location.protocol == 'https:' ? 443: 80));"
               b's.src="//"+window.location.hostname+":"+port+ "/livereload.js?port=" + port;'
               b"document.head.appendChild(s);})();</script>")


def application(preview: Preview, host: str, port: int) -> web.Application:
    """The preview's handlers: livereload's socket and script, `/forcereload`, and the site under its base path.
    Tornado's access log is off (the preview prints what it does); uncaught errors are still logged."""
    return web.Application([
        (r"/livereload", ReloadSocket, {"preview": preview}),
        (r"/forcereload", ForceReload, {"preview": preview}),
        (r"/livereload.js", ReloadScript),
        (f"/{OVERLAY['path']}", OverlayHandler, {"preview": preview}),
        (r"/(.*)", SiteHandler, {"preview": preview}),
    ], statusdocs_hosts=HostCheck(host, port), log_function=lambda _handler: None)


def serve(content_dir: str, templates_dir: str | None, out_dir: str, base_url: str | None, host: str, port: int,
          open_browser: bool = False) -> int:
    check_output(out_dir, content_dir, templates_dir)  # OutputRefused before anything is built or written
    preview = Preview(content_dir, templates_dir, out_dir, base_url)
    if base_url:
        preview.set_base(base_url)
    folders = [preview.content_dir, *preview.theme]  # the user's templates and the theme they override
    preview.loop = loop = ioloop.IOLoop.current()
    watcher = FolderWatcher(folders, [preview.out_dir], loop, preview.on_change)
    previous: dict[str, Any] = {}
    try:
        # Watched before the first build reads a file: what is saved while it runs is rebuilt after it.
        if not watcher.start():
            preview._say("note: the folders are not watched yet; a save may be missed")
        preview.build(None)
        # GC tuning here, at the command's top, not in the library: what the first build made lives as long as
        # the preview, so no collection of a later rebuild need look at it again.
        gc.freeze()
        for folder in folders:
            if preview.out_dir == folder or preview.out_dir.startswith(folder + os.sep):
                preview._say(f"note: output {out_dir} is inside {folder}; it is not watched")
        url = f"http://{host}:{port}{preview.base_href}"

        def started() -> None:  # runs once the loop runs, so the socket is listening by now
            print(f"serving {url} (Ctrl-C to stop)", flush=True)
            if open_browser:
                threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
            preview.request_lint()

        loop.add_callback(started)
        # Ctrl-C stops the loop between two callbacks, and so do SIGTERM and SIGHUP (a closed terminal), so that
        # the linter is stopped too. Raised wherever the main thread is (KeyboardInterrupt), it could land inside
        # the linter's start-up, which then could not shut down.
        if threading.current_thread() is threading.main_thread():
            for name in ("SIGINT", "SIGTERM", "SIGHUP"):
                if hasattr(signal, name):
                    previous[name] = signal.signal(getattr(signal, name),
                                                   lambda *_: loop.add_callback_from_signal(loop.stop))
        try:
            application(preview, host, port).listen(port, address=host)
        except OSError as exc:
            print(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        loop.start()
    finally:
        watcher.stop()
        preview.linter.close()
        preview.worker.shutdown(wait=True, cancel_futures=True)
        for name, handler in previous.items():  # only now: a second Ctrl-C must not interrupt the shutdown
            signal.signal(getattr(signal, name), handler)
        loop.close(all_fds=True)  # the listening sockets; nothing hands the loop work any more
    print("stopped", flush=True)
    return 0
