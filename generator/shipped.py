"""The built-in theme and starter content, shipped inside the package, and the folders a build reads templates from.

In the repository, `templates/` and `content/` sit beside the package folder; the wheel carries them inside it as
the subpackages `theme` and `starter` (a `package-dir` mapping in pyproject.toml). An editable install or a
checkout on the path still finds them beside the package. Names are relative to this package (`__package__`),
never spelled out, so that the import name can change.

`--templates DIR` overrides the built-in theme file by file, as MkDocs' `custom_dir` does: a template or a file
under `static/` that DIR holds wins, everything else comes from the built-in theme.
"""

from __future__ import annotations

import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def _shipped(inside: str, beside: str) -> str:
    """The folder `inside` the installed package (a wheel), else the repository's folder `beside` it."""
    packaged = os.path.join(_HERE, inside)
    return packaged if os.path.isdir(packaged) else os.path.join(os.path.dirname(_HERE), beside)


BUILTIN_THEME = _shipped("theme", "templates")
STARTER_CONTENT = _shipped("starter", "content")


def theme_dirs(templates_dir: str | None) -> tuple[str, ...]:
    """The folders templates are looked up in, first match winning: the user's folder (absolute), then the
    built-in theme; the built-in theme alone for None. A user folder that is the built-in theme (this repository's
    own `templates/`) is read once."""
    builtin = os.path.abspath(BUILTIN_THEME)
    if templates_dir is None:
        return (builtin,)
    user = os.path.abspath(templates_dir)
    if os.path.realpath(user) == os.path.realpath(builtin):
        return (user,)
    return (user, builtin)


def shown(folder: str) -> str:
    """A folder as messages name it: relative to the working directory if inside it, else absolute."""
    rel = os.path.relpath(folder)
    return folder if rel == ".." or rel.startswith(".." + os.sep) else rel


def owning_dir(path: str, dirs: tuple[str, ...]) -> str:
    """The theme folder of `dirs` that `path` (absolute) is in; the first if none."""
    return next((d for d in dirs if path.startswith(d + os.sep)), dirs[0])
