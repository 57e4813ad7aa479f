"""create_editor: create or update an editor (a member of the Editors group) and print an API token."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from rest_framework.authtoken.models import Token

from kb.errors import error_line
from kb.services import editors_group_sync


class Command(BaseCommand):
    help = (
        "Create an editor, or make an existing user one: staff, in the Editors group, with an API token. "
        "The token is printed on the last line of the output; run it again to print the same token."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The user to create or update.")
        parser.add_argument("--email", default="", help="E-mail address to set.")
        parser.add_argument("--password", default=None, help="Password for the admin (omit to leave it unchanged).")
        parser.add_argument("--rotate-token", action="store_true", help="Replace the user's token with a new one.")

    def handle(self, *args, username: str, email: str, password: str | None, rotate_token: bool, **options):
        username = username.strip()
        if not username or len(username) > 150:
            raise CommandError("The username must be 1 to 150 characters.")
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
            if rotate_token:
                Token.objects.filter(user=user).delete()
            token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(f"{'Created' if created else 'Updated'} editor {user.username}. API token:")
        self.stdout.write(token.key)
