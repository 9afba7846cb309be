# SPDX-License-Identifier: EUPL-1.2
"""Every role × endpoint × method × municipality, allowed and denied.

Each row: an endpoint, a method, and what each persona gets. DENIED is 401 or 403 (DRF
answers 403 to an anonymous caller when session authentication comes first); 404 means the
caller may not even know the observation exists.

The members (police, the staff, the planner) are members of the test town only; the rows
named "B …" ask about the data of another municipality (tests.conftest.other_town): there
they are refused, or read what the public reads, and only administrators do more. That
lists leave out B's internal data is test_lists_leave_out_other_municipalities below.
"""

import io
import json
import uuid

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from plans.models import OwnerKind, PlanState, SafetyPlan
from surveys.template import from_template
from tests.api.conftest import POLICE, feature, make_walk
from tests.conftest import ELSEWHERE
from tests.plans.conftest import make_plan
from walks.models import Category, Moderation, Observation, ResidentReport, Source, Visibility
from walks.photos import store_photo

DENIED = "denied"
PERSONAS = [
    "public",
    "participant",
    "other_participant",
    "police",
    "lighting_staff",
    "streets_staff",
    "planner",
    "admin",
]


def everyone(status):
    return dict.fromkeys(PERSONAS, status)


READ_ALL = everyone(200)
INTERNAL_ONLY = {
    "public": 404,
    "participant": 404,
    "other_participant": 404,
    "police": 200,
    "lighting_staff": 200,
    "streets_staff": 200,
    "planner": 200,
    "admin": 200,
}
# Partners and staff read internal observations but write none.
STAFF_WRITES = {"police": DENIED, "lighting_staff": DENIED, "streets_staff": DENIED}
STAFF_ROLES = ["lighting_staff", "streets_staff", "planner", "admin"]
# Staff roles add photos to any observation they see; a participant only to their own.
ADD_PHOTO = {**everyone(201), "public": 403, "other_participant": 403, "police": 403}
EXPORTERS = {**everyone(DENIED), **dict.fromkeys(STAFF_ROLES, 200)}
# The safety plan: drafts and actions are for planners and administrators.
PLANNERS_ONLY_404 = {**everyone(404), "planner": 200, "admin": 200}
PLANNERS_405 = {"planner": 405, "admin": 405}
PLANNERS_201 = {"planner": 201, "admin": 201}
# Another municipality's internal data: only administrators know it exists.
ADMIN_ONLY_404 = {**everyone(404), "admin": 200}
# Another municipality's data changed: the members are refused like the public.
ADMIN_ONLY = {**everyone(DENIED), "admin": 200}
# Reporting an action's progress: its owner partner, the town's planners, administrators.
PROGRESS = {**everyone(DENIED), "police": 200, "planner": 200, "admin": 200}
PLANNERS_200 = {"planner": 200, "admin": 200}

