"""Warm start: what `duibiao serve` does before it says it is ready (issue 14).

A cold worker paid for everything on its first request: importing the apps' views and the
engine (numpy), compiling the templates, loading the translation catalogues, opening the
database connection — seconds on two busy cores. gunicorn preloads the application, so the
master does the shared half once (`warm_master`) and every worker inherits it through fork;
each worker then does its own half (`warm_worker`: its database connection, one request through
the whole middleware stack) before it accepts a request. `config/gunicorn.py` calls both.

    warm_master(application) # in the master, after the application is loaded
    warm_worker(application) # in each worker, before it serves
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import pkgutil
import time
import warnings
from collections.abc import Callable, Iterable
from io import BytesIO
from pathlib import Path
from typing import Any

# Not imported by the warm-up: migrations and management commands are never needed to serve,
# the ASGI module builds a second handler, the gunicorn settings import this module, and a
# package's __main__ runs its command when imported.
_SKIPPED_PARTS = {"migrations", "management", "asgi", "gunicorn", "__main__"}


def warm_master(application: Callable[..., Any] | None = None) -> dict[str, float]:
    """Everything a worker would otherwise do on its first request and can share: imports,
    compiled templates, catalogues, the URL resolver, the first render of the home and ranking
    pages (through `application`, the preloaded WSGI handler). Leaves no database connection
    open (a connection made before fork would be shared by every worker). Returns seconds per step."""
    from django.db import connections

    steps: dict[str, float] = {}
    for name, step in (("modules", import_modules), ("urls", resolve_urls), ("templates", compile_templates),
                       ("catalogues", load_catalogues), ("caches", touch_caches),
                       ("pages", lambda: render_pages(application))):
        began = time.perf_counter()
        step()
        steps[name] = time.perf_counter() - began
    connections.close_all()
    began = time.perf_counter()
    freeze_heap()
    steps["freeze"] = time.perf_counter() - began
    return steps


def warm_worker(application: Callable[..., Any]) -> int:
    """A worker's own half: open its database connection and send one request (the login page,
    which needs no account and writes nothing) through the whole WSGI stack. Returns its status."""
    from django.db import connection

    status = request_login_page(application)
    connection.ensure_connection()  # after the request, whose end may close it (CONN_MAX_AGE)
    freeze_heap()
    return status


def freeze_heap() -> None:
    """Move every object alive now (modules, classes, compiled templates, catalogues: some
    hundreds of thousands, all kept for the life of the process) out of the garbage collector's
    reach. Without it each full collection walks them all — about 100 ms on these machines,
    landing on whichever request triggers it (the unit result page: p50 50 ms, p95 186 ms; with
    the heap frozen p95 52 ms). Collecting first leaves no garbage in the frozen set; done in the
    master before the fork it also keeps the workers from touching (and so copying) those pages."""
    gc.collect()
    gc.freeze()


def import_modules(package: str = "duibiao") -> list[str]:
    """Import every module of the package that serving may use (views, selectors, services,
    the engine, the document writers and their libraries)."""
    root = importlib.import_module(package)
    names = []
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        if _SKIPPED_PARTS.intersection(info.name.split(".")):
            continue
        try:
            importlib.import_module(info.name)
        except Exception as exc:  # noqa: BLE001 (a warm-up must never stop a server that can serve)
            warnings.warn(f"预热时无法导入 {info.name}: {exc!r}", RuntimeWarning, stacklevel=1)
            continue
        names.append(info.name)
    return names


def resolve_urls() -> None:
    """Build the URL resolver (it imports every view), compile every route's pattern and fill
    the reverse tables, in each language: Django does each lazily, per language, and `reverse`
    builds a resolver of its own per namespace (get_ns_resolver), populated on first use — 0.15 s
    of a first home page's {% url %} tags."""
    from django.conf import settings
    from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse
    from django.utils import translation

    def compile_patterns(resolver: URLResolver) -> None:
        for pattern in resolver.url_patterns:
            pattern.pattern.regex  # noqa: B018 (compiled on first access, per language)
            if isinstance(pattern, URLResolver):
                compile_patterns(pattern)

    def walk(resolver: URLResolver, namespace: str) -> None:
        resolver.reverse_dict  # noqa: B018 (the property builds the reverse table)
        for name, (_prefix, sub) in resolver.namespace_dict.items():
            path = f"{namespace}:{name}" if namespace else name
            with contextlib.suppress(NoReverseMatch):  # builds the namespace's resolver, finds no name
                reverse(f"{path}:-warm-up-")
            walk(sub, path)

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            compile_patterns(get_resolver())
            walk(get_resolver(), "")


