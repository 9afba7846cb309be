# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WalksConfig(AppConfig):
    name = "walks"
    verbose_name = _("Safety walks and observations")

    def ready(self):
        # Photo files leave the disk when their rows are deleted (see walks/media.py).
        from walks import media  # noqa: F401
