"""Reference data bundled with the generator, each file naming the primary source it was derived from."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))


def version_key(version: str) -> tuple[int, ...]:
    """A release number ("3.13", "6.0.5", "8") as a tuple that orders releases: "3.9" < "3.13"."""
    return tuple(int(part) for part in re.findall(r"\d+", version))


@dataclass(frozen=True)
class ConstantTable:
    key: str
    library: str
    prefix: str
    constants: dict[str, int]
    deprecated: dict[str, str | None]
    # The releases the table describes: `product` is how a release is named ("Python", "Rack"), `oldest` the
    # first release it covers. A name without `added_in` exists in every covered release.
    product: str = ""
    oldest: str = ""
    added_in: dict[str, str] = field(default_factory=dict)
    # name -> the older name of the same code that releases before `added_in[name]` have (or keep as an alias)
    before: dict[str, str] = field(default_factory=dict)
    removed_in: dict[str, str] = field(default_factory=dict)
    deprecated_in: dict[str, str] = field(default_factory=dict)
    # Codes checked to have no constant in this library, and what they were checked against.
    verified_absent: frozenset[int] = frozenset()
    checked_against: str = ""

    def lookup(self, written: str) -> tuple[str | None, int | None]:
        """The bare name of a constant as written in content, and the code it has in the library."""
        if not written.startswith(self.prefix):
            return None, None
        name = written[len(self.prefix):]
        return name, self.constants.get(name)

    def names_for(self, code: int) -> list[str]:
        return [n for n, c in self.constants.items() if c == code]

    def newer_than_oldest(self, name: str) -> bool:
        """Whether `name` is missing from some release the table covers (it appeared after the oldest one)."""
        added = self.added_in.get(name)
        if not added or not self.oldest:
            return False
        return version_key(added) > version_key(self.oldest)

    def release(self, version: str) -> str:
        return f"{self.product} {version}".strip()

    def newer_name(self, name: str) -> str | None:
        """The current name that `name` is the older name of, if any."""
        return next((new for new, old in self.before.items() if old == name), None)


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
            product=str((data.get("covers") or {}).get("product", "")),
            oldest=str((data.get("covers") or {}).get("oldest", "")),
            added_in=_strings(data.get("added_in")), before=_strings(data.get("before")),
            removed_in=_strings(data.get("removed_in")), deprecated_in=_strings(data.get("deprecated_in")),
            verified_absent=frozenset(int(c) for c in data.get("verified_absent") or ()),
            checked_against=str(data.get("checked_against", "")),
        )
    return tables


def _strings(mapping: dict | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (mapping or {}).items()}
