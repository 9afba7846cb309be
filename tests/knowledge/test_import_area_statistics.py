# SPDX-License-Identifier: EUPL-1.2
"""`manage.py import_area_statistics` on small tables of the conftest town (West 1, East 2)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from knowledge.models import AreaStatistic


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def import_table(tmp_path, text, *args, name="population.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    out = StringIO()
    call_command("import_area_statistics", str(path), "--municipality", "285", *args, stdout=out)
    return out.getvalue()


def figures():
    return sorted(AreaStatistic.objects.values_list("name", "district__code", "year", "value"))


def test_it_reads_one_column_per_year_keyed_by_name_or_code(municipality, tmp_path):
    table = "alue;2015;2016\nLÄNSI;4 010;4 120,5\nÖster;..;6000\n"

    output = import_table(tmp_path, table, "--name", "population", encoding="latin-1")

    assert "Imported 3 figures of 'population' for 2 districts, years 2015–2016" in output
    assert figures() == [
        ("population", "1", 2015, 4010.0),
        ("population", "1", 2016, 4120.5),
        ("population", "2", 2016, 6000.0),
    ]
    assert set(AreaStatistic.objects.values_list("source", flat=True)) == {"population"}


def test_it_reads_a_year_column_and_replaces_the_same_years(municipality, tmp_path):
    import_table(tmp_path, "code,year,n\n1,2015,10\n1,2016,11\n2,2016,20\n", "--name", "crimes",
                 "--year-field", "year", "--value-field", "n")  # fmt: skip
    import_table(tmp_path, "code,2016\n1,99\n", "--name", "population")

    output = import_table(tmp_path, "code,year,n\n2,2016,21\n", "--name", "crimes",
                          "--year-field", "year", "--value-field", "n")  # fmt: skip

    assert "replacing 2." in output
    assert figures() == [
        ("crimes", "1", 2015, 10.0),
        ("crimes", "2", 2016, 21.0),
        ("population", "1", 2016, 99.0),
    ]


@pytest.mark.parametrize(
    ("table", "args", "message"),
    [
        ("alue;2016\nLänsi;100\nPohjoinen;5\n", [],
         r"population.csv: row 3: Testtown \(285\) has no district with the code or name "
         r"'Pohjoinen'"),
        ("alue;2016\nLänsi;sata\n", [],
         r"row 2: the value in column '2016' is not a number: 'sata'"),
        ("alue;vuosi\nLänsi;2016\n", [], "no column is named by a year"),
        ("alue,vuosi,n\nLänsi,16,3\n", ["--year-field", "vuosi", "--value-field", "n"],
         "row 2: the year '16' is not a year"),
        ("alue,vuosi,n\nLänsi,2016,3\n", ["--year-field", "year", "--value-field", "n"],
         "there is no column 'year'; the columns are: alue, vuosi, n"),
    ],
)  # fmt: skip
def test_a_bad_table_stops_the_import_and_changes_nothing(
    municipality, tmp_path, table, args, message
):
    import_table(tmp_path, "alue;2016\nItä;1\n", "--name", "population", name="first.csv")

    with pytest.raises(CommandError, match=message):
        import_table(tmp_path, table, "--name", "population", *args)

    assert figures() == [("population", "2", 2016, 1.0)]
