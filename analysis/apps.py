# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    """The situational picture: heat map, district picture and exports.

    It reads observations (walks) in their places (geo) and owns no model of its own;
    the heat map's pre-aggregate tables are plain tables (geo migration 0002).
    """

    name = "analysis"
    verbose_name = _("Analysis")
