"""kb: a claims-first knowledge base on Russia–North Korea relations."""
