"""Issue 15, finding 10: the audit trail proves itself (hash chain, `zhuqi audit verify`), is kept at
least 180 days and is exported by date range."""

import csv
import io
import subprocess
import sys
import threading
from datetime import date, timedelta
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections, transaction
from django.utils import timezone
from openpyxl import load_workbook

from zhuqi.core import audit, audit_chain, audit_export
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.models import AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db


def write_events(user, n, **data):
    """n events in one committed transaction, sealed when it commits."""
    with transaction.atomic():
        for i in range(n):
            audit.record(actor=user, verb="test_event", obj=user, data={"i": i, **data})


def test_events_are_chained_when_their_transaction_commits(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        write_events(world.users["coordinator"], 3)
    assert len(callbacks) == 1  # one seal per transaction, however many events
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == audit_chain.GENESIS and events[1].prev_hash == events[0].hash
    assert events[2].hash == AuditChainHead.objects.get(pk=1).hash
    assert events[0].actor_name == "coordinator"
    assert audit_chain.verify().ok


def test_many_events_are_sealed_in_one_pass_across_batches(world, monkeypatch):
    """A bulk write (an import, the demo city's build) seals its events in one pass, a batch at a time."""
    monkeypatch.setattr(audit_chain, "BATCH", 40)
    write_events(world.users["coordinator"], 3)
    assert audit_chain.seal() == 3  # the usual case: a few events
    write_events(world.users["coordinator"], 95)
    assert audit_chain.seal() == 95  # batches of 40, 40 and 15
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, 99))
    assert all(e.prev_hash == before.hash for before, e in zip(events, events[1:], strict=False))
    assert AuditChainHead.objects.get(pk=1).hash == events[-1].hash
    assert audit_chain.verify().ok and audit_chain.verify().checked == 98


def test_verify_names_the_first_edited_event_and_exits_1(world):
    write_events(world.users["coordinator"], 5, amount=1.5)
    audit_chain.seal()
    call_command("audit", "verify", stdout=io.StringIO())  # intact: exit 0
    third = AuditEvent.objects.get(seq=3)
    AuditEvent.objects.filter(pk=third.pk).update(data={"i": 2, "amount": 1000000})
    verdict = audit_chain.verify()
    assert not verdict.ok and verdict.broken_seq == 3 and verdict.checked == 2
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify")
    assert (
        exc.value.returncode == 1 and "event 3" in str(exc.value) and "content was changed" in str(exc.value)
    )


@pytest.mark.parametrize(
    "tamper,seq,reason",
    [
        (lambda: AuditEvent.objects.filter(seq=2).delete(), 2, "missing"),
        (lambda: AuditEvent.objects.filter(seq=5).delete(), 5, "were deleted"),
        (
            lambda: AuditEvent.objects.filter(seq=4).update(actor_name="someone_else"),
            4,
            "content was changed",
        ),
        (lambda: AuditEvent.objects.filter(seq=3).update(prev_hash="0" * 64), 3, "link"),
        (
            lambda: AuditEvent.objects.filter(seq=1).update(created_at=timezone.now() - timedelta(days=9)),
            1,
            "content",
        ),
    ],
)
def test_every_kind_of_tampering_is_found(world, tamper, seq, reason):
    write_events(world.users["coordinator"], 5)
    audit_chain.seal()
    tamper()
    verdict = audit_chain.verify()
    assert verdict.broken_seq == seq and reason in verdict.reason


def test_concurrent_appends_never_fork_the_chain(transactional_db, world):
    barrier = threading.Barrier(4)
    errors = []

    def writer(k):
        try:
            barrier.wait()
            for _ in range(10):
                write_events(world.users["coordinator"], 3, writer=k)
        except Exception as exc:  # noqa: BLE001 — the assertion below reports it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    audit_chain.seal()
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 121))
    verdict = audit_chain.verify()
    assert verdict.ok and verdict.checked == 120


