"""The editors' curation desk in the Django admin."""
