"""Ingest evaluation: ingest the curated corpus's texts and score the proposals against its curated claims.

``scoring`` compares claim spans (pure); ``run`` builds the corpus's records in an empty
database, ingests its texts and collects the proposals, rolling everything back;
``report`` turns the scores into the lines and JSON the command prints.
"""
