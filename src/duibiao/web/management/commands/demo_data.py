from django.core.management.base import BaseCommand

from duibiao.demo import demo_data_load


class Command(BaseCommand):
    help = "载入道外区演示数据（可重复运行，结果相同）"

    def handle(self, *args, **options):
        accounts = demo_data_load()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready"))
        self.stdout.write(demo_accounts_table(accounts))


def demo_accounts_table(accounts) -> str:
    lines = ["", "演示账号 / demo accounts", "  用户名 username   密码 password   角色 role   范围 scope", "-" * 60]
    for username, password, role, scope in accounts:
        lines.append(f"  {username:<14} {password:<14} {role:<8} {scope}")
    lines.append("  每个单位另有填报员 <单位代码>_tb 和负责人 <单位代码>_fzr，密码相同。")
    lines.append("  Every unit also has <code>_tb (reporter) and <code>_fzr (unit head), same password.")
    return "\n".join(lines)
