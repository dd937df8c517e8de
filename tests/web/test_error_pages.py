"""403, 404 and 500 in the site layout, in Chinese, with the reason and a way back
(issue 10, item 8; web/errors.py)."""

from __future__ import annotations

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from duibiao.config import urls as root_urls
from duibiao.web import errors


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def _main(html: str) -> str:
    """The page's own content (the layout around it carries a per-request CSRF token)."""
    match = re.search(r"<main.*?</main>", html, re.S)
    assert match, html[:300]
    return match.group(0)


def test_the_root_urlconf_names_the_handlers():
    assert root_urls.handler403 == "duibiao.web.errors.permission_denied"
    assert root_urls.handler404 == "duibiao.web.errors.page_not_found"
    assert root_urls.handler500 == "duibiao.web.errors.server_error"


def test_403_shows_the_gates_chinese_reason_in_the_layout(assessed, client_for):
    url = reverse("assessment:scheme_edit", args=[assessed["scheme"].code])
    response = client_for(assessed["reporter_a"]).get(url, HTTP_REFERER="http://testserver/assessment/report/")
    html = response.content.decode()
    assert response.status_code == 403
    assert 'data-testid="current-user"' in html  # the site layout, with its navigation
    reason = re.search(r'data-testid="forbidden-reason">([^<]+)<', html)
    assert reason and reason.group(1).startswith("您的角色不能")
    assert 'data-testid="error-back" href' not in html  # attribute order: href first
    assert '<a href="http://testserver/assessment/report/" data-testid="error-back">返回上一页</a>' in html
    assert 'data-testid="error-home">返回首页</a>' in html
    assert "Forbidden" not in html


def test_back_link_never_leads_to_another_site(world, client_for):
    """The attack: a page on another site links here so that 返回上一页 leads back to it."""
    client = client_for(world["reporter_a"])
    html = client.get(reverse("audit:list"), HTTP_REFERER="https://evil.example/phish").content.decode()
    assert "evil.example" not in html
    assert 'data-testid="error-back"' not in html and 'data-testid="error-home"' in html
    html = client.get(reverse("audit:list"), HTTP_REFERER="javascript:alert(1)").content.decode()
    assert "javascript:" not in html


def test_404_is_the_same_for_missing_and_for_another_units(assessed, client_for):
    """The attack: a reporter walks unit codes (and evidence numbers) to learn which exist."""
    client = client_for(assessed["reporter_a"])
    period = assessed["period"].pk
    other = client.get(reverse("assessment:report_unit", args=[period, "taigu"]))
    missing = client.get(reverse("assessment:report_unit", args=[period, "no-such-unit"]))
    assert other.status_code == missing.status_code == 404
    assert _main(other.content.decode()) == _main(missing.content.decode())
    html = missing.content.decode()
    assert 'data-testid="current-user"' in html and "页面不存在" in html
    assert "不在您的查看范围内" in html and 'data-testid="error-home"' in html
    assert "No " not in _main(html) and "matches the given query" not in html  # no model names


def test_404_for_an_unknown_address_in_the_layout(world, client_for):
    response = client_for(world["office"]).get("/no/such/page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode() and "Not Found" not in response.content.decode()


def test_404_for_a_visitor_not_signed_in_has_no_navigation():
    response = Client().get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404 and "页面不存在" in html
    assert 'data-testid="current-user"' not in html


def test_500_renders_without_the_database_or_a_request():
    """No `db` fixture: any query would raise, and the page would fall back to the bare one
    (without the site's navbar class), failing the last assertion."""
    response = errors.server_error(RequestFactory().get("/anything/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统出错" in html and 'data-testid="server-error"' in html and 'href="/"' in html
    assert "db-navbar" in html  # the site's look


def test_500_answers_even_when_its_template_fails(monkeypatch):
    def broken(name):
        raise RuntimeError("template storage gone")

    monkeypatch.setattr(errors.loader, "get_template", broken)
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and "系统出错" in response.content.decode()


def test_500_from_a_failing_view_is_the_chinese_page(world, client_for, monkeypatch):
    """A view that raises: the test client, told not to re-raise, gets the handler's page."""
    from duibiao.web import views

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "render", boom)
    client = client_for(world["office"])
    client.raise_request_exception = False
    response = client.get(reverse("web:home"))
    assert response.status_code == 500
    assert "系统出错" in response.content.decode() and "boom" not in response.content.decode()


def test_a_stale_form_answers_the_site_403_with_a_chinese_reason(world):
    """The attack (or an expired page): a POST without a valid CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["office"])
    response = client.post(reverse("web:logout"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期" in html and 'data-testid="current-user"' in html
    assert "CSRF" not in _main(html)


def test_a_request_django_refuses_answers_400_in_chinese(world, client_for, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = client_for(world["office"]).get(reverse("web:home"), HTTP_HOST="evil.example")
    html = response.content.decode()
    assert response.status_code == 400
    assert "请求无法处理" in html and "Bad Request" not in html
