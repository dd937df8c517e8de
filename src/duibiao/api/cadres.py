"""干部考核 over the API: the register, a unit's year sheet (routine, annual, indicators), the
rules, the 25 % approval and the derived lists. Same selectors (so the same gate: the office,
and a unit head for its own unit) and same services as the pages."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from ninja import Field, Path, Query, Router, Schema, Status

from duibiao.api.pagination import paged
from duibiao.cadres import selectors as sel
from duibiao.cadres import services as svc
from duibiao.documents import exports
from duibiao.documents.views import xlsx_response

router = Router(tags=["cadres"])
# The years the pages offer; out of range is 422 here instead of an integer overflow below.
YEAR = Path(..., ge=2000, le=2100)
YEAR_QUERY = Query(..., ge=2000, le=2100)


class CadreOut(Schema):
    id: int
    name: str
    unit: str = Field(alias="unit.code")
    position: str
    rank: str
    gender: str
    birth_month: date
    is_active: bool
    order: int
    version: int


class CadreIn(Schema):
    name: str
    position: str
    rank: str
    gender: str
    birth_month: date
    order: int = 0
    is_active: bool = True


class CadreUpdateIn(CadreIn):
    # The version read (GET …/cadres): required, stale → 409, as the edit page's hidden field.
    version: int = Field(ge=0)


class YearRowOut(Schema):
    cadre: CadreOut
    routine: dict[int, str]
    indicators: dict[str, float]
    proposed: str
    score: float | None
    final: str
    reason: str


class YearSheetOut(Schema):
    unit: str
    year: int
    quota_approved: bool
    quota: int
    rows: list[YearRowOut]


class RoutineIn(Schema):
    cadre_id: int
    quarter: int
    grade: str


class YearEntryIn(Schema):
    cadre_id: int
    proposed: str = ""
    score: float | None = None
    indicators: dict[str, float | None] = {}


class QuotaIn(Schema):
    approved: bool
    note: str = ""


class ListEntryOut(Schema):
    cadre: CadreOut
    age: int
    final: str
    reason: str


class Error(Schema):
    detail: str


def _sheet(request, code: str, year: int) -> dict[str, object]:
    """The year sheet as plain data; the response schema (YearSheetOut) validates it."""
    unit = sel.cadre_unit_get(user=request.user, code=code)
    sheet = sel.cadre_year_sheet(user=request.user, unit=unit, year=year)
    return {
        "unit": unit.code, "year": year, "quota_approved": sheet.approval is not None,
        "quota": sheet.quota,
        "rows": [
            {
                "cadre": r.cadre, "routine": r.routine, "indicators": r.scores,
                "proposed": r.annual.proposed if r.annual else "",
                "score": r.annual.score if r.annual else None,
                "final": r.annual.final if r.annual else "",
                "reason": r.annual.reason if r.annual else "",
            }
            for r in sheet.rows
        ],
    }


def _editable_unit(request, code: str):
    unit = sel.cadre_unit_get(user=request.user, code=code)
    if not sel.cadre_can_edit(user=request.user, unit=unit):
        raise PermissionDenied
    return unit


class CadreUnitOut(Schema):
    code: str
    name: str
    category: str = Field(alias="category.code")
    cadres: int = Field(alias="n_cadres")  # active cadres on the register


@router.get("/units", response=list[CadreUnitOut], summary="可查看干部名册的单位（干部考核页的单位列表）")
@paged
def cadre_units(request):
    return sel.cadre_unit_list(user=request.user)


@router.get("/units/{code}/cadres", response=list[CadreOut], summary="单位干部名册")
@paged
def cadres(request, code: str):
    """As the register page: whoever may edit the unit's cadres sees the inactive ones too
    (and can set them active again); a reader sees the active ones."""
    unit = sel.cadre_unit_get(user=request.user, code=code)
    return list(sel.cadre_list(user=request.user, unit=unit,
                               include_inactive=sel.cadre_can_edit(user=request.user, unit=unit)))


@router.post("/units/{code}/cadres", response={201: CadreOut, 422: Error}, summary="登记干部（考核办）")
def cadre_create(request, code: str, payload: CadreIn):
    unit = _editable_unit(request, code)
    data = payload.dict()
    data.pop("is_active")
    try:
        return Status(201, svc.cadre_create(actor=request.user, unit=unit, **data))
    except svc.CadreInputError as exc:
        return Status(422, {"detail": str(exc)})


@router.put("/cadres/{pk}", response={200: CadreOut, 409: Error, 422: Error},
            summary="修改干部信息（考核办；须带读取时的 version，已被他人修改则 409）")
def cadre_update(request, pk: int, payload: CadreUpdateIn):
    cadre = sel.cadre_get(user=request.user, pk=pk)
    _editable_unit(request, cadre.unit.code)
    data = payload.dict()
    expected = data.pop("version")
    try:
        return svc.cadre_update(actor=request.user, cadre=cadre, expected_version=expected, **data)
    except svc.CadreInputError as exc:
        return Status(422, {"detail": str(exc)})
    except svc.CadreConflict as exc:
        return Status(409, {"detail": str(exc)})


@router.get("/units/{code}/years/{year}", response=YearSheetOut, summary="单位年度干部考核表")
def year_sheet(request, code: str, year: int = YEAR):
    return _sheet(request, code, year)


@router.put("/units/{code}/years/{year}/routine", response={200: YearSheetOut, 422: Error},
            summary="录入平时考核等次（考核办）")
def routine_set(request, code: str, payload: list[RoutineIn], year: int = YEAR):
    unit = _editable_unit(request, code)
    try:
        svc.cadre_routine_grades_set(actor=request.user, unit=unit, year=year,
                                     grades={(r.cadre_id, r.quarter): r.grade for r in payload})
    except svc.CadreInputError as exc:
        return Status(422, {"detail": str(exc)})
    return _sheet(request, code, year)


@router.put("/units/{code}/years/{year}/annual", response={200: YearSheetOut, 422: Error},
            summary="录入拟定等次、排序得分和党性/发展/能力指标（考核办）")
def annual_set(request, code: str, payload: list[YearEntryIn], year: int = YEAR):
    unit = _editable_unit(request, code)
    entries = [svc.CadreYearInput(cadre_id=e.cadre_id, proposed=e.proposed, score=e.score,
                                  indicators=e.indicators) for e in payload]
    try:
        svc.cadre_year_save(actor=request.user, unit=unit, year=year, entries=entries)
    except svc.CadreInputError as exc:
        return Status(422, {"detail": str(exc)})
    return _sheet(request, code, year)


@router.post("/units/{code}/years/{year}/apply", response=YearSheetOut,
             summary="应用平时考核限制和优秀比例，确定年度等次（考核办）")
def rules_apply(request, code: str, year: int = YEAR):
    unit = _editable_unit(request, code)
    svc.cadre_rules_apply(actor=request.user, unit=unit, year=year)
    return _sheet(request, code, year)


@router.put("/units/{code}/years/{year}/quota", response={200: YearSheetOut, 422: Error},
            summary="批准或撤销25%优秀比例（考核办）")
def quota_set(request, code: str, payload: QuotaIn, year: int = YEAR):
    unit = _editable_unit(request, code)
    try:
        svc.cadre_quota_set(actor=request.user, unit=unit, year=year, approved=payload.approved,
                            note=payload.note)
    except svc.CadreInputError as exc:
        return Status(422, {"detail": str(exc)})
    return _sheet(request, code, year)


@router.get("/lists/{kind}", response=list[ListEntryOut], summary="选拔任用/评先评优/墩苗培养名单")
def derived_list(request, kind: str, year: int = YEAR_QUERY, format: str = "json"):
    if not sel.cadre_units(user=request.user).exists():
        raise PermissionDenied
    if format == "xlsx":  # the same workbook as the page's (documents: formula-safe)
        return xlsx_response(*exports.cadre_list_workbook(user=request.user, kind=kind, year=year))
    entries = sel.cadre_derived_list(user=request.user, kind=kind, year=year)
    return [{"cadre": e.cadre, "age": e.age, "final": e.final, "reason": e.reason} for e in entries]
