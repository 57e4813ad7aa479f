"""create_editor: create or update an editor (a member of the Editors group) and print a new API token."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from kb.errors import error_line
from kb.services import editors_group_sync, token_create, tokens_revoke_all
from kb.services.tokens import DAYS_MAX, NAME_MAX


class Command(BaseCommand):
    help = (
        "Create an editor, or make an existing user one: staff, in the Editors group. "
        "Each run mints a new API token and prints its secret on the last line: it is stored only as "
        "a digest, so it cannot be shown again. The user's other tokens keep working unless "
        "--rotate-token revokes them."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The user to create or update.")
        parser.add_argument("--email", default="", help="E-mail address to set.")
        parser.add_argument("--password", default=None, help="Password for the admin (omit to leave it unchanged).")
        parser.add_argument(
            "--token-name", default="", help=f"A name for the new token, e.g. the script using it (≤ {NAME_MAX})."
        )
        parser.add_argument(
            "--token-days",
            type=int,
            default=None,
            help=f"Lifetime of the new token in days, 0 to {DAYS_MAX}; 0 lasts until revoked "
            "(default: KB_TOKEN_DAYS, 365).",
        )
        parser.add_argument("--rotate-token", action="store_true", help="Revoke the user's other tokens.")
        parser.add_argument("--no-token", action="store_true", help="Mint no token (only create or update).")

    def handle(self, *args, username, email, password, token_name, token_days, rotate_token, no_token, **options):
        username = username.strip()
        if not username or len(username) > 150:
            raise CommandError("The username must be 1 to 150 characters.")
        if no_token and (rotate_token or token_name or token_days is not None):
            raise CommandError("--no-token mints nothing: drop --token-name, --token-days and --rotate-token.")
        try:
            if email:
                validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"--email: {error_line(exc)}") from exc
        with transaction.atomic():
            user, created = get_user_model().objects.get_or_create(username=username)
            if email:
                user.email = email
            if password is not None:
                try:
                    validate_password(password, user)
                except ValidationError as exc:
                    raise CommandError(f"--password: {error_line(exc)}") from exc
                user.set_password(password)
            elif created:
                user.set_unusable_password()
            user.is_staff = True
            user.is_active = True
            user.save()
            user.groups.add(editors_group_sync())
            secret = None
            if not no_token:
                try:
                    token, secret = token_create(user=user, name=token_name or "create_editor", days=token_days)
                except ValidationError as exc:
                    option = "--token-name" if "name" in getattr(exc, "message_dict", {}) else "--token-days"
                    raise CommandError(f"{option}: {' '.join(exc.messages)}") from exc
                if rotate_token:
                    tokens_revoke_all(owner=user, user=user, keep=token)
        action = "Created" if created else "Updated"
        if secret is None:
            self.stdout.write(f"{action} editor {user.username}.")
            return
        expiry = f"expires {token.expiry:%Y-%m-%d}" if token.expiry else "lasts until revoked"
        self.stdout.write(
            f"{action} editor {user.username}. New API token '{token.name}' ({expiry}); "
            "it is shown only now. Send it as 'Authorization: Token <token>':"
        )
        self.stdout.write(secret)
