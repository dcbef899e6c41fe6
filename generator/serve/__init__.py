"""`statusdocs serve`: the live preview."""
