"""Pages and API of the Excel downloads and imports, and the gate in front of them: a
reporter of unit B can neither download nor upload unit A's template."""

from __future__ import annotations

from django.urls import reverse

from duibiao.assessment.models import SchemeVersion, Submission
from duibiao.documents import exports
from tests.documents.conftest import open_xlsx, row_of, to_bytes, upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_of_a(excel) -> bytes:
    wb = open_xlsx(exports.reporting_template(user=excel["reporter_a"], period=excel["period"],
                                                unit=excel["a"])[1])
    ws = wb.active
    ws.cell(row_of(ws, "nl02"), 6).value = 95
    return to_bytes(wb)


def test_reporter_downloads_own_template(client_for, excel):
    client = client_for(excel["reporter_a"])
    pk = excel["period"].pk
    response = client.get(reverse("documents:unit_template_download", args=[pk, "jingyu"]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    assert open_xlsx(response.content).sheetnames == ["靖宇街道"]
    # The scope-wide download gives a reporter its own unit only.
    assert open_xlsx(client.get(reverse("documents:template_download", args=[pk])).content).sheetnames == ["靖宇街道"]
    page = client.get(reverse("documents:period", args=[pk])).content.decode()
    assert "靖宇街道" in page and "太古街道" not in page


def test_reporter_of_b_cannot_download_or_upload_as(client_for, excel):
    client = client_for(excel["reporter_b"])
    pk = excel["period"].pk
    assert client.get(reverse("documents:unit_template_download", args=[pk, "jingyu"])).status_code == 404
    response = client.post(reverse("documents:unit_template_import", args=[pk, "jingyu"]),
                           {"file": upload(template_of_a(excel))})
    assert response.status_code == 404
    # Through the scope-wide import, A's sheet is refused cell-level and nothing is saved.
    response = client.post(reverse("documents:template_import", args=[pk]), {"file": upload(template_of_a(excel))})
    assert response.status_code == 400
    assert "不存在或不在您的填报范围内" in response.content.decode()
    assert not Submission.objects.exists()


def test_reporter_of_b_is_refused_through_the_api(client_for, excel):
    client = client_for(excel["reporter_b"])
    pk = excel["period"].pk
    assert client.get(f"/api/documents/periods/{pk}/template?unit=jingyu").status_code == 404
    response = client.post(f"/api/documents/periods/{pk}/template?unit=jingyu",
                           {"file": upload(template_of_a(excel))})
    assert response.status_code == 404
    response = client.post(f"/api/documents/periods/{pk}/template", {"file": upload(template_of_a(excel))})
    assert response.status_code == 400 and response.json()["problems"][0]["sheet"] == "靖宇街道"
    assert not Submission.objects.exists()


def test_unit_head_downloads_but_does_not_import(client_for, excel):
    client = client_for(excel["head_a"])
    pk = excel["period"].pk
    assert client.get(reverse("documents:unit_template_download", args=[pk, "jingyu"])).status_code == 200
    response = client.post(reverse("documents:unit_template_import", args=[pk, "jingyu"]),
                           {"file": upload(template_of_a(excel))})
    assert response.status_code == 404 and not Submission.objects.exists()


def test_upload_page_saves_and_shows_counts(client_for, excel):
    client = client_for(excel["reporter_a"])
    pk = excel["period"].pk
    response = client.post(reverse("documents:unit_template_import", args=[pk, "jingyu"]),
                           {"file": upload(template_of_a(excel), "靖宇.xlsx")}, follow=True)
    text = response.content.decode()
    assert response.status_code == 200 and "已导入 靖宇.xlsx：1 个单位共 1 项数据保存为草稿" in text
    assert Submission.objects.get().value == 95


def test_upload_page_shows_the_error_table(client_for, excel):
    wb = open_xlsx(template_of_a(excel))
    wb.active.cell(row_of(wb.active, "nl03"), 6).value = "很高"
    response = client_for(excel["reporter_a"]).post(
        reverse("documents:template_import", args=[excel["period"].pk]), {"file": upload(to_bytes(wb))})
    text = response.content.decode()
    assert response.status_code == 400 and 'data-testid="import-report"' in text
    assert "<td>靖宇街道</td><td>6</td><td class=\"text-nowrap\">F（填报值）</td><td>“很高”不是数字</td>" in text
    assert not Submission.objects.exists()


def test_api_import_and_download(client_for, excel):
    client = client_for(excel["reporter_a"])
    pk = excel["period"].pk
    response = client.get(f"/api/documents/periods/{pk}/template")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    response = client.post(f"/api/documents/periods/{pk}/template", {"file": upload(template_of_a(excel))})
    assert response.status_code == 200 and response.json()["counts"] == {"靖宇街道": 1}
    wb = open_xlsx(template_of_a(excel))
    wb.active.cell(row_of(wb.active, "nl02"), 6).value = "很高"
    refused = client.post(f"/api/documents/periods/{pk}/template", {"file": upload(to_bytes(wb))})
    body = refused.json()
    assert refused.status_code == 400 and not body["saved"] and body["problems"]
    assert "“很高”不是数字" in body["detail"] and "未做任何修改" in body["detail"]


def test_scheme_pages(client_for, excel):
    scheme = excel["scheme"]
    reporter = client_for(excel["reporter_a"])
    response = reporter.get(reverse("documents:scheme_download", args=[scheme.pk]))
    assert response.status_code == 200 and open_xlsx(response.content).sheetnames == ["考核细则"]
    assert reporter.get(reverse("documents:scheme_import", args=[scheme.pk])).status_code == 403
    assert reporter.post(reverse("documents:scheme_import", args=[scheme.pk]),
                         {"file": upload(response.content)}).status_code == 403
    office = client_for(excel["office"])
    assert office.get(reverse("documents:scheme_import", args=[scheme.pk])).status_code == 200
    wb = open_xlsx(response.content)
    wb.active["D5"].value = 6
    result = office.post(reverse("documents:scheme_import", args=[scheme.pk]), {"file": upload(to_bytes(wb), "新细则.xlsx")},
                         follow=True)
    assert "保存为第 2 版" in result.content.decode()
    wb.active["D6"].value = "很多"
    bad = office.post(reverse("documents:scheme_import", args=[scheme.pk]), {"file": upload(to_bytes(wb))})
    assert "分值“很多”不是数字" in bad.content.decode()
    assert SchemeVersion.objects.filter(scheme=scheme).count() == 2


def test_scheme_api(client_for, excel):
    scheme = excel["scheme"]
    office = client_for(excel["office"])
    data = office.get(f"/api/documents/schemes/{scheme.pk}/workbook").content
    wb = open_xlsx(data)
    wb.active["D5"].value = "一百"
    response = office.post(f"/api/documents/schemes/{scheme.pk}/workbook", {"file": upload(to_bytes(wb))})
    assert response.status_code == 400
    assert response.json()["problems"] == [
        {"sheet": "考核细则", "row": 5, "column": "D", "header": "分值", "reason": "分值“一百”不是数字"}]
    # The one error body's detail names the first problem, not only "请求未能完成".
    detail = response.json()["detail"]
    assert "第 5 行" in detail and "分值“一百”不是数字" in detail and "未做任何修改" in detail
    assert client_for(excel["reporter_a"]).post(
        f"/api/documents/schemes/{scheme.pk}/workbook", {"file": upload(data)}).status_code == 403


def test_index_lists_schemes_and_periods(client_for, excel):
    text = client_for(excel["office"]).get(reverse("documents:index")).content.decode()
    assert "下载考核细则" in text and "导入考核细则" in text and "2023年第一季度" in text
    text = client_for(excel["reporter_b"]).get(reverse("documents:index")).content.decode()
    assert "导入考核细则" not in text
