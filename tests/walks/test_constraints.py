# SPDX-License-Identifier: EUPL-1.2
"""The database itself refuses bad values: raw SQL gets no further than a form would."""

import datetime
import importlib

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from walks.models import Category, Observation

clamp = importlib.import_module("walks.migrations.0008_observed_in_range")

OBSERVATION_COLUMNS = {
    "uuid": "gen_random_uuid()",
    "geom": "ST_SetSRID(ST_MakePoint(26.92, 60.46), 4326)",
    "position_source": "'gps'",
    "is_positive": "false",
    "light_condition": "''",
    "description": "''",
    "proposed_fix": "''",
    "status": "'new'",
    "visibility": "'public'",
    "severity": "NULL",
    "perceived_safety": "NULL",
    "accuracy_m": "NULL",
    "observed_at": "now()",
    "created_at": "now()",
    "updated_at": "now()",
}


def insert_observation(municipality, **overrides):
    columns = {**OBSERVATION_COLUMNS, **overrides}
    names = ", ".join(["municipality_id", "category_id", *columns])
    values = ", ".join(["%s", "%s", *columns.values()])
    execute(
        f"INSERT INTO walks_observation ({names}) VALUES ({values})",
        [municipality.pk, Category.objects.first().pk],
    )


def count_observations():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM walks_observation")
        return cursor.fetchone()[0]


def test_it_accepts_a_good_row(municipality):
    insert_observation(municipality, severity="3", perceived_safety="2", accuracy_m="8.5")
    assert count_observations() == 1


@pytest.mark.parametrize(
    ("column", "value", "constraint"),
    [
        ("geom", "ST_SetSRID(ST_MakePoint(200, 60.4), 4326)", "observation_lonlat_in_range"),
        ("geom", "ST_SetSRID(ST_MakePoint(26.9, -91), 4326)", "observation_lonlat_in_range"),
        ("geom", "ST_SetSRID(ST_MakePoint('NaN', 60.4), 4326)", "observation_geom_valid"),
        ("severity", "6", "observation_severity_1_5"),
        ("severity", "0", "observation_severity_1_5"),
        ("perceived_safety", "9", "observation_perceived_safety_1_5"),
        ("accuracy_m", "-1", "observation_accuracy_not_negative"),
        ("status", "'fixed-ish'", "observation_status_known"),
        ("light_condition", "'twilight'", "observation_light_known"),
        ("visibility", "'secret'", "observation_visibility_known"),
        ("position_source", "'guess'", "observation_position_source_known"),
        # Year 10000 in UTC: beyond Python's datetime, it broke every page that showed it.
        ("observed_at", "'9999-12-31T23:59:59-12:00'", "observation_observed_in_range"),
        ("observed_at", "now() + interval '25 hours'", "observation_observed_in_range"),
        ("observed_at", "'1999-12-31T23:59:59Z'", "observation_observed_in_range"),
    ],
)
def test_it_rejects_a_bad_observation(municipality, column, value, constraint):
    with pytest.raises(IntegrityError, match=constraint):
        insert_observation(municipality, **{column: value})
    assert count_observations() == 0


@pytest.mark.parametrize("observed_at", ["'2000-01-01T00:00:00Z'", "now() + interval '23 hours'"])
def test_it_accepts_the_extreme_observation_times(municipality, observed_at):
    insert_observation(municipality, observed_at=observed_at)
    assert count_observations() == 1


def test_a_form_says_why_it_refuses_a_time_out_of_range(municipality):
    """The admin validates the model's constraints: the message, not a database error."""
    from django.contrib.gis.geos import Point
    from django.core.exceptions import ValidationError

    observation = Observation(
        municipality=municipality,
        category=Category.objects.first(),
        geom=Point(26.92, 60.46, srid=4326),
        observed_at=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC),
    )
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="from 2000 onwards and at most a day from now"),
    ):
        observation.validate_constraints()


def test_the_migration_clamps_times_out_of_range_to_the_receiving_time(municipality):
    """Rows as an older database may hold them: the constraint is lifted (inside the test's
    transaction) to make them, then the clamp runs and the constraint goes back on."""
    constraint = next(
        c for c in Observation._meta.constraints if c.name == "observation_observed_in_range"
    )
    with connection.schema_editor() as editor:
        editor.remove_constraint(Observation, constraint)
    received = "'2026-11-20T16:30:00Z'"
    broken = ["'9999-12-31T23:59:59-12:00'", "'0001-01-01T00:00:00Z'"]
    for observed_at in [*broken, "'2026-11-20T12:00Z'"]:
        insert_observation(municipality, observed_at=observed_at, created_at=received)

    with connection.schema_editor() as editor:
        clamp.clamp_out_of_range(None, editor)
        editor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the inserts' foreign-key checks
        editor.add_constraint(Observation, constraint)  # would fail on any row left out

    times = sorted(Observation.objects.values_list("observed_at", flat=True))
    received_at = datetime.datetime(2026, 11, 20, 16, 30, tzinfo=datetime.UTC)
    good = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)
    assert times == [good, received_at, received_at]  # the broken two get created_at


