# SPDX-License-Identifier: EUPL-1.2
"""`manage.py load_demo`: Lyhtylä is complete, the same on every run, and never doubled.

The demo is loaded once for the module, inside a transaction that is rolled back at the
end; each test runs in a savepoint of its own on top of it.
"""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.test import override_settings
from django.utils import translation

from demo.build import DEMO_CODE, DEMO_PASSWORD, PASSWORD_VARIABLE
from geo.models import District, Municipality
from surveys.models import Question, Survey
from walks.models import (
    ALLOWED_TRANSITIONS,
    LightCondition,
    Observation,
    ParticipantGroup,
    ResponsibleUnit,
    SafetyWalk,
    Status,
    StatusChange,
    Visibility,
    WalkState,
)
from walks.roles import Role, role_of

DEMO_USERNAMES = ["demo-admin", "demo-lighting", "demo-planner", "demo-streets"]


def load_demo() -> str:
    """As `make run` does it: with DEBUG on (pytest-django turns it off)."""
    out = StringIO()
    with translation.override("en"), override_settings(DEBUG=True):
        call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, db):
    return Municipality.objects.get(code=DEMO_CODE)


def counts() -> dict[str, int]:
    return {
        "municipalities": Municipality.objects.count(),
        "districts": District.objects.count(),
        "walks": SafetyWalk.objects.count(),
        "observations": Observation.objects.count(),
        "users": get_user_model().objects.count(),
        "status changes": StatusChange.objects.count(),
        "surveys": Survey.objects.count(),
        "survey questions": Question.objects.count(),
    }


