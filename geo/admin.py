# SPDX-License-Identifier: EUPL-1.2
from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from geo.models import Address, District, Municipality


class DistrictInline(admin.TabularInline):
    model = District
    fields = ["code", "name", "name_sv", "population"]
    extra = 0
    show_change_link = True


@admin.register(Municipality)
class MunicipalityAdmin(LeafletGeoAdmin):
    list_display = ["code", "name_fi", "name_sv", "country", "national_srid"]
    list_filter = ["country"]
    search_fields = ["code", "name_fi", "name_sv", "name_en"]
    inlines = [DistrictInline]


@admin.register(District)
class DistrictAdmin(LeafletGeoAdmin):
    list_display = ["name", "name_sv", "code", "municipality", "population"]
    list_filter = ["municipality"]
    search_fields = ["name", "name_sv", "code"]
    list_select_related = ["municipality"]


@admin.register(Address)
class AddressAdmin(LeafletGeoAdmin):
    """Imported with `manage.py import_addresses`; a national file gives millions of rows."""

    list_display = ["street", "number", "postcode", "street_sv", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["street", "street_sv", "number", "postcode"]
    list_select_related = ["municipality"]
    show_full_result_count = False
