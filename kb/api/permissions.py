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


class IsEditorElseNotFound(BasePermission):
    """Editors only; anyone else signed in reading one record is let through to find nothing there (a 404, no oracle).

    Lists, writes and reads without credentials are refused as ``IsEditor`` refuses them (401
    without credentials, 403 with).
    """

    message = IsEditor.message

    def has_permission(self, request, view) -> bool:
        if is_editor(request.user):
            return True
        reads_one = getattr(view, "detail", False) and getattr(view, "action", None) in ("retrieve", "metadata")
        # Without credentials the answer is 401, as for every read for editors only: sign in first.
        return request.method in SAFE_METHODS and reads_one and bool(request.user and request.user.is_authenticated)
