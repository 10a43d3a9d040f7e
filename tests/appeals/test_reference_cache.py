"""Reference data cached per process (core.reference): current at the next read after any change,
in this process or another, and never a copy read in a transaction that was rolled back."""

import subprocess
import sys

import pytest
from django.db import transaction

from tests.appeals.test_worker import worker_env
from zhuqi.appeals import routing
from zhuqi.core.models import ReferenceVersion
from zhuqi.directory.models import Department, ServiceCategory
from zhuqi.directory.selectors import category_by_code


def _counter():
    return ReferenceVersion.objects.values_list("version", flat=True).first()


@pytest.mark.django_db
def test_every_save_delete_and_link_moves_the_counter(loop):
    w = loop
    seen = {_counter()}
    w.cats.other.name = "其他事项"
    w.cats.other.save()
    seen.add(_counter())
    w.town_dept.categories.add(w.cats.other)
    seen.add(_counter())
    w.town_dept.categories.remove(w.cats.other)
    seen.add(_counter())
    w.cats.other.delete()
    seen.add(_counter())
    assert len(seen) == 5  # each change a new value


@pytest.mark.django_db
def test_a_change_committed_elsewhere_is_read_at_once_and_the_copy_used_until_then(loop):
    w = loop
    assert routing.route(w.a, w.cats.other) is None  # warm: "other" is handled by nobody
    assert category_by_code("other").name == "其他"
    # Another process links "other" to the town department: its rows and its counter move, no
    # signal reaches this process (QuerySet-level writes, as the other process's commit looks here).
    link = Department.categories.through(department=w.town_dept, servicecategory=w.cats.other)
    Department.categories.through.objects.bulk_create([link])
    ServiceCategory.objects.filter(pk=w.cats.other.pk).update(name="其他（已改）")
    assert routing.route(w.a, w.cats.other) is None  # the counter has not moved: the copy is used
    assert category_by_code("other").name == "其他"
    ReferenceVersion.objects.update_or_create(pk=1, defaults={"version": 424242})
    assert routing.route(w.a, w.cats.other) == w.town_dept  # read again at the next use
    assert category_by_code("other").name == "其他（已改）"


@pytest.mark.django_db
def test_a_copy_read_in_a_rolled_back_transaction_is_never_served(loop):
    w = loop
    assert category_by_code("other").name == "其他"

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        w.cats.other.name = "回滚的名称"
        w.cats.other.save()
        assert category_by_code("other").name == "回滚的名称"  # read (and kept) inside
        raise Undo
    assert category_by_code("other").name == "其他"


@pytest.mark.django_db
def test_routing_is_read_from_the_copy_without_a_query(loop, django_assert_num_queries):
    w = loop
    routing.route(w.a, w.cats.loan)
    with django_assert_num_queries(2):  # the counter, read by each use outside a request
        assert routing.route(w.a, w.cats.loan) == w.city_dept
        assert routing.route(w.a, w.cats.recruit) == w.town_dept  # the town's own, before the city
    assert routing.route(w.b, w.cats.recruit) == w.city_dept  # another town's enterprise: the city


@pytest.mark.django_db(transaction=True)
def test_a_change_made_by_another_process_routes_the_next_submission_of_this_one(loop, tmp_path, client):
    """Two real processes: this one has the routing table cached, another (a `python -c`) moves the
    category to the town department; the next API submission here is routed there."""
    from zhuqi.accounts import services as account_services
    from zhuqi.core.scopes import HOTLINE

    w = loop
    _token, raw = account_services.api_token_create(user=w.users["system"], name="12345", scopes=HOTLINE)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def submit(n):
        body = {
            "enterprise_uscc": w.a.uscc,
            "title": f"其他事项 {n}",
            "description": "热线转办。",
            "category_code": "other",
            "channel": "hotline",
        }
        response = client.post("/api/v1/appeals", body, content_type="application/json", **headers)
        assert response.status_code == 201, response.content
        return response.json()["department_code"]

    assert submit(1) is None  # cached: "other" is handled by nobody
    script = (
        "import django; django.setup()\n"
        "from zhuqi.directory.models import Department, ServiceCategory\n"
        f"Department.objects.get(pk={w.town_dept.pk}).categories.add(ServiceCategory.objects.get(code='other'))\n"
    )
    env = worker_env(tmp_path) | {"DJANGO_SETTINGS_MODULE": "zhuqi.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert submit(2) == w.town_dept.code


@pytest.mark.django_db(transaction=True)
def test_two_offices_editing_departments_in_turn_queue_instead_of_deadlocking(loop):
    """One transaction edits department A then B; another edits B in between. The counter moves
    before each change, so the second waits for the first at the counter instead of holding B while
    waiting for the counter (PostgreSQL would cancel one as a deadlock)."""
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time: nothing to interleave")
    import threading
    import time

    w = loop
    first_holds_a, second_starts = threading.Event(), threading.Event()
    errors = []

    def first():
        try:
            with transaction.atomic():
                w.city_dept.name = "市工信局（甲）"
                w.city_dept.save()
                first_holds_a.set()
                second_starts.wait(10)
                time.sleep(0.5)  # the second is now waiting (for the counter, or holding B)
                town = Department.objects.get(pk=w.town_dept.pk)
                town.name = "长安镇经济发展局（甲）"
                town.save()
        except Exception as error:  # noqa: BLE001 - the test reports whatever the database raised
            errors.append(error)
        finally:
            connections.close_all()

    def second():
        try:
            first_holds_a.wait(10)
            second_starts.set()
            with transaction.atomic():
                town = Department.objects.get(pk=w.town_dept.pk)
                town.code = "changan_economy_b"
                town.save(update_fields=["code"])
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    town = Department.objects.get(pk=w.town_dept.pk)
    assert town.name == "长安镇经济发展局（甲）" and town.code == "changan_economy_b"
