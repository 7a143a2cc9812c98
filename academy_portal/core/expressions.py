"""Query expressions shared by the apps' selectors and admins."""

from django.db.models import BooleanField, Func


class InSubquery(Func):
    """`column IN (subquery)`; on PostgreSQL `column = ANY(ARRAY(subquery))`, the same rows,
    but a condition an index on the column answers, so that ORed with another indexed
    condition (the passport name's trigram index) both are read from indexes (BitmapOr)
    instead of the whole table being scanned with a hashed subplan."""

    arg_joiner = " IN "
    template = "%(expressions)s"
    output_field = BooleanField()
    conditional = True

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            arg_joiner=" = ANY(ARRAY",
            template="%(expressions)s)",
            **extra_context,
        )
