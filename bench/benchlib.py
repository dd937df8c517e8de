"""What the benchmarks share: the machine line, percentiles, a throwaway Django site, the
pages' request timer and query count, and rewriting one's own section of docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def machine() -> str:
    cpu = platform.processor() or "CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(values: list[float], p: float = 50) -> str:
    """The p-th percentile of `values` (seconds), as the tables write it: "52 ms"."""
    return f"{percentile(values, p) * 1000:.0f} ms"


@dataclass
class Timed:
    """What `timed_requests` measured, request by request."""

    wall: list[float] = field(default_factory=list)  # what a user waits (on a shared machine, also for a core)
    cpu: list[float] = field(default_factory=list)  # the process time the request itself took
    size: int = 0  # the largest response, in bytes

    def __len__(self) -> int:
        return len(self.wall)


def timed_requests(client, urls: str | list[str], count: int) -> Timed:
    """GET `urls` (one, or several taken in turn) `count` times through Django's test client,
    timing each request in wall-clock and in CPU time; every answer must be 200. The machine is
    shared: the wall time stretches with its load, the CPU time is what the request costs."""
    urls = [urls] if isinstance(urls, str) else urls
    timed = Timed()
    for n in range(count):
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(urls[n % len(urls)])
        timed.wall.append(time.perf_counter() - start)
        timed.cpu.append(time.process_time() - cpu)
        assert response.status_code == 200, (urls[n % len(urls)], response.status_code)
        timed.size = max(timed.size, len(response.content))
    return timed


def count_queries(client, url: str) -> int:
    """The SQL queries one GET of `url` runs (after the warm-up: what every later request runs)."""
    from django.db import connection

    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    return len(queries)


def django_site(tmp: str, *, immediate_tasks: bool = False) -> None:
    """Django on a fresh SQLite file in `tmp`, migrated, with the test client usable and
    cheap password hashing (the benchmarks time pages, not PBKDF2)."""
    os.environ["DUIBIAO_VAR_DIR"] = tmp
    (Path(tmp) / "static").mkdir(exist_ok=True)  # whitenoise warns about a missing STATIC_ROOT
    os.environ["DUIBIAO_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
    if immediate_tasks:
        os.environ["DUIBIAO_TASKS_BACKEND"] = "immediate"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duibiao.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client run outside the test runner
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0, interactive=False)


def write_section(heading: str, section: str) -> None:
    """Replace (or append) the section that starts with `heading` in docs/benchmarks.md."""
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(heading) + r"\n.*?(?=\n## |\Z)", re.S)
    body = section.rstrip("\n") + "\n"
    text = pattern.sub(lambda _m: body, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + body
    doc.write_text(text, encoding="utf-8")


def record(what: str, figure: float, unit: str, target: str = "", *, met: bool | None = None,
           reference: float | None = None, reference_label: str = "") -> None:
    """One row of `make bench`'s summary table: what was measured, the figure and its unit
    ("s", "ms"), the target as written in the issue ("≤ 150 ms"), whether it was met, and where
    there is one, the reference measured in the same run (pandas, say; the ratio printed is
    reference / figure, so above 1 means we are faster). Rows go, one JSON object per line, to
    the file named by DUIBIAO_BENCH_RESULTS (set by bench/run_all.py); without it, nothing."""
    path = os.environ.get("DUIBIAO_BENCH_RESULTS")
    if not path:
        return
    import json

    row = {"bench": Path(sys.argv[0]).name, "what": what, "figure": figure, "unit": unit, "target": target,
           "met": met, "reference": reference, "reference_label": reference_label}
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
