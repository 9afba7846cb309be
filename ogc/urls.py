# SPDX-License-Identifier: EUPL-1.2
from django.urls import path

from ogc import views

urlpatterns = [
    path("", views.LandingPage.as_view(), name="ogc-landing"),
    path("conformance", views.Conformance.as_view(), name="ogc-conformance"),
    path("api", views.APIDefinition.as_view(), name="ogc-api"),
    path("collections", views.Collections.as_view(), name="ogc-collections"),
    path("collections/<slug:collection_id>", views.CollectionView.as_view(), name="ogc-collection"),
    path(
        "collections/<slug:collection_id>/queryables",
        views.Queryables.as_view(),
        name="ogc-queryables",
    ),
    path("collections/<slug:collection_id>/items", views.Items.as_view(), name="ogc-items"),
    path(
        "collections/<slug:collection_id>/items/<str:feature_id>",
        views.Item.as_view(),
        name="ogc-item",
    ),
]
