"""WSGI entry point (gunicorn onetrip.conf.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from onetrip.conf.checks import require_channels

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onetrip.conf.settings")
application = get_wsgi_application()
require_channels()