# (name, method, path template, body, expected per persona)
MATRIX = [
    ("municipalities", "get", "/api/v1/municipalities/", None, READ_ALL),
    ("municipality", "get", "/api/v1/municipalities/285/", None, READ_ALL),
    ("municipality write", "post", "/api/v1/municipalities/", {}, everyone(DENIED)),
    ("districts", "get", "/api/v1/districts/", None, READ_ALL),
    ("district", "get", "/api/v1/districts/{district}/", None, READ_ALL),
    ("district write", "patch", "/api/v1/districts/{district}/", {}, everyone(DENIED)),
    ("themes", "get", "/api/v1/themes/", None, READ_ALL),
    ("categories", "get", "/api/v1/categories/", None, READ_ALL),
    ("category write", "post", "/api/v1/categories/", {}, everyone(DENIED)),
    ("walks", "get", "/api/v1/walks/", None, READ_ALL),
    ("walk", "get", "/api/v1/walks/{walk}/", None, READ_ALL),
    ("walk write", "delete", "/api/v1/walks/{walk}/", None, everyone(DENIED)),
    ("join", "post", "/api/v1/walks/join/", "join", everyone(201)),
    (
        "record track",
        "put",
        "/api/v1/walks/{walk}/track/",
        "track",
        {**everyone(403), "public": DENIED, "participant": 200},
    ),
    ("observations", "get", "/api/v1/observations/", None, READ_ALL),
    ("public observation", "get", "/api/v1/observations/{own}/", None, READ_ALL),
    ("internal observation", "get", "/api/v1/observations/{internal}/", None, INTERNAL_ONLY),
    ("history", "get", "/api/v1/observations/{own}/history/", None, READ_ALL),
    ("internal history", "get", "/api/v1/observations/{internal}/history/", None, INTERNAL_ONLY),
    (
        "create",
        "post",
        "/api/v1/observations/",
        "new",
        {**everyone(201), "public": DENIED, **STAFF_WRITES},
    ),
    (
        "edit own",
        "patch",
        "/api/v1/observations/{own}/",
        "edit",
        {**everyone(200), "public": DENIED, "other_participant": 403, **STAFF_WRITES},
    ),
    (
        "edit internal",
        "patch",
        "/api/v1/observations/{internal}/",
        "edit",
        {**INTERNAL_ONLY, "public": DENIED, **STAFF_WRITES},
    ),
    (
        "delete own",
        "delete",
        "/api/v1/observations/{own}/",
        None,
        {
            **everyone(DENIED),
            "participant": 204,
            "other_participant": 403,
            "admin": 204,
        },
    ),
    (
        "move a lamp (street lighting's)",
        "post",
        "/api/v1/observations/{own}/transition/",
        {"status": "confirmed"},
        {
            **everyone(DENIED),
            "lighting_staff": 200,
            "streets_staff": 403,
            "planner": 200,
            "admin": 200,
        },
    ),
    (
        "move a pothole (streets and parks')",
        "post",
        "/api/v1/observations/{pothole}/transition/",
        {"status": "confirmed"},
        {
            **everyone(DENIED),
            "lighting_staff": 403,
            "streets_staff": 200,
            "planner": 200,
            "admin": 200,
        },
    ),
    (
        "move an internal one",
        "post",
        "/api/v1/observations/{internal}/transition/",
        {"status": "confirmed"},
        {
            **everyone(DENIED),
            "lighting_staff": 200,
            "streets_staff": 403,
            "planner": 200,
            "admin": 200,
        },
    ),
    ("photos", "get", "/api/v1/observations/{own}/photos/", None, READ_ALL),
    ("internal photos", "get", "/api/v1/observations/{internal}/photos/", None, INTERNAL_ONLY),
    ("add photo", "post", "/api/v1/observations/{own}/photos/", "photo", ADD_PHOTO),
    (
        "add internal photo",
        "post",
        "/api/v1/observations/{internal}/photos/",
        "photo",
        {**INTERNAL_ONLY, "police": 403, **dict.fromkeys(STAFF_ROLES, 201)},
    ),
    ("photo", "get", "/api/v1/photos/{photo}/", None, READ_ALL),
    ("internal photo", "get", "/api/v1/photos/{internal_photo}/", None, INTERNAL_ONLY),
    ("photo write", "delete", "/api/v1/photos/{photo}/", None, everyone(405)),
    ("photo image", "get", "/api/v1/photos/{photo}/image", None, READ_ALL),
    ("photo thumbnail", "get", "/api/v1/photos/{photo}/thumbnail", None, READ_ALL),
    ("internal image", "get", "/api/v1/photos/{internal_photo}/image", None, INTERNAL_ONLY),
    (
        "internal thumbnail",
        "get",
        "/api/v1/photos/{internal_photo}/thumbnail",
        None,
        INTERNAL_ONLY,
    ),
    ("clusters", "get", "/api/v1/clusters/?bbox=26.9,60.44,26.98,60.48&zoom=12", None, READ_ALL),
    # Residents' reports: anyone sends one (no account; credentials are not even read).
    ("report", "post", "/api/v1/reports/", "new", everyone(201)),
    (
        "reports nearby",
        "get",
        "/api/v1/reports/nearby/?lon=26.92&lat=60.46&category=lamp_out",
        None,
        READ_ALL,
    ),
    ("follow a report", "get", "/api/v1/reports/{token}/", None, READ_ALL),
    ("report photo", "post", "/api/v1/reports/{token}/photos/", "photo", everyone(201)),
    (
        "moderate a lamp report (street lighting's)",
        "post",
        "/api/v1/observations/{pending}/moderation/",
        {"action": "accept"},
        {**everyone(DENIED), "lighting_staff": 200, "streets_staff": 403, **PLANNERS_200},
    ),
    ("plans", "get", "/api/v1/plans/", None, READ_ALL),
    ("published plan", "get", "/api/v1/plans/{plan}/", None, READ_ALL),
    ("draft plan", "get", "/api/v1/plans/{draft}/", None, PLANNERS_ONLY_404),
    ("plan write", "delete", "/api/v1/plans/{plan}/", None, {**everyone(DENIED), **PLANNERS_405}),
    ("create action", "post", "/api/v1/actions/", "action", {**everyone(DENIED), **PLANNERS_201}),
    ("police action progress", "patch", "/api/v1/actions/{police_action}/", "progress", PROGRESS),
    (
        "other action progress",
        "patch",
        "/api/v1/actions/{lighting_action}/",
        "progress",
        {**PROGRESS, "police": 403},
    ),
    ("export", "get", "/api/v1/exports/observations.csv", None, EXPORTERS),
    ("export all", "get", "/api/v1/exports/all.gpkg", None, EXPORTERS),
    ("surveys", "get", "/api/v1/surveys/", None, READ_ALL),
    ("survey", "get", "/api/v1/surveys/{survey}/", None, READ_ALL),
    ("survey write", "delete", "/api/v1/surveys/{survey}/", None, everyone(DENIED)),
    ("survey results", "get", "/api/v1/surveys/{survey}/results/", None, READ_ALL),
    # Anyone answers, with no account: the page sends only its device token.
    ("answer survey", "post", "/api/v1/surveys/{survey}/responses/", "answer", everyone(201)),
    (
        "survey export",
        "get",
        "/api/v1/surveys/{survey}/exports/responses.csv",
        None,
        {**everyone(DENIED), **PLANNERS_200},
    ),
    (
        "export write",
        "post",
        "/api/v1/exports/observations.csv",
        {},
        {**everyone(DENIED), **dict.fromkeys(STAFF_ROLES, 405)},
    ),
    # --- the data of another municipality, B ---
    ("B public observation", "get", "/api/v1/observations/{b_public}/", None, READ_ALL),
    ("B internal observation", "get", "/api/v1/observations/{b_internal}/", None, ADMIN_ONLY_404),
    (
        "B internal history",
        "get",
        "/api/v1/observations/{b_internal}/history/",
        None,
        ADMIN_ONLY_404,
    ),
    ("B internal photos", "get", "/api/v1/observations/{b_internal}/photos/", None, ADMIN_ONLY_404),
    ("B internal photo", "get", "/api/v1/photos/{b_photo}/", None, ADMIN_ONLY_404),
    ("B internal image", "get", "/api/v1/photos/{b_photo}/image", None, ADMIN_ONLY_404),
    ("B internal thumbnail", "get", "/api/v1/photos/{b_photo}/thumbnail", None, ADMIN_ONLY_404),
    (
        "B create",
        "post",
        "/api/v1/observations/",
        "new_in_b",
        {
            **everyone(DENIED),
            "participant": 400,  # their walk is in the test town: the point is outside it
            "other_participant": 400,
            "planner": 403,
            "admin": 201,
        },
    ),
    (
        "B edit",
        "patch",
        "/api/v1/observations/{b_public}/",
        "edit",
        {**ADMIN_ONLY, "participant": 403, "other_participant": 403},
    ),
    (
        "B edit internal",
        "patch",
        "/api/v1/observations/{b_internal}/",
        "edit",
        {**ADMIN_ONLY, "participant": 404, "other_participant": 404, "planner": 404},
    ),
    (
        "B delete",
        "delete",
        "/api/v1/observations/{b_public}/",
        None,
        {**ADMIN_ONLY, "participant": 403, "other_participant": 403, "admin": 204},
    ),
    (
        "B move a lamp",
        "post",
        "/api/v1/observations/{b_public}/transition/",
        {"status": "confirmed"},
        ADMIN_ONLY,
    ),
    (
        "B move an internal one",
        "post",
        "/api/v1/observations/{b_internal}/transition/",
        {"status": "confirmed"},
        {**ADMIN_ONLY, **dict.fromkeys(["lighting_staff", "streets_staff", "planner"], 404)},
    ),
    (
        "B add photo",
        "post",
        "/api/v1/observations/{b_public}/photos/",
        "photo",
        {**everyone(403), "admin": 201},
    ),
    ("B published plan", "get", "/api/v1/plans/{b_plan}/", None, READ_ALL),
    ("B draft plan", "get", "/api/v1/plans/{b_draft}/", None, ADMIN_ONLY_404),
    ("B create action", "post", "/api/v1/actions/", "b_action", {**ADMIN_ONLY, "admin": 201}),
    (
        "B police action progress",
        "patch",
        "/api/v1/actions/{b_police_action}/",
        "progress",
        ADMIN_ONLY,
    ),
    (
        "B draft plan's action progress",
        "patch",
        "/api/v1/actions/{b_draft_action}/",
        "progress",
        {
            **everyone(DENIED),
            "police": 404,
            "lighting_staff": 404,
            "streets_staff": 404,
            "planner": 404,
            "admin": 200,
        },
    ),
]

