"""The report of an Excel import: every problem found, each pinned to a cell.

An import validates the whole workbook before it writes anything, so the user gets every
problem at once (sheet, row, column, reason) instead of fixing them one upload at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.utils import get_column_letter


@dataclass(frozen=True)
class Problem:
    sheet: str  # "" for the file as a whole
    row: int | None  # 1-based Excel row, None for a sheet- or file-level problem
    column: str  # "F" or "" when the problem is not one cell's
    header: str  # the column's header ("填报值"), shown next to the letter
    reason: str  # Chinese, fit to show a reporter as it is

    @property
    def where(self) -> str:
        """'F（填报值）' — the column as users read it."""
        if self.column and self.header:
            return f"{self.column}（{self.header}）"
        return self.column or self.header

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet, "row": self.row, "column": self.column, "header": self.header,
            "reason": self.reason,
        }


@dataclass
class ImportReport:
    """Problems of one import plus, when it worked, what it changed."""

    filename: str = ""
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # e.g. {"靖宇街道": 31}
    notes: list[str] = field(default_factory=list)  # non-blocking remarks (e.g. weight sums)
    saved: bool = False
    # Keeps a pathological file from producing a report as large as the file itself.
    limit: int = 500

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def truncated(self) -> bool:
        return len(self.problems) >= self.limit

    def add(self, sheet: str, row: int | None, reason: str, *, col: int | None = None,
            header: str = "") -> None:
        if len(self.problems) < self.limit:
            letter = get_column_letter(col) if col else ""
            self.problems.append(Problem(sheet, row, letter, header, reason))

    def sort(self) -> None:
        """Sheets in the order first met, rows top to bottom, as a user works through them."""
        sheets: dict[str, int] = {}
        for p in self.problems:
            sheets.setdefault(p.sheet, len(sheets))
        self.problems.sort(key=lambda p: (sheets[p.sheet], p.row or 0))

    def file_problem(self, reason: str) -> None:
        self.add("", None, reason)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        """A refused import in one sentence, as the page's report opens: how many problems,
        and the first one with its sheet, row and column (an API's `detail`, so a client that
        shows only that still tells the person what to fix)."""
        if self.ok:
            return ""
        first = self.problems[0]
        place = " ".join(part for part in (
            _("工作表“%(sheet)s”") % {"sheet": first.sheet} if first.sheet else "",
            _("第 %(row)s 行") % {"row": first.row} if first.row else "",
            _("%(where)s列") % {"where": first.where} if first.where else "",
        ) if part)
        count = len(self.problems)
        text = ngettext(
            "导入失败：有 %(n)s 处问题，未做任何修改。第一处：%(place)s%(reason)s",
            "导入失败：有 %(n)s 处问题，未做任何修改。第一处：%(place)s%(reason)s",
            count,
        ) % {"n": f"{count}+" if self.truncated else count, "place": f"{place}：" if place else "",
             "reason": first.reason}
        return text

    def as_dict(self) -> dict:
        return {
            "ok": self.ok, "saved": self.saved, "filename": self.filename,
            "problems": [p.as_dict() for p in self.problems], "counts": self.counts,
            "total": self.total, "notes": self.notes, "truncated": self.truncated,
        }

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        """The report `as_dict` stored (a background import's), as the pages show it."""
        return cls(
            filename=data.get("filename", ""), saved=data.get("saved", False),
            problems=[Problem(**p) for p in data.get("problems", [])],
            counts=dict(data.get("counts", {})), notes=list(data.get("notes", [])),
        )
