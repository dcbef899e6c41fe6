"""The `statusdocs` command line. Exit status: 0 success, 1 content or template errors, 2 usage."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import signal
import sys
from collections.abc import Callable
from typing import NoReturn

from statusdocs import __version__

DEFAULT_CONTENT = "content"
DEFAULT_TEMPLATES = "templates"
DEFAULT_OUT = "site"
TEMPLATES_HELP = ("templates that override the built-in theme file by file (default: ./templates if that folder "
                  "exists, else the built-in theme alone)")


def _jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of processes (1 or more)")
    return int(value)


def _status_code(value: str) -> int:
    # Three ASCII digits: int() would also take " 412", "4_12", "+412" and other scripts' digits.
    if len(value) != 3 or not all("0" <= c <= "9" for c in value) or not 100 <= int(value) <= 599:
        raise argparse.ArgumentTypeError(f"{value!r} is not a status code: three decimal digits, 100 to 599")
    return int(value)


def _rules_arg(value: str) -> set[str]:
    return {v.strip().upper() for v in value.split(",") if v.strip()}


def _base_url(value: str) -> str:
    from statusdocs.content.urls import BASE_URL_EXAMPLE, normalise_base_url

    url = normalise_base_url(value)
    if url is None:  # the same test as site.yaml's base_url
        raise argparse.ArgumentTypeError(f"{value!r} is not an absolute http(s) URL with a host and a path of plain "
                                         f"segments, such as {BASE_URL_EXAMPLE}")
    return url


def _add_loudness(parser: argparse.ArgumentParser) -> None:
    """-q/-v, on every command and before the command too. SUPPRESS: a command's parser must not reset what
    was given before the command name (`statusdocs -v build`)."""
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                          help="print errors (and check's findings) only")
    loudness.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                          help="print more: the paths used, per-stage timings, dependency versions")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="statusdocs", description="Build and check HTTP status code docs.")
    _add_loudness(parser)
    parser.set_defaults(quiet=False, verbose=False)
    parser.add_argument("--version", action="store_true", help="print the version (with -v: of the dependencies too)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = sub.add_parser("build", help="check the content and write the static site")
    build.add_argument("--content", default=DEFAULT_CONTENT, help="content folder (default: content)")
    build.add_argument("--templates", help=TEMPLATES_HELP)
    build.add_argument("--out", default=DEFAULT_OUT, help="output folder (default: site); replaced whole, so it "
                                                           "must be missing, empty or a site statusdocs wrote")
    build.add_argument("--base-url", type=_base_url, help="URL the site is published at (default: site.yaml)")
    build.add_argument("--strict", action="store_true", help="refuse to write the site on any finding")
    build.add_argument("--jobs", "-j", type=_jobs, default=0, help="processes that render pages (default: one per "
                                                                    "core; 1 renders in this process)")
    build.add_argument("--no-cache", action="store_true", help="render every page; neither read nor update the "
                                                               "cache kept beside the output (.<out>.cache/)")
    build.add_argument("--no-search", action="store_true", help="skip the full-text search index (Pagefind) even "
                                                                "where it is installed: the site keeps the "
                                                                "code-number search")

    serve = sub.add_parser("serve", help="preview the site, rebuilding what changed on every save")
    serve.add_argument("--content", default=DEFAULT_CONTENT, help="content folder (default: content)")
    serve.add_argument("--templates", help=TEMPLATES_HELP)
    serve.add_argument("--out", help="output folder, as for build (default: a temporary folder, removed on exit)")
    serve.add_argument("--base-url", type=_base_url, help="published URL; the preview serves under its path "
                                                           "(default: site.yaml's base_url)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--open", action="store_true", help="open the preview in a web browser")

    check = sub.add_parser("check", help="lint the content: vague, contradictory and wrong cells")
    check.add_argument("--content", default=DEFAULT_CONTENT)
    check.add_argument("--format", choices=("text", "json", "github"), default="text")
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    check.add_argument("--select", type=_rules_arg, help="only these rules or families, e.g. V,C003")
    check.add_argument("--ignore", type=_rules_arg, help="skip these rules or families")
    check.add_argument("--jobs", "-j", type=_jobs, default=0, help="processes that load and check (default: one "
                                                                    "per core)")

    sub.add_parser("rules", help="list every validator rule").add_argument(
        "--format", choices=("text", "json", "markdown"), default="text")

    new = sub.add_parser("new", help="scaffold an entry for a code")
    new.add_argument("code", type=_status_code, help="the status code, three digits from 100 to 599")
    new.add_argument("--content", default=DEFAULT_CONTENT)

    init = sub.add_parser("init", help="make a new site in a new or empty folder: content, Pages workflow, "
                                       "pre-commit hook, editor schemas")
    init.add_argument("dir", help="the folder to create (or an empty one)")
    init.add_argument("--minimal", action="store_true", help="a few entries and one comparison instead of the "
                                                             "whole bundled content")

    schema = sub.add_parser("schema", help="print the JSON Schema of a content file kind")
    schema.add_argument("kind", nargs="?", default="entry", choices=("entry", "comparison", "guide", "site", "page"))
    schema.add_argument("--base-url", type=_base_url, help="URL the site is published at, for the schema's $id "
                                                           "(default: the content's site.yaml, else the bundled "
                                                           "site's)")
    schema.add_argument("--content", default=DEFAULT_CONTENT, help="content folder whose site.yaml gives the base "
                                                                   "URL (default: content)")

    deploy = sub.add_parser("deploy", help="build strictly, commit the site to the gh-pages branch and push it")
    deploy.add_argument("--content", default=DEFAULT_CONTENT, help="content folder (default: content)")
    deploy.add_argument("--templates", help=TEMPLATES_HELP)
    deploy.add_argument("--base-url", type=_base_url, help="URL the site is published at (default: site.yaml)")
    deploy.add_argument("--remote", default="origin", help="remote to fetch from and push to (default: origin)")
    deploy.add_argument("--branch", default="gh-pages", help="branch that holds the site (default: gh-pages)")
    deploy.add_argument("-m", "--message", help="commit message (default: names the source commit)")
    deploy.add_argument("--no-push", action="store_true", help="commit to the local branch only")
    deploy.add_argument("--adopt-branch", action="store_true",
                        help="commit on top of an existing --branch even though its tip is not a statusdocs deploy "
                             "(by default such a branch is refused)")
    for command in sub.choices.values():
        _add_loudness(command)
    return parser


def _theme_text(templates: str | None) -> str:
    from statusdocs.shipped import theme_dirs

    return ", then ".join(theme_dirs(templates))


def _templates(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """--templates: the folder given (it must exist), else ./templates if there is one, else None: the built-in
    theme alone."""
    if not hasattr(args, "templates"):
        return
    if args.templates is None:
        args.templates = DEFAULT_TEMPLATES if os.path.isdir(DEFAULT_TEMPLATES) else None
    elif not os.path.isdir(args.templates):
        parser.error(f"--templates {args.templates}: no such folder (it holds the templates that override the "
                     "built-in theme)")


def main(argv: list[str] | None = None, kept: list[object] | None = None) -> int:
    """Run one command. `kept`: the caller exits right after, and keeps there what the command made (`run`)."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.quiet and args.verbose:  # one before the command name, one after it
        parser.error("argument -v/--verbose: not allowed with argument -q/--quiet")
    if args.version:
        print(_version(args.verbose))
        return 0
    if args.command is None:
        parser.error("the following arguments are required: COMMAND")
    _templates(parser, args)
    args.kept = kept
    if kept is not None and args.command in ONE_SHOT:
        gc.disable()
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _version(verbose: bool) -> str:
    lines = [f"statusdocs {__version__}"]
    if verbose:
        from importlib import metadata

        lines.append(f"Python {sys.version.split()[0]} ({sys.executable})")
        for dist in ("jinja2", "markdown", "pyyaml", "markupsafe", "livereload", "tornado"):
            try:
                lines.append(f"{dist} {metadata.version(dist)}")
            except metadata.PackageNotFoundError:
                lines.append(f"{dist} not installed")
    return "\n".join(lines)


