"""One error body for every error of every operation, and the house pagination.

Every operation of the served schema is called anonymously, by a user without roles, with a
malformed path argument and with an empty body; whatever error each answers must be
{"code", "detail", "errors"} with the detail in Chinese, and the schema must document it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from duibiao.api.app import api
from duibiao.api.errors import ERROR_STATUSES, error_body, field_errors

HAN = re.compile(r"[\u4e00-\u9fff]")


def _operations() -> list[tuple[str, str, dict]]:
    schema = api.get_openapi_schema()
    return [(method.upper(), path, op) for path, methods in schema["paths"].items() for method, op in methods.items()]


def _shape(response, where: str) -> list[str]:
    """What is wrong with an error response's body (nothing when it is the one format)."""
    if response.status_code < 400:
        return []
    if not response.get("Content-Type", "").startswith("application/json"):
        return [f"{where}: {response.status_code} is not JSON"]
    body = response.json()
    problems = []
    if not isinstance(body.get("code"), str) or not body["code"]:
        problems.append(f"{where}: no code in {body}")
    if not isinstance(body.get("detail"), str) or not HAN.search(body["detail"]):
        problems.append(f"{where}: detail not a Chinese sentence: {body.get('detail')!r}")
    errors = body.get("errors")
    if not isinstance(errors, dict) or not all(
            isinstance(v, list) and all(isinstance(m, str) for m in v) for v in errors.values()):
        problems.append(f"{where}: errors not field → [messages]: {errors!r}")
    return problems


def _call(client: Client, method: str, path: str, arg: str):
    url = re.sub(r"\{\w+\}", arg, path)
    if method == "GET":
        return client.get(url)
    return client.generic(method, url, "{}", content_type="application/json")


def test_every_operation_documents_the_error_body():
    for method, path, op in _operations():
        for status in ERROR_STATUSES:
            documented = op["responses"][str(status)]["content"]["application/json"]["schema"]
            assert documented == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
    error_out = api.get_openapi_schema()["components"]["schemas"]["ErrorOut"]
    assert set(error_out["required"]) == {"code", "detail", "errors"}


def test_every_error_of_every_operation_has_the_one_body(world):
    from duibiao.accounts.services import user_create
    from tests.conftest import PASSWORD

    nobody = Client()
    nobody.force_login(user_create(actor=None, username="nobody", password=PASSWORD))
    reporter = Client()
    reporter.force_login(world["reporter_a"])
    problems, seen = [], set()
    for method, path, _op in _operations():
        for who, client, arg in (("anonymous", Client(), "1"), ("nobody", nobody, "1"),
                                 ("reporter", reporter, "999999"), ("reporter", reporter, "x%20y")):
            response = _call(client, method, path, arg)
            seen.add(response.status_code)
            problems += _shape(response, f"{method} {path} as {who} ({arg})")
            if who == "anonymous" and response.status_code != 401:
                problems.append(f"{method} {path}: anonymous got {response.status_code}")
    assert not problems, "\n".join(problems[:40])
    assert {401, 403, 404, 422} <= seen


def test_a_crash_answers_500_with_the_body_and_no_detail_of_the_crash(world, monkeypatch):
    from duibiao.api import org

    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(org, "unit_tree_get", broken)
    client = Client(raise_request_exception=False)
    client.force_login(world["reporter_a"])
    response = client.get("/api/org/units/jingyu")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error" and "secret" not in response.content.decode()
    assert not _shape(response, "crash")


def test_the_old_shapes_become_the_one_body():
    assert error_body(422, {"detail": "x", "errors": {"credit_code": "校验码不对"}}) == {
        "code": "invalid", "detail": "x", "errors": {"credit_code": ["校验码不对"]}}
    assert error_body(409, {"detail": "已被修改"})["code"] == "conflict"
    assert error_body(400, {"detail": "导入有误", "problems": [{"row": 3}]})["problems"] == [{"row": 3}]
    pydantic = [{"loc": ("body", "payload", "value"), "type": "missing", "msg": "Field required"},
                {"loc": ("query", "size"), "type": "less_than_equal", "msg": "x"}]
    assert field_errors(pydantic) == {"value": ["缺少此项"], "size": ["过大"]}
    assert field_errors([{"path": "/dimensions/0", "reason": "缺少权重"}]) == {"/dimensions/0": ["缺少权重"]}


@pytest.fixture
def many_units(world):
    from duibiao.org.models import Unit
    from duibiao.org.services import unit_create

    for n in range(7):
        unit_create(actor=None, code=f"s{n}", name=f"街道{n}", kind=Unit.Kind.STREET, parent=world["district"])
    return world


def test_lists_page_with_count_and_links(many_units, client_for):
    office = client_for(many_units["office"])
    first = office.get("/api/org/units?size=4").json()
    total = first["count"]
    assert total >= 10 and len(first["items"]) == 4 and first["previous"] is None
    assert first["next"] == "/api/org/units?size=4&page=2"
    codes = [u["code"] for u in first["items"]]
    url = first["next"]
    while url:
        page = office.get(url).json()
        codes += [u["code"] for u in page["items"]]
        url = page["next"]
    assert len(codes) == len(set(codes)) == total  # every unit once, in pages
    past = office.get("/api/org/units?page=99&size=4").json()
    assert past["items"] == [] and past["count"] == total
    # Past the end, `previous` leads back to the last page with rows, not to page 98.
    last = -(-total // 4)
    assert past["previous"] == f"/api/org/units?page={last}&size=4" and past["next"] is None
    assert office.get(past["previous"]).json()["items"]
    too_big = office.get("/api/org/units?size=201")
    assert too_big.status_code == 422 and "size" in too_big.json()["errors"]
    assert office.get("/api/org/units?page=0").status_code == 422
    # The schema says so, for every list.
    schema = api.get_openapi_schema()
    params = {p["name"]: p for p in schema["paths"]["/api/org/units"]["get"]["parameters"]}
    assert params["size"]["schema"]["maximum"] == 200 and params["page"]["schema"]["minimum"] == 1
