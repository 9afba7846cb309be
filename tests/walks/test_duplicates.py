# SPDX-License-Identifier: EUPL-1.2
"""A duplicate always names its original: the workflow, deletion, the bulk path and the
repair in migration walks 0006 all keep `observation_duplicate_names_original` true."""

import importlib
import uuid
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models import RestrictedError
from django.utils import translation

from geo.crs import ETRS_TM35FIN
from tests.conftest import EAST
from walks.bulk import ObservationRow, insert_observations
from walks.models import Category, InvalidTransition, Observation, Status, StatusChange

repair = importlib.import_module("walks.migrations.0006_duplicate_needs_original")


@pytest.fixture
def pair(make_observation):
    return make_observation(), make_observation(at=EAST)


@translation.override("en")
def test_it_moves_to_duplicate_only_with_the_original(pair):
    original, repeat = pair
    with pytest.raises(InvalidTransition, match="needs the original"):
        repeat.change_status(Status.DUPLICATE)
    with pytest.raises(InvalidTransition, match="cannot duplicate itself"):
        repeat.change_status(Status.DUPLICATE, duplicate_of=repeat)
    with pytest.raises(InvalidTransition, match="Only a duplicate"):
        repeat.change_status(Status.CONFIRMED, duplicate_of=original)
    repeat.refresh_from_db()
    assert (repeat.status, repeat.duplicate_of) == (Status.NEW, None)
    assert not StatusChange.objects.exists()

    repeat.change_status(Status.DUPLICATE, duplicate_of=original, note="Sama lamppu")
    repeat.refresh_from_db()
    assert (repeat.status, repeat.duplicate_of) == (Status.DUPLICATE, original)

    repeat.change_status(Status.NEW)
    repeat.refresh_from_db()
    assert (repeat.status, repeat.duplicate_of) == (Status.NEW, None)
    assert list(repeat.history.values_list("from_status", "to_status")) == [
        ("new", "duplicate"),
        ("duplicate", "new"),
    ]


def test_it_refuses_to_delete_an_original_alone(pair):
    original, repeat = pair
    repeat.change_status(Status.DUPLICATE, duplicate_of=original)
    with pytest.raises(RestrictedError):
        original.delete()
    assert Observation.objects.count() == 2

    # Both in one deletion is fine: nothing is left pointing at nothing.
    Observation.objects.filter(pk__in=[original.pk, repeat.pk]).delete()
    assert not Observation.objects.exists()


def test_reopening_the_duplicates_lets_the_original_go(pair):
    original, repeat = pair
    repeat.change_status(Status.DUPLICATE, duplicate_of=original)

    assert original.reopen_duplicates(note="The original #1 was deleted.") == 1
    original.delete()

    repeat.refresh_from_db()
    assert (repeat.status, repeat.duplicate_of) == (Status.NEW, None)
    assert repeat.history.last().note == "The original #1 was deleted."


def row(status="new", duplicate_of=None, **fields):
    moment = datetime(2026, 11, 20, 16, tzinfo=UTC)
    return ObservationRow(
        uuid=fields.pop("uuid", None) or uuid.uuid4(),
        x=385000.0,
        y=6672000.0,
        category_id=Category.objects.get(code="lamp_out").pk,
        status=status,
        visibility="public",
        is_positive=False,
        light_condition="dark",
        position_source="gps",
        observed_at=moment,
        created_at=moment,
        updated_at=moment,
        duplicate_of=duplicate_of,
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"status": "duplicate"},
        {"status": "confirmed", "duplicate_of": "first"},
    ],
    ids=["duplicate without original", "original on a confirmed one"],
)
def test_the_bulk_path_refuses_a_broken_duplicate_and_stores_nothing(municipality, bad):
    first = row()
    if bad.get("duplicate_of") == "first":
        bad = {**bad, "duplicate_of": first.uuid}
    with pytest.raises(ValueError, match="a duplicate names its original"):
        insert_observations([first, row(**bad)], municipality_id=municipality.pk, srid=ETRS_TM35FIN)
    assert not Observation.objects.exists()


def test_the_bulk_path_links_a_duplicate_loaded_alongside_its_original(municipality):
    first = row()
    result = insert_observations(
        [row("duplicate", first.uuid), first],
        municipality_id=municipality.pk,
        srid=ETRS_TM35FIN,
        keep_ids=True,
    )
    assert result.inserted == 2
    repeat = Observation.objects.get(status=Status.DUPLICATE)
    assert repeat.duplicate_of_id == result.ids[first.uuid]


def test_the_migration_repairs_rows_that_break_the_rule(make_observation):
    """Rows as an older database may hold them: the constraint is lifted (inside the test's
    transaction) to make them, then the repair runs and the constraint goes back on."""
    constraint = next(
        c for c in Observation._meta.constraints if c.name == "observation_duplicate_names_original"
    )
    with connection.schema_editor() as editor:
        editor.remove_constraint(Observation, constraint)
    original = make_observation()
    orphan = make_observation(status=Status.DUPLICATE)
    stale = make_observation(status=Status.RESOLVED, duplicate_of=original)
    kept = make_observation(status=Status.DUPLICATE, duplicate_of=original)
    fine = make_observation(status=Status.CONFIRMED)

    with connection.cursor() as cursor:
        cursor.execute(repair.REPAIR)
    with connection.schema_editor() as editor:
        editor.add_constraint(Observation, constraint)  # would fail on any row left broken

    rows = dict(Observation.objects.values_list("pk", "status"))
    links = dict(Observation.objects.values_list("pk", "duplicate_of"))
    assert rows == {
        original.pk: "new",
        orphan.pk: "new",  # back to triage: nobody checked it, its original is gone
        stale.pk: "resolved",  # the status stands, the stale link goes
        kept.pk: "duplicate",
        fine.pk: "confirmed",
    }
    assert links == {
        original.pk: None,
        orphan.pk: None,
        stale.pk: None,
        kept.pk: original.pk,
        fine.pk: None,
    }
    (change,) = StatusChange.objects.all()
    assert (change.observation_id, change.from_status, change.to_status) == (
        orphan.pk,
        "duplicate",
        "new",
    )
    assert change.note == repair.REOPEN_NOTE
