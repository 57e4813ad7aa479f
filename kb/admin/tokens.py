"""API tokens in the admin: each editor sees, makes and revokes their own; superusers everyone's.

A token's secret is shown once, in the message after it is made; the pages show only the
first characters of it (``token_key``'s start), enough to tell tokens apart.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.html import format_html

from kb import services
from kb.admin.site import site
from kb.errors import error_line
from kb.models import ApiToken
from kb.services.tokens import DAYS_MAX


class ApiTokenForm(forms.ModelForm):
    """A new token: its name, its lifetime and (for superusers) whose it is."""

    days = forms.IntegerField(
        min_value=0,
        max_value=DAYS_MAX,
        help_text="How long the token works, in days; 0: until it is revoked.",
    )
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        help_text="Whose token it is; empty: yours.",
    )

    class Meta:
        model = ApiToken
        fields = ["name"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.KB_TOKEN_DAYS
        if request is None or not request.user.is_superuser:
            del self.fields["owner"]


@admin.register(ApiToken, site=site)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ["__str__", "user", "created", "expires", "state"]
    list_filter = ["created"]
    search_fields = ["name", "user__username"]
    ordering = ["-created"]
    list_select_related = ["user"]
    readonly_fields = ["name", "user", "key_start", "created", "expires", "state"]

    @admin.display(description="starts with")
    def key_start(self, token: ApiToken) -> str:
        return f"{token.token_key[:8]}…"

    @admin.display(description="expires", ordering="expiry")
    def expires(self, token: ApiToken):
        return token.expiry or "never (until revoked)"

    @admin.display(description="state")
    def state(self, token: ApiToken) -> str:
        if token.expiry is not None and token.expiry < timezone.now():
            return "expired"
        return "active"

    def get_queryset(self, request):
        tokens = super().get_queryset(request)
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def get_list_filter(self, request):
        if not request.user.is_superuser:
            return self.list_filter
        # Only the users who hold tokens: the filter lists one link per user.
        return ["created", ("user", admin.RelatedOnlyFieldListFilter)]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class RequestForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return RequestForm

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "days", "owner"] if request.user.is_superuser else ["name", "days"]
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a token is made and revoked, never edited

    def has_delete_permission(self, request, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or request.user.is_superuser or obj.user_id == request.user.pk)

    def save_model(self, request, obj, form, change) -> None:
        try:
            token, secret = services.token_create(
                user=request.user,
                owner=form.cleaned_data.get("owner") or request.user,
                name=form.cleaned_data.get("name", ""),
                days=form.cleaned_data["days"],
            )
        except (PermissionDenied, ValidationError) as exc:
            raise PermissionDenied(error_line(exc) if isinstance(exc, ValidationError) else str(exc)) from exc
        obj.__dict__.update({f.attname: getattr(token, f.attname) for f in ApiToken._meta.concrete_fields})
        obj._state.adding = False
        self.message_user(
            request,
            format_html(
                "The token’s secret, shown this once (copy it now; it is not stored): "
                '<code class="token-secret">{}</code> — send it as <code>Authorization: Token {}</code>.',
                secret,
                secret,
            ),
            messages.WARNING,
        )

    def delete_model(self, request, obj) -> None:
        services.token_revoke(token=obj, user=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for token in queryset.select_related("user"):
            services.token_revoke(token=token, user=request.user)
