# SPDX-License-Identifier: EUPL-1.2
import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the apps, their modules) lives as long as the process: out
# of the garbage collector's sight, a full collection no longer walks it. A 500-point batch
# makes enough objects to run one, which then cost milliseconds a request (make bench).
gc.freeze()
