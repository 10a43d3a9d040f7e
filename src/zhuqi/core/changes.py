"""Whether tables changed, cheaply: a stamp of PostgreSQL's per-table change counters.

`stamp(reads)` names what a periodic job reads (app labels: every table of the app, many-to-many tables
included; "app.Model": that model's table) and returns a 40-character stamp of, for each table, the
rows inserted, updated and deleted (committed, and of the current transaction) and its file (a TRUNCATE
changes it). Two equal stamps: none of those tables changed in between, so a job whose result depends
only on them (and on what else it puts in `extra`) may keep its last result. A change is seen at the
latest one pass later: another session's counters reach the shared statistics when it ends its
transaction (within a second or so). None on databases without these counters (SQLite: small
installations, where the jobs are cheap anyway): the caller then does the work every time.
Used by the warnings sweep (monitoring/warnings.py) and the KPI rollup (appeals/kpis.py).
"""

import hashlib

from django.apps import apps
from django.db import connection


def tables(reads) -> list[str]:
    found = set()
    for entry in reads:
        if "." in entry:
            found.add(apps.get_model(entry)._meta.db_table)
        else:
            found |= {
                m._meta.db_table for m in apps.get_app_config(entry).get_models(include_auto_created=True)
            }
    return sorted(found)


def stamp(reads, extra=()) -> str | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as c:
        c.execute("SELECT pg_stat_clear_snapshot()")  # not the figures cached earlier in this transaction
        c.execute(
            """
            SELECT c.relname, pg_relation_filenode(c.oid),
                   coalesce(s.n_tup_ins + s.n_tup_upd + s.n_tup_del, 0),
                   coalesce(x.n_tup_ins + x.n_tup_upd + x.n_tup_del, 0)
            FROM pg_class c
            LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
            LEFT JOIN pg_stat_xact_user_tables x ON x.relid = c.oid
            WHERE c.relkind = 'r' AND c.relname = ANY(%s) AND c.relnamespace = to_regnamespace(current_schema())
            ORDER BY c.relname
            """,
            [tables(reads)],
        )
        rows = c.fetchall()
    return hashlib.sha1(repr((tuple(extra), rows)).encode(), usedforsecurity=False).hexdigest()
