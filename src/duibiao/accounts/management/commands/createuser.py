from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from duibiao.accounts.roles import Role
from duibiao.accounts.services import role_grant, user_create
from duibiao.org.models import Unit


class Command(BaseCommand):
    help = "创建用户并授予角色 / create a user with a role over units"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--unit", action="append", default=[], help="范围单位代码，可重复")
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument("--password", help="不给则交互输入")

    def handle(self, *args, username, role, unit, name, password, **options):
        units = list(Unit.objects.filter(code__in=unit))
        missing = set(unit) - {u.code for u in units}
        if missing:
            raise CommandError(f"未知单位代码：{', '.join(sorted(missing))}")
        if password is None:
            import getpass

            password = getpass.getpass("密码: ")
        try:
            user = user_create(
                actor=None, username=username, password=password, full_name=name,
                unit=units[0] if units else None,
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        role_grant(actor=None, user=user, role=role, units=units)
        self.stdout.write(self.style.SUCCESS(f"已创建 {username}（{Role(role).label}）"))
