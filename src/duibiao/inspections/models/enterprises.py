"""企业 (一企一档): the basic record findings and campaigns point at; the enterprise's file,
its risk list and pages extend it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Enterprise(models.Model):
    """An enterprise under supervision, known by its 统一社会信用代码 (checked by its check
    digit where it is entered)."""

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=60, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    # 一企一档: the unit the enterprise is supervised by (属地), which decides who sees its
    # file through the gate, and whom to call.
    unit = models.ForeignKey("org.Unit", verbose_name=_("属地单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="enterprises")
    legal_person = models.CharField(_("法定代表人"), max_length=60, blank=True)
    contact = models.CharField(_("联系人"), max_length=60, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")

    def __str__(self) -> str:
        return self.name
