"""项目库 over the API: the portfolio, a project, its ledger (create / update with version),
progress reports (photos as multipart) and 难点堵点. Same selectors (so the same gate: a
项目服务秘书 only on the projects he serves) and the same services as the pages; each value
validated once, by `projects.fields`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from duibiao.accounts import gate
from duibiao.api.pagination import paged
from duibiao.files.serve import file_response
from duibiao.org.models import Unit
from duibiao.projects import selectors as sel
from duibiao.projects.errors import PhotoRejected, ProjectInvalid
from duibiao.projects.models import Milestone, ProgressReport, Project
from duibiao.projects.selectors.forms import asked_units, owner_units, secretaries
from duibiao.projects.services.progress import problem_raise, problem_solve, progress_report
from duibiao.projects.services.projects import (
    Binding,
    milestones_save,
    project_create,
    project_update,
)

router = Router(tags=["projects"])


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    owner_unit: str = Field(alias="owner_unit.code")
    level: str
    type: str
    stage: str
    source: str
    leader_name: str
    legal_person: str
    contact_phone: str
    planned_total: Decimal
    planned_annual: Decimal | None
    funds_planned: Decimal | None
    planned_start: date | None
    planned_completion: date | None
    actual_start: date | None
    actual_completion: date | None
    in_stats_on: date | None
    location: str
    rhythm: str
    secretary: str | None = None  # the service secretary's username
    version: int

    @staticmethod
    def resolve_secretary(obj: Project) -> str | None:
        return obj.secretary.username if obj.secretary else None


class PortfolioRowOut(Schema):
    project: ProjectOut
    completed_ytd: Decimal | None
    funds_in_place: Decimal | None
    flag: str | None
    reasons: list[str]


class ProjectIn(Schema):
    """The ledger's values as text (or numbers): each is validated once, by projects.fields."""

    code: str
    name: str
    owner_unit: str  # the unit's code
    level: str
    type: str
    stage: str
    source: str
    planned_total: str | float
    planned_annual: str | float | None = None
    funds_planned: str | float | None = None
    planned_start: str | None = None
    planned_completion: str | None = None
    actual_start: str | None = None
    actual_completion: str | None = None
    in_stats_on: str | None = None
    leader_name: str = ""
    legal_person: str = ""
    contact_phone: str = ""
    location: str = ""
    secretary: str | None = None  # a username
    rhythm: str = ""


class ProjectUpdateIn(ProjectIn):
    version: int


class ReportOut(Schema):
    id: int
    reported_on: date
    completed_ytd: Decimal
    funds_in_place: Decimal | None
    text: str
    photos: list[str]


class ProblemOut(Schema):
    id: int
    text: str
    asked_unit: str = Field(alias="asked_unit.code")
    status: str
    raised_on: date
    solved_on: date | None
    solution: str
    version: int


class ProblemIn(Schema):
    text: str
    asked_unit: str  # the unit's code


class SolveIn(Schema):
    version: int
    solution: str = ""


class MilestoneIn(Schema):
    planned: str | None = None
    actual: str | None = None


class MilestonesIn(Schema):
    """Dates by step (approval, land, planning, environment, permit, start, structure,
    completion); a step left out is cleared."""

    version: int
    milestones: dict[str, MilestoneIn]


class MilestoneOut(Schema):
    step: str
    label: str
    planned: date | None
    actual: date | None


class Error(Schema):
    detail: str
    errors: dict[str, str] = {}


def _out(project: Project) -> Project:
    return project


def _binding(request, payload: ProjectIn) -> Binding:
    unit = owner_units(user=request.user).filter(code=payload.owner_unit).first()
    errors = {} if unit else {"owner_unit": "没有此责任单位，或您不能维护该单位的项目"}
    secretary = None
    if payload.secretary:
        secretary = next((u for u in secretaries(user=request.user) if u.username == payload.secretary), None)
        if secretary is None:
            errors["secretary"] = "所选用户不是项目服务秘书"
    if errors or unit is None:
        raise ProjectInvalid(errors)
    return Binding(unit, secretary, payload.rhythm)


def _raw(payload: ProjectIn) -> dict[str, object]:
    return payload.dict(exclude={"owner_unit", "secretary", "rhythm", "version"})


