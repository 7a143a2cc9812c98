"""Querysets compiled once per process, for the few lookups every expert request makes.

Django compiles a queryset's SQL anew each time it is evaluated. For the RSVP link's lookup
(the invitation with its edition, forum, expert, offered session and its edition: six tables,
about 150 columns) that costs more CPU than the database spends answering it. A
`PreparedQuery` compiles its queryset the first time it runs on a database connection, then
only executes that SQL with the new parameter and builds the objects exactly as Django's
`ModelIterable` does (select_related objects included): start-up work, not per-request work.

Querysets of model instances (without annotations, prefetches or deferred fields), or of one
value per row (`values_list(name, flat=True)`, e.g. a count grouped by the parameter); with
one parameter. The SQL is the one Django wrote (vendor-specific, so cached per connection).

On PostgreSQL the statement is also prepared on the server (PREPARE, once per database session),
so PostgreSQL plans it once too: planning the RSVP lookup's five-table join took it ~1.5 ms, six
times what executing it takes. Not with `DISABLE_SERVER_SIDE_CURSORS` (Django's switch for
PgBouncer's transaction pooling, where a session's prepared statements are not its own).
"""

import itertools
import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import FlatValuesListIterable, get_related_populators
from django.db.transaction import TransactionManagementError

_statement_numbers = itertools.count(1)
_PLACEHOLDER = re.compile(r"%%|%s")


def _numbered(sql: str) -> str:
    """Django's `%s` placeholders as PostgreSQL's `$1`, `$2`… (and `%%` as a plain `%`)."""
    numbers = itertools.count(1)
    return _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)


@dataclass(frozen=True)
class _Compiled:
    vendor: str
    sql: str
    params: tuple
    index: int  # of the parameter in `params`
    for_update: bool
    compiler: object
    model: type
    start: int
    end: int
    init_list: list
    populators: list
    converters: dict
    # PostgreSQL: `PREPARE name AS …` and `EXECUTE name(%s, …)`; empty elsewhere.
    prepare_sql: str = ""
    execute_sql: str = ""


class PreparedQuery:
    """`make(value)` builds the queryset for one parameter value; `sentinel` is a value of the
    parameter's type that appears nowhere else in the query (it marks where the parameter
    goes in the compiled SQL's parameters)."""

    def __init__(self, make: Callable[[object], QuerySet], *, sentinel):
        self.make = make
        self.sentinel = sentinel
        # Per thread, like Django's connections (the compiler keeps its connection).
        self._local = threading.local()
        self.statement_name = f"portal_prepared_{next(_statement_numbers)}"
        # The driver connections (database sessions) this statement is prepared in; a
        # reconnect is a new session without it.
        self._prepared_in = weakref.WeakSet()

    def fetch(self, value, *, using: str = DEFAULT_DB_ALIAS) -> list:
        """The objects of the queryset for `value`, as `list(make(value))` gives them."""
        connection = connections[using]
        compiled = getattr(self._local, "compiled", {}).get(using)
        if compiled is None or compiled.compiler.connection is not connection:
            compiled = self._compile(using)
        if compiled.for_update and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(compiled.params)
        params[compiled.index] = value
        with connection.cursor() as cursor:
            if not compiled.execute_sql:
                cursor.execute(compiled.sql, params)
            else:
                if connection.connection not in self._prepared_in:
                    # Once per session, as set-up (like Django's own SET on connecting): on the
                    # driver's cursor, so no request counts it as one of its queries. PREPARE is
                    # not transactional: it outlives a rollback.
                    with connection.wrap_database_errors, connection.connection.cursor() as raw:
                        raw.execute(compiled.prepare_sql)
                    self._prepared_in.add(connection.connection)
                cursor.execute(compiled.execute_sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        if compiled.model is None:  # values_list(flat=True)
            return [row[0] for row in rows]
        objects = []
        for row in rows:
            obj = compiled.model.from_db(
                using, compiled.init_list, row[compiled.start : compiled.end]
            )
            for populator in compiled.populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects

    def first(self, value, *, using: str = DEFAULT_DB_ALIAS):
        found = self.fetch(value, using=using)
        return found[0] if found else None

    def _compile(self, using: str) -> _Compiled:
        queryset = self.make(self.sentinel)
        query = queryset.query
        flat = queryset._iterable_class is FlatValuesListIterable
        if not flat and (
            query.annotations or queryset._prefetch_related_lookups or query.deferred_loading[0]
        ):
            raise ValueError("A prepared query builds plain model instances only.")
        if flat and (query.extra_select or len(queryset._fields or ()) != 1):
            raise ValueError("A prepared values query reads one value per row.")
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        if compiler.has_composite_fields([s[0] for s in compiler.select]):
            raise ValueError("A prepared query reads no composite primary keys.")
        positions = [i for i, param in enumerate(params) if param == self.sentinel]
        if len(positions) != 1:
            raise ValueError("The sentinel must be the query's one parameter of its value.")
        klass_info, select = compiler.klass_info, compiler.select
        if flat:
            klass_info, start, end = {"model": None}, 0, 1
        else:
            select_fields = klass_info["select_fields"]
            start, end = select_fields[0], select_fields[-1] + 1
        connection = connections[using]
        prepare_sql = execute_sql = ""
        if connection.vendor == "postgresql" and not connection.settings_dict.get(
            "DISABLE_SERVER_SIDE_CURSORS"
        ):
            prepare_sql = f"PREPARE {self.statement_name} AS {_numbered(sql)}"
            execute_sql = f"EXECUTE {self.statement_name} ({', '.join(['%s'] * len(params))})"
        compiled = _Compiled(
            vendor=connection.vendor,
            sql=sql,
            params=tuple(params),
            index=positions[0],
            for_update=bool(query.select_for_update)
            and connections[using].features.has_select_for_update
            and connections[using].features.supports_transactions,
            compiler=compiler,
            model=klass_info["model"],
            start=start,
            end=end,
            init_list=[] if flat else [f[0].target.attname for f in select[start:end]],
            populators=[] if flat else get_related_populators(klass_info, select, using),
            converters=compiler.get_converters([s[0] for s in select[: compiler.col_count]]),
            prepare_sql=prepare_sql,
            execute_sql=execute_sql,
        )
        if not hasattr(self._local, "compiled"):
            self._local.compiled = {}
        self._local.compiled[using] = compiled
        return compiled