CASES = [
    pytest.param(persona, method, path, body, expected[persona], id=f"{name}-{persona}")
    for name, method, path, body, expected in MATRIX
    for persona in PERSONAS
]


def jpeg(colour):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")


def police_action(plan, title="Partiointi asemalla"):
    """An action of the plan owned by the police department of tests.api.conftest.POLICE
    (its name in other letter case: the owner is recognised ignoring case)."""
    return plan.actions.create(
        year=plan.period_start.year + 1,
        title_fi=title,
        owner_kind=OwnerKind.POLICE,
        owner_name=POLICE[1].upper(),
        indicator_fi="Partioita viikossa",
        baseline=1,
        target=4,
    )


def elsewhere_observation(town, **fields):
    return Observation.objects.create(
        municipality=town,
        category=Category.objects.get(code="lamp_out"),
        geom=Point(*ELSEWHERE, srid=4326),
        **fields,
    )


def other_world(town) -> dict:
    """Municipality B's data: observations, a photo, a walk, plans, actions; the police
    action is owned by an organisation of the same kind and name as the test town's
    partner (who is no partner of B)."""
    internal = elsewhere_observation(town, visibility=Visibility.INTERNAL)
    plan = make_plan(town, title="Muualan suunnitelma")
    draft = make_plan(town, state=PlanState.DRAFT, title="Muualan luonnos")
    return {
        "b_public": elsewhere_observation(town).pk,
        "b_internal": internal.pk,
        "b_photo": store_photo(internal, jpeg((30, 200, 200)))[0].pk,
        "b_walk": make_walk(town, title="Muualan kävely").pk,
        "b_plan": plan.pk,
        "b_draft": draft.pk,
        "b_police_action": police_action(plan).pk,
        "b_draft_action": police_action(draft).pk,
    }


