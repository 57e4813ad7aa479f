"""The benchmark of kb against the floor and a Datasette peer; see bench/run.py."""
