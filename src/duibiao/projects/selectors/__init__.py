"""Reads of the projects app, always through the gate (`projects.project.view` by owner unit,
and for a 项目服务秘书 the projects he serves)."""

from duibiao.projects.selectors.ledger import ledger_rows, with_latest_report
from duibiao.projects.selectors.portfolio import (
    FLAG_WORDS,
    Filters,
    Portfolio,
    PortfolioRow,
    ProjectPage,
    ServedCounts,
    WorkItem,
    last_report,
    my_projects,
    portfolio,
    project_for,
    project_page,
    rhythm_of,
    served_counts,
    visible_projects,
)

__all__ = [
    "FLAG_WORDS",
    "Filters",
    "Portfolio",
    "PortfolioRow",
    "ProjectPage",
    "WorkItem",
    "last_report",
    "ledger_rows",
    "my_projects",
    "portfolio",
    "project_for",
    "project_page",
    "ServedCounts",
    "rhythm_of",
    "served_counts",
    "visible_projects",
    "with_latest_report",
]
