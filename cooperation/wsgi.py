"""WSGI entry point (gunicorn cooperation.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cooperation.settings")
application = get_wsgi_application()
