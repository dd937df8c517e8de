"""`duibiao serve` keeps its task worker alive (security review item 8): a worker that dies
is started again, with a growing wait while it keeps dying young, and ends with the server.
The supervisor is tested directly with short-lived stand-in commands."""

from __future__ import annotations

import os
import signal
import sys
import time

from duibiao.cli import WorkerSupervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def alive(process) -> bool:
    return process is not None and process.poll() is None


def test_a_killed_worker_is_started_again():
    supervisor = WorkerSupervisor(SLEEPER, min_delay=0.05, poll=0.02).start()
    try:
        wait_for(lambda: supervisor.starts == 1 and alive(supervisor.process))
        first = supervisor.process
        os.kill(first.pid, signal.SIGKILL)  # as the review did, twelve times
        wait_for(lambda: supervisor.starts == 2 and alive(supervisor.process))
        assert supervisor.process.pid != first.pid and first.poll() == -signal.SIGKILL
    finally:
        supervisor.stop(timeout=5)


def test_stopping_ends_the_worker_and_starts_no_other():
    supervisor = WorkerSupervisor(SLEEPER, min_delay=0.05, poll=0.02).start()
    wait_for(lambda: alive(supervisor.process))
    worker = supervisor.process
    supervisor.stop(timeout=5)
    assert worker.poll() is not None and not supervisor._thread.is_alive()
    time.sleep(0.2)
    assert supervisor.starts == 1


def test_a_worker_that_keeps_dying_is_restarted_ever_more_slowly():
    failing = [sys.executable, "-c", "raise SystemExit(3)"]
    supervisor = WorkerSupervisor(failing, min_delay=0.05, max_delay=0.2, poll=0.01).start()
    try:
        wait_for(lambda: len(supervisor.delays) >= 5)
    finally:
        supervisor.stop(timeout=5)
    assert supervisor.delays[:5] == [0.05, 0.1, 0.2, 0.2, 0.2]
    assert supervisor.process.returncode == 3


def test_a_worker_that_lived_long_enough_is_restarted_quickly_again():
    short = [sys.executable, "-c", "import time; time.sleep(0.3)"]
    supervisor = WorkerSupervisor(short, min_delay=0.05, max_delay=5, stable_after=0.2, poll=0.01).start()
    try:
        wait_for(lambda: len(supervisor.delays) >= 3)
    finally:
        supervisor.stop(timeout=5)
    assert supervisor.delays[:3] == [0.05, 0.05, 0.05]
