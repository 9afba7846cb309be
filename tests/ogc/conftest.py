# SPDX-License-Identifier: EUPL-1.2
"""The API personas (tests/api/conftest.py), observations every role sees differently, and
the OGC's own JSON Schemas from ../shared/data/ogcapi-features to validate answers with."""

from functools import cache

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.api.conftest import (  # noqa: F401  fixtures used by the OGC tests
    admin,
    client_with,
    lighting_staff,
    other_participant,
    other_walk,
    participant,
    personas,
    planner,
    police,
    public,
    streets_staff,
    walk,
)
from tests.conftest import EAST, SHARED_DATA, WEST
from tests.frontend.conftest import page_in, screenshot  # noqa: F401  the browser fixture
from walks.models import Visibility

SCHEMAS = SHARED_DATA / "ogcapi-features" / "core" / "openapi" / "schemas"


def _null_types(node):
    """YAML reads the schemas' `type: null` as no value; JSON Schema means the type "null"."""
    if isinstance(node, dict):
        fixed = {key: _null_types(value) for key, value in node.items()}
        if "type" in node:
            kinds = node["type"]
            fixed["type"] = (
                [("null" if kind is None else kind) for kind in kinds]
                if isinstance(kinds, list)
                else ("null" if kinds is None else kinds)
            )
        return fixed
    if isinstance(node, list):
        return [_null_types(item) for item in node]
    return node


def _load(uri: str) -> Resource:
    path = SCHEMAS / uri.removeprefix("urn:ogc:schemas:")
    contents = _null_types(yaml.safe_load(path.read_text(encoding="utf-8")))
    return Resource.from_contents(contents, default_specification=DRAFT202012)


@cache
def schema(name: str) -> Draft202012Validator:
    """A validator for one of the OGC's schemas, e.g. schema("featureCollectionGeoJSON")."""
    registry = Registry(retrieve=_load)
    return Draft202012Validator({"$ref": f"urn:ogc:schemas:{name}.yaml"}, registry=registry)


def assert_valid(name: str, document: dict):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in schema(name).iter_errors(document)]
    assert not errors, errors


@pytest.fixture
def seen(make_observation, walk, participant):  # noqa: F811  (the imported fixtures)
    """Four observations: public, internal, sensitive, and a participant's own internal one."""
    return {
        "public": make_observation("lamp_out", at=WEST, severity=3),
        "internal": make_observation("pothole", at=EAST, visibility=Visibility.INTERNAL),
        "sensitive": make_observation("drugs", at=EAST),
        "own": make_observation(
            "lamp_out",
            at=EAST,
            walk=walk,
            participant=participant.participant,
            visibility=Visibility.INTERNAL,
        ),
    }


@pytest.fixture
def taxonomy():
    """Transactional tests empty every table when they end: the seeded categories again."""
    from walks.models import Category, ResponsibleUnit, Theme
    from walks.taxonomy import seed

    seed(Theme, Category, ResponsibleUnit)


def ids(response) -> set[int]:
    return {feature["id"] for feature in response.json()["features"]}
