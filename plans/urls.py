# SPDX-License-Identifier: EUPL-1.2
from django.urls import path

from plans import partner_views, views

urlpatterns = [
    path("plan/<str:code>/", views.plan_page, name="plan-page"),
    path("plan/<str:code>/plan.pdf", views.plan_pdf, name="plan-pdf"),
    path("plan/<str:code>/maps/<slug:name>.png", views.plan_map_png, name="plan-map-png"),
    path("plan/<str:code>/follow-up/<int:year>/", views.follow_up_page, name="plan-follow-up"),
    path(
        "plan/<str:code>/follow-up/<int:year>/follow-up.pdf",
        views.follow_up_pdf,
        name="plan-follow-up-pdf",
    ),
    path("actions/", partner_views.partner_actions, name="partner-actions"),
    path("walks/<id:walk_id>/protocol/", views.protocol_page, name="walk-protocol"),
    path("walks/<id:walk_id>/protocol.pdf", views.protocol_pdf, name="walk-protocol-pdf"),
]
