"""Indicator.role → Indicator.item_kind: "role" names what a user may do (accounts.roles); what
an item is in the scheme (共性 / 个性 / 加分 / 扣分 / 否决) is its kind. A rename of the column,
no row changes; the scheme document has no such key (it is derived from where the item sits),
so existing documents are untouched."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("assessment", "0007_indicator_value_from"),
    ]

    operations = [
        migrations.RenameField(model_name="indicator", old_name="role", new_name="item_kind"),
    ]
