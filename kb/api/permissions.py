"""Who may do what through the API: everyone reads (what they may see), only editors write."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from kb.selectors import is_editor


class IsEditorOrReadOnly(BasePermission):
    """Reads for everyone; writes for editors (superusers and members of the Editors group)."""

    message = "Only editors may change records: ask for editor rights."
    anonymous_reads = True  # the schema declares reads open to anonymous callers

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or is_editor(request.user)


class IsEditor(BasePermission):
    message = "Only editors may do this: ask for editor rights."

    def has_permission(self, request, view) -> bool:
        return is_editor(request.user)
