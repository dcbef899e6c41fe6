"""Content: the schema, the typed model and the loader (YAML -> model with a source location on every field)."""
