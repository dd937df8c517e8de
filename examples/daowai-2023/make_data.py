"""Deterministic synthetic data for the 道外区 2023 example (standard library only).

Writes data.csv (unit,indicator,value) for the 52 units of units.csv. Every unit has a latent
"performance" drawn from a seeded generator, so results look like a real assessment (some
units strong on every dimension, some weak) without being anyone's real figures.
Run: python examples/daowai-2023/make_data.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).parent
SEED = 2023
ECO, STR, GEN = "经济部门", "街道乡镇", "综合部门"
SE = (STR, ECO)

# code: (categories or None, units or None, low, high, kind); kind decides the rounding / type
SPEC: dict[str, tuple[tuple[str, ...] | None, tuple[str, ...] | None, float, float, str]] = {
    "nl01": (None, None, 70, 99, "score"),
    "nl02": (None, None, 75, 100, "pct"),
    "nl03": (None, None, 82, 100, "pct"),
    "nl04": (None, None, 85, 99.5, "pct"),
    "nl05": (None, None, 0, 0, "ballot"),
    "nl06": (None, None, 85, 100, "pct"),
    "nl07": (None, None, 72, 98, "score"),
    "nl08": (None, None, 75, 100, "pct"),
    "nl09": ((STR,), None, 70, 98, "score"),
    "nl10": (None, None, 0, 1, "yesno"),
    "ys01": (None, ("shijian", "zhengshu"), 2.5, 6, "lower"),
    "ys02": (None, ("shijian",), 0.8, 2.5, "lower"),
    "ys03": (None, None, 65, 100, "pct"),
    "ys04": (None, ("shijian",), 180, 360, "count"),
    "ys05": (None, ("shijian", "zhengshu"), 60, 150, "count"),
    "ys06": ((ECO, GEN), None, 75, 99, "score"),
    "ys07": (None, None, 90, 99.9, "pct"),
    "ys08": (None, None, 80, 100, "pct"),
    "ys09": (None, None, 75, 100, "pct"),
    "ys10": (None, None, 0, 4, "complaints"),
    "ys11": ((ECO,), None, 80, 100, "pct"),
    "ys12": (None, None, 70, 98, "score"),
    "gz01": (SE, None, -5, 22, "pct"),
    "gz02": (SE, None, 70, 100, "pct"),
    "gz03": (SE, None, 55, 105, "pct"),
    "gz04": (SE, None, 60, 110, "pct"),
    "gz05": (SE, None, 60, 100, "pct"),
    "gz06": (SE, None, 0, 15, "count"),
    "gz07": (SE, None, 0.2, 30, "money"),
    "gz08": (None, ("shangwu",), 2, 10, "pct"),
    "gz09": (None, ("gongxin",), 1, 8, "pct"),
    "gz10": (None, ("caizheng", "tongji"), 90, 112, "pct"),
    "gz11": (None, ("gongxin", "keji"), 3, 14, "pct"),
    "gz12": (SE, None, 0, 12, "count"),
    "gz13": (None, None, 65, 98, "score"),
    "gz14": ((GEN, STR), None, 80, 100, "pct"),
    "gz15": (None, None, 75, 99, "score"),
    "gz16": (None, ("huanbao",), 82, 93, "pct"),
    "gz17": (None, ("chengguan", "yuanlin"), 78, 96, "score"),
    "gz18": (None, ("renshe",), 90, 115, "pct"),
}
BALLOT_GRADES = ("优秀", "称职", "基本称职", "不称职")
# bonus / penalty events and vetoes, fixed so the example shows each effect
EVENTS = {
    ("jingyu", "jl01"): 1,
    ("jingyu", "jl03"): 2,
    ("taigu", "jl02"): 1,
    ("yingshang", "jl01"): 2,
    ("zhengshu", "jl02"): 3,
    ("shijian", "jl03"): 1,
    ("fagai", "jl02"): 1,
    ("xinfang", "jl03"): 1,
    ("huagong", "cf01"): 2,
    ("nanma", "cf02"): 1,
    ("minzhu", "cf03"): 3,
    ("jiaotong", "cf01"): 1,
    ("weijian", "cf03"): 2,
    ("sankeshu", "cf02"): 2,
    ("binjiang", "fj03"): 1,
    ("ziguan", "fj01"): 1,
}


def main() -> None:
    rng = random.Random(SEED)
    with (HERE / "units.csv").open(encoding="utf-8") as f:
        units = list(csv.DictReader(f))
    rows: list[tuple[str, str, str]] = []
    for u in units:  # a small synthetic data set; plain loops are fine here
        perf = rng.betavariate(5, 2)  # latent performance 0–1, skewed towards good
        for code, (cats, only, lo, hi, kind) in SPEC.items():
            if cats is not None and u["category"] not in cats:
                continue
            if only is not None and u["unit"] not in only:
                continue
            q = min(1.0, max(0.0, perf + rng.gauss(0, 0.15)))
            if kind == "ballot":
                voters = rng.randint(30, 60)
                good = round(voters * (0.45 + 0.5 * q))
                fair = round((voters - good) * 0.8)
                weak = max(0, voters - good - fair - (1 if q < 0.3 else 0))
                bad = voters - good - fair - weak
                for g, n in zip(BALLOT_GRADES, (good, fair, weak, bad), strict=True):
                    rows.append((u["unit"], f"{code}:{g}", str(n)))
                continue
            if kind == "yesno":
                v = "1" if q > 0.25 else "0"
            elif kind == "lower":
                v = f"{hi - q * (hi - lo):.1f}"
            elif kind == "complaints":
                v = str(int(round((1 - q) * hi * rng.random())))
            elif kind == "count":
                v = str(int(round(lo + q * (hi - lo))))
            elif kind == "money":
                v = f"{lo + q * q * (hi - lo):.2f}"
            else:
                v = f"{lo + q * (hi - lo):.1f}"
            rows.append((u["unit"], code, v))
        for (unit, code), n in EVENTS.items():
            if unit == u["unit"]:
                rows.append((unit, code, str(n)))
    with (HERE / "data.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unit", "indicator", "value"])
        w.writerows(rows)


if __name__ == "__main__":
    main()
