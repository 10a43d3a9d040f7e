"""`zhuqi run`: gunicorn and the worker start together and stop together, leaving no process behind."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.appeals.test_worker import worker_env
from zhuqi.appeals import services
from zhuqi.core.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    """A port the system hands out as free: two test runs on one machine (CI beside a developer's
    run) never pick the same one, as they could when each took the first port nobody listened on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[1].startswith("Z"))


def start(tmp_path, port):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zhuqi.cli",
            "run",
            "--port",
            str(port),
            "--web-workers",
            "1",
            "--idle",
            "0.2",
        ],
        env=worker_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as answer:
                assert answer.status == 200 and "助企" in answer.read().decode()
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("gunicorn did not answer within 60 s")
    children = children_of(process.pid)
    assert len(children) == 2  # gunicorn's master and the worker
    return process, children


def port_closed(port) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_serves_and_delivers_then_one_signal_stops_both(loop, tmp_path, stop_signal):
    port = free_port()
    process, children = start(tmp_path, port)
    try:
        services.appeal_submit(
            enterprise=loop.a,
            title="停电",
            description="d",
            category=loop.cats.loan,
            acting_user=loop.users["enterprise_a"],
        )
        deadline = time.monotonic() + 30
        while not Notification.objects.filter(user=loop.head).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert Notification.objects.filter(user=loop.head).exists()  # the worker runs beside the server
    finally:
        process.send_signal(stop_signal)
        out, _ = process.communicate(timeout=60)
    assert process.returncode == 0, out
    assert not any(alive(pid) for pid in children) and port_closed(port)


def test_when_the_worker_dies_the_server_is_stopped_and_the_exit_fails(loop, tmp_path):
    port = free_port()
    process, (web, worker) = start(tmp_path, port)
    os.kill(worker, signal.SIGKILL)
    out, _ = process.communicate(timeout=60)
    assert process.returncode != 0 and "worker exited" in out
    assert not alive(web) and port_closed(port)
