"""statusdocs: a static documentation site generator for HTTP status codes."""

__version__ = "0.2.0"  # pyproject.toml reads it (dynamic version): one place to change