def _info(args: argparse.Namespace, message: str) -> None:
    """A line for -v (on stderr: the output of check --format json and schema stays parseable)."""
    if args.verbose:
        print(message, file=sys.stderr)


def run() -> NoReturn:
    """The `statusdocs` program: `main`, then exit without Python's teardown, which frees every object of the
    loaded site one by one for nothing: pages and the build cache are written and closed by then, and only the
    standard streams are left to flush; what the command made (`kept`) is left to the exit too. Process-wide
    tuning belongs here, at the top, and nowhere in the library: a command that exits when done (`ONE_SHOT`) runs
    without the cyclic garbage collector, which would walk the loaded model again and again while finding next
    to nothing (it holds no cycles); forked workers inherit that and so never touch, and copy, the pages of
    memory they share with this process."""
    kept: list[object] = []
    code = main(kept=kept)
    with contextlib.suppress(OSError, ValueError):  # a closed pipe, or a stream closed already
        sys.stdout.flush()
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)


def _print_findings(diags, fmt: str = "text", stream=sys.stderr) -> None:
    from statusdocs.diagnostics import format_report

    if diags:
        print(format_report(diags, fmt), file=stream)


def _refused(exc: Exception) -> int:
    """An output folder statusdocs may not replace (write.OutputRefused): a usage error."""
    print(f"error: {exc}", file=sys.stderr)
    return 2


