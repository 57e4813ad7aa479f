"""The analyst's server-rendered web UI."""
