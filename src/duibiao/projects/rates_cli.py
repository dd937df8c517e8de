"""``duibiao project-rates``: the four rates and the flags of a ledger file, without a database.

    duibiao project-rates LEDGER.(csv|xlsx) --as-of YYYY-MM-DD [--by unit|level|type|stage|source]
        --out RATES.csv [--projects-out FLAGS.csv]

Exit 0 with a short summary; exit 2 with every problem of a bad ledger (行 n，列 x：…) and no
file written. The web app computes the same rates with the same functions (projects.rates).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import NoReturn

from duibiao.projects.ledger import DATE_TEXT, LedgerError, read_ledger
from duibiao.projects.rates import (
    BY_COLUMNS,
    GroupRates,
    LedgerRow,
    fmt,
    group_rates,
    project_flag,
    write_flags_csv,
    write_rates_csv,
)

__all__ = ["main"]
PROG = "duibiao project-rates"


class _Parser(argparse.ArgumentParser):
    """argparse whose errors are in Chinese and end the command with 2, as a bad ledger does."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{PROG}: 参数错误：{message}\n")


def _as_of(text: str) -> date:
    match = DATE_TEXT.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是日期，应为 YYYY-MM-DD") from None


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="按台账计算重点项目四率（开复工率、投资完成率、资金到位率、"
                                            "按期竣工率）和红黄绿灯，无需数据库。")
    parser.add_argument("ledger", help="台账文件（.csv 或 .xlsx），每个项目一行")
    parser.add_argument("--as-of", required=True, type=_as_of, help="截至日期 YYYY-MM-DD")
    parser.add_argument("--by", choices=BY_COLUMNS, help="分组：单位、级别、类型、阶段或投资来源")
    parser.add_argument("--out", required=True, help="四率结果 RATES.csv")
    parser.add_argument("--projects-out", help="逐项目红黄绿灯 FLAGS.csv")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code. Usage: ``main(["l.csv", "--as-of", "2023-06-30", "--out", "r.csv"])``."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a bad argument (2)
        return exc.code if isinstance(exc.code, int) else 2
    as_of: date = args.as_of
    outputs = [Path(args.out)] + ([Path(args.projects_out)] if args.projects_out else [])
    if len(outputs) == 2 and outputs[0].resolve() == outputs[1].resolve():
        print(f"{PROG}: --out 与 --projects-out 不能是同一个文件", file=sys.stderr)
        return 2
    try:
        rows = read_ledger(args.ledger)
    except LedgerError as exc:
        print(f"{PROG}: 台账 {args.ledger} 有 {len(exc.problems)} 处问题，未写出任何文件：", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    groups = group_rates(rows, as_of, args.by)
    try:
        _write_all(outputs, rows, groups, as_of)
    except OSError as exc:
        print(f"{PROG}: 无法写出结果：{exc}", file=sys.stderr)
        return 2
    print(_summary(groups[-1], as_of))
    print(f"已写出 {outputs[0]}（{len(groups) - 1} 个分组 + 全部）"
          + (f"、{outputs[1]}（{len(rows)} 个项目）" if len(outputs) == 2 else ""))
    return 0


def _write_all(outputs: list[Path], rows: list[LedgerRow], groups: list[GroupRates], as_of: date) -> None:
    """Write every output beside its final name first, then move them all into place, so a
    failure leaves no half-written result behind."""
    temps: list[Path] = []
    try:
        for target in outputs:
            handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            os.close(handle)
            temps.append(Path(name))
        write_rates_csv(groups, temps[0])
        if len(outputs) == 2:
            write_flags_csv(rows, [project_flag(r, as_of) for r in rows], temps[1])
        for temp, target in zip(temps, outputs, strict=True):
            os.replace(temp, target)
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)


def _summary(total: GroupRates, as_of: date) -> str:
    def pct(value: Decimal | None) -> str:
        return f"{fmt(value)}%" if value is not None else "—（无分母）"

    gap = total.schedule_gap
    if gap is None:
        versus = ""
    else:
        versus = f"，{'超' if gap >= 0 else '落后'}序时进度 {fmt(abs(gap))} 个百分点"
    return (f"截至 {as_of.isoformat()}，共 {total.projects} 个项目：开复工率 {pct(total.start_rate)}，"
            f"投资完成率 {pct(total.investment_rate)}（序时进度 {pct(total.schedule)}{versus}），"
            f"资金到位率 {pct(total.funds_rate)}，按期竣工率 {pct(total.completion_rate)}；"
            f"红灯 {total.red} 个、黄灯 {total.yellow} 个、绿灯 {total.green} 个。")


if __name__ == "__main__":
    sys.exit(main())
