"""Warm start (issue 14): `duibiao serve` runs gunicorn with the application preloaded and warmed
in the master, each worker warmed before it accepts a request, and says it is ready only once
every worker is warm. Not timed here (bench/warm_start_bench.py measures it)."""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection, connections
from django.template import engines

from duibiao import cli
from duibiao.config import gunicorn as gunicorn_config
from duibiao.config.warmup import render_pages, warm_master, warm_worker
from tests.test_worker import database_url


def served_config(monkeypatch, argv: list[str]):
    """The gunicorn configuration `duibiao serve ARGV` would run with (nothing started)."""
    captured: list[list[str]] = []

    class NoWorker:
        def __init__(self, command):
            self.command = command

        def start(self):
            return self

        def stop(self):
            pass

    monkeypatch.setattr(cli, "WorkerSupervisor", NoWorker)
    monkeypatch.setattr("gunicorn.app.wsgiapp.run", lambda: captured.append(list(sys.argv)))
    monkeypatch.setattr(sys, "argv", ["duibiao"])
    assert cli._serve(argv) == 0
    from gunicorn.app.wsgiapp import WSGIApplication

    monkeypatch.setattr(sys, "argv", captured[0])
    return WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg


def test_serve_preloads_and_warms_through_its_gunicorn_config(monkeypatch):
    cfg = served_config(monkeypatch, ["--bind", "127.0.0.1:8123", "--workers", "2"])
    assert cfg.preload_app is True
    assert cfg.settings["on_starting"].value is gunicorn_config.on_starting  # the master's warm-up
    assert cfg.settings["pre_fork"].value is gunicorn_config.pre_fork  # no connection crosses a fork
    assert cfg.settings["post_worker_init"].value is gunicorn_config.post_worker_init  # each worker's
    # The command line still decides where and how many; the control socket stays off.
    assert cfg.address == [("127.0.0.1", 8123)] and cfg.workers == 2
    assert cfg.control_socket_disable is True and "pid=%(p)s" in cfg.access_log_format


def cached_templates() -> set[str]:
    loader = engines["django"].engine.template_loaders[0]
    return set(getattr(loader, "get_template_cache", {}))


@pytest.mark.django_db(transaction=True)  # outside a test transaction, a connection can be closed
def test_the_master_compiles_the_pages_and_keeps_no_connection(world):
    try:
        steps = warm_master()
        assert gc.get_freeze_count() > 10_000  # what workers inherit is out of the collector's reach
    finally:
        gc.unfreeze()
    assert set(steps) == {"modules", "urls", "templates", "catalogues", "caches", "pages", "freeze"}
    # The templates of the home and ranking pages are compiled, and the views imported.
    assert {"web/home.html", "assessment/run_detail.html", "web/base.html"} <= cached_templates()
    assert "duibiao.assessment.views.runs" in sys.modules and "duibiao.engine" in sys.modules
    # Nothing may hold a database connection across the fork that follows.
    assert all(conn.connection is None for conn in connections.all())


@pytest.mark.django_db(transaction=True)
def test_the_pages_are_rendered_as_the_office_and_nothing_is_kept(world):
    from django.contrib.sessions.models import Session

    from duibiao.audit.models import AuditEntry

    sessions, audit = Session.objects.count(), AuditEntry.objects.count()
    statuses = render_pages()
    assert statuses == {"/": 200}  # no published run in this world: the home page only
    # The session the render needed, and anything the page wrote, were rolled back.
    assert Session.objects.count() == sessions and AuditEntry.objects.count() == audit


@pytest.mark.django_db(transaction=True)
def test_a_database_without_an_office_account_renders_nothing():
    assert render_pages() == {}


