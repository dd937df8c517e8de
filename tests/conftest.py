"""Shared fixtures: a small district, users of each role, and the real-parts guards.

In CI (CI=true) a test that needs PostgreSQL or Chromium fails instead of skipping, so a
green run always means the real thing was exercised.
"""

from __future__ import annotations

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made beside it
# are still synchronous, so Django's async-safety guard is switched off for tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("DUIBIAO_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "Test@Pass2026"


def skip_or_fail(reason: str) -> None:
    """Skip locally with a reason; in CI the missing part is a failure."""
    if _in_ci():
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason=reason)


@pytest.fixture(autouse=True)
def _test_settings(request):
    """Settings every Django test runs with. The engine, scheme and CLI tests need no Django
    and also run with ``-p no:django``; then there is nothing to set."""
    if not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    # Real PBKDF2 costs ~0.5 s per hash; tests check the policy, not the hash cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Background tasks (scoring runs, large imports) run inside the request that queues them.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Services queue tasks on commit; a test's transaction never commits, so callbacks run
    # where production commits: when a service's own transaction ends (tests/on_commit.py).
    # tests/test_worker.py runs the database backend with a real worker instead.
    from tests import on_commit

    on_commit.install(request.getfixturevalue("monkeypatch"))
    # A request in English leaves English active in the thread; services' messages (and the
    # tests that read them) are Chinese unless a test asks otherwise.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world(db):
    """哈尔滨市 → 道外区 → 靖宇街道, 太古街道, 区发改局, with one user per role of interest."""
    return build_world()


def build_world() -> dict:
    """The body of `world`, callable where a fixture cannot be (a module-scoped one)."""
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create
    from duibiao.org.models import Category, TaskForce, Tier, Unit
    from duibiao.org.services import unit_create

    street = Category.objects.create(code="street", name="街道乡镇")
    econ = Category.objects.create(code="economic", name="经济部门")
    tier = Tier.objects.create(code="jiedao", name="街道")
    city = unit_create(actor=None, code="harbin", name="哈尔滨市", kind=Unit.Kind.CITY)
    district = unit_create(actor=None, code="daowai", name="道外区", kind=Unit.Kind.DISTRICT, parent=city)
    a = unit_create(actor=None, code="jingyu", name="靖宇街道", kind=Unit.Kind.STREET, parent=district,
                    category=street, tier=tier)
    b = unit_create(actor=None, code="taigu", name="太古街道", kind=Unit.Kind.STREET, parent=district,
                    category=street, tier=tier)
    c = unit_create(actor=None, code="fagai", name="区发展和改革局", kind=Unit.Kind.DEPARTMENT,
                    parent=district, category=econ)
    other_district = unit_create(actor=None, code="nangang", name="南岗区", kind=Unit.Kind.DISTRICT,
                                 parent=city)
    tf = TaskForce.objects.create(code="zb1", name="能力作风建设考核评价专班", district=district)

    def person(username, role, units, unit=None, **grant):
        user = user_create(actor=None, username=username, password=PASSWORD, unit=unit)
        role_grant(actor=None, user=user, role=role, units=units, **grant)
        return user

    users = {
        "reporter_a": person("tb_a", Role.REPORTER, [a], unit=a, include_subtree=False),
        "reporter_b": person("tb_b", Role.REPORTER, [b], unit=b, include_subtree=False),
        "head_a": person("fzr_a", Role.UNIT_HEAD, [a], unit=a, include_subtree=False),
        "office": person("khb", Role.OFFICE, [district]),
        "taskforce": person("zb1", Role.TASKFORCE, [district], taskforce=tf),
        "leader": person("leader", Role.LEADER, [district]),
        "sysadmin": person("admin", Role.SYSADMIN, [district]),
        "secadmin": person("secadmin", Role.SECADMIN, [district]),
        "auditor": person("auditor", Role.AUDITOR, [district]),
    }
    return {
        "city": city, "district": district, "a": a, "b": b, "fagai": c,
        "other_district": other_district, "taskforce": tf, **users,
    }


@pytest.fixture
def client_for(db):
    """A new test client logged in as the given user (one client per user, so a test can
    act as several people at once)."""
    from django.test import Client

    def login(user):
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM) and not shutil.which("chromium"):
        skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def sign_in(page, base: str, username: str, password: str = PASSWORD):
    """Log in through the login form, as a person would, and wait for the home page."""
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    return page