def test_the_migration_chains_existing_events(world):
    from importlib import import_module

    migration = import_module("zhuqi.core.migrations.0007_audit_chain")
    write_events(world.users["coordinator"], 4)  # not sealed (the test's transaction never commits)
    AuditEvent.objects.update(actor_name="")
    AuditChainHead.objects.all().delete()
    migration.chain_existing(apps, None)
    assert list(AuditEvent.objects.order_by("id").values_list("seq", "actor_name")) == [
        (i, "coordinator") for i in range(1, 5)
    ]
    assert audit_chain.verify().ok


def _old_events(user, n, days_ago):
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - timedelta(days=days_ago)):
        write_events(user, n)
    audit_chain.seal()


def test_purge_keeps_the_retention_and_the_chain_verifies_after_it(world, settings):
    settings.ZHUQI_AUDIT_RETENTION_DAYS = 180
    _old_events(world.users["coordinator"], 3, days_ago=400)
    _old_events(world.users["coordinator"], 2, days_ago=100)
    with pytest.raises(ZhuqiError) as exc:
        audit_chain.purge(before=timezone.now() - timedelta(days=179))
    assert exc.value.code == "audit_retention" and AuditEvent.objects.count() == 5
    with pytest.raises(CommandError):
        call_command("audit", "purge", "--before", (date.today() - timedelta(days=30)).isoformat())
    assert audit_chain.purge(before=timezone.now() - timedelta(days=200)) == 3
    assert sorted(AuditEvent.objects.values_list("verb", flat=True)) == ["audit_purge", *["test_event"] * 2]
    head = AuditChainHead.objects.get(pk=1)
    assert head.base_seq == 3
    assert audit_chain.verify().ok


def test_a_retention_under_six_months_is_refused_at_start():
    result = subprocess.run(
        [sys.executable, "-c", "import zhuqi.settings"],
        env={"ZHUQI_AUDIT_RETENTION_DAYS": "90", "PATH": "/usr/bin:/bin", "ZHUQI_DATA_DIR": "/tmp"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "at least 180" in result.stderr


# --- export --------------------------------------------------------------------------------------


def test_coordinator_exports_a_date_range_as_csv_with_formulas_neutralised(client, world):
    audit.record(
        actor=world.users["coordinator"], verb="test_event", obj=world.a, data={"title": "=HYPERLINK(1)"}
    )
    client.force_login(world.users["coordinator"])
    today = timezone.localdate().isoformat()
    response = client.get(f"/api/v1/audit-events/export?start={today}&end={today}&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["序号", "时间", "操作人", "操作"]
    assert any(r[3] == "test_event" and r[7].startswith("{") for r in rows[1:])
    assert AuditEvent.objects.filter(verb="audit_export", actor=world.users["coordinator"]).exists()
    assert audit_export._cell("=1+1") == "'=1+1" and audit_export._cell("@x") == "'@x"


def test_admin_exports_xlsx_from_the_page(client, world):
    audit.record(actor=world.users["coordinator"], verb="test_event", obj=world.a)
    client.force_login(world.users["admin"])
    assert "审计日志" in client.get("/audit/").content.decode()
    today = timezone.localdate().isoformat()
    response = client.get(f"/audit/?start={today}&end={today}&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][3] == "test_event"


@pytest.mark.parametrize("who", ["enterprise_a", "city_handler", "expert", "leader_a"])
def test_others_may_not_export(client, world, who):
    client.force_login(world.users[who])
    assert client.get("/api/v1/audit-events/export?start=2026-01-01&end=2026-01-31").status_code == 403
    assert client.get("/audit/").status_code == 404  # pages answer 404 to what a role cannot reach


def test_a_range_too_long_or_reversed_is_refused(client, world):
    client.force_login(world.users["coordinator"])
    long = client.get("/api/v1/audit-events/export?start=2025-01-01&end=2026-06-30")
    assert long.status_code == 422 and long.json()["code"] == "range_too_long"
    reverse = client.get("/api/v1/audit-events/export?start=2026-02-01&end=2026-01-01")
    assert reverse.status_code == 422 and reverse.json()["code"] == "bad_range"
    assert not AuditEvent.objects.filter(verb="audit_export").exists()