@pytest.mark.django_db(transaction=True)  # outside a test transaction, a connection can be closed
def test_a_worker_opens_its_connection_and_serves_itself_the_login_page():
    from django.core.wsgi import get_wsgi_application

    connection.close()
    assert connection.connection is None
    try:
        assert warm_worker(get_wsgi_application()) == 200
        assert connection.connection is not None
        # The long-lived heap is frozen out of the collector's reach, garbage collected first.
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()  # the test process goes on collecting as before


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.django_db(transaction=True)
def test_serve_says_ready_only_after_every_worker_is_warm(settings, tmp_path):
    port, log_path = free_port(), tmp_path / "serve.log"
    env = {**os.environ, "DUIBIAO_DATABASE_URL": database_url(), "DUIBIAO_VAR_DIR": str(settings.VAR_DIR),
           "PYTHONWARNINGS": "ignore"}
    with open(log_path, "wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "duibiao.cli", "serve", "--bind", f"127.0.0.1:{port}",
                                   "--workers", "2"], env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while gunicorn_config.READY_MESSAGE not in (text := Path(log_path).read_text(errors="replace")):
            assert server.poll() is None, f"serve exited ({server.returncode}):\n{text[-3000:]}"
            assert time.monotonic() < deadline, f"no ready line within 120 s:\n{text[-3000:]}"
            time.sleep(0.1)
        lines = text.splitlines()
        ready_at = next(i for i, line in enumerate(lines) if gunicorn_config.READY_MESSAGE in line)
        warm = [i for i, line in enumerate(lines) if "worker warm" in line]
        master = next(i for i, line in enumerate(lines) if "master warm" in line)
        assert len(warm) == 2 and master < min(warm) and max(warm) < ready_at, text
        assert f"http://127.0.0.1:{port}" in lines[ready_at]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=30) as response:
            assert response.status == 200 and "登录" in response.read().decode()
    finally:
        os.killpg(server.pid, 15)  # gunicorn, its workers and its task worker
        server.wait(30)


def test_a_failed_warm_up_is_said_and_the_worker_still_serves(monkeypatch, capsys):
    """The database away for a moment when a worker starts must not stop the server: the worker
    says its warm-up failed and counts as ready, cold."""
    import duibiao.config.warmup as warmup

    def unreachable(_application):
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(warmup, "warm_worker", unreachable)
    read_end, write_end = os.pipe()
    monkeypatch.setattr(gunicorn_config, "_pipe", (read_end, write_end))
    try:
        gunicorn_config.post_worker_init(type("Worker", (), {"wsgi": None})())
        assert os.read(read_end, 100) == f"{os.getpid()}\n".encode()
    finally:
        os.close(read_end)
        os.close(write_end)
    said = capsys.readouterr().err
    assert "worker warm-up failed" in said and "database unreachable" in said


def test_ready_is_said_once_and_later_workers_are_still_read(capsys):
    """Workers started after the ready line (one that died, a reload) keep writing to the pipe;
    the master keeps reading it, so none of them can block on a full pipe."""
    import threading

    read_end, write_end = os.pipe()
    thread = threading.Thread(target=gunicorn_config._await_workers,
                              args=(read_end, 2, [("127.0.0.1", 8123)]), daemon=True)
    thread.start()
    os.write(write_end, b"101\n")
    time.sleep(0.2)
    assert gunicorn_config.READY_MESSAGE not in capsys.readouterr().err  # one of two is not ready
    os.write(write_end, b"102\n")

    def later_workers():  # far more than a pipe holds (64 KB): they finish only if someone reads
        for n in range(20_000):
            os.write(write_end, f"{200 + n}\n".encode())

    writer = threading.Thread(target=later_workers, daemon=True)
    writer.start()
    writer.join(20)
    assert not writer.is_alive(), "a worker blocked writing to the pipe: the master stopped reading"
    os.close(write_end)
    thread.join(10)
    assert not thread.is_alive()
    said = capsys.readouterr().err
    assert said.count(gunicorn_config.READY_MESSAGE) == 1 and "http://127.0.0.1:8123" in said
    os.close(read_end)
