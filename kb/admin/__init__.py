"""The editors' curation desk in the Django admin; ``site`` is the admin served at /admin/."""

from kb.admin import actors, claims, drafts, parts, records, sources, tokens  # noqa: F401  (each registers its admins)
from kb.admin.site import site

__all__ = ["site"]
