"""The reason of an API write: ``reason`` in the body or the ``X-Change-Reason`` header, kept in history.

Both may be given: the body's wins (it is the write's own text, and a header may be a client's
default for every request). Either is at most ``REASON_MAX`` characters, the size
of simple_history's ``history_change_reason`` column: a longer one is a 400 naming ``reason``.
"""

from __future__ import annotations

import contextlib

from rest_framework import serializers

from kb.api.serializers.common import StrictTextMixin
from kb.services.base import REASON_LENGTH

# A reason given to the API is refused over the length history keeps, not shortened: the client
# can say it in fewer words.
REASON_MAX = REASON_LENGTH
HEADER = "X-Change-Reason"
HELP = (
    f"Optional: why this change is made, kept in the record's history (at most {REASON_MAX} characters). "
    f"May also be sent as the {HEADER} header (UTF-8); if both are given, this one is kept."
)


def reason_field() -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, max_length=REASON_MAX, write_only=True, help_text=HELP
    )


class ReasonSerializer(StrictTextMixin, serializers.Serializer):
    """The body of a write that has no other (DELETE): only the reason."""

    reason = reason_field()

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(name) for name in data if name != "reason")
            if unknown:
                raise serializers.ValidationError(
                    {name[:40]: ["Unknown field: a delete's body takes only “reason”."] for name in unknown[:10]}
                )
        return super().to_internal_value(data)


def _header(request) -> str:
    value = request.headers.get(HEADER, "")
    # WSGI hands headers over as Latin-1; a client sending UTF-8 meant UTF-8.
    with contextlib.suppress(UnicodeError):
        value = value.encode("latin-1").decode("utf-8")
    return value.strip()


def change_reason(request, body_reason: str | None) -> str:
    """The reason to record for this write ("" for none); a ValidationError naming ``reason`` if it cannot be."""
    header, body = _header(request), (body_reason or "").strip()
    if len(header) > REASON_MAX:
        raise serializers.ValidationError(
            {"reason": [f"The {HEADER} header has {len(header)} characters; a reason has at most {REASON_MAX}."]}
        )
    return body or header
