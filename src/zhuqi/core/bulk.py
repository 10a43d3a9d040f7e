"""Bulk inserts of plain rows: COPY on PostgreSQL, one prepared INSERT run for every row (executemany) on
SQLite. The ORM's bulk_create prepares each value of each row through its field and builds a statement
per few dozen rows, 5–10× slower: it is what a synthetic world of 200,000 rows spent its time on.

For rows nothing hangs on (no signals, no audit row of their own, no outbox message): history loaded
in bulk, such as the demo city's indicator series and routine contacts. Values are given as the
database takes them (Decimal, date, str, bool, int, None); aware datetimes are converted here.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import islice

from django.db import connection, models

BATCH = 5000


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Inserts `rows` (one value per field of `fields`, by field name) into `model`'s table; returns how
    many. Defaults and auto_now are not applied: give every column that needs a value."""
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    names = ", ".join(quote(c.column) for c in columns)
    table = quote(meta.db_table)
    made = 0
    rows = iter(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    made += 1
            return made
        # SQLite takes Decimal, date and naive datetimes (Django registers their adapters); an aware
        # datetime is stored as Django stores it, naive in UTC.
        moments = [i for i, c in enumerate(columns) if isinstance(c, models.DateTimeField)]
        adapted: dict[datetime, str] = {}  # rows loaded at once mostly share their timestamps

        def adapt(value):
            if not isinstance(value, datetime):
                return value
            if value not in adapted:
                adapted[value] = connection.ops.adapt_datetimefield_value(value)
            return adapted[value]

        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        while batch := list(islice(rows, BATCH)):
            if moments:
                batch = [list(row) for row in batch]
                for row in batch:
                    for i in moments:
                        row[i] = adapt(row[i])
            cursor.executemany(sql, batch)
            made += len(batch)
    return made
