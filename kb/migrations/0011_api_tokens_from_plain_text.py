"""Existing plain-text API tokens (rest_framework.authtoken) become digests, then the table goes.

Each old key keeps working: it is stored the way django-rest-knox stores a new secret (its
first characters and a SHA-512 digest of it), with no expiry and the name "migrated token".
"""

from django.db import migrations
from knox.crypto import hash_token
from knox.settings import CONSTANTS

OLD_TABLE = "authtoken_token"


def hash_old_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("kb", "ApiToken")
    quoted = schema_editor.quote_name(OLD_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {quoted}")
        rows = cursor.fetchall()
    for key, user_id, created in rows:
        token = ApiToken.objects.using(connection.alias).create(
            digest=hash_token(key),
            token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
            user_id=user_id,
            expiry=None,
            name="migrated token",
        )
        ApiToken.objects.using(connection.alias).filter(pk=token.pk).update(created=created)
    schema_editor.execute(f"DROP TABLE {quoted}")


class Migration(migrations.Migration):
    dependencies = [("kb", "0010_api_tokens")]

    operations = [migrations.RunPython(hash_old_tokens, migrations.RunPython.noop, elidable=True)]