def test_it_rejects_a_point_in_another_srid(municipality):
    with pytest.raises(Exception, match="SRID"):
        insert_observation(municipality, geom="ST_SetSRID(ST_MakePoint(385000, 6672000), 3067)")
    assert count_observations() == 0


def test_it_rejects_a_repeated_client_uuid(municipality):
    insert_observation(municipality, uuid="'5a0e7c4e-1d9b-4c43-9a51-0c7c2f3d9e11'")
    with pytest.raises(IntegrityError, match="uuid"):
        insert_observation(municipality, uuid="'5a0e7c4e-1d9b-4c43-9a51-0c7c2f3d9e11'")
    assert count_observations() == 1


def execute(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


BOWTIE = "MULTIPOLYGON(((26.9 60.44, 26.98 60.48, 26.98 60.44, 26.9 60.48, 26.9 60.44)))"


def test_it_rejects_a_self_intersecting_district(municipality):
    with pytest.raises(IntegrityError, match="district_geom_valid"):
        execute(
            "INSERT INTO geo_district (municipality_id, code, name, name_sv, geom)"
            " VALUES (%s, '9', 'Rusetti', '', ST_GeomFromText(%s, 4326))",
            [municipality.pk, BOWTIE],
        )
    assert municipality.districts.count() == 2


def test_it_rejects_a_second_district_with_the_same_code(municipality):
    with pytest.raises(IntegrityError, match="district_code_unique"):
        execute(
            "INSERT INTO geo_district (municipality_id, code, name, name_sv, geom)"
            " SELECT municipality_id, code, 'Toinen', '', geom FROM geo_district WHERE code = '1'"
        )


WALK_INSERT = (
    'INSERT INTO walks_safetywalk (municipality_id, title, starts_at, ends_at, "group",'
    " join_code, state, follow_up_notes, created_at)"
    " VALUES (%s, 'Iltakävely', now(), now() + %s::interval, 'youth', 'ABCD2345', %s, '', now())"
)


def test_it_accepts_a_good_walk(municipality):
    execute(WALK_INSERT, [municipality.pk, "2 hours", "planned"])


def test_it_rejects_a_walk_that_ends_before_it_starts(municipality):
    with pytest.raises(IntegrityError, match="walk_ends_after_start"):
        execute(WALK_INSERT, [municipality.pk, "-1 hour", "planned"])


def test_it_rejects_an_unknown_walk_state(municipality):
    with pytest.raises(IntegrityError, match="walk_state_known"):
        execute(WALK_INSERT, [municipality.pk, "2 hours", "wandering"])


def test_it_rejects_a_municipality_with_an_unknown_crs(db):
    with pytest.raises(IntegrityError, match="municipality_srid_national"):
        execute(
            "INSERT INTO geo_municipality (code, country, name_fi, name_sv, name_en,"
            " national_srid, geom) VALUES ('998', 'FI', 'Virhe', '', '', 3857,"
            " ST_Multi(ST_MakeEnvelope(26, 60, 27, 61, 4326)))"
        )


def first_observation_id():
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM walks_observation")
        return cursor.fetchone()[0]


def test_it_accepts_a_duplicate_that_names_its_original(municipality):
    insert_observation(municipality)
    original = first_observation_id()
    insert_observation(municipality, status="'duplicate'", duplicate_of_id=str(original))
    assert count_observations() == 2


def test_it_rejects_a_duplicate_without_its_original(municipality):
    with pytest.raises(IntegrityError, match="observation_duplicate_names_original"):
        insert_observation(municipality, status="'duplicate'")
    assert count_observations() == 0


@pytest.mark.parametrize("status", ["new", "confirmed", "resolved", "rejected"])
def test_it_rejects_an_original_named_by_an_observation_that_is_no_duplicate(municipality, status):
    insert_observation(municipality)
    original = first_observation_id()
    with pytest.raises(IntegrityError, match="observation_duplicate_names_original"):
        insert_observation(municipality, status=f"'{status}'", duplicate_of_id=str(original))
    assert count_observations() == 1


def test_it_rejects_a_duplicate_of_itself(municipality):
    insert_observation(municipality)
    original = first_observation_id()
    with pytest.raises(IntegrityError, match="observation_not_duplicate_of_itself"):
        execute(
            "UPDATE walks_observation SET status = 'duplicate', duplicate_of_id = id WHERE id = %s",
            [original],
        )
    with pytest.raises(IntegrityError, match="observation_duplicate_names_original"):
        execute("UPDATE walks_observation SET status = 'duplicate' WHERE id = %s", [original])
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, duplicate_of_id FROM walks_observation")
        assert cursor.fetchall() == [("new", None)]
