"""Scaffolding: `statusdocs init` (a new site) and `statusdocs new` (a new entry)."""
