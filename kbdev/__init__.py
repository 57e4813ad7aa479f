"""Development tools for kb: synthetic data, the load check, ingest evaluation and timing helpers."""
