"""Reference data bundled with the generator, each file naming the primary source it was derived from."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import yaml

HERE = os.path.join(os.path.dirname(__file__), "reference")


@dataclass(frozen=True)
class ConstantTable:
    key: str
    library: str
    prefix: str
    constants: dict[str, int]
    deprecated: dict[str, str | None]
    source_url: str

    def lookup(self, written: str) -> tuple[str | None, int | None]:
        """The bare name of a constant as written in content, and the code it has in the library."""
        if not written.startswith(self.prefix):
            return None, None
        name = written[len(self.prefix):]
        return name, self.constants.get(name)

    def names_for(self, code: int) -> list[str]:
        return [n for n, c in self.constants.items() if c == code]


@functools.cache
def registry() -> dict:
    with open(os.path.join(HERE, "registry.yaml"), encoding="utf-8") as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@functools.cache
def constant_tables() -> dict[str, ConstantTable]:
    tables = {}
    folder = os.path.join(HERE, "constants")
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".yaml"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        tables[data["key"]] = ConstantTable(
            key=data["key"], library=data["library"], prefix=data["prefix"],
            constants={str(k): int(v) for k, v in (data.get("constants") or {}).items()},
            deprecated={str(k): v for k, v in (data.get("deprecated") or {}).items()},
            source_url=(data.get("source") or {}).get("url", ""),
        )
    return tables