def cmd_build(args: argparse.Namespace) -> int:
    from statusdocs.build.output import OutputRefused
    from statusdocs.build.pipeline import BuildContext, run

    _info(args, f"content: {os.path.abspath(args.content)}\ntemplates: {_theme_text(args.templates)}\n"
                f"output: {os.path.abspath(args.out)}")
    try:
        context = BuildContext(args.content, args.templates, args.out, base_url=args.base_url, strict=args.strict,
                               jobs=args.jobs, use_cache=not args.no_cache, search=not args.no_search)
        if args.kept is not None:
            args.kept.append(context)  # freed by the exit (see `run`)
        result = run(context)
    except OutputRefused as exc:
        return _refused(exc)
    except OSError as exc:
        from statusdocs.diagnostics import visible

        print(visible(f"{exc.filename or args.out}: error: cannot write the site: {exc.strerror or exc}; "
                      "the previous site is unchanged"), file=sys.stderr)
        return 1
    _print_findings(result.diagnostics)
    if not result.ok:
        errors = sum(1 for d in result.diagnostics if d.severity == "error")
        why = f"{errors} error{'s' if errors != 1 else ''}" if errors else \
            f"{len(result.diagnostics)} finding{'s' if len(result.diagnostics) != 1 else ''} (--strict)"
        print(f"build failed: {why}; {args.out}/ left unchanged", file=sys.stderr)
        return 1
    for stage, seconds in result.stages.items():
        _info(args, f"{stage}: {seconds * 1000:.0f} ms")
    ms = f"{result.seconds * 1000:.0f} ms"
    if args.quiet:
        pass
    elif result.up_to_date:
        print(f"{args.out}/ is up to date ({result.pages} pages, nothing changed) in {ms}")
    elif result.rendered < result.pages:
        print(f"wrote {result.pages} pages to {args.out}/ in {ms} ({result.rendered} rendered, the others unchanged)")
    else:
        print(f"wrote {result.pages} pages to {args.out}/ in {ms}")
    return 0


