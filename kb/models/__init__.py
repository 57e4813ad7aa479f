"""The kb domain model, one module per aggregate."""

from kb.models.actors import Actor, Alias, Relationship
from kb.models.agreements import Agreement, AgreementParty, Provision
from kb.models.claims import Claim, ClaimLink
from kb.models.drafts import Draft
from kb.models.events import Event
from kb.models.sources import Source
from kb.models.tokens import ApiToken
from kb.models.transfers import ArmsTransfer

__all__ = [
    "Actor",
    "Agreement",
    "AgreementParty",
    "Alias",
    "ApiToken",
    "ArmsTransfer",
    "Claim",
    "ClaimLink",
    "Draft",
    "Event",
    "Provision",
    "Relationship",
    "Source",
]
