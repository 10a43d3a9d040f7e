"""Runs the platform as in production: gunicorn serving `zhuqi.wsgi` and `zhuqi worker`, together.

One signal (Ctrl-C, SIGTERM) stops both: each child is asked to stop with SIGTERM (gunicorn finishes
the requests in hand, the worker the message or job in hand) and killed if it has not stopped within
the grace period. When one child dies on its own the other is stopped too and the exit status is
non-zero, so a service manager (systemd, a container runtime) sees the failure and restarts the
whole. On Linux each child also gets SIGTERM from the kernel if this process is killed outright, so
no child is ever left behind.
"""

import ctypes
import ctypes.util
import signal
import subprocess
import sys
import threading
import time

GRACE_SECONDS = 20
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _gunicorn_options() -> list[str]:
    from gunicorn.config import KNOWN_SETTINGS

    # Newer gunicorn opens a control socket at one fixed path in the home directory: two servers on
    # one machine (a second port, CI beside a developer) would fight over it. Nothing here uses it.
    return ["--no-control-socket"] if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS) else []


def commands(*, host: str, port: int, web_workers: int, worker_args: list[str]) -> dict[str, list[str]]:
    return {
        "web": [
            sys.executable,
            "-m",
            "gunicorn",
            "zhuqi.wsgi",
            f"--bind={host}:{port}",
            f"--workers={web_workers}",
            "--access-logfile=-",
            "--graceful-timeout=15",
            *_gunicorn_options(),
        ],
        "worker": [sys.executable, "-m", "zhuqi.cli", "worker", *worker_args],
    }


def supervise(children: dict[str, list[str]], *, out=sys.stdout, grace: float = GRACE_SECONDS) -> int:
    """Starts every command, waits until one exits or a stop signal comes, then stops the rest.
    Returns 0 after a requested stop with every child stopping cleanly, else non-zero."""
    stop = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGINT, signal.SIGTERM)}
    processes: dict[str, subprocess.Popen] = {}
    try:
        for name, argv in children.items():
            # Own process group: a Ctrl-C in the terminal reaches only this process, which then
            # stops the children in order instead of all of them racing each other.
            processes[name] = subprocess.Popen(argv, preexec_fn=_die_with_parent, process_group=0)  # noqa: PLW1509
            print(f"started {name} (pid {processes[name].pid}): {' '.join(argv[2:])}", file=out, flush=True)
        failed = None
        while not stop.is_set():
            failed = next((n for n, p in processes.items() if p.poll() is not None), None)
            if failed:
                print(
                    f"{failed} exited with status {processes[failed].returncode}; stopping the rest", file=out
                )
                break
            stop.wait(0.2)
    finally:
        codes = _stop_all(processes, grace)
        for s, handler in previous.items():
            signal.signal(s, handler)
    if failed:
        return processes[failed].returncode or 1
    print("stopped", file=out, flush=True)
    return 0 if all(code in (0, -signal.SIGTERM) for code in codes.values()) else 1


def _stop_all(processes: dict[str, subprocess.Popen], grace: float) -> dict[str, int]:
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes.values():
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return {name: process.returncode for name, process in processes.items()}
