# SPDX-License-Identifier: EUPL-1.2
"""The project's URLs plus the photo endpoints, until they are wired in api/urls.py."""

from django.urls import path

from api.photos import PhotoDetail, PhotoListCreate
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path(
        "api/v1/observations/<int:pk>/photos/",
        PhotoListCreate.as_view(),
        name="observation-photos",
    ),
    path("api/v1/photos/<int:pk>/", PhotoDetail.as_view(), name="photo-detail"),
    *project_urlpatterns,
]
