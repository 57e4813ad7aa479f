"""The Editors group: who may write, and with which permissions."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

EDITORS_GROUP = "Editors"


@transaction.atomic
def editors_group_sync() -> Group:
    """The Editors group, with every permission on kb's records, history and API tokens.

    One transaction, so it reads the permissions where it writes the group: on the primary,
    never on a read replica that may not hold a migration's new permissions yet.
    """
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    permissions = Permission.objects.filter(content_type__app_label="kb")
    group.permissions.set(permissions)
    return group
