"""The audit log: who did what, when, to which object, with before and after."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duibiao.audit.context import token_tag
from duibiao.audit.event_labels import event_label


class AuditEntry(models.Model):
    """One row of the log. Written only by `audit.chain.chain_append` (through audit_record),
    which numbers, links and hashes it; a database trigger refuses UPDATE and DELETE (only rows
    at or below the purge anchor may be removed), so nobody changes it, the application
    included (audit/triggers.py)."""

    # Set before the row is hashed (not auto_now_add, which would change it on save).
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # No foreign-key constraint and nothing done on delete: the row is never updated, so
    # removing an account or a unit leaves the id (and the name, kept as text) as written.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), null=True, blank=True,
        on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
    )
    # The name is kept as text too so the record survives the account.
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    action = models.CharField(_("事件"), max_length=60, db_index=True)
    success = models.BooleanField(_("成功"), default=True)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=60, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=300, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    detail = models.CharField(_("说明"), max_length=500, blank=True)
    prev_hash = models.CharField(_("前一条的哈希"), max_length=64, blank=True)
    hash = models.CharField(_("哈希"), max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"

    @property
    def action_label(self) -> str:
        """The event's Chinese name (audit/event_labels.py); the code itself if it has none."""
        return event_label(self.action)

    @property
    def api_token_key(self) -> str | None:
        """The key id of the API token the row was written under (led in its detail), if any."""
        return token_tag(self.detail)


class ChainHead(models.Model):
    """The one row (pk 1) that appends lock and update: the newest row's id and hash, and the
    anchor a purge leaves (the last removed row's id and hash), from which the kept rows are
    checked."""

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    anchor_id = models.BigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, default="0" * 64)
    anchor_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"{self.last_id} {self.last_hash[:12]}"


class ChainCheck(models.Model):
    """One walk of the chain (`duibiao audit verify`, or the auditor's 立即校验): its outcome."""

    at = models.DateTimeField(_("校验时间"), default=timezone.now, db_index=True)
    rows = models.BigIntegerField(_("记录数"), default=0)
    whole = models.BooleanField(_("完整"), default=True)
    broken_id = models.BigIntegerField(_("断点记录编号"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    head_hash = models.CharField(_("链尾哈希"), max_length=64, blank=True)
    seconds = models.FloatField(_("耗时（秒）"), default=0)
    by = models.CharField(_("校验人"), max_length=150, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("审计链校验")
        verbose_name_plural = _("审计链校验")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.rows} {self.whole}"
