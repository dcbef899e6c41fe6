"""The site's published address (`base_url`): one definition for site.yaml's schema and `--base-url`.

It reaches every page (canonical links, the sitemap, the 404 page's absolute links, the preview's base path),
so it is held to what it is: an absolute http(s) URL with a host name or IPv4 address, an optional port, and a
path of plain segments that starts with one `/`. Nothing a browser or server would read another way: no
userinfo, `//`, backslash, quote, space, control character, query or fragment, no `.`/`..` segment (also
percent-encoded), and no percent-encoded `/`, `\\` or control character, which a server decodes.
"""

from __future__ import annotations

import re

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = r"(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
# A path character: unreserved, sub-delims but quotes, `&` and parentheses, `:@`, or a percent-encoded byte
# other than a control character, `/` or `\`.
_PCHAR = r"(?:[A-Za-z0-9._~!$*+,;=:@-]|%(?![01]|2[fF]|5[cC]|7[fF])[0-9A-Fa-f]{2})"
_DOTS = r"(?:\.|%2[eE]){1,2}(?:/|(?![\s\S]))"  # a `.` or `..` segment, as the URL standard reads `%2e`
# `(?![\s\S])` is the end of the text in Python and in JSON Schema's regex dialect alike (Python's `$` also
# matches before a final newline).
BASE_URL_PATTERN = (rf"^https?://{_LABEL}(?:\.{_LABEL})*(?::{_PORT})?"
                    rf"(?:/(?!{_DOTS}){_PCHAR}+)*/?(?![\s\S])")
BASE_URL = re.compile(BASE_URL_PATTERN)
BASE_URL_DOC = "an absolute http(s) URL"
BASE_URL_EXAMPLE = "https://example.github.io/statusdocs/"


def normalise_base_url(value: str) -> str | None:
    """`value` with a trailing slash if it is a valid base URL (see above), else None."""
    if not BASE_URL.match(value):
        return None
    return value if value.endswith("/") else value + "/"
