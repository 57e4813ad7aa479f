"""The kbdev application: the development commands (synth_kb, load_check, eval_ingest); no models."""

from django.apps import AppConfig


class KbdevConfig(AppConfig):
    name = "kbdev"
    verbose_name = "kb development tools"