@router.get("/library", response=list[PortfolioRowOut], summary="项目库（按角色与单位范围；服务秘书只见所服务的项目）")
@paged
def library(request, level: str = "", type: str = "", stage: str = "", source: str = "", flag: str = "",
            as_of: date | None = None, unit: str = ""):
    """`unit`: a responsible unit's code, as the page's 责任单位 filter (among the projects the
    caller sees; a unit he does not see matches nothing)."""
    gate.require(request.user, "projects.project.view")
    # A code with a NUL names no unit (and PostgreSQL refuses it in a query): it matches nothing.
    code = unit[:40] if "\x00" not in unit else ""
    unit_id = (Unit.objects.filter(code=code).values_list("pk", flat=True).first() or 0) if unit else None
    filters = sel.Filters(level=level, type=type, stage=stage, source=source, flag=flag, unit=unit_id)
    page = sel.portfolio(user=request.user, filters=filters, as_of=as_of or timezone.localdate())
    return [{"project": _out(r.project), "completed_ytd": r.ledger.completed_ytd,
             "funds_in_place": r.ledger.funds_in_place, "flag": r.flag.colour, "reasons": list(r.flag.reasons)}
            for r in page.rows]


@router.post("/library", response={201: ProjectOut, 422: Error}, summary="新建项目（考核办）")
def library_create(request, payload: ProjectIn):
    gate.require(request.user, "projects.project.edit")
    project = project_create(actor=request.user, raw=_raw(payload), binding=_binding(request, payload),
                             source="api")
    return Status(201, _out(project))


class ProjectDetailOut(ProjectOut):
    """The project page's card: the ledger figures of the year, the flag and why, and what the
    caller may do with it (the page's buttons)."""

    completed_ytd: Decimal | None
    funds_in_place: Decimal | None
    flag: str | None
    reasons: list[str]
    allowed: list[str]  # edit, report, raise, solve


class ChangeOut(Schema):
    field: str
    label: str
    old_value: str
    new_value: str
    changed_by: str | None
    changed_at: datetime
    source: str  # form, import or api


@router.get("/library/{pk}", response=ProjectDetailOut, summary="项目台账（与项目详情页同一查询：本年完成、灯色与原因）")
def library_detail(request, pk: int):
    return _Detail(sel.project_page(user=request.user, pk=pk, as_of=timezone.localdate()))


class _Detail:
    """The page's card read as one object: the project's own fields, then the card's."""

    def __init__(self, page: sel.ProjectPage) -> None:
        self.completed_ytd, self.funds_in_place = page.ledger.completed_ytd, page.ledger.funds_in_place
        self.flag, self.reasons = page.flag.colour, list(page.flag.reasons)
        may = {"edit": page.can_edit, "report": page.can_report, "raise": page.can_raise, "solve": page.can_solve}
        self.allowed = [name for name, yes in may.items() if yes]
        self._project = page.project

    def __getattr__(self, name: str) -> object:
        return getattr(self._project, name)


@router.get("/library/{pk}/changes", response=list[ChangeOut], summary="台账变更记录（新的在前）")
@paged
def library_changes(request, pk: int):
    project = sel.project_for(user=request.user, pk=pk)
    return [ChangeOut(field=c.field, label=str(c.field_label), old_value=c.old_value, new_value=c.new_value,
                      changed_by=c.changed_by.username if c.changed_by else None, changed_at=c.changed_at,
                      source=c.source)
            for c in project.ledger_changes.select_related("changed_by")]


@router.put("/library/{pk}", response={200: ProjectOut, 409: Error, 422: Error},
            summary="修改项目台账；version 必填（读取时的版本），过期则 409")
def library_update(request, pk: int, payload: ProjectUpdateIn):
    project = sel.project_for(user=request.user, pk=pk)
    gate.require(request.user, "projects.project.edit", unit=project.owner_unit, secretary=project.secretary_id)
    project = project_update(actor=request.user, project=project, version=payload.version, raw=_raw(payload),
                             binding=_binding(request, payload), source="api")
    return _out(project)


def _milestones(project: Project) -> list[dict]:
    known = {m.step: m for m in project.milestones.all()}
    return [{"step": code, "label": str(label), "planned": known[code].planned_on if code in known else None,
             "actual": known[code].actual_on if code in known else None} for code, label in Milestone.Step.choices]


@router.get("/library/{pk}/milestones", response=list[MilestoneOut], summary="项目节点（立项……竣工）")
def milestones(request, pk: int):
    return _milestones(sel.project_for(user=request.user, pk=pk))


@router.put("/library/{pk}/milestones", response={200: list[MilestoneOut], 409: Error, 422: Error},
            summary="修改项目节点的计划与实际日期（考核办）；version 必填，过期则 409")
def milestones_update(request, pk: int, payload: MilestonesIn):
    project = sel.project_for(user=request.user, pk=pk)
    unknown = set(payload.milestones) - set(Milestone.Step.values)
    if unknown:
        raise ProjectInvalid({step: "没有这个项目节点" for step in sorted(unknown)})
    dates = {step: (m.planned, m.actual) for step, m in payload.milestones.items()}
    project = milestones_save(actor=request.user, project=project, version=payload.version, dates=dates)
    return _milestones(project)


