import duibiao.accounts.models
from django.db import migrations, models


def clear_flags(apps, schema_editor):
    # Roles are the only source of power; any flag set before this migration is cleared so
    # that the constraint below can hold.
    apps.get_model("accounts", "User").objects.filter(
        models.Q(is_superuser=True) | models.Q(is_staff=True)
    ).update(is_superuser=False, is_staff=False)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_second_factor"),
    ]

    operations = [
        migrations.AlterModelManagers(
            name="user",
            managers=[
                ("objects", duibiao.accounts.models.AccountManager()),
            ],
        ),
        migrations.RunPython(clear_flags, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("is_staff", False), ("is_superuser", False)),
                name="user_no_django_privileges",
                violation_error_message="账号不能设为超级用户或职员：权限只来自角色授权。",
            ),
        ),
    ]
