"""`duibiao check_values`: list stored values, notes and reasons that no longer validate."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from duibiao.assessment.models import Period
from duibiao.assessment.selectors.value_checks import stored_problems


class Command(BaseCommand):
    help = (
        "检查已保存的填报值、说明和理由是否仍符合取值规则与长度限制；发现问题时逐项列出并以退出码 1 结束 / "
        "List stored values (and notes, reasons) that no longer validate; exit code 1 when any are found."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", type=int, action="append", default=None, metavar="ID",
                            help="只检查该考核周期（可重复） / only this period (repeatable)")

    def handle(self, *args, **options):
        periods = Period.objects.all()
        if options["period"]:
            periods = periods.filter(pk__in=options["period"])
            if not periods.exists():
                raise CommandError(f"没有编号为 {options['period']} 的考核周期 / no such period")
        found = 0
        for problem in stored_problems(periods=periods):
            if found == 0:
                self.stdout.write("单位 unit\t周期 period\t指标 indicator\t数值 value\t原因 reason")
            found += 1
            self.stdout.write("\t".join((problem.unit, problem.period, problem.indicator, problem.value,
                                         problem.reason)))
        if found:
            self.stderr.write(self.style.ERROR(
                f"发现 {found} 项不符合规则的已保存数据，请在填报页面更正（已审核的须由考核办解锁） / "
                f"{found} stored value(s) do not validate"))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("已保存的数据均符合取值规则 / every stored value validates"))