def _report(report: ProgressReport) -> dict:
    # Photos by the API's own download (a token can fetch it; the page's address needs a session).
    return {"id": report.pk, "reported_on": report.reported_on, "completed_ytd": report.completed_ytd,
            "funds_in_place": report.funds_in_place, "text": report.text,
            "photos": [reverse("api:project_photo", args=[p.pk]) for p in report.photos.all()]}


@router.get("/library/{pk}/reports", response=list[ReportOut], summary="进度填报记录")
@paged
def reports(request, pk: int):
    project = sel.project_for(user=request.user, pk=pk)
    return [_report(r) for r in project.reports.prefetch_related("photos")]


@router.post("/library/{pk}/reports", response={201: ReportOut, 409: Error, 422: Error},
             summary="填报进度（表单：version 必填；photos 为现场照片，可多张；可同时提出难点堵点）")
def report_create(request, pk: int, version: Form[int], completed_ytd: Form[str], funds_in_place: Form[str] = "",
                  text: Form[str] = "", problem_text: Form[str] = "", problem_unit: Form[str] = "",
                  photos: File[list[UploadedFile]] = None):  # type: ignore[assignment]
    """As the page's form: a 难点堵点 raised with the report names the unit asked to solve it
    (`problem_unit`, its code)."""
    project = sel.project_for(user=request.user, pk=pk)
    asked = asked_units(project=project).filter(code=problem_unit).first() if problem_unit else None
    try:
        report = progress_report(actor=request.user, project=project, version=version, completed_ytd=completed_ytd,
                                 funds_in_place=funds_in_place, text=text, photos=photos or [],
                                 problem_text=problem_text, problem_unit=asked)
    except PhotoRejected as exc:
        raise ProjectInvalid({"photos": str(exc)}) from exc
    return Status(201, _report(report))


@router.get("/photos/{pk}", url_name="project_photo", response={200: None},
            summary="下载进度照片（附件；只限可查看该项目的用户）")
def photo(request, pk: int):
    """The photo with the type decided by its content at upload, as an attachment (nosniff, no-store)."""
    shot = sel.photo_for(user=request.user, pk=pk)
    return file_response(shot.file.open("rb"), content_type=shot.content_type, filename=shot.original_name,
                         attachment=True)


class WorkItemOut(Schema):
    project: ProjectOut
    flag: str | None  # red, yellow, green; None when the project is done reporting
    reasons: list[str]
    last_reported: date | None
    due: date | None  # when the next report is due by the project's rhythm
    due_this_week: bool
    open_problems: int


@router.get("/mine", response=list[WorkItemOut],
            summary="我服务的项目（项目服务秘书的工作台：本周应填报的在前）")
@paged
def mine(request):
    gate.require(request.user, "projects.progress.report")
    return [{"project": item.project, "flag": item.flag.colour, "reasons": list(item.flag.reasons),
             "last_reported": item.last_reported, "due": item.due, "due_this_week": item.due_this_week,
             "open_problems": item.open_problems}
            for item in sel.my_projects(user=request.user, today=timezone.localdate())]


@router.get("/problems/asked", response=list[ProblemOut], summary="请本单位协调解决的难点堵点")
@paged
def problems_asked(request):
    gate.require(request.user, "projects.problem.answer")
    return list(sel.problems_asked(user=request.user))


@router.get("/library/{pk}/problems", response=list[ProblemOut], summary="难点堵点")
@paged
def problems(request, pk: int):
    project = sel.project_for(user=request.user, pk=pk)
    return list(project.problems.select_related("asked_unit"))


@router.post("/library/{pk}/problems", response={201: ProblemOut, 422: Error}, summary="提出难点堵点")
def problem_create(request, pk: int, payload: ProblemIn):
    project = sel.project_for(user=request.user, pk=pk)
    unit = asked_units(project=project).filter(code=payload.asked_unit).first()
    return Status(201, problem_raise(actor=request.user, project=project, text=payload.text, asked_unit=unit))


@router.post("/problems/{pk}/solve", response={200: ProblemOut, 409: Error, 422: Error},
             summary="标记难点堵点已解决（项目一方，或被请协调的单位）；version 必填")
def problem_solved(request, pk: int, payload: SolveIn):
    problem = sel.problem_for(user=request.user, pk=pk)
    return problem_solve(actor=request.user, problem=problem, version=payload.version, solution=payload.solution)

