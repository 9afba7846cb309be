# SPDX-License-Identifier: EUPL-1.2
"""`manage.py generate_observations`: synthetic loads inside a municipality, by COPY."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone, translation

from walks.models import Observation, Status, Visibility


def generate(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("generate_observations", *args, stdout=out)
    return out.getvalue()


def test_it_inserts_the_count_inside_the_municipality(municipality):
    output = generate("--count", "5000", "--municipality", "285", "--seed", "7")

    observations = Observation.objects.filter(municipality=municipality)
    assert observations.count() == 5000
    with connection.cursor() as cursor:
        # Points are drawn inside the boundary in EPSG:3067 and moved to WGS84 by PostGIS;
        # a point may land a hair outside the WGS84 boundary, never a metre.
        cursor.execute(
            "SELECT count(*) FILTER (WHERE ST_Covers(m.geom, o.geom)),"
            " count(*) FILTER (WHERE ST_DWithin(m.geom::geography, o.geom::geography, 1))"
            " FROM walks_observation o JOIN geo_municipality m ON m.id = o.municipality_id",
        )
        covered, near = cursor.fetchone()
    assert covered > 4990
    assert near == 5000
    # The trigger gave every point its district (the two fixture districts tile the town).
    assert observations.filter(district__isnull=False).count() == covered
    assert "5 000" in output or "5,000" in output or "5000" in output


def test_it_clusters_the_points(municipality):
    generate("--count", "5000", "--municipality", "285", "--seed", "11")

    with connection.cursor() as cursor:
        # Points per 250 m cell of EPSG:3067, busiest first.
        cursor.execute(
            "SELECT count(*) FROM walks_observation"
            " GROUP BY ST_SnapToGrid(ST_Transform(geom, 3067), 250) ORDER BY count(*) DESC"
        )
        cells = [n for (n,) in cursor.fetchall()]
    busiest_tenth = sum(cells[: max(1, len(cells) // 10)])
    # Spread evenly, the busiest tenth of the cells would hold little more than a tenth.
    assert busiest_tenth > 0.3 * sum(cells)


def test_the_rows_look_like_real_reports(municipality):
    generate("--count", "5000", "--municipality", "285", "--seed", "3")

    observations = Observation.objects.filter(municipality=municipality)
    assert set(observations.values_list("status", flat=True)) == set(Status.values)
    duplicates = observations.filter(status=Status.DUPLICATE)
    assert duplicates.exists() and not duplicates.filter(duplicate_of=None).exists()
    with_unit = observations.filter(
        status__in=[Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED]
    )
    assert not with_unit.exclude(responsible_unit=F("category__default_unit")).exists()
    assert not observations.filter(
        Q(category__is_sensitive=True, visibility=Visibility.PUBLIC)
        | Q(category__is_sensitive=False, visibility=Visibility.INTERNAL)
    ).exists()
    now = timezone.now()
    assert not observations.exclude(
        observed_at__gt=now - timedelta(days=3 * 366), observed_at__lte=now
    ).exists()
    assert not observations.filter(created_at__lt=F("observed_at")).exists()
    assert observations.values("category").distinct().count() > 10


def test_the_same_seed_adds_nothing_and_another_seed_adds_a_load(municipality):
    generate("--count", "3000", "--municipality", "285", "--seed", "5")

    again = generate("--count", "3000", "--municipality", "285", "--seed", "5")
    assert Observation.objects.count() == 3000
    assert "Inserted 0 " in again

    generate("--count", "2000", "--municipality", "285", "--seed", "6")
    assert Observation.objects.count() == 5000

    generate("--count", "1000", "--municipality", "285")  # a fresh seed each time
    generate("--count", "1000", "--municipality", "285")
    assert Observation.objects.count() == 7000


def test_it_works_in_batches(municipality):
    output = generate(
        "--count", "2500", "--municipality", "285", "--seed", "9", "--batch-size", "1000"
    )

    assert Observation.objects.count() == 2500
    assert output.count(" rows, ") == 3  # one progress line per batch
    # Duplicates point back across batches too, and all of them found their original.
    assert not Observation.objects.filter(status=Status.DUPLICATE, duplicate_of=None).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--count", "0", "--municipality", "285"], "--count"),
        (["--count", "-5", "--municipality", "285"], "--count"),
        (["--count", "10", "--municipality", "999"], "999"),
        (["--count", "10", "--municipality", "285", "--batch-size", "0"], "--batch-size"),
    ],
)
def test_bad_arguments_are_refused_and_insert_nothing(municipality, args, message):
    with pytest.raises(CommandError, match=message):
        generate(*args)

    assert not Observation.objects.exists()


def test_it_uses_the_boundary_when_there_are_no_districts(municipality):
    municipality.districts.all().delete()

    generate("--count", "1000", "--municipality", "285", "--seed", "2")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM walks_observation o JOIN geo_municipality m"
            " ON m.id = o.municipality_id"
            " WHERE ST_DWithin(m.geom::geography, o.geom::geography, 1)"
        )
        assert cursor.fetchone()[0] == 1000
    assert not Observation.objects.filter(district__isnull=False).exists()