def signed_in_page(browser, base: str, username: str):
    """A page in a browser context of its own (so several people can act side by side)."""
    return sign_in(browser.new_context(locale="zh-CN").new_page(), base, username)


# What htmx marks while it works: the element whose request is out, the target being swapped
# and settling, and content just swapped in (htmx-added until it settles).
HTMX_BUSY = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"


def htmx_settled(page) -> None:
    """Wait until htmx has finished its request, swap and settle. Swapped-in content is wired
    (its hx-* attributes processed) only when it settles, ~20 ms after it appears in the DOM:
    a field changed in that moment belongs to a form htmx does not know yet, and its change is
    sent nowhere. Call this after waiting for a swap's result and before acting in what it drew."""
    from playwright.sync_api import expect

    expect(page.locator(HTMX_BUSY)).to_have_count(0)


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _on_postgres() -> bool:
    return os.environ.get("DUIBIAO_DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL itself (several servers on one database). On
    SQLite they are skipped with the reason; in CI's SQLite pass they are deselected instead,
    since CI's PostgreSQL pass runs them (and a skip there would fail the run)."""
    if _on_postgres():
        return
    marked = [item for item in items if item.get_closest_marker("postgres")]
    if not marked:
        return
    reason = "needs PostgreSQL: run with DUIBIAO_DATABASE_URL=postgres://… (CI's PostgreSQL pass runs it)"
    if _in_ci():
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]
        config.hook.pytest_deselected(items=marked)
        return
    for item in marked:
        item.add_marker(pytest.mark.skip(reason=reason))


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failed run: every test must really run there."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if _in_ci() and skipped and exitstatus == 0:
        session.exitstatus = 1
        if reporter:
            reporter.write_line(f"CI: {len(skipped)} test(s) skipped; every test must run in CI.", red=True)


@pytest.fixture
def assessed(world):
    """`world` plus the 道外 2023 example scheme and an open quarter reporting into it."""
    return build_assessed(world)


def build_assessed(world: dict) -> dict:
    from datetime import date
    from pathlib import Path

    from duibiao.assessment.models import Period
    from duibiao.assessment.services.schemes import scheme_create
    from duibiao.org.models import TaskForce

    for code, name in (("zb2", "营商环境专班"), ("zb3", "高质量发展专班"), ("zb4", "项目攻坚专班")):
        TaskForce.objects.create(code=code, name=name, district=world["district"])
    document = (Path(__file__).parent.parent / "examples" / "daowai-2023" / "scheme.yaml").read_text()
    scheme = scheme_create(
        actor=None, code="daowai-2023", name="道外区2023年度对标晋位考核评价方案", year=2023,
        district=world["district"], document=document,
    )
    version = scheme.versions.get()
    period = Period.objects.create(
        version=version, kind=Period.Kind.QUARTER, year=2026, number=4, name="2026年第四季度",
        opens_on=date(2026, 10, 9), deadline_workdays=10, deadline=date(2026, 10, 23),
        status=Period.Status.OPEN,
    )
    return {**world, "scheme": scheme, "version": version, "period": period,
            "ind": {i.code: i for i in version.indicators.all()}}


@pytest.fixture
def approved(assessed):
    """`assessed` with every example value of its three units approved for the period."""
    return build_approved(assessed)


def build_approved(assessed: dict) -> dict:
    import csv
    from collections import defaultdict
    from decimal import Decimal
    from pathlib import Path

    from duibiao.assessment.models import Submission

    path = Path(__file__).parent.parent / "examples" / "daowai-2023" / "data.csv"
    units = {u.code: u for u in (assessed["a"], assessed["b"], assessed["fagai"])}
    values, ballots = {}, defaultdict(dict)
    with open(path, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["unit"] not in units:
                continue
            code, _, grade = row["indicator"].partition(":")
            if grade:
                ballots[(row["unit"], code)][grade] = int(float(row["value"]))
            else:
                values[(row["unit"], code)] = Decimal(row["value"])
    rows = [
        Submission(period=assessed["period"], unit=units[u], indicator=assessed["ind"][c], value=v,
                   status=Submission.Status.APPROVED)
        for (u, c), v in values.items() if c in assessed["ind"]
    ] + [
        Submission(period=assessed["period"], unit=units[u], indicator=assessed["ind"][c], ballots=b,
                   status=Submission.Status.APPROVED)
        for (u, c), b in ballots.items()
    ]
    Submission.objects.bulk_create(rows)
    return assessed
