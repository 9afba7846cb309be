# SPDX-License-Identifier: EUPL-1.2
"""The knowledge base's incidents in the district picture: per kind (traffic accidents,
crimes, call-outs), the latest year with data up to the picture's period, each district's
count, the count of the year before, the population of that year and the rate per 1,000
residents (knowledge.rates).

Privacy, as the observations' picture has it: for the public a district (or the part
outside every district) with fewer than analysis.picture.K_ANONYMITY incidents has its
figures null and `suppressed` true, and complementary_suppression hides more areas until
none can be worked out as the whole minus the others; the year before likewise
(`previous_suppressed`), begun from what is hidden in the year itself.
"""

import datetime

from analysis.picture import K_ANONYMITY, OUTSIDE, WHOLE, complementary_suppression, district_info
from knowledge.rates import counts, kind_name, latest_years, populations, rate_per_1000


def hidden(values: dict, areas: list, start=()) -> set:
    small = {key for key in [*areas, WHOLE] if values.get(key, 0) < K_ANONYMITY}
    return complementary_suppression(values, [(areas, WHOLE)], small | set(start))


def area(count, before, population, *, suppressed, previous_suppressed) -> dict:
    if suppressed:
        return {
            "count": None, "previous_count": None, "population": population,
            "rate_per_1000": None, "suppressed": True, "previous_suppressed": True,
        }  # fmt: skip
    return {
        "count": count,
        "previous_count": None if previous_suppressed else before,
        "population": population,
        "rate_per_1000": rate_per_1000(count, population),
        "suppressed": False,
        "previous_suppressed": previous_suppressed,
    }


def kind_picture(municipality, districts, kind, year, *, suppress_small) -> dict:
    found = counts(municipality, kind, year)
    people = populations(municipality, year)
    areas = [district.pk for district in districts] + [OUTSIDE]
    now = {OUTSIDE if key is None else key: pair[0] for key, pair in found.items()}
    before = {OUTSIDE if key is None else key: pair[1] for key, pair in found.items()}
    now[WHOLE], before[WHOLE] = sum(now.values()), sum(before.values())
    for key in [*areas, WHOLE]:
        now.setdefault(key, 0)
        before.setdefault(key, 0)
    hide_now = hidden(now, areas) if suppress_small else set()
    hide_before = hidden(before, areas, hide_now) if suppress_small else set()
    # The whole's population: every district's of the year, or none.
    each = [people.get(district.pk) for district in districts]
    whole_population = sum(each) if each and None not in each else None

    def of(key, population):
        return area(
            now[key], before[key], population,
            suppressed=key in hide_now, previous_suppressed=key in hide_before,
        )  # fmt: skip

    return {
        "kind": kind,
        "name": kind_name(kind),
        "year": year,
        "districts": [
            {"district": district_info(district), **of(district.pk, people.get(district.pk))}
            for district in districts
        ],
        "outside_districts": of(OUTSIDE, None),
        "municipality_total": of(WHOLE, whole_population),
    }


def incident_picture(municipality, period, *, suppress_small: bool = True) -> dict:
    """Every kind of incident the municipality has up to the period's last year."""
    districts = list(municipality.districts.order_by("code", "name", "pk").defer("geom"))
    last_year = (period.end - datetime.timedelta(days=1)).year
    years = latest_years(municipality, last_year)
    return {
        "k_anonymity": K_ANONYMITY,
        "kinds": [
            kind_picture(municipality, districts, kind, year, suppress_small=suppress_small)
            for kind, year in sorted(years.items())
        ],
    }


def district_incidents(picture: dict, district_id: int) -> dict:
    """A district's picture of the incidents: its row of each kind (what is hidden depends
    on the other districts too, so it is cut from the municipality's)."""
    return {
        "k_anonymity": picture["k_anonymity"],
        "kinds": [
            {
                **{key: kind[key] for key in ("kind", "name", "year")},
                "district": next(
                    row for row in kind["districts"] if row["district"]["id"] == district_id
                ),
            }
            for kind in picture["kinds"]
        ],
    }
