# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo municipality and synthetic load: above every other app, it fills them all."""

    name = "demo"
    verbose_name = _("Demo data")
