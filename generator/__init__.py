"""statusdocs: a static documentation site generator for HTTP status codes."""

__version__ = "0.1.0"
