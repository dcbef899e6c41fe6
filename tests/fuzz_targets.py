"""In-process targets for the property tests (hypothesis) and the fuzz harness (atheris): write an input as a
content file, load and check it as `statusdocs check` does, and fail on anything that escapes as an exception
instead of becoming a finding.

Run the atheris harness longer than the test does (20 s; STATUSDOCS_FUZZ_SECONDS=600 python3 -m pytest
tests/test_properties.py -k atheris), or directly, seeding the corpus folder with any entry (libFuzzer adds the
inputs it finds interesting there, and writes a crash-* file for an input that raises):
    mkdir -p /tmp/corpus && cp content/codes/412.yaml /tmp/corpus/ && python3 tests/fuzz_targets.py /tmp/corpus \
        -max_total_time=600 -timeout=10
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
if str(ROOT) not in sys.path:  # run as a script by the fuzz test's subprocess
    sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:  # the generator is imported late, so that the fuzz harness can instrument it first
    from statusdocs.content.model import Content
    from statusdocs.diagnostics import Diagnostic, Report

# A five-file content folder: two entries that relate to each other, their comparison, the entry of 200 (where
# the comparison's decision exits when neither code applies) and site.yaml. Loading and checking it takes ~25 ms
# instead of ~1 s for the bundled content, and the loader treats every file alike.
SMALL = {"site.yaml": "", "codes/409.yaml": "related: [412]", "codes/412.yaml": "related: [409]",
         "codes/200.yaml": "related: []", "comparisons/409-vs-412.yaml": ""}


def small_text(name: str) -> str:
    text = (CONTENT / name).read_text(encoding="utf-8")
    return re.sub(r"^related: .*$", SMALL[name], text, count=1, flags=re.M) if SMALL[name] else text


def make_small_content(dest: Path) -> Path:
    for name in SMALL:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_text(small_text(name), encoding="utf-8")
    return dest


def check_findings(diags: list[Diagnostic], root: Path) -> None:
    """What a writer needs from every finding: a rule, a file inside the content folder, a line, a message."""
    for d in diags:
        assert re.fullmatch(r"[A-Z]\d{3}", d.rule), d
        assert d.loc.path.startswith(str(root)), d
        assert d.loc.line >= 1 and d.message.strip(), d
        d.text()  # formats without raising


class EntrySandbox:
    """The small content folder in a temporary directory; each input replaces its codes/412.yaml."""

    def __init__(self, root: Path | None = None):
        self.root = make_small_content(root or Path(tempfile.mkdtemp(prefix="statusdocs-fuzz-")) / "content")
        self.entry = self.root / "codes" / "412.yaml"

    def close(self) -> None:
        shutil.rmtree(self.root.parent, ignore_errors=True)

    def load(self, data: bytes) -> tuple[Content | None, Report]:
        """Load (and, if the entry loaded, check) the folder with `data` as 412.yaml. Raises only on a defect."""
        from statusdocs.checks import check_content
        from statusdocs.content.load import load_content
        from statusdocs.diagnostics import Report

        self.entry.write_bytes(data)
        report = Report()
        content = load_content(str(self.root), report)
        check_findings(report.items, self.root)
        assert content is not None, "site.yaml is intact, so the content must load"
        if 412 in content.entries:
            check_findings(check_content(content), self.root)
        else:  # never a silent drop: the entry either loads or is reported
            assert any(d.severity == "error" and d.loc.path == str(self.entry) for d in report.items), report.items
        return content, report


_SANDBOX: EntrySandbox | None = None


def fuzz_one_input(data: bytes) -> None:
    """atheris entry point: any bytes as an entry file."""
    global _SANDBOX
    if _SANDBOX is None:
        _SANDBOX = EntrySandbox()
    _SANDBOX.load(data)


def main(argv: list[str]) -> None:
    import atheris

    # Coverage feedback from the loader, the checks and PyYAML's Python side (instrument_all takes ~30 s).
    with atheris.instrument_imports(include=["statusdocs", "yaml"]):
        import statusdocs.checks.rules  # noqa: F401 - registers the rules
        import statusdocs.content.load  # noqa: F401
    atheris.Setup(argv, fuzz_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
