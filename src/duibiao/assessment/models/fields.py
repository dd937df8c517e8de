"""Model fields with one behaviour the stock ones lack."""

from __future__ import annotations

import decimal
from functools import cached_property
from typing import Any

from django.db import models

# Enough digits for any finite number SQLite can hand back (a double is below 1e309) with
# the six decimals the reader quantizes to.
READ_PRECISION = 400


class StoredDecimalField(models.DecimalField):
    """A DecimalField that reads back whatever the database holds.

    SQLite keeps any number it is given, and Django's SQLite reader quantizes each value to
    the field's declared digits with a context of `max_digits` precision, raising on a
    value that does not fit. One out-of-range value written before the checks of
    `assessment.limits` existed (or by hand in the database) then made every page and
    export that reads the row fail. Read with a wide context, the value arrives as stored
    and `assessment.limits` reports it, so the user sees it flagged and can correct it.
    Writing is unchanged: the services only write values that fit.
    """

    @cached_property
    def context(self) -> decimal.Context:
        return decimal.Context(prec=READ_PRECISION)

    def to_python(self, value: Any) -> Any:
        # Floats are rounded to the column's digits as the stock field does; only reading
        # from the database needs the wide context.
        if isinstance(value, float) and value == value:
            value = decimal.Context(prec=self.max_digits).create_decimal_from_float(value)
        return super().to_python(value)

    def deconstruct(self) -> Any:
        # The column is a plain DecimalField: migrations need not know about the reader.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs
