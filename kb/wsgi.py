"""WSGI entry point for gunicorn and other servers."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
# Served through WSGI means production (a real SECRET_KEY, https only) unless KB_ENV says otherwise.
os.environ.setdefault("KB_ENV", "production")
application = get_wsgi_application()
