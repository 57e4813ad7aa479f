"""Template tags of the analyst UI."""
