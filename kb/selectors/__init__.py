"""Every read that more than one surface needs, by concern; the API, the web pages and the admin call these.

visibility  who sees what (editors everything, others public sources, accepted claims and what they back)
counts      the one way each number is counted: COUNT subqueries, several totals in one query
names       actors found by any spelling of their names
search      ?search= matching and search across every type of record
dossiers    everything about one actor, claim or source
overview    the base at a glance
network     the links between actors, a bounded part at a time
timeline    events over time: each one when there are few, counts per period when there are many
versions    record versions for optimistic concurrency, and who last wrote
audit       the integrity audit behind verify_kb
stix        the base as STIX 2.1 objects, a page of a walk at a time (import kb.selectors.stix:
            it reads the FilterSets, which read this package)
"""

from kb.selectors.audit import kb_violations
from kb.selectors.counts import (
    actor_counts,
    actor_related_counts,
    count_subquery,
    counts,
    facet_counts,
    visible_claim_count,
)
from kb.selectors.dossiers import (
    ActorDossier,
    ClaimDossier,
    actor_dossier,
    claim_dossier,
    party_links,
    source_claim_page,
    source_claims,
    source_subjects,
)
from kb.selectors.names import actors_named
from kb.selectors.network import LINK_TYPES, MAX_ACTORS, Link, Network, actor_network
from kb.selectors.overview import Overview, kb_overview
from kb.selectors.search import (
    COUNT_CAP,
    FACET_BOUND,
    SEARCH_MAX_LENGTH,
    SEARCH_TYPES,
    SearchFacets,
    SearchHit,
    SearchNarrowing,
    TypeCount,
    full_text_query,
    period_bounds,
    search_all,
    search_counts,
    search_facets,
    search_filter,
    search_pattern,
)
from kb.selectors.timeline import EventTimeline, Period, event_timeline, zoom_periods
from kb.selectors.versions import last_change, record_version
from kb.selectors.visibility import (
    is_editor,
    visible_claims,
    visible_evidence,
    visible_links,
    visible_records,
    visible_sources,
)

__all__ = [
    "COUNT_CAP",
    "FACET_BOUND",
    "LINK_TYPES",
    "MAX_ACTORS",
    "SEARCH_MAX_LENGTH",
    "SEARCH_TYPES",
    "ActorDossier",
    "ClaimDossier",
    "EventTimeline",
    "Link",
    "Network",
    "Overview",
    "Period",
    "SearchFacets",
    "SearchHit",
    "SearchNarrowing",
    "TypeCount",
    "actor_counts",
    "actor_dossier",
    "actor_network",
    "actor_related_counts",
    "actors_named",
    "claim_dossier",
    "count_subquery",
    "counts",
    "event_timeline",
    "facet_counts",
    "full_text_query",
    "is_editor",
    "kb_overview",
    "kb_violations",
    "last_change",
    "party_links",
    "period_bounds",
    "record_version",
    "search_all",
    "search_counts",
    "search_facets",
    "search_filter",
    "search_pattern",
    "source_claim_page",
    "source_claims",
    "source_subjects",
    "visible_claim_count",
    "visible_claims",
    "visible_evidence",
    "visible_links",
    "visible_records",
    "visible_sources",
    "zoom_periods",
]
