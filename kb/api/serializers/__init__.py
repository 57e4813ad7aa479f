"""Serializers of the REST API: brief forms, outputs and inputs, one module per aggregate."""

from kb.api.serializers.actors import (
    ActorDetailSerializer,
    ActorInputSerializer,
    ActorSerializer,
    RelationshipInputSerializer,
    RelationshipSerializer,
)
from kb.api.serializers.claims import ClaimDetailSerializer, ClaimInputSerializer, ClaimSerializer
from kb.api.serializers.common import ErrorSerializer
from kb.api.serializers.drafts import DraftAcceptSerializer, DraftRejectSerializer, DraftSerializer
from kb.api.serializers.records import (
    AgreementInputSerializer,
    AgreementSerializer,
    ArmsTransferInputSerializer,
    ArmsTransferSerializer,
    EventInputSerializer,
    EventSerializer,
)
from kb.api.serializers.sources import SourceDetailSerializer, SourceInputSerializer, SourceSerializer

__all__ = [
    "ActorDetailSerializer",
    "ActorInputSerializer",
    "ActorSerializer",
    "AgreementInputSerializer",
    "AgreementSerializer",
    "ArmsTransferInputSerializer",
    "ArmsTransferSerializer",
    "ClaimDetailSerializer",
    "ClaimInputSerializer",
    "ClaimSerializer",
    "DraftAcceptSerializer",
    "DraftRejectSerializer",
    "DraftSerializer",
    "ErrorSerializer",
    "EventInputSerializer",
    "EventSerializer",
    "RelationshipInputSerializer",
    "RelationshipSerializer",
    "SourceDetailSerializer",
    "SourceInputSerializer",
    "SourceSerializer",
]
