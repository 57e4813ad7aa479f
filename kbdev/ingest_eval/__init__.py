"""Ingest evaluation: ingest the curated corpus's texts and the development set, and score the proposals.

``scoring`` compares claim spans with the corpus's curated claims (pure); ``devset`` reads
the development set's gold annotations (tests/data/ingest_dev/) and anchors their sentences;
``sentences`` scores proposals against them, listing every miss (pure); ``run`` builds the
corpus's records in an empty database, ingests the corpus's texts and each development
article, and collects the proposals, rolling everything back; ``report`` turns the scores
into the lines (beside the issue's targets) and JSON the command prints.
"""
