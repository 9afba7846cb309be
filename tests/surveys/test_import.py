# SPDX-License-Identifier: EUPL-1.2
"""`manage.py import_survey`: 1,000 answers in Helsinki's eight major districts (the shared
boundary data), imported from a CSV and a GeoJSON, give the results that answering the same
through the page gives; a broken file stores nothing and names the row or feature."""

import csv
import datetime
import json
import random
from io import StringIO

import pytest
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from analysis.survey import survey_results
from geo.models import District, Municipality
from surveys.models import Place, QuestionKind, Response, Survey
from surveys.services import submit
from surveys.template import from_template
from tests.surveys.answers import random_submission
from walks.models import Observation, Source

pytestmark = pytest.mark.django_db
COUNT = 1000


def multipolygon(geometry: dict) -> MultiPolygon:
    shape = GEOSGeometry(json.dumps(geometry), srid=4326)
    shape = shape if shape.valid else shape.buffer(0)
    return shape if isinstance(shape, MultiPolygon) else MultiPolygon(shape, srid=4326)


@pytest.fixture
def helsinki(shared_data):
    data = json.loads(
        (shared_data / "boundaries/fi/helsinki_suurpiirit_dissolved.geojson").read_text()
    )
    shapes = [(f["properties"], multipolygon(f["geometry"])) for f in data["features"]]
    whole = shapes[0][1]
    for _properties, shape in shapes[1:]:
        whole = whole.union(shape)
    town = Municipality.objects.create(
        code="091",
        country="FI",
        name_fi="Helsinki",
        name_sv="Helsingfors",
        name_en="Helsinki",
        national_srid=3067,
        geom=whole if isinstance(whole, MultiPolygon) else MultiPolygon(whole, srid=4326),
    )
    for properties, shape in shapes:
        District.objects.create(
            municipality=town,
            code=properties["suurpiiri_tunnus"],
            name=properties["suurpiiri_nimi_fi"].title(),
            name_sv=properties["suurpiiri_nimi_se"].title(),
            geom=shape,
        )
    return town


def positions_in(town):
    """Random (lon, lat) inside the town, with room for a stretch to the east."""
    boundary = town.geom.prepared
    west, south, east, north = town.geom.extent

    def position(rng):
        while True:
            x, y = rng.uniform(west, east), rng.uniform(south, north)
            line = GEOSGeometry(f"LINESTRING({x} {y}, {x + 0.0015} {y})", srid=4326)
            if boundary.covers(line):
                return x, y

    return position


def submissions(survey, town, count=COUNT):
    rng = random.Random(2026)
    survey = Survey.objects.prefetch_related("questions__options").get(pk=survey.pk)
    codes = [*town.districts.values_list("code", flat=True), None]
    position = positions_in(town)
    return [
        random_submission(rng, survey, rng.choice(codes), n, position=position)
        for n in range(count)
    ]


def write_files(survey, answers, folder):
    """The answers as another tool would give them: CSV rows and GeoJSON features."""
    columns = [
        "uuid",
        *survey.questions.exclude(
            kind__in=[QuestionKind.MAP_POINT, QuestionKind.MAP_LINE]
        ).values_list("code", flat=True),
    ]
    with (folder / "answers.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, columns)
        writer.writeheader()
        for answer in answers:
            row = {"uuid": answer["uuid"]}
            for code, value in answer["answers"].items():
                row[code] = ";".join(value) if isinstance(value, list) else value
            writer.writerow(row)
    features = [
        {
            "type": "Feature",
            "geometry": place["geometry"],
            "properties": {
                "response": answer["uuid"],
                **{key: place.get(key) for key in ("question", "reason", "time_of_day", "note")},
            },
        }
        for answer in answers
        for place in answer["places"]
    ]
    (folder / "places.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    return folder / "answers.csv", folder / "places.geojson"


def comparable(results):
    return {key: value for key, value in results.items() if key != "survey"}


def test_an_import_gives_the_results_of_the_page(helsinki, tmp_path):
    today = timezone.localdate()
    page = from_template(helsinki, "hki-sivu", today, today + datetime.timedelta(days=9))
    imported = page.copy(slug="hki-tuonti")
    answers = submissions(page, helsinki)
    for n, answer in enumerate(answers):
        submit(page, answer, device_token=f"device-{n}")
    # The same residents, collected elsewhere (their own UUIDs: another survey).
    elsewhere = [{**answer, "uuid": answer["uuid"][:-4] + "beef"} for answer in answers]
    csv_path, geojson_path = write_files(imported, elsewhere, tmp_path)

    out = StringIO()
    call_command(
        "import_survey", str(csv_path), survey="hki-tuonti", places=str(geojson_path), stdout=out
    )

    places = sum(len(answer["places"]) for answer in answers)
    assert places > 500
    assert imported.responses.count() == page.responses.count() == COUNT
    assert Place.objects.filter(response__survey=imported).count() == places
    assert "Checked 1000 of 1000 rows." in out.getvalue()
    assert f"Imported 1000 responses with {places} places on the map" in out.getvalue()
    assert comparable(survey_results(imported, suppress_small=False)) == comparable(
        survey_results(page, suppress_small=False)
    )
    assert comparable(survey_results(imported)) == comparable(survey_results(page))
    assert Observation.objects.filter(source=Source.SURVEY).count() == 2 * places


def test_a_broken_file_stores_nothing_and_names_the_row(helsinki, tmp_path):
    today = timezone.localdate()
    survey = from_template(helsinki, "hki", today, today)
    answers = submissions(survey, helsinki, 40)
    answers[17]["answers"]["safety_dark"] = 9
    answers[30]["places"] = [
        {"question": "unsafe_places", "geometry": {"type": "Point", "coordinates": [18.0, 59.3]}}
    ]
    csv_path, geojson_path = write_files(survey, answers, tmp_path)
    errors = StringIO()

    with translation.override("en"), pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_survey",
            str(csv_path),
            survey="hki",
            places=str(geojson_path),
            stderr=errors,
            stdout=StringIO(),
        )

    assert "Row 19: safety_dark: Choose a number from 1 to 5." in errors.getvalue()
    assert "Row 32: feature " in errors.getvalue()
    assert "The place is outside the municipality." in errors.getvalue()
    assert Response.objects.count() == Place.objects.count() == Observation.objects.count() == 0


def test_a_second_import_of_a_file_is_refused(helsinki, tmp_path):
    today = timezone.localdate()
    survey = from_template(helsinki, "hki", today, today)
    csv_path, geojson_path = write_files(survey, submissions(survey, helsinki, 5), tmp_path)
    call_command("import_survey", str(csv_path), survey="hki", stdout=StringIO())

    with pytest.raises(CommandError):
        call_command(
            "import_survey", str(csv_path), survey="hki", stdout=StringIO(), stderr=StringIO()
        )
    assert Response.objects.count() == 5
