from __future__ import annotations

from ninja import Schema


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None
    category: str | None
    tier: str | None
    path: str

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_category(obj) -> str | None:
        return obj.category.name if obj.category_id else None

    @staticmethod
    def resolve_tier(obj) -> str | None:
        return obj.tier.name if obj.tier_id else None


class MeOut(Schema):
    username: str
    full_name: str
    unit: str | None
    roles: list[str]
