"""Who sees which bulletins: the office (documents.bulletin.edit) its district's drafts and
issued ones; a leader (documents.bulletin.view) the issued ones only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from duibiao.accounts import gate
from duibiao.assessment.models import ScoringRun
from duibiao.assessment.selectors.results import run_list
from duibiao.documents.models import BulletinDoc

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User


def bulletin_list(*, user: User | AnonymousUser) -> QuerySet[BulletinDoc]:
    qs = BulletinDoc.objects.select_related("district", "number", "run__period")
    drafts = gate.restrict(user, qs, "documents.bulletin.edit", unit_field="district")
    issued = gate.restrict(user, qs, "documents.bulletin.view", unit_field="district").filter(
        status=BulletinDoc.Status.ISSUED)
    return (drafts | issued).distinct()


def bulletin_get(*, user: User | AnonymousUser, pk: int) -> BulletinDoc:
    """A bulletin the user may see (404 otherwise: a draft is not even named to a viewer)."""
    return get_object_or_404(bulletin_list(user=user), pk=pk)


def published_runs(*, user: User | AnonymousUser) -> QuerySet[ScoringRun]:
    """The published runs the user sees, newest publication first (the results bulletin's choice)."""
    return run_list(user=user).filter(stage=ScoringRun.Stage.PUBLISHED, status=ScoringRun.Status.DONE).select_related(
        "period__version__scheme__district").order_by("-published_at", "-pk")
