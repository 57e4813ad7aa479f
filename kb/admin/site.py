"""The admin site: open to active staff who are editors (superusers or members of "Editors")."""

from django.contrib import admin, messages
from django.contrib.admin import actions
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction

from kb.errors import error_line
from kb.selectors import is_editor
from kb.selectors.desk import queue_summary


class EditorAuthenticationForm(AdminAuthenticationForm):
    """The admin login, refused to staff who are not editors."""

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not is_editor(user):
            # The same words as a wrong password: a distinct message would confirm the password.
            raise self.get_invalid_login_error()


class KbAdminSite(admin.AdminSite):
    """Django's admin, reachable only by editors."""

    login_form = EditorAuthenticationForm

    site_header = "kb — editors' desk"
    site_title = "kb editors"
    index_title = "Curation"
    # The navigation sidebar took 300 of 1280 pixels from every list, which then scrolled sideways;
    # the breadcrumbs and the index lead to every list.
    enable_nav_sidebar = False

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and is_editor(user))

    def index(self, request, extra_context=None):
        """The index, with what waits for review (templates/admin/index.html): counts read from indexes."""
        return super().index(request, {"queue": queue_summary(), **(extra_context or {})})


site = KbAdminSite(name="admin")


@admin.action(permissions=["delete"], description="Delete selected %(verbose_name_plural)s")
def delete_selected(modeladmin, request, queryset):
    """Django's bulk delete, all or nothing: one refused record keeps every selected one."""
    try:
        with transaction.atomic():
            return actions.delete_selected(modeladmin, request, queryset)
    except ValidationError as exc:
        modeladmin.message_user(request, f"Nothing was deleted. {error_line(exc)}", messages.ERROR)
        return None


site.add_action(delete_selected, "delete_selected")

site.register(User, UserAdmin)
site.register(Group, GroupAdmin)
