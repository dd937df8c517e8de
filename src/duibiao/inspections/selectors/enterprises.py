"""一企一档一清单 read through the gate: an enterprise's file is seen by the users who hold
`inspections.enterprise.view` over the unit it is supervised by."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from duibiao.accounts import gate
from duibiao.inspections.models import Campaign, Enterprise, Finding, RiskItem

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from duibiao.accounts.models import User
    from duibiao.org.models import Unit

VIEW = "inspections.enterprise.view"
EDIT = "inspections.enterprise.edit"
OPEN_STATES = (Finding.State.OPEN, Finding.State.REPORTED, Finding.State.RETURNED)


def enterprise_list(*, user: User | AnonymousUser, query: str = "", unit: Unit | None = None) -> QuerySet[Enterprise]:
    """The files the user may read, with the counts the list shows; `query` matches the name,
    the credit code or the address."""
    qs = gate.restrict(user, Enterprise.objects.select_related("unit"), VIEW)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(credit_code__icontains=query.upper())
                       | Q(address__icontains=query))
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.annotate(
        findings_total=Count("findings", distinct=True),
        findings_open=Count("findings", filter=Q(findings__state__in=OPEN_STATES), distinct=True),
        risks_open=Count("risks", filter=~Q(risks__status=RiskItem.Status.CLOSED), distinct=True),
    ).order_by("unit__order", "name", "pk")


def enterprise_get(*, user: User | AnonymousUser, pk: int) -> Enterprise:
    """One file the user may read (404 otherwise: it does not exist for him)."""
    enterprise = gate.restrict(user, Enterprise.objects.select_related("unit"), VIEW).filter(pk=pk).first()
    if enterprise is None:
        raise Http404
    return enterprise


@dataclass(frozen=True)
class EnterpriseFile:
    """一企一档: the file, its inspections (campaigns) and findings, and its risk list."""

    enterprise: Enterprise
    campaigns: list[Campaign]
    findings: list[Finding]
    risks: list[RiskItem]
    can_edit: bool

    @property
    def risks_open(self) -> int:
        return sum(1 for r in self.risks if r.status != RiskItem.Status.CLOSED)

    @property
    def findings_open(self) -> int:
        return sum(1 for f in self.findings if f.state in OPEN_STATES)


def enterprise_file(*, user: User | AnonymousUser, pk: int) -> EnterpriseFile:
    enterprise = enterprise_get(user=user, pk=pk)
    # Findings are shown where the user may read the responsible unit's statistics as well.
    findings = gate.restrict(user, enterprise.findings.select_related("unit", "campaign"), VIEW)
    campaigns = Campaign.objects.filter(Q(enterprises=enterprise) | Q(findings__in=findings)).distinct()
    return EnterpriseFile(
        enterprise=enterprise,
        campaigns=list(campaigns.order_by("-starts_on", "pk")),
        findings=list(findings.order_by("-found_on", "-pk")),
        risks=list(enterprise.risks.order_by("status", "-identified_on", "pk")),
        can_edit=gate.allows(user, EDIT, unit=enterprise.unit) if enterprise.unit else False,
    )


def enterprise_units(*, user: User | AnonymousUser) -> QuerySet[Unit]:
    """The units the user may keep enterprise files for (the form's choice)."""
    return gate.units(user, EDIT).filter(category__isnull=False).order_by("order", "code")