@pytest.fixture
def world(personas, walk, municipality, other_town, make_observation, settings, tmp_path):
    today = timezone.localdate()
    settings.MEDIA_ROOT = tmp_path / "media"
    own = make_observation(walk=walk, participant=personas["participant"].participant)
    internal = make_observation(visibility=Visibility.INTERNAL)
    pending = make_observation(
        source=Source.RESIDENT, moderation=Moderation.PENDING, visibility=Visibility.INTERNAL
    )
    plan = make_plan(municipality)
    return {
        **other_world(other_town),
        "police_action": police_action(plan).pk,
        "lighting_action": plan.actions.filter(owner_name="Katuvalaistus").first().pk,
        "walk": walk.pk,
        "district": municipality.districts.first().pk,
        "own": own.pk,
        "internal": internal.pk,
        "pothole": make_observation(category="pothole").pk,
        "photo": store_photo(own, jpeg((200, 30, 30)))[0].pk,
        "internal_photo": store_photo(internal, jpeg((30, 30, 200)))[0].pk,
        "plan": plan.pk,
        "draft": make_plan(municipality, state="draft", title="Luonnos").pk,
        "survey": from_template(municipality, "kysely", today, today).slug,
        "pending": pending.pk,
        "token": ResidentReport.objects.create(observation=pending).token,
    }


def request_body(body, walk) -> dict:
    if body is None:
        return {}
    if body == "photo":
        return {"data": {"photo": jpeg((30, 200, 30))}, "format": "multipart"}
    return {"data": json.dumps(body_for(body, walk)), "content_type": "application/json"}


def body_for(body, walk):
    if body == "join":
        return {"code": walk.join_code, "group": "residents", "privacy_accepted": True}
    if body == "new":
        return feature()
    if body == "new_in_b":
        return feature(*ELSEWHERE)
    if body == "progress":
        return {"status": "in_progress", "current_value": 3}
    if body == "b_action":
        plan = SafetyPlan.objects.get(title_fi="Muualan suunnitelma")
        return {
            "plan": plan.pk,
            "title": "Muualle valoa",
            "district": plan.priorities.first().district_id,
        }
    if body == "track":
        return {"type": "LineString", "coordinates": [[26.91, 60.45], [26.92, 60.46]]}
    if body == "action":
        plan = walk.municipality.safety_plans.get(state="published")
        return {
            "plan": plan.pk,
            "title": "Lisää valoa",
            "district": plan.priorities.first().district_id,
        }
    if body == "answer":
        return {"device": str(uuid.uuid4()), "answers": {"safety_day": 3, "safety_dark": 2}}
    if body == "edit":
        return {"type": "Feature", "properties": {"description": "Muutettu"}}
    return body


@pytest.mark.parametrize(("persona", "method", "path", "body", "expected"), CASES)
def test_it_allows_each_role_only_its_own(
    personas, world, walk, persona, method, path, body, expected
):
    client = personas[persona]
    url = path.format(**world)
    count_before = Observation.objects.count()
    response = getattr(client, method)(url, **request_body(body, walk))
    if expected == DENIED:
        assert response.status_code in (401, 403), (response.status_code, response.content)
    else:
        assert response.status_code == expected, response.content
    if response.status_code >= 400 or method == "get":
        assert Observation.objects.count() == count_before
