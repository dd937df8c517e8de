"""Benchmark of the scoring engine: district, city, province; sensitivity; pandas and pymcdm.

Run: python bench/engine_bench.py [--quick] [--no-docs]   (bounded: a few runs per size)
Prints a table and rewrites the "## 计分引擎 / Scoring engine" section of docs/benchmarks.md
(not with --no-docs). Records for `make bench`: "engine, province 20 000 × 300" against the
straightforward pandas version, both timed in this run on the same inputs, alternately, so a
shared machine's load falls on both alike (wall and CPU time are printed).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import benchlib  # noqa: E402

from duibiao import engine  # noqa: E402

SIZES = {"district": (60, 150), "city": (600, 200), "province": (20_000, 300)}
CATS = ("街道乡镇", "经济部门", "综合部门")


def make_case(n: int, k: int, seed: int = 0) -> tuple[engine.Scheme, np.ndarray, engine.Units]:
    rng = np.random.default_rng(seed)
    dims = 3
    per = k // dims
    methods = [
        {"method": "minmax", "scope": "category"},
        {"method": "target", "target": 80.0},
        {"method": "frontier", "best": "peers", "worst": "peers"},
        {"method": "goalposts", "threshold": 10.0, "target": 90.0},
        {"method": "zscore"},
    ]
    children = []
    j = 0
    for d in range(dims):
        subs = []
        for s in range(per // 10):
            leaves = []
            for _ in range(10):
                leaves.append(
                    {
                        "code": f"i{j}",
                        "weight": float(1 + j % 3),
                        "normalise": dict(methods[j % len(methods)]),
                    }
                )
                j += 1
            subs.append({"code": f"D{d}S{s}", "children": leaves})
        children.append({"code": f"D{d}", "weight": [30.0, 30.0, 40.0][d], "children": subs})
    doc = {
        "code": "bench",
        "name": "bench",
        "version": "1",
        "tree": {"code": "T", "children": children},
        "adjustments": {
            "bonus_cap": 5,
            "penalty_cap": 10,
            "floor": 0,
            "items": [
                {"code": "b1", "name": "b", "type": "bonus", "points": 2, "cap": 4},
                {"code": "p1", "name": "p", "type": "penalty", "points": 1},
            ],
        },
        "vetoes": [{"code": "v1", "name": "v", "effect": "zero"}],
        "grading": {
            "grades": [
                {"name": "优秀", "min": 90, "quota": 0.2},
                {"name": "良好", "min": 80},
                {"name": "一般", "min": 60},
                {"name": "较差"},
            ]
        },
    }
    scheme = engine.build_scheme(doc)
    x = rng.uniform(0, 100, size=(n, j))
    x[rng.random(size=x.shape) < 0.02] = np.nan
    units = engine.Units(
        codes=tuple(f"u{i}" for i in range(n)), categories=tuple(CATS[i % 3] for i in range(n))
    )
    return scheme, x, units


def province_inputs(
    n: int, k: int
) -> tuple[engine.Scheme, np.ndarray, engine.Units, np.ndarray, np.ndarray]:
    """The scheme, values, units, events and vetoes of a case (built once, outside timing)."""
    scheme, x, units = make_case(n, k)
    ev = np.zeros((n, 2))
    ev[::7, 0] = 1
    ev[::11, 1] = 3
    vt = np.zeros((n, 1))
    vt[::97, 0] = 1
    return scheme, x, units, ev, vt


def run_engine(n: int, k: int) -> engine.Result:
    scheme, x, units, ev, vt = province_inputs(n, k)
    return engine.score(scheme, x, units, events=ev, vetoes=vt)


def timed(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def peak_memory_mb(size: str) -> float:
    """Peak RSS of a fresh subprocess that scores one case (resource.getrusage)."""
    src, here = str(ROOT / "src"), str(ROOT / "bench")
    code = (
        f"import resource, sys; sys.path.insert(0, {src!r}); sys.path.insert(0, {here!r})\n"
        "import engine_bench as b\n"
        f"b.run_engine(*b.SIZES[{size!r}])\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def pandas_province(scheme: engine.Scheme, x: np.ndarray, units: engine.Units) -> None:
    """The same province work written straightforwardly with pandas (groupby per category)."""
    import warnings

    import pandas as pd

    warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
    df = pd.DataFrame(x, columns=list(scheme.indicator_codes))
    df["category"] = units.categories
    inds = scheme.indicators
    out = pd.DataFrame(index=df.index)
    g = df.groupby("category")
    for ind in inds:
        c = df[ind.code]
        m = ind.method
        if m == "minmax":
            lo, hi = g[ind.code].transform("min"), g[ind.code].transform("max")
            out[ind.code] = 100 * (c - lo) / (hi - lo)
        elif m == "target":
            out[ind.code] = (100 * c / ind.params["target"]).clip(0, 100)
        elif m == "frontier":
            out[ind.code] = 100 * (c - c.min()) / (c.max() - c.min())
        elif m == "goalposts":
            out[ind.code] = (100 * (c - 10) / 80).clip(0, 100)
        else:
            out[ind.code] = (50 + 10 * (c - c.mean()) / c.std()).clip(0, 100)
    scores = {}
    for node in scheme.nodes:
        cols = [scores[ch.code] if ch.code in scores else out[ch.code] for ch in node.children]
        v = pd.concat(cols, axis=1)
        w = pd.Series([ch.weight for ch in node.children], index=v.columns)
        scores[node.code] = (v * w).sum(axis=1) / v.notna().mul(w).sum(axis=1)
    res = pd.DataFrame({"score": scores["T"], "category": df["category"]})
    res["rank"] = res.groupby("category")["score"].rank(method="min", ascending=False)


def pymcdm_compare() -> list[tuple[str, float, float]]:
    import pymcdm

    rng = np.random.default_rng(1)
    m = rng.uniform(1, 100, size=(20_000, 30))
    rows = []
    for name, ours, theirs in (
        (
            "entropy weights (20 000 × 30)",
            lambda: engine.entropy_weights(m, variant="pymcdm"),
            lambda: pymcdm.weights.entropy_weights(m),
        ),
        (
            "CRITIC weights (20 000 × 30)",
            lambda: engine.critic_weights(m),
            lambda: pymcdm.weights.critic_weights(m),
        ),
        (
            "min–max normalisation (20 000 × 30)",
            lambda: engine.normalise.norm_minmax(
                m, np.ones(30), [{}] * 30, engine.normalise.Scope(None, 20_000)
            ),
            lambda: pymcdm.helpers.normalize_matrix(
                m, pymcdm.normalizations.minmax_normalization, np.ones(30)
            ),
        ),
    ):
        rows.append((name, timed(ours, 5), timed(theirs, 5)))
    return rows


def engine_against_pandas(repeat: int) -> dict[str, float]:
    """The province case scored by the engine and by pandas on the same inputs, the two
    alternating run by run so that a shared machine's load falls on both alike; the best of
    the runs for each, in wall and in CPU time (as the issue measured: the load of a shared
    machine only ever adds; CPU time is what the process itself spent)."""
    n, k = SIZES["province"]
    scheme, x, units, ev, vt = province_inputs(n, k)
    runs: dict[str, list[tuple[float, float]]] = {"engine": [], "pandas": []}
    work = {
        "engine": lambda: engine.score(scheme, x, units, events=ev, vetoes=vt),
        "pandas": lambda: pandas_province(scheme, x, units),
    }
    for name in work:  # warm-up: imports, first allocations
        work[name]()
    for _ in range(repeat):
        for name, fn in work.items():
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            runs[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    out = {}
    for name, rows in runs.items():
        out[f"{name}_wall"] = min(r[0] for r in rows)
        out[f"{name}_cpu"] = min(r[1] for r in rows)
    # a trace is built for the unit asked, from the run's arrays: its cost at this size
    res = work["engine"]()
    t = time.perf_counter()
    for code in units.codes[:: n // 20]:
        res.trace(code)
    out["trace_ms"] = (time.perf_counter() - t) / len(units.codes[:: n // 20]) * 1000
    return out


def main() -> int:
    quick = "--quick" in sys.argv
    no_docs = "--no-docs" in sys.argv
    machine = f"{benchlib.machine()}, numpy {np.__version__}"
    results: dict[str, dict[str, float]] = {}
    for size, (n, k) in SIZES.items():
        if size == "province":
            continue  # below, alternating with pandas
        repeat = 3 if quick else 7
        run_engine(n, k)  # warm-up
        t = timed(lambda n=n, k=k: run_engine(n, k), repeat)
        mem = peak_memory_mb(size)
        results[size] = {"units": n, "indicators": k, "median_s": t, "peak_mb": mem}
        print(f"{size:9s} {n:>6} × {k:<4} median {t:7.3f} s   peak {mem:7.1f} MB", flush=True)
    load = os.getloadavg()[0]
    cmp = engine_against_pandas(3 if quick else 5)
    n, k = SIZES["province"]
    t_prov, t_pd = cmp["engine_wall"], cmp["pandas_wall"]
    mem = peak_memory_mb("province")
    results["province"] = {"units": n, "indicators": k, "median_s": t_prov, "peak_mb": mem}
    results["province_vs_pandas"] = cmp | {"load_average": load}
    print(
        f"province {n:>6} × {k:<4} best {t_prov:7.3f} s (CPU {cmp['engine_cpu']:.3f} s)   "
        f"peak {mem:7.1f} MB\n"
        f"pandas, same inputs, alternating, best: {t_pd:.3f} s (CPU {cmp['pandas_cpu']:.3f} s); "
        f"pandas / engine = {t_pd / t_prov:.1f}× wall, "
        f"{cmp['pandas_cpu'] / cmp['engine_cpu']:.1f}× CPU; load average {load:.1f}; "
        f"one unit's trace {cmp['trace_ms']:.1f} ms",
        flush=True,
    )
    met = t_prov <= 0.5 and t_pd / t_prov >= 2.0
    benchlib.record(
        "engine, province 20 000 × 300",
        t_prov,
        "s",
        "≤ 0.5 s and ≥ 2× pandas",
        met=met,
        reference=t_pd,
        reference_label="pandas, same inputs, same run",
    )
    district = run_engine(*SIZES["district"])
    t_sa = timed(lambda: engine.sensitivity(district, runs=1000, seed=1), 3)
    print(f"sensitivity 1 000 runs on the district: median {t_sa:.3f} s", flush=True)
    pm = pymcdm_compare()
    for name, a, b in pm:
        print(f"{name}: engine {a * 1000:.1f} ms, pymcdm {b * 1000:.1f} ms ({b / a:.1f}×)")
    if no_docs:
        return 0
    section = docs_section(machine, load, results, cmp, t_sa, pm)
    benchlib.write_section("## 计分引擎 / Scoring engine", section)
    (ROOT / "bench" / "engine_bench.json").write_text(json.dumps(results, indent=1))
    return 0


def docs_section(
    machine: str,
    load: float,
    results: dict[str, dict[str, float]],
    cmp: dict[str, float],
    t_sa: float,
    pm: list[tuple[str, float, float]],
) -> str:
    lines = [
        "## 计分引擎 / Scoring engine",
        "",
        f"Measured by `python bench/engine_bench.py` on {time.strftime('%Y-%m-%d')}; "
        f"machine: {machine}; load average {load:.1f} when the province case ran.",
        "Full pipeline (normalise by five methods with category and peer scopes, "
        "aggregate a three-level tree, bonus/penalty with caps, veto, rank within "
        "category, grades with a 20 % quota); synthetic data with 2 % missing. "
        "Times are of `engine.score` on inputs built beforehand: the median of the runs for "
        "district and city; for the province, the best of five runs alternating with the "
        "pandas version on the same inputs (wall and CPU time).",
        "",
        "| case | units × indicators | values | wall time | peak memory (RSS) | target |",
        "|---|---|---|---|---|---|",
    ]
    targets = {"district": "", "city": "", "province": "≤ 0.5 s and ≥ 2× pandas, < 2 GB"}
    for size in SIZES:
        r = results[size]
        lines.append(
            f"| {size} | {r['units']:,.0f} × {r['indicators']:.0f} | "
            f"{r['units'] * r['indicators']:,.0f} | {r['median_s']:.3f} s | "
            f"{r['peak_mb']:.0f} MB | {targets[size]} |"
        )
    lines += [
        f"| sensitivity, 1 000 runs | district | | {t_sa:.3f} s | | < 5 s |",
        "",
        "| comparison | engine | other | ratio (other / engine) |",
        "|---|---|---|---|",
        f"| province, straightforward pandas (groupby per indicator), wall | "
        f"{cmp['engine_wall']:.3f} s | {cmp['pandas_wall']:.3f} s | "
        f"{cmp['pandas_wall'] / cmp['engine_wall']:.1f}× |",
        f"| province, the same, CPU time | {cmp['engine_cpu']:.3f} s | "
        f"{cmp['pandas_cpu']:.3f} s | {cmp['pandas_cpu'] / cmp['engine_cpu']:.1f}× |",
    ]
    for name, a, b in pm:
        lines.append(
            f"| {name}, pymcdm 1.4 | {a * 1000:.1f} ms | {b * 1000:.1f} ms | {b / a:.1f}× |"
        )
    lines += [
        "",
        f"One unit's trace on the province run, built when asked from the run's arrays: "
        f"{cmp['trace_ms']:.1f} ms (`score` builds no trace data). On a loaded machine the wall "
        "times are a multiple of the CPU times (the process waits for a core); the CPU times "
        "are the comparison the load distorts least.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
