"""The Editors group: who may write, and with which permissions."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

EDITORS_GROUP = "Editors"


def editors_group_sync() -> Group:
    """The Editors group, with every permission on kb's records, their history and API tokens."""
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    permissions = Permission.objects.filter(content_type__app_label="kb")
    group.permissions.set(permissions)
    return group
