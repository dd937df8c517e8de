"""``duibiao disposal-rates``: 问题处置率 from a findings file, without a server or database.

    duibiao disposal-rates FINDINGS.(csv|xlsx) --as-of YYYY-MM-DD [--by unit|campaign] --out RATES.csv

The same :func:`duibiao.inspections.rates.group_rates` as the pages and the indicator sources.
Exit 0 with a short summary; exit 2 listing every problem of the file (行 n，列 x：…) with
nothing written. No Django here: ``duibiao.cli`` calls :func:`main` before Django starts.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from .rates import FindingsError, GroupRates, fmt2, group_rates, read_findings, write_rates_csv

__all__ = ["build_parser", "main"]


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是日期，应为 YYYY-MM-DD") from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="duibiao disposal-rates",
        description="按截止日期计算问题处置率、按期整改率、逾期数和平均整改天数 / "
        "disposal rates of inspection findings as of a date",
    )
    p.add_argument("findings", help="问题清单 CSV/XLSX：id,unit,campaign,found_on,deadline,"
                                    "extended_to,closed_on,outcome")
    p.add_argument("--as-of", required=True, type=_as_of, metavar="YYYY-MM-DD",
                   help="截止日期 / as-of date")
    p.add_argument("--by", choices=("unit", "campaign"), help="分组：unit 单位 / campaign 专项行动")
    p.add_argument("--out", required=True, help="结果 RATES.csv")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point. Usage: ``main(["findings.csv", "--as-of", "2026-06-30", "--out", "r.csv"])``."""
    args = build_parser().parse_args(argv)
    try:
        rows = read_findings(args.findings)
    except FindingsError as exc:
        print(f"错误：{args.findings} 有 {len(exc.problems)} 处问题，未写出结果：", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    as_of: date = args.as_of
    table = group_rates(rows, as_of, by=args.by)
    out = Path(args.out)
    try:
        _write_atomically(out, table)
    except OSError as exc:
        print(f"错误：无法写出 {out}：{exc.strerror or exc}", file=sys.stderr)
        return 1
    total = table[-1]
    # A blank rate (nothing due yet) reads as a dash, never as 0 %.
    rate = f"{fmt2(total.disposal_rate)}%" if total.disposal_rate is not None else "—"
    on_time = f"{fmt2(total.on_time_rate)}%" if total.on_time_rate is not None else "—"
    days = f"{fmt2(total.avg_days)} 天" if total.avg_days is not None else "—"
    groups = {"unit": "单位", "campaign": "专项行动"}.get(args.by or "", "")
    print(
        f"截至 {as_of.isoformat()}：问题 {total.findings} 个，应整改 {total.due} 个，"
        f"已销号 {total.closed} 个，问题处置率 {rate}，按期整改率 {on_time}，"
        f"逾期 {total.overdue} 个，平均整改天数 {days}。"
    )
    print(f"已写出 {out}" + (f"（按{groups}分 {len(table) - 1} 组及全部）" if groups else "（全部）"))
    return 0


def _write_atomically(out: Path, table: Sequence[GroupRates]) -> None:
    # A half-written RATES file must never be taken for a result: write beside it, then rename.
    fd, tmp = tempfile.mkstemp(prefix=".rates-", suffix=".csv", dir=out.parent)
    os.close(fd)
    try:
        write_rates_csv(tmp, table)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


if __name__ == "__main__":
    sys.exit(main())
