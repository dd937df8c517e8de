from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from duibiao.accounts.roles import Role
from duibiao.accounts.services import GrantError, role_grant, user_create
from duibiao.org.models import TaskForce, Unit


class Command(BaseCommand):
    help = "创建用户并授予角色 / create a user with a role over units"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--unit", action="append", default=[], help="范围单位代码，可重复")
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument("--taskforce", help="所属专班代码（专班成员必填）")
        parser.add_argument("--password", help="不给则交互输入")

    def handle(self, *args, username, role, unit: list[str], name, password, taskforce=None, **options):
        units = list(Unit.objects.filter(code__in=unit))
        missing = set(unit) - {u.code for u in units}
        if missing:
            raise CommandError(f"未知单位代码：{', '.join(sorted(missing))}")
        team = TaskForce.objects.filter(code=taskforce).first() if taskforce else None
        if taskforce and team is None:
            raise CommandError(f"未知专班代码：{taskforce}")
        if password is None:
            import getpass

            password = getpass.getpass("密码: ")
        try:
            # One transaction: an account whose grant is refused is not left behind.
            with transaction.atomic():
                user = user_create(
                    actor=None, username=username, password=password, full_name=name,
                    unit=units[0] if units else None,
                )
                role_grant(actor=None, user=user, role=role, units=units, taskforce=team)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        except GrantError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已创建 {username}（{Role(role).label}）"))
