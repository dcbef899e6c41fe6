"""The rules, one module per family: structure (S, T), vague (V), contradiction (C), facts (F).

Importing this package imports every module in this folder, and each registers its rules with `@rule`
(checks/registry.py): a new family is a new module here, nothing else to list.
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")
