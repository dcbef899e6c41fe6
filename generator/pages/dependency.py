"""How a page's recorded dependency is spelled: a file's path, or a file's path and one of its fields joined by
`FIELD`. No imports: the build cache reads dependencies on a build with nothing to do, which imports neither the
content model nor the page recorder (`pages/recorded.py`)."""

FIELD = "\0"  # between a file and one of its fields in a recorded dependency (no path holds it)
