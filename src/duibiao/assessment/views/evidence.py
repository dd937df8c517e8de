"""Evidence opened in the file viewer (a new tab): a submission's evidence and an appeal's.

Each finds its file through the same selector, and so the same gate, as its download route;
the viewer then reads the file from that route (files/viewer.py says why PDFs are drawn by
pdf.js rather than shown by the browser).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from duibiao.assessment.selectors.reporting import evidence_get
from duibiao.assessment.selectors.results import appeal_get
from duibiao.files.viewer import viewer_response


@login_required
def evidence_view(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = evidence_get(user=request.user, pk=pk)
    return viewer_response(request, filename=evidence.original_name, content_type=evidence.content_type,
                           raw_url=reverse("assessment:evidence_download", args=[evidence.pk]))


@login_required
def appeal_evidence_view(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = appeal_get(user=request.user, pk=appeal_id)
    if not appeal.evidence:
        raise Http404
    return viewer_response(request, filename=appeal.evidence_name, content_type=appeal.evidence_type,
                           raw_url=reverse("assessment:appeal_evidence", args=[appeal.pk]))
