"""What every page's template may ask: whether the reader is an editor (for the review desk's link)."""

from kb.selectors import is_editor


def editor(request) -> dict:
    # A callable: the template asks only where it needs to (staff first), and is_editor keeps its
    # answer on the user, so a page that checked already pays no second query.
    return {"is_editor": lambda: is_editor(getattr(request, "user", None))}
