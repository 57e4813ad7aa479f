"""Optimistic concurrency for the API: detail responses carry an ETag, and If-Match guards writes.

The ETag is the record's version (``selectors.record_version``): it changes on every write to
the record or to one of its parts. A PUT, PATCH or DELETE may send ``If-Match: "<etag>"``; when
the record has changed since, the answer is 412 Precondition Failed and nothing is written.
Without If-Match a write goes ahead as before (the last writer wins).

The order of the answers is fixed: 401 and 403 (who asks), 404 (no such record), 400 (the
body, or an If-Match that is not a list of entity tags), then 412 (the version), checked
under a row lock just before the write. A bad request is a 400 whatever its If-Match says.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.http import parse_etags
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError

from kb.selectors import last_change, record_version

GUARDED_METHODS = ("PUT", "PATCH", "DELETE")
# If-Match (RFC 9110): "*" or a comma-separated list of entity tags, each "…" or W/"…" in printable ASCII.
_ENTITY_TAG = r'(?:W/)?"[\x21\x23-\x7e]*"'
IF_MATCH_PATTERN = rf"^(?:\*|{_ENTITY_TAG}(?:[ \t]*,[ \t]*{_ENTITY_TAG})*)$"
_IF_MATCH_RE = re.compile(IF_MATCH_PATTERN)
VERSIONED_ACTIONS = ("retrieve", "create", "update", "partial_update")


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record has changed since you read it."
    default_code = "precondition_failed"


def etag(instance) -> str:
    """The strong ETag of a record: its version in double quotes."""
    return f'"{record_version(instance)}"'


class ConditionalWriteMixin:
    """ETags on detail responses and If-Match on writes, for any viewset of versioned records."""

    versioned = None  # the record whose version the response carries

    def dispatch(self, request, *args, **kwargs):
        if request.method in GUARDED_METHODS and "HTTP_IF_MATCH" in request.META:
            # The version is checked under a row lock held until the write is done.
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        instance = super().get_object()
        self.versioned = instance
        return instance

    def check_if_match(self, instance) -> None:
        """412 unless If-Match names the record's current version; called after the body is validated."""
        header = self.request.headers.get("If-Match")
        if header is None:
            return
        if not _IF_MATCH_RE.match(header):
            raise ValidationError(
                {
                    "If-Match": [
                        f"{header[:80]!r} is not an If-Match value: give the ETag of the record as read "
                        '(in double quotes, e.g. "3f2a…"), several separated by commas, or *.'
                    ]
                }
            )
        current = type(instance)._default_manager.select_for_update().only("pk", "updated_at").get(pk=instance.pk)
        wanted = parse_etags(header)
        if "*" in wanted or etag(current) in wanted:
            return
        who, when = last_change(current)
        at = f" at {when:%Y-%m-%d %H:%M:%S} UTC" if when else ""
        raise PreconditionFailed(
            f"{current._meta.verbose_name.capitalize()} #{current.pk} was changed by {who}{at} since you read it: "
            f"its ETag is now {etag(current)}, not {header[:80]}. Nothing was changed; "
            "read it again and retry with the new ETag."
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            self.versioned is not None
            and getattr(self, "action", None) in VERSIONED_ACTIONS
            and status.is_success(response.status_code)
            and response.status_code != status.HTTP_204_NO_CONTENT
        ):
            response["ETag"] = etag(self.versioned)
        return response
