# SPDX-License-Identifier: EUPL-1.2
"""The default survey: the everyday-safety survey of `data/surveys/everyday_safety.json`.

Its questions follow the regional everyday-safety survey the safety plans start from
(perceived safety by day and after dark, what makes one feel unsafe — traffic, crime and
violence, lighting and road condition, vandalism and disorder, lack of community — and the
places on the map). `from_template` makes a survey of it for a municipality; planners copy
that survey in the admin for the next round.
"""

import json
from pathlib import Path

from django.db import transaction

from surveys.models import Option, Question, Survey
from walks.models import Category

TEMPLATE = Path(__file__).resolve().parents[1] / "data" / "surveys" / "everyday_safety.json"


def load_template() -> dict:
    return json.loads(TEMPLATE.read_text(encoding="utf-8"))


def translated(prefix: str, texts: dict | None) -> dict:
    texts = texts or {}
    return {f"{prefix}_{language}": texts.get(language, "") for language in ("fi", "sv", "en")}


@transaction.atomic
def from_template(municipality, slug: str, opens_on, closes_on, **fields) -> Survey:
    """A new survey of the default template's questions (fields override its own)."""
    template = load_template()
    categories = {category.code: category for category in Category.objects.all()}
    survey = Survey.objects.create(
        municipality=municipality,
        slug=slug,
        opens_on=opens_on,
        closes_on=closes_on,
        **{**translated("title", template["title"]), **translated("intro", template["intro"])},
        **fields,
    )
    for order, spec in enumerate(template["questions"]):
        question = Question.objects.create(
            survey=survey,
            code=spec["code"],
            kind=spec["kind"],
            required=spec.get("required", False),
            positive=spec.get("positive", False),
            order=order,
            **translated("text", spec["text"]),
            **translated("help", spec.get("help")),
        )
        for option_order, option in enumerate(spec.get("options", [])):
            Option.objects.create(
                question=question,
                code=option["code"],
                category=categories.get(option.get("category", "")),
                order=option_order,
                **translated("text", option["text"]),
            )
    return survey
