"""The outbox worker, killed with SIGKILL while delivering, loses nothing and sends nothing twice."""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.db import connection

from zhuqi.appeals import services
from zhuqi.core.models import Notification, OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)


def worker_env(tmp_path) -> dict:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "ZHUQI_DATA_DIR": str(tmp_path),
        "ZHUQI_SMS_GATEWAY": "file",
        "ZHUQI_SEND_LEASE_SECONDS": "1",  # a message claimed by the killed worker is retried soon
    }


def start_worker(env):
    return subprocess.Popen(
        [sys.executable, "-m", "zhuqi.cli", "worker", "--sweep-every", "100000"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def fanned_out() -> None:
    """Fans the submissions' rows out in this process (core.outbox): the test follows their messages."""
    from zhuqi.core.worker import deliver_due

    while deliver_due(channels=["fanout"]):
        pass
    assert not OutboxMessage.objects.filter(channel="fanout", status="pending").exists()


def sms_lines(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_killed_worker_loses_nothing_and_sends_no_duplicate(loop, tmp_path, settings):
    settings.ZHUQI_SMS_GATEWAY = "file"
    w = loop
    for i in range(60):
        services.appeal_submit(
            enterprise=w.a,
            title=f"诉求{i}",
            description="d",
            category=w.cats.loan,
            acting_user=w.users["enterprise_a"],
        )
    fanned_out()
    # The worker's sweeps may add messages of their own (a liaison's weekly contact owed, depending on
    # the day): the test follows the messages the submissions queued.
    queued = OutboxMessage.objects.exclude(channel="fanout")
    keys = set(queued.values_list("key", flat=True))
    total = len(keys)
    expected_sms = queued.filter(channel="sms").count()
    ours = OutboxMessage.objects.filter(key__in=keys)
    assert total >= 200 and expected_sms >= 60
    env = worker_env(tmp_path)
    sms_file = tmp_path / "sms.jsonl"

    worker = start_worker(env)
    deadline = time.monotonic() + 60
    while len(sms_lines(sms_file)) < 15 and time.monotonic() < deadline and worker.poll() is None:
        time.sleep(0.01)
    worker.send_signal(signal.SIGKILL)  # mid-delivery: no chance to finish what it was doing
    worker.wait()
    delivered_before = ours.filter(status="sent").count()
    assert 0 < delivered_before < total, worker.stderr.read().decode()[-2000:]

    restarted = subprocess.run(
        [sys.executable, "-m", "zhuqi.cli", "worker", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert restarted.returncode == 0, restarted.stderr[-2000:]
    # Deliver until nothing is due (one --once run delivers up to 100).
    for _ in range(10):
        if not ours.filter(status="pending").exists():
            break
        time.sleep(1.1)  # past the lease of a message the killed worker had claimed
        subprocess.run(
            [sys.executable, "-m", "zhuqi.cli", "worker", "--once"],
            env=env,
            check=True,
            timeout=300,
            capture_output=True,
        )
    assert ours.filter(status="sent").count() == total
    sms_keys = Counter(line["key"] for line in sms_lines(sms_file) if line["key"] in keys)
    assert len(sms_keys) == expected_sms and set(sms_keys.values()) == {1}
    delivered = Notification.objects.filter(key__in=keys)
    assert delivered.count() == total - expected_sms
    assert len(set(delivered.values_list("key", flat=True))) == delivered.count()


def test_failing_channel_is_retried_with_backoff(loop, settings):
    from zhuqi.core import worker

    settings.ZHUQI_SMS_GATEWAY = "http://127.0.0.1:9/unreachable"  # the discard port: nothing listens
    w = loop
    services.appeal_submit(
        enterprise=w.a, title="t", description="d", category=w.cats.loan, acting_user=w.users["enterprise_a"]
    )
    worker.deliver_due()  # the submission's fan-out row, then the messages it queued
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.status == "pending" and sms.attempts == 1 and "unreachable" in sms.last_error
    assert OutboxMessage.objects.get(channel="fanout").status == "sent"
    assert (
        OutboxMessage.objects.filter(channel="inapp", status="sent").count()
        == OutboxMessage.objects.exclude(channel="fanout").count() - 1
    )
    assert worker.deliver_due() == 0  # not due again before its backoff


def test_two_workers_share_the_outbox_without_delivering_anything_twice(loop, tmp_path, settings):
    w = loop
    for i in range(40):
        services.appeal_submit(
            enterprise=w.a,
            title=f"诉求{i}",
            description="d",
            category=w.cats.loan,
            acting_user=w.users["enterprise_a"],
        )
    fanned_out()
    total = OutboxMessage.objects.filter(status="pending").count()
    assert 100 < total <= 200  # each `--once` pass handles at most 100: both workers must take a share
    env = worker_env(tmp_path)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "zhuqi.cli", "worker", "--once"],
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    handled = []
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err[-2000:]
        handled.append(int(out.split("Handled ")[1].split()[0]))
    assert sum(handled) == total and min(handled) > 0
    assert OutboxMessage.objects.filter(status="sent").exclude(channel="fanout").count() == total
    sms_keys = Counter(line["key"] for line in sms_lines(tmp_path / "sms.jsonl"))
    assert (
        set(sms_keys.values()) == {1} and len(sms_keys) == OutboxMessage.objects.filter(channel="sms").count()
    )


def test_inapp_messages_do_not_wait_behind_a_slow_sms_gateway(loop, monkeypatch):
    import threading

    from zhuqi.core import channels, worker

    sms_started, release = threading.Event(), threading.Event()

    def stuck_sms(message):  # a gateway that answers only when released
        sms_started.set()
        release.wait(120)

    monkeypatch.setitem(channels.CHANNELS, "sms", stuck_sms)
    for i in range(3):
        services.appeal_submit(
            enterprise=loop.a,
            title=f"诉求{i}",
            description="d",
            category=loop.cats.loan,
            acting_user=loop.users["enterprise_a"],
        )
    fanned_out()
    inapp = OutboxMessage.objects.filter(channel="inapp").count()
    assert inapp and OutboxMessage.objects.filter(channel="sms").exists()
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run, kwargs={"idle_sleep": 0.05, "stop": stop, "sweep_every": 1e6}
    )
    thread.start()
    try:
        assert sms_started.wait(60)
        deadline = time.monotonic() + 60
        while Notification.objects.count() < inapp and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not release.is_set() and Notification.objects.count() == inapp  # all in while SMS hangs
        assert OutboxMessage.objects.filter(channel="sms", status="sent").count() == 0
    finally:
        release.set()
        stop.set()
        thread.join(60)
    assert not thread.is_alive()
    assert OutboxMessage.objects.filter(channel="sms", status="sent").exists()