def snapshot() -> list[tuple]:
    """Every observation's UUID, place and main attributes, as PostGIS stores them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT uuid, ST_AsEWKT(geom), status, observed_at, category_id, district_id"
            " FROM walks_observation ORDER BY uuid"
        )
        return cursor.fetchall()


def test_it_is_the_same_on_every_run_and_never_doubles(demo):
    before, first = counts(), snapshot()

    again = load_demo()

    assert counts() == before
    assert snapshot() == first
    assert "Nothing was created" in again

    # Determinism proper: the observations made afresh are the very same ones.
    Observation.objects.all().delete()
    load_demo()
    assert counts() == before
    assert snapshot() == first


def test_it_builds_the_municipality_and_its_districts(demo):
    assert (demo.name_fi, demo.name_sv, demo.country, demo.national_srid) == (
        "Lyhtylä",
        "Lyktby",
        "FI",
        3067,
    )
    districts = demo.districts.all()
    assert len(districts) == 8
    assert all(d.name and d.name_sv and d.population for d in districts)
    with connection.cursor() as cursor:
        # The districts tile the boundary: no gap, no overlap (areas in m², EPSG:3067).
        cursor.execute(
            "SELECT ST_Area(ST_Transform(m.geom, 3067)),"
            " ST_Area(ST_Transform(ST_SymDifference(m.geom, ST_Union(d.geom)), 3067)),"
            " sum(ST_Area(ST_Transform(d.geom, 3067)))"
            " FROM geo_municipality m JOIN geo_district d ON d.municipality_id = m.id"
            " WHERE m.id = %s GROUP BY m.geom",
            [demo.pk],
        )
        area, gap, district_sum = cursor.fetchone()
    assert 60e6 < area < 140e6  # about 10 km across
    assert gap < 1.0
    assert district_sum == pytest.approx(area, rel=1e-6)


def test_it_has_three_walks_with_routes(demo):
    walks = SafetyWalk.objects.filter(municipality=demo).annotate(n=Count("observations"))
    assert {w.group for w in walks} == {
        ParticipantGroup.YOUTH,
        ParticipantGroup.OFFICIALS,
        ParticipantGroup.RESIDENTS,
    }
    assert {w.state for w in walks} == {WalkState.CLOSED, WalkState.FOLLOW_UP, WalkState.WALKING}
    for walk in walks:
        assert walk.route is not None and walk.track is not None
        assert walk.n >= 200
        assert walk.districts.filter(name="Keskusta").exists(), (
            "every route runs through the centre"
        )
        assert not walk.observations.exclude(
            observed_at__gte=walk.starts_at, observed_at__lte=walk.ends_at
        ).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Length(route::geography) FROM walks_safetywalk WHERE municipality_id = %s",
            [demo.pk],
        )
        lengths = [length for (length,) in cursor.fetchall()]
    assert all(2000 < length < 8000 for length in lengths), lengths


def test_it_prints_the_join_codes_and_warns_about_the_password(demo, demo_output):
    for walk in SafetyWalk.objects.filter(municipality=demo):
        assert walk.join_code in demo_output
    assert DEMO_PASSWORD in demo_output
    assert PASSWORD_VARIABLE in demo_output


def test_it_has_about_3000_observations_in_every_status(demo):
    observations = Observation.objects.filter(municipality=demo)
    assert 2800 <= observations.count() <= 3200
    assert set(observations.values_list("status", flat=True)) == set(Status.values)
    assert observations.filter(walk=None).count() > observations.count() / 2
    assert observations.filter(is_positive=True).count() > 50


def test_lighting_problems_are_mostly_seen_after_dark(demo):
    lighting = Observation.objects.filter(municipality=demo, category__theme__code="lighting")
    after_dark = lighting.filter(light_condition__in=[LightCondition.DARK, LightCondition.DUSK])
    assert lighting.count() > 100
    assert after_dark.count() / lighting.count() > 0.6


def test_it_clusters_in_the_centre_and_reaches_every_district(demo):
    per_district = dict(demo.districts.annotate(n=Count("observations")).values_list("name", "n"))
    assert all(n > 0 for n in per_district.values()), per_district
    assert max(per_district, key=per_district.get) == "Keskusta"
    inside = Observation.objects.filter(municipality=demo, district__isnull=False).count()
    assert inside / Observation.objects.filter(municipality=demo).count() > 0.95


def test_each_district_is_the_one_postgis_says_covers_the_point(demo):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM walks_observation o WHERE o.municipality_id = %s"
            " AND o.district_id IS DISTINCT FROM ("
            "   SELECT d.id FROM geo_district d WHERE d.municipality_id = o.municipality_id"
            "   AND ST_Covers(d.geom, o.geom) ORDER BY d.id LIMIT 1)",
            [demo.pk],
        )
        assert cursor.fetchone()[0] == 0


def test_the_workflow_fields_agree_with_the_status(demo):
    observations = Observation.objects.filter(municipality=demo)
    duplicates = observations.filter(status=Status.DUPLICATE)
    assert duplicates.exists()
    assert not duplicates.filter(duplicate_of=None).exists()
    assert not duplicates.filter(duplicate_of__status=Status.DUPLICATE).exists()
    assert not observations.exclude(status=Status.DUPLICATE).exclude(duplicate_of=None).exists()

    with_unit = observations.filter(
        status__in=[Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED]
    )
    assert with_unit.exists()
    assert not with_unit.exclude(responsible_unit=F("category__default_unit")).exists()
    assert not observations.filter(
        Q(category__is_sensitive=True, visibility=Visibility.PUBLIC)
        | Q(category__is_sensitive=False, visibility=Visibility.INTERNAL)
    ).exists()
    assert not observations.filter(is_positive=True, status=Status.RESOLVED).exists()


def test_every_history_is_a_chain_of_allowed_transitions(demo):
    history: dict[int, list[StatusChange]] = {}
    for change in StatusChange.objects.filter(observation__municipality=demo).order_by(
        "changed_at", "id"
    ):
        history.setdefault(change.observation_id, []).append(change)
    observations = Observation.objects.filter(municipality=demo)
    assert len(history) > 1000

    for observation in observations:
        chain = history.get(observation.pk, [])
        if not chain:
            assert observation.status == Status.NEW, observation.uuid
            continue
        assert chain[0].from_status == Status.NEW
        assert chain[0].changed_at > observation.created_at
        for before, after in zip(chain, chain[1:], strict=False):
            assert after.from_status == before.to_status
            assert after.from_unit_id == before.to_unit_id
        for change in chain:
            assert change.to_status in ALLOWED_TRANSITIONS[change.from_status], change
        assert chain[-1].to_status == observation.status
        assert chain[-1].changed_at == observation.updated_at


@pytest.mark.parametrize(
    ("username", "role", "unit"),
    [
        ("demo-admin", Role.ADMIN, None),
        ("demo-planner", Role.PLANNER, None),
        ("demo-lighting", Role.STAFF, "street_lighting"),
        ("demo-streets", Role.STAFF, "streets_parks"),
    ],
)
def test_it_makes_a_user_for_each_role(demo, username, role, unit):
    user = get_user_model().objects.get(username=username)

    assert role_of(user) == role
    assert user.is_staff
    assert user.check_password(DEMO_PASSWORD)
    if unit:
        assert list(user.units.values_list("code", flat=True)) == [unit]
    assert user.profile.municipality.code == DEMO_CODE  # the map workspace opens on it


def test_it_leaves_a_changed_default_municipality_alone(demo, municipality):
    profile = get_user_model().objects.get(username="demo-lighting").profile
    profile.municipality = municipality
    profile.save()

    load_demo()

    profile.refresh_from_db()
    assert profile.municipality == municipality


def test_it_leaves_a_changed_password_alone(demo):
    planner = get_user_model().objects.get(username="demo-planner")
    planner.set_password("my own secret")
    planner.save()

    load_demo()

    planner.refresh_from_db()
    assert planner.check_password("my own secret")


def test_it_takes_the_password_from_the_environment(demo, monkeypatch):
    get_user_model().objects.filter(username__in=DEMO_USERNAMES).delete()
    monkeypatch.setenv(PASSWORD_VARIABLE, "from the environment")

    output = load_demo()

    for user in get_user_model().objects.filter(username__in=DEMO_USERNAMES):
        assert user.check_password("from the environment")
    assert "from the environment" not in output
    assert (
        ResponsibleUnit.objects.get(code="street_lighting")
        .members.filter(username="demo-lighting")
        .exists()
    )


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "DEBUG is off, so the demo users will not be created with the published password"),
        ("fi", PASSWORD_VARIABLE),
        ("sv", PASSWORD_VARIABLE),
    ],
)
def test_it_refuses_the_published_password_with_debug_off(
    db, settings, monkeypatch, language, message
):
    # Without its users (whether or not this module's demo is loaded yet), a run that went
    # ahead would make them again, and everything else that is missing.
    get_user_model().objects.filter(username__in=DEMO_USERNAMES).delete()
    settings.DEBUG = False
    monkeypatch.delenv(PASSWORD_VARIABLE, raising=False)
    before = counts()

    with translation.override(language), pytest.raises(CommandError) as refused:
        call_command("load_demo", stdout=StringIO())

    assert message in str(refused.value)
    assert PASSWORD_VARIABLE in str(refused.value)
    assert counts() == before
    assert not get_user_model().objects.filter(username__in=DEMO_USERNAMES).exists()


def test_it_loads_with_debug_off_when_the_password_is_set(demo, settings, monkeypatch):
    get_user_model().objects.filter(username__in=DEMO_USERNAMES).delete()
    settings.DEBUG = False
    monkeypatch.setenv(PASSWORD_VARIABLE, "a secret of our own")
    out = StringIO()

    with translation.override("en"):
        call_command("load_demo", stdout=out)

    assert "a secret of our own" not in out.getvalue()
    planner = get_user_model().objects.get(username="demo-planner")
    assert planner.check_password("a secret of our own")
    assert not planner.check_password(DEMO_PASSWORD)


def test_it_comes_with_a_published_plan_with_actions_in_every_state(demo):
    from plans.models import ActionStatus, CitizenPromise, PlanState, SafetyPlan

    plans = SafetyPlan.objects.filter(municipality=demo)
    assert [p.state for p in plans] == [PlanState.PUBLISHED]
    plan = plans.get()
    assert plan.priorities.exists()
    statuses = set(plan.actions.values_list("status", flat=True))
    assert statuses == set(ActionStatus.values)
    assert plan.actions.filter(observations__isnull=False).exists()
    assert CitizenPromise.objects.filter(plan=plan).exists()

    load_demo()
    assert SafetyPlan.objects.filter(municipality=demo).count() == 1


def test_it_comes_with_the_everyday_safety_survey_and_its_template(demo):
    from demo.survey import DEMO_SURVEY_SLUG, DEMO_TEMPLATE_SLUG

    template = Survey.objects.get(slug=DEMO_TEMPLATE_SLUG)
    survey = Survey.objects.get(slug=DEMO_SURVEY_SLUG)

    assert template.is_template and not survey.is_template
    assert template.municipality == survey.municipality == demo
    assert list(Survey.objects.answerable().in_municipality(demo)) == [survey]
    codes = list(template.questions.values_list("code", "kind"))
    assert codes == list(survey.questions.values_list("code", "kind"))
    assert ("safety_dark", "safety_dark") in codes and ("unsafe_places", "map_point") in codes