def _interrupt(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt


def cmd_serve(args: argparse.Namespace) -> int:
    import shutil
    import tempfile

    from statusdocs.build.output import OutputRefused
    from statusdocs.serve.server import serve

    # SIGTERM or SIGHUP before the server runs (it installs its own handlers) still removes the folder below.
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)
    # Without --out, the preview goes into a folder of its own, never the user's site/ (as `mkdocs serve`).
    made = tempfile.mkdtemp(prefix="statusdocs-serve-") if args.out is None else None
    _info(args, f"content: {os.path.abspath(args.content)}\ntemplates: {_theme_text(args.templates)}")
    try:
        out: str = made if made is not None else args.out  # `--out ""` is refused, not taken for no --out
        return serve(args.content, args.templates, out, args.base_url, args.host, args.port, args.open)
    except OutputRefused as exc:
        return _refused(exc)
    finally:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)


def cmd_check(args: argparse.Namespace) -> int:
    from statusdocs.build.pipeline import load_and_check
    from statusdocs.build.workers import available_cores
    from statusdocs.diagnostics import summary_line

    if not _known_rules(args):
        return 2
    _info(args, f"content: {os.path.abspath(args.content)}")
    content, report = load_and_check(args.content, args.select, args.ignore, args.jobs or available_cores())
    diags = report.sorted()
    files = content.files if content else len({d.loc.path for d in diags})
    if args.format == "json":
        _print_findings(diags, "json", sys.stdout) if diags else print("[]")
    else:
        _print_findings(diags, args.format, sys.stdout)
        if args.format == "text" and not args.quiet:
            print(summary_line(diags, files))
    failed = report.errors or (args.strict and diags)
    return 1 if failed else 0


def _known_rules(args: argparse.Namespace) -> bool:
    """--select and --ignore name rules (V005) or families (V) that exist, or ALL: a typo must not pass as
    "no findings". Otherwise says so, naming the value and the known families."""
    if not (args.select or args.ignore):
        return True  # nothing to look up: the rules are imported where the check runs, beside the loading
    from statusdocs.checks import RULES
    from statusdocs.checks import rules as _  # noqa: F401 - registers the rules

    families = sorted({r.rstrip("0123456789") for r in RULES})
    for option in ("select", "ignore"):
        for value in sorted(getattr(args, option) or ()):
            if value != "ALL" and value not in RULES and value not in families:
                print(f"statusdocs check: error: --{option}: unknown rule or family {value!r}; known families: "
                      f"{', '.join(families)} (`statusdocs rules` lists every rule)", file=sys.stderr)
                return False
    return True


