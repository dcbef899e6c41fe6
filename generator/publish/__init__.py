"""`statusdocs deploy`: publishing the site on a gh-pages branch."""
