"""Pages: which pages the site has (plan), what each template gets (contexts), prose, diagrams, templates."""
