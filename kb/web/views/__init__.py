"""Views of the analyst UI, one module per area; read-only, server-rendered, usable without JavaScript."""

from kb.web.views.actors import actor_detail, actor_list
from kb.web.views.overview import graph, home, search
from kb.web.views.records import (
    agreement_detail,
    agreement_list,
    event_detail,
    event_list,
    transfer_detail,
    transfer_list,
)
from kb.web.views.sources import claim_detail, source_detail, source_list
from kb.web.views.watch import changes

__all__ = [
    "actor_detail",
    "actor_list",
    "agreement_detail",
    "agreement_list",
    "changes",
    "claim_detail",
    "event_detail",
    "event_list",
    "graph",
    "home",
    "search",
    "source_detail",
    "source_list",
    "transfer_detail",
    "transfer_list",
]
