"""通报 pages: the list (drafts and issued, by kind) with the new-draft form, the draft page
(texts in textareas, the figures it states), 印发 with its confirmation, and the downloads.
Thin: the services decide, these parse, call and render; every error is shown beside the
field it concerns (400), a stale page at the top (409)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from duibiao.accounts import gate
from duibiao.accounts.models import User
from duibiao.documents.bulletin_selectors import (
    BulletinFile,
    NoFile,
    bulletin_file,
    bulletin_get,
    bulletin_list,
    published_runs,
)
from duibiao.documents.bulletin_services import (
    EDIT,
    VIEW,
    BulletinConflict,
    bulletin_draft_new,
    bulletin_issue,
    bulletin_texts_save,
)
from duibiao.documents.bulletins.kinds import KINDS, TEXT_LABELS
from duibiao.documents.models import BulletinDoc
from duibiao.files.serve import file_response
from duibiao.params import BadParameter, date_param, version_param


def _list_page(request: HttpRequest, *, errors: dict[str, str] | None = None, form: dict[str, str] | None = None,
               status: int = 200) -> HttpResponse:
    gate.require(request.user, VIEW)
    can_edit = gate.allows(request.user, EDIT)
    kind = request.GET.get("kind", "")
    docs = bulletin_list(user=request.user)
    if kind in KINDS:
        docs = docs.filter(kind=kind)
    return render(request, "documents/bulletins/list.html", {
        "docs": docs[:200], "kind": kind, "kinds": BulletinDoc.Kind.choices, "can_edit": can_edit,
        "runs": published_runs(user=request.user)[:30] if can_edit else [],
        "errors": errors or {}, "form": form or {"day": timezone.localdate().isoformat()},
    }, status=status)


@login_required
def bulletin_index(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


@login_required
@require_http_methods(["POST"])
def bulletin_new(request: HttpRequest) -> HttpResponse:
    gate.require(request.user, EDIT)
    form = {name: request.POST.get(name, "") for name in ("kind", "run", "day")}
    errors: dict[str, str] = {}
    day = None
    if form["kind"] in KINDS and form["kind"] != "results":  # the dated kinds: the form's day
        try:
            day = date_param(request.POST, "day", label=_("统计日期"))
        except BadParameter as exc:
            errors["day"] = exc.message
    if not errors:
        try:
            doc = bulletin_draft_new(actor=cast(User, request.user), kind=form["kind"],
                                     run_id=int(form["run"]) if form["run"].isdigit() else None, day=day)
        except ValidationError as exc:
            errors = {name: " ".join(msgs) for name, msgs in exc.message_dict.items()}
        else:
            messages.success(request, _("已起草：%(title)s") % {"title": doc.title})
            return redirect("documents:bulletin", pk=doc.pk)
    return _list_page(request, errors=errors, form=form, status=400)


def _detail(request: HttpRequest, doc: BulletinDoc, *, errors: dict[str, str] | None = None,
            texts: dict[str, str] | None = None, status: int = 200) -> HttpResponse:
    can_edit = not doc.issued and gate.allows(request.user, EDIT, unit=doc.district)
    values = texts if texts is not None else doc.texts
    return render(request, "documents/bulletins/detail.html", {
        "doc": doc, "can_edit": can_edit,
        "can_issue": not doc.issued and gate.allows(request.user, "documents.bulletin.issue", unit=doc.district),
        "fields": [(name, label, values.get(name, "")) for name, label in TEXT_LABELS.items()],
        "errors": errors or {}, "figures": _figure_lines(doc),
    }, status=status)


def _figure_lines(doc: BulletinDoc) -> list[tuple[str, str]]:
    """The figures the bulletin states, as (what, value) lines for the preview."""
    f: dict[str, Any] = doc.figures
    if doc.kind == "projects":
        t = f["total"]
        return [(_("重点项目"), str(t["projects"])), (_("开复工率"), t["start_rate"]),
                (_("投资完成率"), t["investment_rate"]), (_("序时进度"), t["schedule"]),
                (_("资金到位率"), t["funds_rate"]), (_("按期竣工率"), t["completion_rate"]),
                (_("红灯项目"), str(t["red"])), (_("黄灯项目"), str(t["yellow"]))]
    if doc.kind == "inspections":
        return [(_("当日新发现"), str(f["new"])), (_("当日销号"), str(f["closed"])),
                (_("逾期未整改"), str(f["overdue"])), (_("问题处置率"), f["total"]["disposal_rate"])]
    return [(_("考核周期"), f["period"]), (_("参加考核单位"), str(f["units"])),
            (_("晋位单位"), str(len(f["movers"])))]


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    gate.require(request.user, VIEW)
    doc = bulletin_get(user=request.user, pk=pk)
    if request.method == "GET":
        return _detail(request, doc)
    gate.require(request.user, EDIT, unit=doc.district)
    texts = {name: request.POST.get(name, "") for name in TEXT_LABELS}
    try:
        version = version_param(request.POST)
        bulletin_texts_save(actor=cast(User, request.user), doc=doc, version=version, texts=texts)
    except BadParameter as exc:
        return _detail(request, doc, errors={"page": exc.message}, texts=texts, status=400)
    except ValidationError as exc:
        errors = {name: " ".join(msgs) for name, msgs in exc.message_dict.items()}
        return _detail(request, doc, errors=errors, texts=texts, status=400)
    except BulletinConflict as exc:
        doc.refresh_from_db()
        return _detail(request, doc, errors={"page": exc.message}, texts=texts, status=409)
    messages.success(request, _("已保存通报的文字部分"))
    return redirect("documents:bulletin", pk=doc.pk)


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_issue_page(request: HttpRequest, pk: int) -> HttpResponse:
    gate.require(request.user, "documents.bulletin.issue")
    doc = bulletin_get(user=request.user, pk=pk)
    gate.require(request.user, "documents.bulletin.issue", unit=doc.district)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            issued = bulletin_issue(actor=cast(User, request.user), doc=doc, version=version_param(request.POST))
        except BadParameter as exc:
            error, status = exc.message, 400
        except ValidationError as exc:
            error, status = " ".join(m for msgs in exc.message_dict.values() for m in msgs), 400
        except BulletinConflict as exc:
            error, status = exc.message, 409
            doc.refresh_from_db()
        else:
            messages.success(request, _("已印发，发文字号 %(number)s") % {"number": issued.number})
            if issued.pdf_note:
                messages.warning(request, issued.pdf_note)
            return redirect("documents:bulletin", pk=issued.pk)
    return render(request, "documents/bulletins/issue.html", {
        "doc": doc, "error": error, "year": timezone.localdate().year,
    }, status=status)


@login_required
def bulletin_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    try:
        found = bulletin_file(user=request.user, pk=pk, fmt=fmt)
    except NoFile as exc:
        raise Http404(str(exc)) from exc
    return bulletin_response(found)


def bulletin_response(found: BulletinFile) -> HttpResponseBase:
    """The download of a bulletin's file (the page's and the API's): an attachment of a fixed
    type, never cached."""
    if found.stored is not None:
        return file_response(found.open(), content_type=found.content_type, filename=found.filename,
                             attachment=True)
    response = HttpResponse(found.data, content_type=found.content_type)
    response["Content-Disposition"] = content_disposition_header(True, found.filename)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
