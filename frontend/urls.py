# SPDX-License-Identifier: EUPL-1.2
from django.urls import path

from frontend import views

urlpatterns = [
    path("", views.landing, name="landing"),
]
