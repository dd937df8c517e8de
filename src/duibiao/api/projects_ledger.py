"""项目台账 imported over the API (the office), under /api/projects/ledger: the page's import
(`documents.project_ledger.ledger_import`: the same upload check — size cap, a real workbook —
and all of it or, when any value is wrong, none of it). The ledger's export is a 任务 export
(`POST /api/documents/exports`, kind `project_ledger`)."""

from __future__ import annotations

from ninja import File, Router
from ninja.files import UploadedFile

from duibiao.accounts import gate
from duibiao.api.documents import ImportOut, ImportRefusedOut, import_answer
from duibiao.documents.project_ledger import ledger_import

router = Router(tags=["projects"])


@router.post("/ledger", response={200: ImportOut, 400: ImportRefusedOut},
             summary="导入项目台账工作簿（考核办；全部成功或全部不导入：detail 说明第一处问题和问题数，逐行原因在 problems）")
def ledger_upload(request, file: File[UploadedFile]):
    gate.require(request.user, "projects.project.edit")
    return import_answer(ledger_import(actor=request.user, upload=file))
