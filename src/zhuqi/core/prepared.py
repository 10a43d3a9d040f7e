"""The statements of the hot path compiled to SQL once per process (issue #16, item 5).

Django turns a queryset into SQL each time it runs, and an INSERT into SQL for each save. For the
few statements every API submission makes (the token, the enterprise, the duplicate candidates, the
appeal, its trail, its outbox row) building the SQL cost more CPU than the database spent running
it: a token lookup took 1.2 ms of which 0.5 ms was compiling and 0.25 ms making objects.

- `PreparedQuery` builds its queryset once, with placeholder values, keeps the SQL and the
  compiler's map of columns, and from then on runs that SQL with the new values, making model
  instances as Django's ModelIterable does (select_related objects and annotations included). The
  queryset stays the one definition of the query: tests compare each prepared query with it.
- `insert` writes new model instances in one INSERT … RETURNING built once per model and row count,
  with each value prepared by its field exactly as the ORM prepares it. Like bulk_create it calls
  neither `save()` nor the model signals.

The library made for this, django-prepared-queries, supports Django < 2.2 and was last released in
2019. Having PostgreSQL prepare these statements too (psycopg's server-side binding, prepare=True)
was measured and left out: it saved 0.3 ms of the submission's 7 ms of CPU (client and server), and
prepared statements break behind a transaction-pooling PgBouncer and across a migration.
"""

import threading
from collections.abc import Callable, Sequence
from itertools import count

from django.db import connections, models
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators

_marker_ids = count(1)


def _marker(kind: type):
    """A value no caller passes, to find where a parameter lands in the compiled SQL's parameters."""
    n = next(_marker_ids)
    if kind is int:
        return 2**15 - 1 - n  # in range of every integer field: Django turns an overflow into no query
    if kind is str:
        return f"zhuqi-prepared-marker-{n}"
    raise TypeError(f"a prepared query takes str and int values, not {kind.__name__}")


class _Compiled:
    def __init__(self, queryset: models.QuerySet, markers: Sequence):
        compiler = queryset.query.get_compiler(using=queryset.db)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots = []
        for marker in markers:
            found = [i for i, p in enumerate(self.params) if p == marker]
            if len(found) != 1:
                raise ValueError(
                    f"a prepared value must be one parameter of the SQL: {marker!r} is {len(found)}"
                )
            self.slots.append(found[0])
        self.compiler = compiler
        self.db = queryset.db
        self.values_list = queryset._iterable_class is ValuesListIterable
        if not (self.values_list or queryset._iterable_class is ModelIterable):
            raise TypeError("a prepared query gives model instances or values_list rows")
        if queryset._prefetch_related_lookups:
            raise TypeError("a prepared query runs one statement: no prefetch_related")
        if not self.values_list:
            klass_info, select = compiler.klass_info, compiler.select
            fields = klass_info["select_fields"]
            self.model = klass_info["model"]
            self.model_columns = slice(fields[0], fields[-1] + 1)
            self.init_list = [column[0].target.attname for column in select[self.model_columns]]
            self.klass_info, self.select = klass_info, select
            self.annotations = list(compiler.annotation_col_map.items())

    def run(self, values: Sequence) -> list:
        params = list(self.params)
        for slot, value in zip(self.slots, values, strict=True):
            params[slot] = value
        with connections[self.db].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        rows = self.compiler.results_iter([rows], tuple_expected=True)  # the fields' converters
        if self.values_list:
            return list(rows)
        # Populators keep no state between rows but are cheap: made per run, as Django does.
        related = get_related_populators(self.klass_info, self.select, self.db)
        found = []
        for row in rows:
            obj = self.model.from_db(self.db, self.init_list, row[self.model_columns])
            for populator in related:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found


class PreparedQuery:
    """`build(*values)` returns the queryset (objects or values_list); `kinds` are the types of the
    values (str or int). Each value must reach the SQL as one parameter, unchanged (a filter such as
    `key_hash=value` or `enterprise_id=value`): preparing says so at the first run if not. The SQL is
    kept for the life of the process, so `build` must not read anything else that changes (the
    clock, settings, the user): pass it as a value."""

    def __init__(self, build: Callable[..., models.QuerySet], *kinds: type):
        self.build = build
        self.kinds = kinds
        self._compiled: _Compiled | None = None  # the project has one database
        self._lock = threading.Lock()

    def queryset(self, *values) -> models.QuerySet:
        """The query as the ORM runs it, for a test to compare with."""
        return self.build(*values)

    def __call__(self, *values) -> list:
        if self._compiled is None:
            with self._lock:
                markers = [_marker(kind) for kind in self.kinds]
                self._compiled = _Compiled(self.build(*markers), markers)
        return self._compiled.run(values)

    def first(self, *values):
        found = self(*values)
        return found[0] if found else None


_inserts: dict[tuple, tuple[str, list[models.Field]]] = {}


def insert(
    objects: Sequence[models.Model], *, ignore_conflicts: bool = False, using: str = "default"
) -> None:
    """INSERTs new instances of one model in one statement and sets their primary keys (not with
    `ignore_conflicts`: rows skipped return nothing, as in bulk_create). Every value goes through its
    field as in the ORM (`pre_save`: auto_now_add; `get_db_prep_save`: JSON, dates…), defaults
    having been applied when the instances were made. No `save()`, no signals."""
    if not objects:
        return
    model = type(objects[0])
    connection = connections[using]
    key = (model, using, len(objects), ignore_conflicts)
    if key not in _inserts:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not (isinstance(f, models.AutoField) or f.generated)]
        quote = connection.ops.quote_name
        row = f"({', '.join(['%s'] * len(fields))})"
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES {', '.join([row] * len(objects))} "
            + ("ON CONFLICT DO NOTHING" if ignore_conflicts else f"RETURNING {quote(meta.pk.column)}")
        )
        _inserts[key] = (sql, fields)
    sql, fields = _inserts[key]
    params = []
    for obj in objects:
        # Foreign keys to objects saved since this one was made (an event of a new appeal), as
        # save() and bulk_create take them.
        obj._prepare_related_fields_for_save(operation_name="insert")
        for field in fields:
            value = field.pre_save(obj, True)
            if hasattr(value, "resolve_expression"):  # F(), db_default…: the ORM's save compiles those
                raise TypeError(f"prepared.insert takes plain values; {field.name} is an expression")
            params.append(field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if ignore_conflicts:
            return
        keys = cursor.fetchall()
    # One row back per row in, in the order given: Django's bulk_create relies on the same (PostgreSQL
    # returns them so; SQLite does too, though its documentation does not promise it). RETURNING
    # needs SQLite 3.35 (2021), as bulk_create needs it to set keys.
    for obj, (pk,) in zip(objects, keys, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = using


_updates: dict[tuple, tuple[str, list[models.Field]]] = {}


def update(obj: models.Model, fields: Sequence[str], *, using: str = "default") -> None:
    """UPDATEs `fields` of one saved instance by its primary key, the values prepared by their fields
    as save(update_fields=…) prepares them. No `save()`, no signals."""
    model = type(obj)
    connection = connections[using]
    key = (model, using, tuple(fields))
    if key not in _updates:
        meta = model._meta
        columns = [meta.get_field(name) for name in fields]
        quote = connection.ops.quote_name
        sets = ", ".join(f"{quote(f.column)} = %s" for f in columns)
        _updates[key] = (
            f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.pk.column)} = %s",
            columns,
        )
    sql, columns = _updates[key]
    params = [field.get_db_prep_save(field.pre_save(obj, False), connection) for field in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, obj.pk])
