"""Every API error as JSON: {"detail": "…"} or {"<field>": ["…"]}, never a 500 for bad input."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from kb.services import RecordInUse


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
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        detail: dict[str, list[str]] = {}
        for field, messages in exc.message_dict.items():
            key = "non_field_errors" if field == "__all__" else rename.get(field, field)
            detail.setdefault(key, []).extend(messages)
        return detail
    return {"non_field_errors": list(exc.messages)}


@contextmanager
def service_errors(rename: Mapping[str, str] | None = None) -> Iterator[None]:
    """Turn a service's refusal into a 400 (bad values) or a 409 (the record is in use)."""
    try:
        yield
    except RecordInUse as exc:
        raise Conflict(" ".join(exc.messages)) from exc
    except DjangoValidationError as exc:
        raise ValidationError(validation_detail(exc, rename)) from exc


def exception_handler(exc, context):
    """DRF's handler, plus the errors of services and of the database turned into 4xx."""
    if isinstance(exc, RecordInUse):
        exc = Conflict(" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        exc = ValidationError(validation_detail(exc))
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = Conflict("The record cannot be deleted: other records depend on it.")
    elif isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = PayloadTooLarge(
            f"The request body is larger than the limit of {limit} bytes; upload files to /api/v1/ingest/."
        )
    elif isinstance(exc, TooManyFieldsSent | SuspiciousOperation):
        exc = ValidationError({"non_field_errors": [f"The request was refused: {exc}"]})
    elif isinstance(exc, DataError):
        exc = ValidationError({"non_field_errors": ["A value is out of range for the database."]})
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {"non_field_errors": response.data}
    return response
