"""The kb application: the domain model, its services and its three surfaces."""

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


def _sync_editors_group(sender, **kwargs) -> None:
    from kb.services import editors_group_sync

    editors_group_sync()


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Knowledge base"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Permissions are created after migrations, so the group is kept in step then.
        post_migrate.connect(_sync_editors_group, sender=self, dispatch_uid="kb_editors_group")
        # Every write moves the data's version on, so no cached whole-base read outlives it.
        from kb.selectors.cache import data_changed

        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(data_changed, dispatch_uid=f"kb_data_changed_{id(signal)}")
