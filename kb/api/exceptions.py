"""Every API error as JSON: {"detail": "…"} or {"<field>": ["…"]}, never a 500 for bad input."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.db.models import ProtectedError, RestrictedError
from django.urls import reverse
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from kb.errors import error_line, error_lines, messages_by_field
from kb.services import RecordInUse
from kb.uploads import UploadTooLarge


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the records it touches."
    default_code = "conflict"


def validation_detail(exc: DjangoValidationError, rename: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """A service's ValidationError as {field: [messages]}, fields renamed to their API names."""
    rename = {NON_FIELD_ERRORS: "non_field_errors", **(rename or {})}
    detail: dict[str, list[str]] = {}
    for field, messages in messages_by_field(exc).items():
        detail.setdefault(rename.get(field, field), []).extend(messages)
    return detail


@contextmanager
def service_errors(rename: Mapping[str, str] | None = None) -> Iterator[None]:
    """Turn a service's refusal into a 400 (bad values) or a 409 (the record is in use)."""
    try:
        yield
    except RecordInUse as exc:
        raise Conflict(error_line(exc)) from exc
    except DjangoValidationError as exc:
        raise ValidationError(validation_detail(exc, rename)) from exc


def too_large_message(exc: RequestDataTooBig, request) -> str:
    """What to do about a body over the size limits: the upload handler's own words for a file."""
    if isinstance(exc, UploadTooLarge):
        return str(exc)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if request.path == reverse("api:ingest"):
        return (
            f"The request body is larger than the limit of {limit} bytes; send a long article as a "
            f'file upload (multipart/form-data, field "file", up to {settings.KB_UPLOAD_MAX_BYTES} bytes).'
        )
    return f"The request body is larger than the limit of {limit} bytes; upload long articles to /api/v1/ingest/."


def exception_handler(exc, context):
    """DRF's handler, plus the errors of services and of the database turned into 4xx."""
    if isinstance(exc, RecordInUse):
        exc = Conflict(error_line(exc))
    elif isinstance(exc, DjangoValidationError):
        exc = ValidationError(validation_detail(exc))
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = Conflict("The record cannot be deleted: other records depend on it.")
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(too_large_message(exc, context["request"]))
    elif isinstance(exc, TooManyFieldsSent | SuspiciousOperation):
        exc = ValidationError({"non_field_errors": [f"The request was refused: {exc}"]})
    elif isinstance(exc, DataError):
        exc = ValidationError({"non_field_errors": ["A value is out of range for the database."]})
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {"non_field_errors": response.data}
    elif response is not None and isinstance(exc, ValidationError) and isinstance(response.data, dict):
        # DRF nests the errors of list items and nested fields ({"aliases": {"0": ["…"]}}); the API
        # promises {"<field>": ["message"]}, so they read "item 1: …" or "item 2, actor: …".
        response.data = {field: error_lines(errors) for field, errors in response.data.items()}
    return response
