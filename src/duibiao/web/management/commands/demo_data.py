from django.core.management.base import BaseCommand

from duibiao.demo import demo_data_load, demo_otp_secret


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
    lines.append("")
    lines.append("  管理员（admin / secadmin / auditor）登录还需两步验证：在验证器 App 中添加以下密钥。")
    lines.append("  Administrators also need a one-time code: add these keys to an authenticator app.")
    for username in ("admin", "secadmin", "auditor"):
        lines.append(f"  {username:<14} {demo_otp_secret(username)}")
    return "\n".join(lines)
