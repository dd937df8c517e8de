from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from duibiao.demo import demo_data_load, demo_otp_secret, demo_strangers


class Command(BaseCommand):
    help = "载入道外区演示数据（可重复运行，结果相同）；--reset 清空数据库后从头重建"

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true",
            help="清空数据库中的全部数据后重建演示（数据库中有演示以外的数据时须同时给出 --yes）",
        )
        parser.add_argument("--yes", action="store_true", help="确认清空，即使数据库中有演示以外的数据")

    def handle(self, *args, **options):
        with transaction.atomic():  # a reset whose reload fails leaves the old data in place
            if options["reset"]:
                self.reset(confirmed=options["yes"])
            accounts = demo_data_load()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready"))
        self.stdout.write(demo_accounts_table(accounts))

    def reset(self, *, confirmed: bool) -> None:
        # Flushing (every table emptied, in one transaction) rather than deleting the demo's
        # rows one model at a time: the audit log, review trail, runs and files refer to one
        # another, and a flush cannot leave half a demo behind.
        strangers = demo_strangers()
        if strangers and not confirmed:
            raise CommandError(
                "数据库中有演示以外的数据（" + "、".join(strangers) + "），未清空。"
                "确需清空全部数据并重建演示，请加 --yes。"
                " / The database holds more than the demo; nothing was deleted. Add --yes to wipe it."
            )
        deferred = connection.vendor == "postgresql"
        if deferred:
            # PostgreSQL will not truncate a table with foreign-key checks still pending from
            # earlier writes in the same transaction: run them now, and defer them again after.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        call_command("flush", interactive=False, verbosity=0)
        if deferred:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        self.stdout.write("已清空数据库 / database emptied")


def demo_accounts_table(accounts) -> str:
    lines = ["", "演示账号 / demo accounts", "  用户名 username   密码 password   角色 role   范围 scope", "-" * 60]
    for username, password, role, scope in accounts:
        lines.append(f"  {username:<14} {password:<14} {role:<8} {scope}")
    lines.append("  每个单位另有填报员 <单位代码>_tb 和负责人 <单位代码>_fzr，密码相同。")
    lines.append("  Every unit also has <code>_tb (reporter) and <code>_fzr (unit head), same password.")
    lines.append("")
    lines.append("  管理员（admin / secadmin / auditor）登录还需两步验证：在验证器 App 中添加以下密钥。")
    lines.append("  Administrators also need a one-time code: add these keys to an authenticator app.")
    for username in ("admin", "secadmin", "auditor"):
        lines.append(f"  {username:<14} {demo_otp_secret(username)}")
    return "\n".join(lines)
