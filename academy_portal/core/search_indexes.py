"""Trigram indexes for the folded search columns, on PostgreSQL only: a migration operation.

The admin's folded search (`core.admin.FoldedSearchMixin`) matches `search_text LIKE '%word%'`;
on PostgreSQL a GIN index with pg_trgm's `gin_trgm_ops` answers that without reading the whole
table. SQLite has no such index and keeps working by scanning, so the operation does nothing
there, and it leaves the model state alone: were the index in `Meta.indexes`, SQLite's table
rebuilds (any later AlterField) would try to recreate it.
"""

from django.db import migrations

TRIGRAM_EXTENSION = "pg_trgm"


class AddTrigramIndex(migrations.operations.base.Operation):
    """CREATE INDEX ... USING gin (<column> gin_trgm_ops), creating pg_trgm first if needed
    (a trusted extension: the database owner may create it); PostgreSQL only."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, *, model_name: str, column: str, name: str, upper: bool = False):
        """`upper`: index UPPER(column), what Django's `icontains` compares on PostgreSQL."""
        self.model_name, self.column, self.name, self.upper = model_name, column, name, upper

    def deconstruct(self):
        kwargs = {"model_name": self.model_name, "column": self.column, "name": self.name}
        if self.upper:
            kwargs["upper"] = True
        return self.__class__.__name__, [], kwargs

    def state_forwards(self, app_label, state):
        pass  # not part of the model state (see the module's docstring)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        quote = schema_editor.quote_name
        indexed = f"UPPER({quote(self.column)}::text)" if self.upper else quote(self.column)
        schema_editor.execute(f"CREATE EXTENSION IF NOT EXISTS {TRIGRAM_EXTENSION}")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(self.name)} ON {quote(model._meta.db_table)} "
            f"USING gin ({indexed} gin_trgm_ops)"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(self.name)}")

    def describe(self):
        return f"Trigram index {self.name} on {self.model_name}.{self.column} (PostgreSQL only)"

    @property
    def migration_name_fragment(self):
        return self.name.lower()
