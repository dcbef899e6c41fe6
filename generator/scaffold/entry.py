"""`statusdocs new CODE`: an entry skeleton with the facts we can fill from reference data.

Prose fields are left as TODO, which the validator rejects, so a scaffold cannot be published unwritten.
"""

from __future__ import annotations

import json

from statusdocs.reference import ConstantTable, constant_tables, registry


def _preferred_constant(table: ConstantTable, code: int) -> str | None:
    names = [n for n in table.names_for(code) if n not in table.deprecated and n not in table.removed_in
             and table.newer_name(n) is None]
    return table.prefix + names[0] if names else None


def scaffold(code: int) -> str:
    reg = registry()
    known = reg["registry"].get(code)
    cacheable = code in reg["heuristically_cacheable"]
    q = json.dumps  # JSON strings are valid YAML double-quoted scalars
    lines = [f"code: {code}"]
    if known:
        phrase = known["phrase"].split(" (")[0] if known.get("registration") else known["phrase"]
        lines += [f"name: {q(phrase)}", "official: true"]
        if known.get("registration"):
            lines.append(f"registration: {known['registration']}")
        section = f", section: {q(str(known['section']))}" if known.get("section") else ""
        lines.append(f"spec: {{document: {q(known['document'])}{section}}}")
    else:
        lines += ["name: TODO", "official: false", "origin: TODO", "spec: {document: TODO, url: https://example.org/TODO}"]
    lines += ["summary: TODO"]
    for name in ("definition", "when_to_use", "when_not_to_use", "client_behavior"):
        lines.append(f"{name}: TODO")
    lines += [f"cacheable: {{default: {'true' if cacheable else 'false'}, note: TODO}}",
              "retry: {safe: false, note: TODO}", "headers: []", "constants:"]
    found = False
    for key, table in constant_tables().items():
        constant = _preferred_constant(table, code)
        if constant:
            lines.append(f"  {key}: {q(constant)}")
            found = True
    if not found:
        lines[-1] = "constants: {}"
    lines += ["scenarios: [TODO]", "examples:", "  - title: TODO", "    request: |", "      GET / HTTP/1.1",
              "      Host: example.com", "    response: |", f"      HTTP/1.1 {code} TODO",
              "mistakes: [TODO]", "faq:", "  - question: TODO?", "    answer: TODO", "related: []"]
    return "\n".join(lines) + "\n"
