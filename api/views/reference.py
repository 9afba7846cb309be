# SPDX-License-Identifier: EUPL-1.2
"""Municipalities, districts, themes and categories: read by everyone."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from api.filters import CategoryParameters, DistrictParameters, MunicipalityParameters, read_query
from api.geojson import GEOJSON
from api.permissions import ReadOnly
from api.schemas import (
    BAD_REQUEST,
    DISTRICT_COLLECTION,
    DISTRICT_FEATURE,
    ID,
    MUNICIPALITY_COLLECTION,
    MUNICIPALITY_FEATURE,
    NOT_FOUND,
)
from api.serializers import (
    CategorySerializer,
    ThemeSerializer,
    district_feature,
    municipality_feature,
)
from api.views.common import LyhtyView, feature_or_404, paged_features
from geo.models import District, Municipality
from walks.models import Category, Theme

TAG = ["reference"]


class MunicipalityList(LyhtyView):
    permission_classes = [ReadOnly]

    @extend_schema(
        tags=TAG,
        summary="Municipalities with their boundaries",
        operation_id="v1_municipalities_list",
        parameters=[MunicipalityParameters],
        responses={(200, GEOJSON): MUNICIPALITY_COLLECTION, 400: BAD_REQUEST},
    )
    def get(self, request):
        query = read_query(request, MunicipalityParameters)
        return paged_features(
            request, query, Municipality.objects.order_by("code"), municipality_feature()
        )


class MunicipalityDetail(LyhtyView):
    permission_classes = [ReadOnly]

    @extend_schema(
        tags=TAG,
        summary="One municipality, by its official code",
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH)],
        responses={(200, GEOJSON): MUNICIPALITY_FEATURE, 404: NOT_FOUND},
    )
    def get(self, request, code):
        return feature_or_404(Municipality.objects.filter(code=code), municipality_feature())


class DistrictList(LyhtyView):
    permission_classes = [ReadOnly]

    @extend_schema(
        tags=TAG,
        summary="Districts, optionally of one municipality",
        operation_id="v1_districts_list",
        parameters=[DistrictParameters],
        responses={(200, GEOJSON): DISTRICT_COLLECTION, 400: BAD_REQUEST},
    )
    def get(self, request):
        query = read_query(request, DistrictParameters)
        districts = District.objects.order_by("municipality__code", "code", "name", "id")
        if "municipality" in query:
            districts = districts.filter(municipality__code=query["municipality"])
        return paged_features(request, query, districts, district_feature())


class DistrictDetail(LyhtyView):
    permission_classes = [ReadOnly]

    @extend_schema(
        tags=TAG,
        parameters=[ID],
        summary="One district",
        responses={(200, GEOJSON): DISTRICT_FEATURE, 404: NOT_FOUND},
    )
    def get(self, request, id):
        return feature_or_404(District.objects.filter(pk=id), district_feature())


class ThemeList(LyhtyView):
    permission_classes = [ReadOnly]

    @extend_schema(tags=TAG, summary="Themes", responses={200: ThemeSerializer(many=True)})
    def get(self, request):
        return Response(ThemeSerializer(Theme.objects.all(), many=True).data)


class CategoryList(LyhtyView):
    permission_classes = [ReadOnly]

    @extend_schema(
        tags=TAG,
        summary="Categories, with names in fi/sv/en and `name` in the caller's language",
        parameters=[CategoryParameters],
        responses={200: CategorySerializer(many=True), 400: BAD_REQUEST},
    )
    def get(self, request):
        query = read_query(request, CategoryParameters)
        categories = Category.objects.select_related("theme", "default_unit")
        if "theme" in query:
            categories = categories.filter(theme__code=query["theme"])
        return Response(CategorySerializer(categories, many=True).data)
