# SPDX-License-Identifier: EUPL-1.2
"""OGC API – Features Part 1, conformance classes Core and GeoJSON: every resource, paging,
bbox, datetime, property filters, and 400s that name the parameter.

Each answer is validated against the OGC's own schemas (../shared/data/ogcapi-features).
"""

import pytest

from tests.conftest import EAST, WEST
from tests.ogc.conftest import assert_valid, ids
from walks.models import Status, Visibility

pytestmark = pytest.mark.django_db

EPSG_3067 = "http://www.opengis.net/def/crs/EPSG/0/3067"
CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"


def rels(document) -> dict[str, list[dict]]:
    found = {}
    for link in document["links"]:
        found.setdefault(link["rel"], []).append(link)
    return found


def test_it_answers_the_landing_page_with_the_links_core_requires(public):
    response = public.get("/ogc/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = response.json()
    assert_valid("landingPage", document)
    links = rels(document)
    assert links["service-desc"][0]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert links["service-doc"][0]["type"] == "text/html"
    assert links["conformance"][0]["href"] == "http://testserver/ogc/conformance"
    assert links["data"][0]["href"] == "http://testserver/ogc/collections"
    assert {"self", "alternate"} <= set(links)


def test_it_claims_exactly_the_conformance_classes_it_implements(public):
    document = public.get("/ogc/conformance").json()
    assert_valid("confClasses", document)
    assert sorted(document["conformsTo"]) == sorted(
        [
            CORE,
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
            "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        ]
    )


def test_it_lists_the_collections_with_extent_and_item_links(public, seen):
    document = public.get("/ogc/collections").json()
    assert_valid("collections", document)
    by_id = {c["id"]: c for c in document["collections"]}
    assert list(by_id) == ["observations", "walks", "districts", "municipalities"]
    observations = by_id["observations"]
    # The public's observations: the one at WEST only.
    assert observations["extent"]["spatial"]["bbox"] == [[*WEST, *WEST]]
    items = [link for link in observations["links"] if link["rel"] == "items"]
    assert {link["type"] for link in items} == {"application/geo+json", "text/html"}
    assert observations["itemType"] == "feature"
    # SELECT min(observed_at) FROM the public's observations: the one they may read.
    interval = observations["extent"]["temporal"]["interval"][0]
    assert interval[0] == interval[1]


def test_it_describes_one_collection_and_404s_an_unknown_one(public, municipality):
    response = public.get("/ogc/collections/districts")
    assert response.status_code == 200
    assert_valid("collection", response.json())
    assert response.json()["extent"]["spatial"]["bbox"] == [[26.90, 60.44, 26.98, 60.48]]
    missing = public.get("/ogc/collections/nothing")
    assert missing.status_code == 404
    assert missing.json()["code"] == "NotFound"


def test_it_pages_with_limit_offset_next_and_prev(public, make_observation):
    made = sorted(make_observation(at=WEST).pk for _ in range(5))
    first = public.get("/ogc/collections/observations/items?limit=2")
    assert first.status_code == 200
    assert first["Content-Type"] == "application/geo+json"
    document = first.json()
    assert_valid("featureCollectionGeoJSON", document)
    assert [f["id"] for f in document["features"]] == made[:2]
    assert (document["numberMatched"], document["numberReturned"]) == (5, 2)
    assert "numberMatchedEstimated" not in document
    assert "prev" not in rels(document)
    following = rels(document)["next"][0]["href"]
    second = public.get(following).json()
    assert [f["id"] for f in second["features"]] == made[2:4]
    assert rels(second)["prev"][0]["href"].endswith("offset=0")
    last = public.get(rels(second)["next"][0]["href"]).json()
    assert [f["id"] for f in last["features"]] == made[4:]
    assert "next" not in rels(last)
    assert last["numberMatched"] == 5


def test_it_lowers_a_limit_above_the_maximum_instead_of_refusing_it(public, make_observation):
    make_observation()
    response = public.get("/ogc/collections/observations/items?limit=99999")
    assert response.status_code == 200
    assert response.json()["numberReturned"] == 1


def test_it_reads_one_feature_and_404s_one_the_caller_may_not_see(public, seen):
    response = public.get(f"/ogc/collections/observations/items/{seen['public'].pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    feature = response.json()
    assert_valid("featureGeoJSON", feature)
    assert feature["id"] == seen["public"].pk
    assert feature["geometry"] == {"type": "Point", "coordinates": list(WEST)}
    assert {link["rel"] for link in feature["links"]} == {"self", "alternate", "collection"}
    for hidden in ("internal", "sensitive", "own"):
        response = public.get(f"/ogc/collections/observations/items/{seen[hidden].pk}")
        assert response.status_code == 404
    assert public.get("/ogc/collections/observations/items/abc").status_code == 404


def test_it_selects_by_bbox(public, make_observation):
    west, east = make_observation(at=WEST), make_observation(at=EAST)
    inside = public.get("/ogc/collections/observations/items?bbox=26.90,60.44,26.94,60.48")
    assert ids(inside) == {west.pk}
    # Six numbers: the heights are ignored.
    tall = public.get("/ogc/collections/observations/items?bbox=26.94,60.44,0,26.98,60.48,100")
    assert ids(tall) == {east.pk}


def test_it_selects_by_datetime_instants_and_intervals(public, make_observation):
    import datetime

    moment = datetime.datetime(2026, 11, 20, 16, 30, tzinfo=datetime.UTC)
    early = make_observation(observed_at=moment)
    late = make_observation(observed_at=moment + datetime.timedelta(days=10))
    url = "/ogc/collections/observations/items?datetime="
    assert ids(public.get(url + "2026-11-20T16:30:00Z")) == {early.pk}
    assert ids(public.get(url + "2026-11-20T16:30:00Z/2026-11-30T16:30:00Z")) == {
        early.pk,
        late.pk,
    }
    assert ids(public.get(url + "../2026-11-25T00:00:00Z")) == {early.pk}
    assert ids(public.get(url + "2026-11-25T00:00:00Z/..")) == {late.pk}
    assert ids(public.get(url + "2026-11-30")) == {late.pk}
    # Districts have no time: no district intersects any.
    assert (
        public.get("/ogc/collections/districts/items?datetime=2026-11-30").json()["numberMatched"]
        == 0
    )


def test_it_filters_by_queryables_with_the_rest_apis_rules(public, make_observation):
    new = make_observation(status=Status.NEW, light_condition="dark")
    resolved = make_observation(status=Status.RESOLVED, light_condition="daylight")
    url = "/ogc/collections/observations/items"
    assert ids(public.get(f"{url}?status=new")) == {new.pk}
    assert ids(public.get(f"{url}?status=new,resolved")) == {new.pk, resolved.pk}
    assert ids(public.get(f"{url}?light_condition=daylight")) == {resolved.pk}
    assert ids(public.get(f"{url}?is_positive=false&municipality=285")) == {new.pk, resolved.pk}
    bad = public.get(f"{url}?light_condition=bright")
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == ["light_condition"]


def test_it_publishes_the_queryables_as_json_schema(public):
    response = public.get("/ogc/collections/observations/queryables")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    document = response.json()
    assert document["type"] == "object"
    assert document["properties"]["status"]["enum"][0] == "new"
    assert set(document["properties"]) >= {"category", "theme", "district", "light_condition"}


def test_its_queryables_are_the_filter_vocabulary(public, make_observation):
    """Every observation filter of walks.filters is a queryable (bbox and the two times
    asked through OGC's own bbox and datetime), and each answers as in the REST list."""
    from ogc.collections import OGC_OWN, PROPERTY_NAMES
    from walks.filters import FILTERS

    queryables = set(public.get("/ogc/collections/observations/queryables").json()["properties"])
    vocabulary_name = {queryable: name for name, queryable in PROPERTY_NAMES.items()}
    back = {vocabulary_name.get(name, name) for name in queryables}
    assert back | OGC_OWN == set(FILTERS)
    assert not back & OGC_OWN
    assert set(PROPERTY_NAMES) <= set(FILTERS)

    make_observation(severity=2)
    make_observation(at=EAST, severity=5)
    rest = public.get("/api/v1/observations/?severity_min=4&municipality=285").json()
    ogc = public.get("/ogc/collections/observations/items?severity_min=4&municipality=285")
    assert ids(ogc) == {feature["id"] for feature in rest["features"]}
    refused = public.get("/ogc/collections/observations/items?severity_min=4&severity_max=2")
    assert refused.status_code == 400


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("colour=red", "colour"),
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=26.98,60.44,26.90,60.48&bbox-crs=" + EPSG_3067, "bbox"),
        ("bbox=0,91,1,92", "bbox"),
        ("bbox-crs=" + EPSG_3067, "bbox-crs"),
        ("datetime=yesterday", "datetime"),
        ("datetime=2026-12-01/2026-11-01", "datetime"),
        ("datetime=../..", "datetime"),
        ("crs=EPSG:2393", "crs"),
        ("f=xml", "f"),
        ("status=lost", "status"),
        ("status=new&status=resolved", "status"),
    ],
)
def test_it_refuses_a_bad_parameter_with_a_400_naming_it(public, query, parameter):
    response = public.get(f"/ogc/collections/observations/items?{query}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "InvalidParameterValue"
    assert list(body["errors"]) == [parameter]
    assert parameter in body["description"]


def test_it_says_what_is_wrong_in_the_callers_language(public):
    url = "/ogc/collections/observations/items?colour=red"
    finnish = public.get(url, HTTP_ACCEPT_LANGUAGE="fi")
    swedish = public.get(url, HTTP_ACCEPT_LANGUAGE="sv")
    assert finnish.json()["errors"]["colour"] == ["Tuntematon kyselyparametri."]
    assert swedish.json()["errors"]["colour"] == ["Okänd frågeparameter."]


def test_metadata_resources_refuse_unknown_parameters_too(public):
    assert public.get("/ogc/collections?limit=3").status_code == 400
    assert public.get("/ogc/?crs=nonsense").status_code == 400
    # A valid crs is accepted there: GDAL before 3.7 repeats its query on every request.
    crs = "http://www.opengis.net/def/crs/EPSG/0/3067"
    assert public.get(f"/ogc/collections?crs={crs}").status_code == 200


def test_it_estimates_number_matched_on_very_large_results_and_says_so(
    public, make_observation, monkeypatch
):
    import ogc.features

    for _ in range(5):
        make_observation()
    # As if the planner expected more rows than are worth counting.
    monkeypatch.setattr(ogc.features, "ESTIMATE_ABOVE", 0)
    full = public.get("/ogc/collections/observations/items?limit=2").json()
    assert full["numberMatchedEstimated"] is True
    assert full["numberMatched"] >= 3  # never below what the pages already show
    assert "next" in rels(full)
    # A page that is not full knows the total exactly, estimate or not.
    last = public.get("/ogc/collections/observations/items?limit=2&offset=4").json()
    assert last["numberMatched"] == 5
    assert "numberMatchedEstimated" not in last


def test_a_page_costs_one_statement_once_its_query_is_known(
    public, planner, make_observation, django_assert_num_queries
):
    import ogc.features

    made = [make_observation() for _ in range(30)]
    internal = make_observation(visibility=Visibility.INTERNAL)
    ogc.features._queries.clear()
    url = "/ogc/collections/observations/items?limit=10"
    # A page that is not full knows its total: one statement, even for a new query.
    with django_assert_num_queries(1):
        assert public.get(f"{url}0").json()["numberMatched"] == 30
    # The query's first full page: the page, EXPLAIN (the planner's estimate, nothing
    # run) and, the estimate being small, the count.
    with django_assert_num_queries(3):
        first = public.get(url).json()
    # Its next pages, or the same page again: the page and its count, compiled already.
    pages = [first]
    for offset in (10, 20, 0):
        with django_assert_num_queries(1):
            pages.append(public.get(f"{url}&offset={offset}").json())
    ids = [[f["id"] for f in page["features"]] for page in pages]
    assert ids[0] + ids[1] + ids[2] == [o.pk for o in made] and ids[3] == ids[0]
    assert {page["numberMatched"] for page in pages} == {30}
    # Another caller's query is another statement: the planner's has the internal one,
    # and the public's, asked again, still has not.
    assert planner.get(f"{url}&offset=30").json()["features"][0]["id"] == internal.pk
    assert public.get(f"{url}&offset=30").json()["features"] == []
