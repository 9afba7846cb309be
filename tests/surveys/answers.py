# SPDX-License-Identifier: EUPL-1.2
"""Random but repeatable residents' answers to the default template, for the survey tests."""

import datetime
import random
import uuid
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone

from surveys.models import QuestionKind

NAMESPACE = uuid.UUID("6f1c2d0e-5b8a-4e57-9a51-3c1f0f5e2b11")


def in_box(box):
    """Random positions in (west, south, east, north), for random_submission."""
    west, south, east, north = box

    def position(rng):
        return rng.uniform(west, east), rng.uniform(south, north)

    return position


def random_submission(rng: random.Random, survey, district_code, n: int, *, position):
    """The n-th resident's submission (prefetch the survey's questions__options: it reads
    them for every submission): every scale answered, choices and places at random.

    position(rng) gives a place's (longitude, latitude); a stretch runs 100 m or so east of
    it, so it must leave room for that."""
    answers = {"home_district": district_code} if district_code else {}
    for question in survey.questions.all():
        codes = [option.code for option in question.options.all()]
        if question.kind in (QuestionKind.SAFETY_DAY, QuestionKind.SAFETY_DARK):
            answers[question.code] = rng.choice([1, 2, 2, 3, 3, 4, 4, 4, 5])
        elif question.kind in (QuestionKind.SINGLE, QuestionKind.AGE_GROUP) and rng.random() < 0.8:
            answers[question.code] = rng.choice(codes)
        elif question.kind == QuestionKind.MULTIPLE:
            answers[question.code] = rng.sample(codes, rng.randint(0, 3))
        elif question.kind == QuestionKind.TEXT and rng.random() < 0.3:
            answers[question.code] = rng.choice(["Lisää valoa", "=SUM(A1)", "Hidasteita, kiitos"])
    chosen = []
    maps = [
        q
        for q in survey.questions.all()
        if q.kind in (QuestionKind.MAP_POINT, QuestionKind.MAP_LINE)
    ]
    for question in maps:
        for _ in range(rng.choice([0, 0, 1, 2])):
            x, y = position(rng)
            if question.kind == QuestionKind.MAP_POINT:
                geometry = {"type": "Point", "coordinates": [x, y]}
            else:
                geometry = {"type": "LineString", "coordinates": [[x, y], [x + 0.0015, y]]}
            chosen.append(
                {
                    "question": question.code,
                    "geometry": geometry,
                    "reason": rng.choice([None, *[o.code for o in question.options.all()]]),
                    "time_of_day": rng.choice(["daylight", "dusk", "dark", "always"]),
                    "note": "",
                }
            )
    return {
        "uuid": str(uuid.uuid5(NAMESPACE, f"{survey.slug}-{n}")),
        "language": "fi",
        "answers": answers,
        "places": chosen,
    }


@contextmanager
def committed_survey(django_db_blocker, code: str, slug: str):
    """Testilä's two districts under another code, with the default survey open today,
    committed (ogr2ogr reads through its own connection) and removed again afterwards.

    Not a transactional test: those empty every table when they end, the groups and the
    taxonomy that later tests rely on included."""
    from geo.models import Municipality
    from surveys.models import Survey
    from surveys.template import from_template
    from tests.conftest import make_town
    from walks.models import Observation

    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_"), "not the test database"
        town = make_town()
        Municipality.objects.filter(pk=town.pk).update(code=code)
        town.refresh_from_db()
        today = timezone.localdate()
        survey = from_template(town, slug, today, today + datetime.timedelta(days=9))
        try:
            yield survey
        finally:
            Survey.objects.filter(municipality=town).delete()
            Observation.objects.filter(municipality=town).delete()
            town.districts.all().delete()
            town.delete()
