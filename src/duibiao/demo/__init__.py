"""The 道外区 demo: units, task forces, one account per role, the 2023 scheme's headers.

Deterministic and re-runnable: what exists is left as it is, what is missing is created.
The unit list is the one the scoring example uses (examples/daowai-2023/units.csv), so the
demo and the example score the same units.
"""

from __future__ import annotations

import base64
import csv
import os
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction

from duibiao.accounts.models import User
from duibiao.accounts.roles import ADMIN_ROLES, Role
from duibiao.accounts.services import role_grant, user_create
from duibiao.assessment.models import Scheme
from duibiao.assessment.services.schemes import scheme_activate, scheme_create
from duibiao.crypto.models import SealedTOTPDevice as TOTPDevice  # the key sealed with SM4
from duibiao.demo.cadres import demo_cadres_load
from duibiao.demo.inspections import demo_inspections_load
from duibiao.demo.period import load_open_quarter, load_published_quarter
from duibiao.demo.projects import demo_projects_load
from duibiao.org.models import Category, TaskForce, Tier, Unit
from duibiao.org.services import unit_create

DEMO_PASSWORD = "Duibiao@2026"
EXAMPLE_DIR = Path(
    os.environ.get(
        "DUIBIAO_EXAMPLES_DIR", Path(__file__).resolve().parents[3] / "examples"
    )
) / "daowai-2023"

