# SPDX-License-Identifier: EUPL-1.2
"""No public answer, export or page ever holds a resident's text that waits for moderation,
was rejected or hidden, a reporter's email, or a sensitive category's report."""

import json

import pytest

from analysis.exports.layers import LAYERS
from tests.api.conftest import client_with, feature
from tests.conftest import EAST, WEST
from tests.plans.conftest import make_plan
from walks.models import Observation

WAITING = "Odottava-teksti-7f3a"
REJECTED = "Hylätty-teksti-91bc"
HIDDEN = "Piilotettu-teksti-c44d"
SENSITIVE = "Arkaluonteinen-teksti-5e1f"
PUBLISHED = "Julkaistu-teksti-0a0a"
EMAIL = "salainen.asukas@example.fi"
SECRETS = (WAITING, REJECTED, HIDDEN, SENSITIVE, EMAIL)


def report(description, category="lamp_out", at=WEST) -> Observation:
    client = client_with()
    client.credentials(HTTP_X_LYHTY_DEVICE="device-1")
    body = feature(*at, category=category, description=description, email=EMAIL)
    answer = client.post("/api/v1/reports/", json.dumps(body), content_type="application/json")
    assert answer.status_code == 201, answer.content
    return Observation.objects.get(pk=answer.json()["id"])


def moderate(planner, observation, action, **data):
    answer = planner.post(
        f"/api/v1/observations/{observation.pk}/moderation/",
        json.dumps({"action": action, **data}),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content


@pytest.fixture
def reports(municipality, planner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_plan(municipality)
    report(WAITING)
    moderate(planner, report(REJECTED), "reject", reason="Ei kunnan asia")
    moderate(planner, report(HIDDEN, at=EAST), "hide_text")
    moderate(planner, report(SENSITIVE, category="drugs"), "accept")
    published = report(PUBLISHED)
    moderate(planner, published, "accept")
    return published


PUBLIC_SURFACES = [
    "/api/v1/observations/",
    "/api/v1/observations/?source=resident&moderation=pending,rejected,text_hidden",
    "/api/v1/clusters/?bbox=26.9,60.44,26.98,60.48&zoom=18",
    "/api/v1/reports/nearby/?lon=26.92&lat=60.46&category=lamp_out",
    "/ogc/collections/observations/items?f=json",
    "/ogc/collections/observations/items?f=html",
    "/plan/285/",
    "/public/",
    "/public/?municipality=285",
    # What the public map asks for besides the clusters: district figures, plan actions.
    "/api/v1/municipalities/285/picture/",
    "/api/v1/plans/?municipality=285",
]


@pytest.mark.parametrize("path", PUBLIC_SURFACES)
def test_the_public_never_gets_a_secret(public, reports, path):
    answer = public.get(path)
    assert answer.status_code == 200, answer.content
    content = answer.content.decode()
    for secret in SECRETS:
        assert secret not in content, (path, secret)


def test_the_public_sees_the_accepted_ones_and_none_other(public, reports):
    listed = public.get("/api/v1/observations/").json()
    texts = sorted(f["properties"]["description"] for f in listed["features"])
    assert texts == ["", PUBLISHED]  # the hidden text's point, and the accepted one
    for observation in Observation.objects.exclude(description=PUBLISHED):
        if observation.description in (WAITING, REJECTED, SENSITIVE):
            answer = public.get(f"/api/v1/observations/{observation.pk}/")
            assert answer.status_code == 404
            assert public.get(f"/api/v1/observations/{observation.pk}/history/").status_code == 404


def test_exports_hold_no_unmoderated_rejected_or_hidden_text_nor_an_email(reports):
    # What every export format writes: the layer's columns, as PostGIS computes them (the
    # GDAL side reads the same SELECT; tests/api/test_exports.py covers the files).
    layer = LAYERS["observations"]
    columns = {f"column_{column.name}": column.value for column in layer.columns()}
    rows = layer.rows({}).annotate(**columns).values(*columns)
    content = json.dumps(list(rows), default=str, ensure_ascii=False)
    assert PUBLISHED in content
    for secret in (WAITING, REJECTED, HIDDEN, EMAIL):
        assert secret not in content, secret


def test_staff_answers_never_hold_the_email_or_the_hidden_text(planner, reports):
    for path in ("/api/v1/observations/", *(f"/api/v1/reports/{t}/" for t in tokens())):
        content = planner.get(path).content.decode()
        assert EMAIL not in content and HIDDEN not in content


def tokens():
    from walks.models import ResidentReport

    return list(ResidentReport.objects.values_list("token", flat=True))