def template_names() -> Iterable[str]:
    """Every template of the installed apps (the app directories the loaders search)."""
    from django.template import engines

    for backend in engines.all():
        for directory in backend.template_dirs:
            root = Path(directory)
            for path in sorted(root.rglob("*")):
                if path.is_file() and path.suffix in {".html", ".txt", ".xml"}:
                    yield path.relative_to(root).as_posix()


def compile_templates() -> int:
    """Compile every template once into the cached loader, so no worker parses one again."""
    from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines

    compiled = 0
    for backend in engines.all():
        for name in template_names():
            try:
                backend.get_template(name)
            except (TemplateDoesNotExist, TemplateSyntaxError):
                # A fragment that only compiles inside another template (an included
                # partial using its parent's libraries) is compiled when its parent is.
                continue
            compiled += 1
    return compiled


def load_catalogues() -> None:
    """Load the translation catalogue of every language (read from the .mo files once)."""
    from django.conf import settings
    from django.utils import translation

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("登录")


def touch_caches() -> None:
    """Create the configured caches (the first use builds the backend object)."""
    from django.core.cache import caches

    for alias in caches.settings:
        caches[alias].get("duibiao:warm-up")


def render_pages(application: Callable[..., Any] | None = None) -> dict[str, int]:
    """Render the office's home page and the latest published ranking once, as the first office
    account, through the whole middleware stack, in a transaction rolled back afterwards (the
    session it needs, and anything a page writes, are never kept). What stays is what Django
    builds on a first query or render and keeps per process (lookups, compiled expressions,
    template nodes' first paths): forked workers inherit it. Returns each page's status; on a
    database with no office account or no published run, that page is left out."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import DatabaseError, transaction
    from django.test import RequestFactory
    from django.urls import reverse

    from duibiao.accounts.models import User
    from duibiao.accounts.roles import Role
    from duibiao.assessment.models import ScoringRun

    handler = application if isinstance(application, WSGIHandler) else WSGIHandler()
    statuses: dict[str, int] = {}
    try:
        with transaction.atomic():
            user = User.objects.filter(is_active=True, grants__role=Role.OFFICE).order_by("pk").first()
            if user is None:
                return statuses
            session = SessionStore()
            session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(user.pk), settings.AUTHENTICATION_BACKENDS[-1]
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.save()
            paths = [reverse("web:home")]
            run = ScoringRun.objects.filter(stage=ScoringRun.Stage.PUBLISHED).order_by("-pk").first()
            if run is not None:
                paths.append(reverse("assessment:run_detail", args=[run.pk]))
            factory = RequestFactory(HTTP_HOST=_host(), HTTP_ACCEPT_LANGUAGE="zh-CN")
            for path in paths:
                request = factory.get(path)
                request.COOKIES[settings.SESSION_COOKIE_NAME] = session.session_key or ""
                # get_response runs the middleware and the view without the request signals
                # (request_finished would close this transaction's connection).
                statuses[path] = handler.get_response(request).status_code
            transaction.set_rollback(True)
    except DatabaseError as exc:  # no tables yet (a server started before `migrate`)
        warnings.warn(f"预热页面未渲染: {exc}", RuntimeWarning, stacklevel=1)
    return statuses


def _host() -> str:
    from django.conf import settings

    return next((h for h in settings.ALLOWED_HOSTS if h and not h.startswith((".", "*", "["))), "localhost")


def request_login_page(application: Callable[..., Any]) -> int:
    """GET /login/ through the WSGI application, as gunicorn would call it; returns the status."""
    status: list[int] = []

    def start_response(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., Any]:
        status.append(int(line.split()[0]))
        return lambda _data: None

    host = _host()
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": "/login/", "QUERY_STRING": "", "SERVER_NAME": host,
        "SERVER_PORT": "80", "HTTP_HOST": host, "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_ACCEPT_LANGUAGE": "zh-CN", "wsgi.input": BytesIO(), "wsgi.errors": BytesIO(),
        "wsgi.url_scheme": "http", "wsgi.version": (1, 0), "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    response = application(environ, start_response)
    try:
        for _chunk in response:
            pass
    finally:
        close = getattr(response, "close", None)
        if close is not None:
            close()
    return status[0] if status else 0
