"""Site paths of records, for pages and exports that link hundreds of them.

``reverse()`` costs more than the rest of a row: a register of 20,000 transfers cites some
50,000 claims, an article highlights a thousand. ``record_path`` reverses each view once
(per script prefix and URL configuration) and fills in each record's key; the models'
``get_absolute_url`` use it.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_MARKER = "9876543210123456789"  # fits <int:pk> and <slug:slug>
_TEMPLATES: dict[tuple, tuple[str, str]] = {}


def path_around_key(view_name: str, *, kwarg: str = "pk") -> tuple[str, str]:
    """What the path of ``view_name`` has before and after the record's key, reversed once per view."""
    cache_key = (view_name, kwarg, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    if cache_key not in _TEMPLATES:
        head, _, tail = reverse(view_name, kwargs={kwarg: _MARKER}).rpartition(_MARKER)
        _TEMPLATES[cache_key] = (head, tail)
    return _TEMPLATES[cache_key]


def record_path(view_name: str, key: object, *, kwarg: str = "pk") -> str:
    """``reverse(view_name, kwargs={kwarg: key})``, reversed once per view and filled in per record."""
    head, tail = path_around_key(view_name, kwarg=kwarg)
    return f"{head}{key}{tail}"
