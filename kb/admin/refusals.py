"""A service's refusal shown on the admin form that caused it: the one place the admin leans on Django internals.

Why it exists. The admin's forms only clean their fields; the services validate and write
(``ServiceAdmin.save_model`` and ``save_related``). A service refuses with a
``ValidationError`` only once Django's change view has decided that the form and its
inlines are valid and has started saving, and no hook of ``ModelAdmin`` lets a save put
errors back on the form and render it. So ``ShowRefusals`` runs the view in a transaction;
when a service refuses, it rolls everything back, keeps the refusal on the request and
runs the view once more. On that second run ``get_form`` hands the refusal to the form
(``ServiceForm.service_refusal``), whose ``_post_clean`` adds it to the fields it names:
the form is invalid, nothing is saved, and Django renders it with the messages, as for
any bad input.

What it relies on (check these on every Django or django-simple-history upgrade):

- ``ModelAdmin.changeform_view`` (add and change) and ``SimpleHistoryAdmin.history_form_view``
  (revert) can be called twice for one request: they read ``request.POST``/``FILES``
  again, and call ``get_form`` and validate the form each time, before ``save_model``;
- ``ModelAdmin.get_form`` returns a form class per call, which may be subclassed;
- ``ModelForm._post_clean`` runs after the fields are cleaned (Django's own
  ``UserCreationForm`` overrides it too).

Refusals the form can know before saving do not come this way: a stale change form is
refused in ``ServiceForm.clean``.

What guards it: ``tests/test_admin.py`` (``test_a_refused_save_shows_the_form_again_and_writes_nothing``
for add, change, inline and revert; and every "…is refused…" test there), and the stale-form
tests of ``tests/test_concurrency.py``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

_REFUSAL_ATTR = "_kb_service_refusal"


class ShowRefusals:
    """Mix in before a ModelAdmin whose saves call services: their refusals are shown on the form."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, _REFUSAL_ATTR, None)
        if refusal is None:
            return form
        return type(form.__name__, (form,), {"service_refusal": refusal})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        parent = super().changeform_view
        return self._rerun_on_refusal(request, parent, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A revert is an ordinary update: the same service, the same validation.
        parent = super().history_form_view
        return self._rerun_on_refusal(request, parent, object_id, version_id, extra_context)

    def _rerun_on_refusal(self, request, view, *args):
        """Run a saving view; when a service refuses, roll back and run it again to show the refusal."""
        try:
            with transaction.atomic():
                return view(request, *args)
        except ValidationError as exc:
            if request.method != "POST" or hasattr(request, _REFUSAL_ATTR):
                raise  # not a save, or the second run saved anyway: a bug to see, not to loop on
            setattr(request, _REFUSAL_ATTR, exc)
        with transaction.atomic():
            return view(request, *args)
