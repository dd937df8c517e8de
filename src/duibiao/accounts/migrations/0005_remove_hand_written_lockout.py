# Failed sign-ins and locks are django-axes' records now, the second factor django-otp's
# devices (moved by 0004): the user row keeps neither.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_totp_devices"),
    ]

    operations = [
        migrations.RemoveField(model_name="user", name="failed_logins"),
        migrations.RemoveField(model_name="user", name="locked_until"),
        migrations.RemoveField(model_name="user", name="totp_enabled_at"),
        migrations.RemoveField(model_name="user", name="totp_secret"),
    ]
