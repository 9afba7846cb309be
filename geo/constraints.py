# SPDX-License-Identifier: EUPL-1.2
from django.db import DEFAULT_DB_ALIAS, models


class NullableGeometryCheck(models.CheckConstraint):
    """A check on a nullable geometry column; an empty (NULL) geometry passes.

    In SQL a CHECK that gives NULL passes by itself. Django, validating a model form, would
    hand the NULL to a GIS function and fail, so validation skips an empty field here too.
    """

    def __init__(self, *, field: str, **kwargs):
        self.field = field
        super().__init__(**kwargs)

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        if getattr(instance, self.field) is None:
            return
        super().validate(model, instance, exclude=exclude, using=using)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs["field"] = self.field
        return path, args, kwargs
