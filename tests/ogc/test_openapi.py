# SPDX-License-Identifier: EUPL-1.2
"""Conformance class OpenAPI 3.0: /ogc/api describes the API the caller can use, every
path in it answers, every reference resolves, and the answers match its schemas."""

import pytest
from jsonschema import Draft7Validator

from ogc.params import MAX_LIMIT
from tests.conftest import WEST

pytestmark = pytest.mark.django_db

MEDIA_TYPE = "application/vnd.oai.openapi+json;version=3.0"


def refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def resolve(document, ref: str):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_it_serves_an_openapi_30_document_linked_from_the_landing_page(public):
    landing = public.get("/ogc/").json()
    (desc,) = [link for link in landing["links"] if link["rel"] == "service-desc"]
    response = public.get(desc["href"])
    assert response.status_code == 200
    assert response["Content-Type"] == MEDIA_TYPE
    document = response.json()
    assert document["openapi"].startswith("3.0.")
    assert document["servers"] == [{"url": "http://testserver/ogc"}]
    for ref in refs(document):
        assert resolve(document, ref) is not None


def test_every_path_it_describes_answers(public, make_observation):
    made = make_observation(at=WEST)
    document = public.get("/ogc/api").json()
    assert "/collections/observations/items" in document["paths"]
    for path, operations in document["paths"].items():
        assert set(operations) == {"get"}
        concrete = "/ogc" + path.replace("{featureId}", str(made.pk))
        if path.endswith("{featureId}") and "/observations/" not in path:
            continue  # no walk, district or municipality here to read
        assert public.get(concrete).status_code == 200, concrete


def test_it_advertises_the_limit_and_each_collections_queryables(public):
    document = public.get("/ogc/api").json()
    limit = document["components"]["parameters"]["limit"]
    assert limit["schema"]["maximum"] == MAX_LIMIT
    parameters = document["paths"]["/collections/observations/items"]["get"]["parameters"]
    names = {p.get("name") for p in parameters} | {
        resolve(document, p["$ref"])["name"] for p in parameters if "$ref" in p
    }
    assert {"limit", "bbox", "bbox-crs", "crs", "datetime", "status", "light_condition"} <= names


def test_its_answers_match_the_schemas_it_publishes(public, make_observation):
    make_observation(at=WEST)
    document = public.get("/ogc/api").json()

    def check(schema_name, answer):
        schema = {"$ref": f"#/components/schemas/{schema_name}", **document}
        errors = list(Draft7Validator(schema).iter_errors(answer))
        assert not errors, errors

    check("landingPage", public.get("/ogc/").json())
    check("confClasses", public.get("/ogc/conformance").json())
    check("collections", public.get("/ogc/collections").json())
    check("featureCollectionGeoJSON", public.get("/ogc/collections/observations/items").json())
    check("exception", public.get("/ogc/collections/observations/items?x=1").json())
