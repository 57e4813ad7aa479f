"""Every write to the knowledge base; ``kb.services.<name>`` is the public API of this package.

Each service takes keyword-only arguments and the acting ``user``, validates with
``full_clean()``, runs in one transaction and records history with that user. Bad
input raises ``django.core.exceptions.ValidationError`` keyed by field name, and
nothing is written. The admin, the API, the commands and the corpus loader all call
these functions; none of them creates domain rows directly.

Create services name every field with its default; update services name the same
fields with the default ``UNSET``, and change only the fields given. Partial dates are
taken as "2024-06", a ``PartialDate``, or a plain date with its ``<name>_precision``.

- ``base``: the generic machinery (``record_create``/``record_update``/``record_delete``,
  history, partial dates, many-to-many values, ``RecordInUse``), for the few callers
  that write any model alike (the admin's parts, reverts, the corpus loader);
- ``actors``: actors, aliases and merging; ``sources`` (and publishing them to readers); ``claims`` (anchoring, review,
  links, bulk proposals; accepting a claim publishes its source); ``agreements`` (parties, provisions); ``records``
  (relationships, events, arms transfers);
- ``drafts``: draft records (proposed by ingest or from a claim), accepted through the record
  services or rejected; ``ingest_drafts``: the drafts one ingest proposes, stored in bulk;
- ``ingest``: an article in, a source and its proposed claims out (``IngestResult``);
- ``stix``: STIX 2.1 bundles in, actors and proposed relationships out (``StixImportResult``);
- ``sipri``: a SIPRI Trade Register CSV in, a dataset source, claims quoting its rows and
  the transfers they back out (``SipriImportResult``);
- ``editors``: the Editors group and its permissions;
- ``tokens``: API tokens, made and revoked by their owner (or a superuser).
"""

from kb.dates import PartialDate
from kb.services.actors import (
    actor_create,
    actor_delete,
    actor_merge,
    actor_update,
    actors_merge,
    alias_add,
    alias_delete,
)
from kb.services.agreements import (
    agreement_create,
    agreement_party_add,
    agreement_party_update,
    agreement_update,
    provision_add,
)
from kb.services.base import UNSET, RecordInUse, record_create, record_delete, record_update
from kb.services.claims import (
    claim_create,
    claim_delete,
    claim_link,
    claim_review,
    claim_unlink,
    claim_update,
    claims_propose,
    claims_review,
)
from kb.services.drafts import draft_accept, draft_create, draft_from_claim, draft_reject
from kb.services.editors import EDITORS_GROUP, editors_group_sync
from kb.services.ingest import INGEST_USERNAME, IngestResult, ingest_account, source_ingest
from kb.services.records import (
    event_create,
    event_update,
    relationship_create,
    relationship_update,
    transfer_create,
    transfer_update,
)
from kb.services.sipri import SipriFileError, SipriImportResult, sipri_import
from kb.services.sources import (
    source_create,
    source_delete,
    source_publish,
    source_unpublish,
    source_update,
    sources_publish,
    sources_unpublish,
)
from kb.services.stix import StixImportError, StixImportResult, stix_import
from kb.services.tokens import token_create, token_revoke, tokens_revoke_all

__all__ = [
    "EDITORS_GROUP",
    "INGEST_USERNAME",
    "UNSET",
    "IngestResult",
    "PartialDate",
    "RecordInUse",
    "SipriFileError",
    "SipriImportResult",
    "StixImportError",
    "StixImportResult",
    "actor_create",
    "actor_delete",
    "actor_merge",
    "actor_update",
    "actors_merge",
    "agreement_create",
    "agreement_party_add",
    "agreement_party_update",
    "agreement_update",
    "alias_add",
    "alias_delete",
    "claim_create",
    "claim_delete",
    "claim_link",
    "claim_review",
    "claim_unlink",
    "claim_update",
    "claims_propose",
    "claims_review",
    "draft_accept",
    "draft_create",
    "draft_from_claim",
    "draft_reject",
    "editors_group_sync",
    "event_create",
    "event_update",
    "ingest_account",
    "provision_add",
    "record_create",
    "record_delete",
    "record_update",
    "relationship_create",
    "relationship_update",
    "sipri_import",
    "source_create",
    "source_delete",
    "source_ingest",
    "source_publish",
    "source_unpublish",
    "source_update",
    "sources_publish",
    "sources_unpublish",
    "stix_import",
    "token_create",
    "token_revoke",
    "tokens_revoke_all",
    "transfer_create",
    "transfer_update",
]
