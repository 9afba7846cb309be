# SPDX-License-Identifier: EUPL-1.2
"""The demo municipality's everyday-safety survey, made by load_demo.

The default template (surveys/template.py) as a template survey planners copy, and a copy
of it open for answers at /survey/lyhtyla-arki/. Each is made once: a survey with its
address already there is kept as it is.
"""

from datetime import date

from surveys.models import Survey
from surveys.template import from_template

DEMO_TEMPLATE_SLUG = "arjen-turvallisuus-pohja"
DEMO_SURVEY_SLUG = "lyhtyla-arki"


def demo_surveys(municipality) -> int:
    """The template and the open survey; how many were made now."""
    made = 0
    template = Survey.objects.filter(slug=DEMO_TEMPLATE_SLUG).first()
    if template is None:
        template = from_template(
            municipality, DEMO_TEMPLATE_SLUG, date(2026, 1, 1), date(2026, 12, 31), is_template=True
        )
        made += 1
    if not Survey.objects.filter(slug=DEMO_SURVEY_SLUG).exists():
        template.copy(
            slug=DEMO_SURVEY_SLUG, opens_on=date(2026, 1, 1), closes_on=date(2027, 12, 31)
        )
        made += 1
    return made