CATEGORIES = [("street", "街道乡镇"), ("economic", "经济部门"), ("general", "综合部门")]
TIERS = [("jiedao", "街道"), ("zhen", "镇"), ("quzhi", "区直部门")]
TASKFORCES = [
    ("zb1", "能力作风建设考核评价专班", "区委组织部牵头，负责深化能力作风建设维度"),
    ("zb2", "营商环境考核评价专班", "区营商环境局牵头，负责优化营商环境维度"),
    ("zb3", "高质量发展考核评价专班", "区发改局牵头，负责促进高质量发展维度"),
    ("zb4", "攻坚突破项目考核评价专班", "区发改局、区统计局牵头，负责重点项目和攻坚突破"),
]
# (username, full name, role, scope unit code, task force code)
PEOPLE = [
    ("admin", "王立新", Role.SYSADMIN, "daowai", None),
    ("secadmin", "赵文静", Role.SECADMIN, "daowai", None),
    ("auditor", "钱国华", Role.AUDITOR, "daowai", None),
    ("khb", "孙晓梅", Role.OFFICE, "daowai", None),
    ("zb1", "李建国", Role.TASKFORCE, "daowai", "zb1"),
    ("zb2", "周丽娟", Role.TASKFORCE, "daowai", "zb2"),
    ("zb3", "吴海涛", Role.TASKFORCE, "daowai", "zb3"),
    ("zb4", "郑志强", Role.TASKFORCE, "daowai", "zb4"),
    ("leader", "冯振华", Role.LEADER, "daowai", None),
    ("mishu", "陈思远", Role.SECRETARY, "daowai", None),
    ("mishu2", "林嘉怡", Role.SECRETARY, "daowai", None),
    ("mishu3", "高文斌", Role.SECRETARY, "daowai", None),
    ("duchao", "褚明辉", Role.INSPECTOR, "daowai", None),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
# The demo scheme is the example's with gz02–gz05 fed by the key projects (DESIGN §5): units no
# longer type the four rates. A unit without a project in a rate's denominator has no value
# and the indicator's weight goes to its others (missing: skip), rather than scoring 0.
# The example itself (`duibiao score examples/daowai-2023`) keeps its typed figures.
FED_INDICATORS = {
    "gz02": "projects.start_rate",
    "gz03": "projects.investment_completion_rate",
    "gz04": "projects.funds_rate",
    "gz05": "projects.completion_rate",
    # 督查问题整改率 is the units' 问题处置率 from the inspections (已销号 ÷ 应整改).
    "nl02": "inspections.disposal_rate",
}
GIVEN = ["建华", "丽娜", "志刚", "秀英", "海燕", "国庆", "晓东", "玉兰", "文博", "雪梅", "春生", "红霞"]


def demo_otp_secret(username: str) -> str:
    """A fixed base32 TOTP secret per demo administrator (demo only: printed on purpose)."""
    return base64.b32encode(f"duibiao-demo-{username}".encode()[:20].ljust(20, b"-")).decode()


def _demo_name(index: int) -> str:
    return SURNAMES[(index * 7) % len(SURNAMES)] + GIVEN[index % len(GIVEN)]


def demo_scheme_document() -> str:
    """The example scheme with gz02–gz05 taking their values from the projects' sources and
    nl02 from the inspections' 问题处置率."""
    document = (EXAMPLE_DIR / "scheme.yaml").read_text(encoding="utf-8")
    for code, source in FED_INDICATORS.items():
        marker = f"{{code: {code}, "
        if document.count(marker) != 1:
            raise RuntimeError(f"示例方案中找不到指标 {code}")
        document = document.replace(marker, f"{marker}value_from: {source}, missing: skip, ")
    return document


def _example_units() -> list[dict[str, str]]:
    with open(EXAMPLE_DIR / "units.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _unit(code: str, name: str, kind: str, parent: Unit | None, **extra) -> Unit:
    existing = Unit.objects.filter(code=code).first()
    return existing or unit_create(actor=None, code=code, name=name, kind=kind, parent=parent, **extra)


def _person(username: str, full_name: str, unit: Unit | None, password_hash: str) -> tuple[User, bool]:
    existing = User.objects.filter(username=username).first()
    if existing:
        return existing, False
    return user_create(
        actor=None, username=username, password_hash=password_hash, full_name=full_name, unit=unit
    ), True


def demo_strangers(limit: int = 5) -> list[str]:
    """What the database holds besides the demo: accounts, units and schemes the demo does
    not create. `demo-data --reset` wipes the database only when this is empty (or when
    told --yes), so that it never deletes a real district's work by mistake."""
    units = {row["unit"] for row in _example_units()} | {"harbin", "daowai", "daowai-ldxz", "daowai-khb"}
    usernames = {person[0] for person in PEOPLE} | {f"{code}_{suffix}" for code in units for suffix in ("tb", "fzr")}
    found = [f"账号 {name}" for name in User.objects.exclude(username__in=usernames)
             .values_list("username", flat=True)[:limit]]
    found += [f"单位 {name}" for name in Unit.objects.exclude(code__in=units).values_list("name", flat=True)[:limit]]
    found += [f"考核方案 {name}" for name in Scheme.objects.exclude(code="daowai-2023")
              .values_list("name", flat=True)[:limit]]
    return found[:limit]


@transaction.atomic
def demo_data_load() -> list[tuple[str, str, str, str]]:
    """Load the demo; returns the printed account table rows (username, password, role, scope)."""
    categories = {
        code: Category.objects.get_or_create(code=code, defaults={"name": name, "order": i})[0]
        for i, (code, name) in enumerate(CATEGORIES)
    }
    by_name = {c.name: c for c in categories.values()}
    tiers = {
        name: Tier.objects.get_or_create(code=code, defaults={"name": name, "order": i})[0]
        for i, (code, name) in enumerate(TIERS)
    }
    harbin = _unit("harbin", "哈尔滨市", Unit.Kind.CITY, None)
    daowai = _unit("daowai", "道外区", Unit.Kind.DISTRICT, harbin)
    group = _unit("daowai-ldxz", "道外区对标晋位考核评价工作领导小组", Unit.Kind.OFFICE, daowai)
    _unit("daowai-khb", "领导小组办公室（考核办）", Unit.Kind.OFFICE, group)
    for order, row in enumerate(_example_units()):
        kind = (
            Unit.Kind.TOWN if row["tier"] == "镇"
            else Unit.Kind.STREET if row["tier"] == "街道" else Unit.Kind.DEPARTMENT
        )
        _unit(
            row["unit"], row["name"], kind, daowai, category=by_name[row["category"]],
            tier=tiers[row["tier"]], order=order,
        )
    for order, (code, name, duty) in enumerate(TASKFORCES):
        TaskForce.objects.get_or_create(
            code=code, defaults={"name": name, "district": daowai, "duty": duty, "order": order}
        )
    password_hash = make_password(DEMO_PASSWORD)  # one slow hash, shared by every demo account
    units = {u.code: u for u in Unit.objects.all()}
    rows = []
    for username, full_name, role, scope, taskforce in PEOPLE:
        home = units["daowai-khb"] if role in {Role.OFFICE, Role.TASKFORCE} else None
        user, new = _person(username, full_name, home, password_hash)
        if new:
            role_grant(
                actor=None, user=user, role=role, units=[units[scope]],
                taskforce=TaskForce.objects.get(code=taskforce) if taskforce else None,
            )
            if role in ADMIN_ROLES:
                # Administrators sign in with a one-time code too; the demo's are enrolled with
                # a fixed, printed secret so that anyone can add them to an authenticator app.
                TOTPDevice.objects.create(
                    user=user, name="authenticator", confirmed=True,
                    key=base64.b32decode(demo_otp_secret(username)).hex(),
                )
        rows.append((username, DEMO_PASSWORD, str(role.label), units[scope].name))
    for index, row in enumerate(_example_units()):
        unit = units[row["unit"]]
        for suffix, role, offset in (("tb", Role.REPORTER, 0), ("fzr", Role.UNIT_HEAD, 500)):
            user, new = _person(f"{unit.code}_{suffix}", _demo_name(index + offset), unit, password_hash)
            if new:
                role_grant(actor=None, user=user, role=role, units=[unit], include_subtree=False)
    if not Scheme.objects.filter(code="daowai-2023").exists():
        scheme = scheme_create(
            actor=None, code="daowai-2023", name="道外区2023年度对标晋位考核评价方案", year=2023,
            district=daowai, document=demo_scheme_document(),
        )
        scheme_activate(actor=None, scheme=scheme)
    scheme = Scheme.objects.get(code="daowai-2023")
    # The portfolio first: the quarters' runs read gz02–gz05 from it.
    demo_projects_load()
    # The inspections too: nl02 is each unit's 问题处置率 as of the quarter's end.
    demo_inspections_load()
    # Last quarter closed and published (rankings, 晋位, trends); this quarter open with a
    # realistic mix of statuses (drafts, submitted, returned, approved, not started).
    load_published_quarter(scheme, EXAMPLE_DIR / "data.csv")
    load_open_quarter(scheme, EXAMPLE_DIR / "data.csv")
    for username in ("jingyu_tb", "jingyu_fzr", "fagai_tb"):
        user = User.objects.get(username=username)
        label = Role.REPORTER.label if username.endswith("_tb") else Role.UNIT_HEAD.label
        rows.append((username, DEMO_PASSWORD, str(label), user.unit.name if user.unit else ""))
    demo_cadres_load()
    return rows