def cmd_rules(args: argparse.Namespace) -> int:
    from statusdocs.checks import RULES
    from statusdocs.checks import rules as _  # noqa: F401 - registers the rules

    rules = [RULES[k] for k in sorted(RULES)]
    if args.format == "json":
        print(json.dumps([{"id": r.id, "name": r.name, "severity": r.severity, "summary": r.summary,
                           "bad": r.bad, "good": r.good} for r in rules], indent=2))
    elif args.format == "markdown":
        from statusdocs.checks.docs import rules_markdown

        print(rules_markdown(rules), end="")
    else:
        for r in rules:
            print(f"{r.id}  {r.name:<28} {r.severity:<7} {r.summary}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from statusdocs.content.schema import DEFAULT_BASE_URL, json_schema

    base_url = args.base_url or _site_base_url(args.content) or DEFAULT_BASE_URL
    _info(args, f"$id under {base_url}")
    print(json.dumps(json_schema(args.kind, base_url), indent=2))
    return 0


def _site_base_url(content: str) -> str | None:
    """site.yaml's base_url when the content folder has a valid one (its faults are `check`'s to report)."""
    from statusdocs.content import schema
    from statusdocs.content.load import load_document, read_text
    from statusdocs.diagnostics import Report

    path = os.path.join(content, "site.yaml")
    if not os.path.isfile(path):
        return None
    report = Report()
    text = read_text(path, report)
    loaded = load_document(text, path, schema.SITE, report) if text is not None else None
    return loaded.value.base_url if loaded is not None else None


def cmd_new(args: argparse.Namespace) -> int:
    from statusdocs.diagnostics import Diagnostic, Loc
    from statusdocs.scaffold.entry import scaffold
    from statusdocs.scaffold.site import schema_modeline

    def fail(rule: str, path: str, message: str) -> int:
        print(Diagnostic(rule, "error", Loc(path), message).text(), file=sys.stderr)
        return 1

    folder = os.path.join(args.content, "codes")
    path = os.path.join(folder, f"{args.code}.yaml")
    for name in (f"{args.code}.yaml", f"{args.code}.yml"):  # the loader reads both: a second would be a duplicate
        existing = os.path.join(folder, name)
        if os.path.islink(existing) and not os.path.exists(existing):
            return fail("S009", existing, f"a broken symlink is in the way of the entry for {args.code}; "
                                          "remove it or fix its target")
        if os.path.lexists(existing):
            return fail("S007", existing, f"an entry for {args.code} already exists")
    if os.path.lexists(folder) and not os.path.isdir(folder):
        return fail("S009", folder, "cannot create the entry: this is not a folder"
                    + (" (a broken symlink)" if os.path.islink(folder) else ""))
    if os.path.islink(folder):
        real, root = os.path.realpath(folder), os.path.realpath(args.content)
        if os.path.commonpath([real, root]) != root:
            return fail("S009", folder, f"symlink leads outside the content folder (to {real}); the loader would "
                                        "not read an entry there")
    try:
        os.makedirs(folder, exist_ok=True)
        with open(path, "x", encoding="utf-8") as fh:
            # the editor validates the new file against the entry schema (written by `statusdocs init`)
            fh.write(schema_modeline(path, os.path.dirname(os.path.abspath(args.content))) + scaffold(args.code))
    except OSError as exc:
        return fail("S009", exc.filename or path, f"cannot create the entry: {exc.strerror or exc}")
    if not args.quiet:
        print(f"created {path}: fill in every field, then run `statusdocs check`")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from statusdocs.scaffold.site import InitRefused, init

    try:
        written = init(args.dir, minimal=args.minimal)
    except InitRefused as exc:
        print(f"statusdocs init: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{exc.filename or args.dir}: error: cannot write the new site: {exc.strerror or exc}", file=sys.stderr)
        return 1
    entries = sum(1 for p in written if p.startswith("content/codes/"))
    print(f"created {args.dir}/ with {entries} entries: `cd {args.dir} && statusdocs serve` to preview it, "
          "`statusdocs build` to write site/; set base_url in content/site.yaml")
    return 0


def cmd_deploy(args: argparse.Namespace) -> int:
    from statusdocs.publish.deploy import DeployError, DeployUsageError, deploy

    _info(args, f"content: {os.path.abspath(args.content)}\ntemplates: {_theme_text(args.templates)}")
    try:
        done = deploy(args.content, args.templates, base_url=args.base_url, remote=args.remote, branch=args.branch,
                      message=args.message, push=not args.no_push, adopt=args.adopt_branch)
    except DeployUsageError as exc:
        print(f"statusdocs deploy: error: {exc}", file=sys.stderr)
        return 2
    except DeployError as exc:
        _print_findings(exc.diagnostics)
        print(f"deploy failed: {exc}", file=sys.stderr)
        return 1
    for note in done.notes:
        print(f"note: {note}", file=sys.stderr)
    if not args.quiet:
        print(done.summary())
    return 0


# The commands, by name (argparse's subcommands), and those after which the process exits (see `run`).
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "build": cmd_build, "serve": cmd_serve, "check": cmd_check, "rules": cmd_rules, "schema": cmd_schema,
    "new": cmd_new, "init": cmd_init, "deploy": cmd_deploy,
}
ONE_SHOT = {"build", "check", "deploy"}
