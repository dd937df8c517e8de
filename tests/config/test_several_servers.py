"""Several app servers and one task worker on one PostgreSQL database (issue 15, "beyond one
machine"; docs/deployment.md): two gunicorn processes on two loopback ports and one
`duibiao db_worker`, all on the test database, sharing nothing but the database, the secret key
and the files folder.

A reporter signs in through server A and saves a value; server B shows it, to the same
session (sessions live in the database). The office starts a scoring run through server B; the
worker computes it, and server A shows its results. Every process is stopped in `finally`.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import global_settings
from django.urls import reverse

from duibiao.assessment.models import RunResult, ScoringRun, Submission
from tests.backup.helpers import database_url
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Processes:
    """The servers and the worker; each one's output in a log file, all stopped by `stop`."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.tmp_path, self.env = tmp_path, env
        self.started: list[tuple[str, subprocess.Popen[bytes], Path]] = []

    def start(self, name: str, command: list[str]) -> None:
        log = self.tmp_path / f"{name}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(command, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        self.started.append((name, process, log))

    def output(self) -> str:
        return "\n".join(f"--- {name} ({process.poll()}):\n{log.read_text(errors='replace')[-2500:]}"
                         for name, process, log in self.started)

    def alive(self) -> None:
        for name, process, _ in self.started:
            assert process.poll() is None, f"{name} exited ({process.returncode}):\n{self.output()}"

    def wait(self, condition, what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not condition():
            self.alive()
            assert time.monotonic() < deadline, f"{what}: not within {WAIT_SECONDS} s\n{self.output()}"
            time.sleep(0.2)

    def stop(self) -> None:
        for _, process, _ in self.started:
            if process.poll() is None:
                process.terminate()  # gunicorn's arbiter and the worker end their own children
        for _, process, _ in self.started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait(timeout=10)


class Browser:
    """One person's cookies (a session is for every server, as cookies ignore the port)."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def get(self, url: str) -> tuple[int, str, str]:
        return self._open(urllib.request.Request(url))

    def post(self, url: str, form: dict[str, str], *, referer: str) -> tuple[int, str, str]:
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **form}).encode()
        return self._open(urllib.request.Request(url, data=data, headers={"Referer": referer}))

    def _open(self, request: urllib.request.Request) -> tuple[int, str, str]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode(), response.headers.get("Location", "")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace"), exc.headers.get("Location", "")

    def sign_in(self, base: str, username: str) -> None:
        status, _, _ = self.get(f"{base}/login/")
        assert status == 200
        status, body, location = self.post(f"{base}/login/", {"username": username, "password": PASSWORD},
                                           referer=f"{base}/login/")
        assert status == 302 and location == "/", f"{username} not signed in ({status}): {body[:500]}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is an answer to look at
        return None


@pytest.fixture
def servers(approved, settings, tmp_path):
    """Two app servers and a worker on the test database; yields the servers' base URLs."""
    # The passwords as production hashes them: the servers run production's hashers.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    for key in ("reporter_a", "office"):
        approved[key].set_password(PASSWORD)
        approved[key].save(update_fields=["password"])
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("DUIBIAO_") and key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(DUIBIAO_DATABASE_URL=database_url(), DUIBIAO_TASKS_BACKEND="database",
               DUIBIAO_SECRET_KEY="several-servers-one-key-" + "k" * 40, DUIBIAO_VAR_DIR=str(tmp_path / "var"),
               DUIBIAO_MEDIA_ROOT=str(tmp_path / "shared-media"), PYTHONWARNINGS="ignore")
    processes = Processes(tmp_path, env)
    bases = []
    try:
        for name in ("server-a", "server-b"):
            port = free_port()
            processes.start(name, [sys.executable, "-m", "gunicorn", "duibiao.config.wsgi:application",
                                   "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "120"])
            bases.append(f"http://127.0.0.1:{port}")
        processes.start("worker", [sys.executable, "-m", "duibiao.cli", "db_worker", "--interval", "0.2",
                                   "--no-startup-delay", "--no-reload"])
        for base in bases:
            processes.wait(lambda base=base: _answers(f"{base}/login/"), f"{base} answering")
        yield processes, bases
    finally:
        processes.stop()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def test_two_servers_and_a_worker_share_one_database(servers, approved):
    processes, (a, b) = servers
    period = approved["period"]
    submission = Submission.objects.get(unit=approved["a"], indicator__code="nl02")
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.RETURNED)

    # A reporter signs in on A and saves a value there.
    reporter = Browser()
    reporter.sign_in(a, "tb_a")
    form_page = reverse("assessment:report_unit", args=[period.pk, "jingyu"])
    status, _, _ = reporter.get(a + form_page)
    assert status == 200
    save = reverse("assessment:value_save", args=[period.pk, "jingyu", "nl02"])
    status, body, _ = reporter.post(a + save, {"value": "96", "note": "经两台服务器", "version": str(submission.version)},
                                    referer=a + form_page)
    assert status == 200, body[:1000]
    assert Submission.objects.get(pk=submission.pk).value == 96

    # B knows the session A opened, and shows the value A saved.
    status, page, _ = reporter.get(b + form_page)
    assert status == 200, "the session signed in on A is unknown to B"
    row = re.search(r'data-testid="row-nl02".*?</tr>', page, re.S)
    assert row and "96" in row.group(0) and "经两台服务器" in page

    # The office starts a run on B; the worker computes it; A shows the results.
    office = Browser()
    office.sign_in(b, "khb")
    runs_page = reverse("assessment:period_runs", args=[period.pk])
    status, _, _ = office.get(b + runs_page)
    assert status == 200
    status, body, location = office.post(b + reverse("assessment:run_start", args=[period.pk]),
                                         {"note": "经服务器 B 发起"}, referer=b + runs_page)
    assert status == 302, body[:1000]
    run_id = int(re.search(r"/runs/(\d+)/", location).group(1))
    processes.wait(lambda: ScoringRun.objects.values_list("status", flat=True).get(pk=run_id) == "done",
                   "the run queued on B, done by the worker")
    assert RunResult.objects.filter(run_id=run_id).count() == 3
    status, page, _ = office.get(a + reverse("assessment:run_detail", args=[run_id]))
    assert status == 200 and ScoringRun.objects.get(pk=run_id).note == "经服务器 B 发起"
    assert all(name in page for name in ("靖宇街道", "太古街道", "区发展和改革局"))
