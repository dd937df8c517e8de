"""Benchmark of the Excel import: 60 units × 150 indicators (9,000 values) in one workbook.

Run: .venv/bin/python bench/import_bench.py [--runs 3] [--units 60] [--indicators 150]
Standalone: a throw-away SQLite database under a temp directory, migrated, then
  1. generation  — the 60-sheet template, built from the database (exports.reporting_template)
  2. parse/check — reading and validating every cell (services.reporting_import_check)
  3. save        — 9,000 drafts through submission_bulk_save in one transaction
each the median of --runs runs (submissions are deleted between runs, outside the timing).
Prints a table and rewrites the "## Excel 导入 / Excel import" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
TMP = Path(tempfile.mkdtemp(prefix="duibiao-import-bench-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "duibiao.config.settings"
os.environ["DUIBIAO_DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ["DUIBIAO_VAR_DIR"] = str(TMP)

import django  # noqa: E402

django.setup()

import io  # noqa: E402

import yaml  # noqa: E402
from benchlib import record  # noqa: E402
from django.core.management import call_command  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

KINDS = [("percent", "%", {"method": "target", "target": 100}),
         ("number", "万元", {"method": "minmax", "scope": "category"}),
         ("count", "件", {"method": "target", "target": 50}),
         ("yes-no", "是/否", {"method": "binary"})]


def scheme_document(k: int) -> str:
    dims = []
    for d in range(3):
        leaves = []
        for j in range(d * k // 3, (d + 1) * k // 3):
            kind, uom, norm = KINDS[j % len(KINDS)]
            leaves.append({"code": f"i{j:03d}", "name": f"指标{j + 1:03d}", "weight": 1 + j % 3, "kind": kind,
                           "unit_of_measure": uom, "normalise": norm, "taskforce": "zb1",
                           "source": "区统计局", "standard": "按完成情况计分。"})
        dims.append({"code": f"D{d + 1}", "name": f"维度{d + 1}", "weight": [30, 30, 40][d], "children": leaves})
    doc = {"code": "bench", "name": "基准测试方案", "version": "1", "taskforces": [{"code": "zb1", "name": "专班一"}],
           "categories": ["街道乡镇"], "tree": {"code": "total", "name": "综合得分", "children": dims}}
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def setup(n_units: int, k: int):
    from duibiao.accounts.roles import Role
    from duibiao.accounts.services import role_grant, user_create
    from duibiao.assessment.models import Period
    from duibiao.assessment.services.schemes import scheme_create
    from duibiao.org.models import Category, TaskForce, Unit
    from duibiao.org.services import unit_create

    call_command("migrate", verbosity=0)
    street = Category.objects.create(code="street", name="街道乡镇")
    district = unit_create(actor=None, code="district", name="某区", kind=Unit.Kind.DISTRICT)
    for i in range(n_units):
        unit_create(actor=None, code=f"u{i:02d}", name=f"第{i + 1}街道", kind=Unit.Kind.STREET, parent=district,
                    category=street, order=i)
    TaskForce.objects.create(code="zb1", name="专班一", district=district)
    office = user_create(actor=None, username="khb", password="Bench@2026xyz")
    role_grant(actor=None, user=office, role=Role.OFFICE, units=[district])
    scheme = scheme_create(actor=None, code="bench", name="基准测试方案", year=2026, district=district,
                           document=scheme_document(k))
    period = Period.objects.create(version=scheme.versions.get(), kind="quarter", year=2026, number=1,
                                   name="2026年第一季度", opens_on=date(2026, 4, 1), deadline=date(2026, 4, 15),
                                   status="open")
    return office, period


def fill(data: bytes, seed: int) -> bytes:
    """Every input cell filled, as a district office collecting 60 units' sheets would have it."""
    wb = load_workbook(io.BytesIO(data))
    for s, ws in enumerate(wb.worksheets):
        for r in range(5, ws.max_row + 1):
            kind = ws.cell(r, 5).value
            value = {"百分比": 60 + (r * 7 + s + seed) % 40, "数值": round(1000 + r * 13.7 + s + seed, 2),
                     "次数/件数": (r + s + seed) % 30, "是/否": "是" if (r + s + seed) % 2 else "否"}[kind]
            ws.cell(r, 6).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bench.xlsx", data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--units", type=int, default=60)
    parser.add_argument("--indicators", type=int, default=150)
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args()
    from duibiao.assessment.models import Submission
    from duibiao.documents import exports, services

    office, period = setup(args.units, args.indicators)
    load = os.getloadavg()[0]  # the machine may be shared; say so next to the figures
    gen, gen_cpu, check, save = [], [], [], []
    size = values = 0
    for run in range(args.runs):
        t, cpu = time.perf_counter(), time.process_time()
        _, template = exports.reporting_template(user=office, period=period)
        gen.append(time.perf_counter() - t)
        gen_cpu.append(time.process_time() - cpu)
        data = fill(template, run)
        size = len(data)
        t = time.perf_counter()
        plan = services.reporting_import_check(actor=office, period=period, upload=upload(data))
        check.append(time.perf_counter() - t)
        assert plan.report.ok, plan.report.problems[:5]
        t = time.perf_counter()
        report = services.reporting_import_save(actor=office, period=period, plan=plan)
        save.append(time.perf_counter() - t)
        assert report.saved
        values = report.total
        Submission.objects.all().delete()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    med = {name: statistics.median(v) for name, v in (("gen", gen), ("check", check), ("save", save))}
    total = med["check"] + med["save"]
    cpu = platform.processor() or "unknown"
    info = Path("/proc/cpuinfo")
    if info.exists():
        names = [ln.split(":", 1)[1].strip() for ln in info.read_text().splitlines() if ln.startswith("model name")]
        cpu = names[0] if names else cpu
    lines = [
        "## Excel 导入 / Excel import",
        "",
        f"Measured by `python bench/import_bench.py` on {date.today()}; machine: {cpu}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite (temp file). Median of {args.runs} runs.",
        f"One workbook of {args.units} unit sheets × {args.indicators} indicators "
        f"({values:,} values, {size / 1024:.0f} KB); every cell checked, then saved as drafts through "
        "`submission_bulk_save` (optimistic lock and one audit row per value) in one transaction.",
        "",
        "| step | median wall time | per value |",
        "|---|---|---|",
        f"| generate the template ({args.units} sheets, from the database) | {med['gen']:.2f} s "
        f"(CPU {statistics.median(gen_cpu):.2f} s) | |",
        f"| parse and check every cell | {med['check']:.2f} s | {med['check'] / values * 1e3:.2f} ms |",
        f"| save {values:,} drafts (one transaction) | {med['save']:.2f} s | {med['save'] / values * 1e3:.2f} ms |",
        f"| **import total** (check + save) | **{total:.2f} s** | |",
        "",
        f"Peak memory (RSS) of the benchmark process: {peak:.0f} MB; load average when it started: {load:.1f}.",
        "`submission_bulk_save` writes in bulk: one locked SELECT of the unit's existing values, "
        "then batched INSERT / UPDATE of the submissions and of their audit rows (one per value); "
        "the check half is the read-only openpyxl parse plus the value rules (`assessment.limits`) on every cell.",
        "",
        "Target (issue 14): the all-units template ≤ 1 s (before: 3.3–4.8 s; 2.89 s CPU, then 1.81 s CPU with the rows "
        "read in bulk: `reporting_rows_many`, 3 queries instead of 2 per unit, each indicator's validation rule "
        "worked out once per workbook). The template is now written with XlsxWriter, which writes each cell as it "
        "is given; openpyxl built ~83 000 styled cell objects first (a plain openpyxl workbook of the same cells "
        "alone took ~1.1 s CPU). A profile of what remains: about half is XlsxWriter assembling the sheets' XML, "
        "half writing the cells; reading the database is ~0.05 s. The wall time stretches with the machine's "
        "load; the CPU column is what the code costs.",
        "",
        "中文说明：全部单位填报模板（60 个工作表、约 8.3 万个带格式的单元格）改用 XlsxWriter 边写边生成，"
        "不再先建 openpyxl 的单元格对象；单个单位与全部单位用同一段代码生成，逐格一致。",
        "",
    ]
    record("all-units reporting template", round(med["gen"], 2), "s", "≤ 1 s", met=med["gen"] <= 1.0)
    section = "\n".join(lines)
    print(section)
    if not args.no_docs:
        doc = ROOT / "docs" / "benchmarks.md"
        text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n\n"
        pat = re.compile(r"## Excel 导入 / Excel import\n.*?(?=\n## |\Z)", re.S)
        text = (pat.sub(lambda _m: section.rstrip("\n") + "\n", text) if pat.search(text)
                else text.rstrip("\n") + "\n\n" + section)
        doc.write_text(text, encoding="utf-8")
    shutil.rmtree(TMP, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
