"""Serializers of the REST API: brief forms, outputs and inputs, one module per aggregate."""

from kb.api.serializers.actors import (
    ActorDetailSerializer,
    ActorInputSerializer,
    ActorSerializer,
    RelationshipInputSerializer,
    RelationshipSerializer,
)
from kb.api.serializers.claims import ClaimInputSerializer, ClaimSerializer
from kb.api.serializers.common import ErrorSerializer
from kb.api.serializers.records import (
    AgreementInputSerializer,
    AgreementSerializer,
    ArmsTransferInputSerializer,
    ArmsTransferSerializer,
    EventInputSerializer,
    EventSerializer,
)
from kb.api.serializers.sources import (
    NESTED_CLAIMS,
    SourceDetailSerializer,
    SourceInputSerializer,
    SourceSerializer,
)

__all__ = [
    "NESTED_CLAIMS",
    "ActorDetailSerializer",
    "ActorInputSerializer",
    "ActorSerializer",
    "AgreementInputSerializer",
    "AgreementSerializer",
    "ArmsTransferInputSerializer",
    "ArmsTransferSerializer",
    "ClaimInputSerializer",
    "ClaimSerializer",
    "ErrorSerializer",
    "EventInputSerializer",
    "EventSerializer",
    "RelationshipInputSerializer",
    "RelationshipSerializer",
    "SourceDetailSerializer",
    "SourceInputSerializer",
    "SourceSerializer",
]
