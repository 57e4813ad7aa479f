"""The one way a refusal (a ValidationError) is put into words, for the admin, the API, commands, the loader and pages.

A message names the field it is about; the value and what was expected are in the message
itself, written where the rule lives (a model, a service, a FilterSet). Messages about the
record as a whole (``NON_FIELD_ERRORS``) name no field.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

Errors = ValidationError | Mapping | list | tuple | str


def messages_by_field(error: ValidationError) -> dict[str, list[str]]:
    """``error``'s messages by field name; ``NON_FIELD_ERRORS`` ("__all__") for the record as a whole."""
    if hasattr(error, "error_dict"):
        return {field: [m for e in errors for m in e.messages] for field, errors in error.error_dict.items()}
    return {NON_FIELD_ERRORS: list(error.messages)}


def error_lines(errors: Errors, where: str = "", labels: Mapping[str, str] | None = None) -> list[str]:
    """One "field: message" line per message.

    ``errors`` is a ValidationError or the nested errors of a serializer ({"aliases": {"0": ["…"]}},
    {"parties": [{"actor": ["…"]}]}): a list item is named by its place ("item 2, actor: …").
    ``labels`` names fields as the reader knows them (a form's labels, say).
    """
    if isinstance(errors, ValidationError):
        errors = messages_by_field(errors)
    if isinstance(errors, Mapping):
        found = []
        for key, value in errors.items():
            found.extend(error_lines(value, _join(where, _place(key, labels)), labels))
        return found
    if isinstance(errors, list | tuple):
        if errors and all(isinstance(e, Mapping) for e in errors):
            return [m for n, e in enumerate(errors) for m in error_lines(e, _join(where, f"item {n + 1}"), labels)]
        return [m for e in errors for m in error_lines(e, where, labels)]
    return [f"{where}: {errors}" if where else str(errors)]


def error_line(error: ValidationError) -> str:
    """``error`` on one line, each field's messages together: "title: The title is missing.; content: …"."""
    return "; ".join(
        " ".join(messages) if field == NON_FIELD_ERRORS else f"{field}: {' '.join(messages)}"
        for field, messages in messages_by_field(error).items()
    )


def _place(key, labels: Mapping[str, str] | None) -> str:
    if key == NON_FIELD_ERRORS:
        return ""
    if str(key).isdigit():
        return f"item {int(key) + 1}"
    return (labels or {}).get(key, str(key))


def _join(where: str, place: str) -> str:
    return f"{where}, {place}" if where and place else where or place
