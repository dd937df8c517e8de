"""`make bench`'s runner (bench/run_all.py), with stand-in benches: every bench runs even when
one fails or overruns, the rows they record make one table (met ✓/✗, reference and ratio), the
exit status says whether any failed, and the summary is written first in docs/benchmarks.md,
replaced (not repeated) by the next run, the other sections untouched."""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import benchlib  # noqa: E402
import run_all  # noqa: E402

RECORDS = """
import sys
sys.path.insert(0, {benchlib_dir!r})
import benchlib
benchlib.record("ranking page p95", 0.120, "s", "≤ 150 ms", met=True)
benchlib.record("engine, province", 0.40, "s", "≥ 2× pandas", met=False, reference=0.60,
                reference_label="pandas")
print("no-docs" if "--no-docs" in sys.argv else "docs")
"""
FAILS = """
import sys
sys.path.insert(0, {benchlib_dir!r})
import benchlib
benchlib.record("recorded before it failed", 1.0, "s")
raise SystemExit(3)
"""
OVERRUNS = """
import time
try:
    time.sleep(60)
finally:
    open({marker!r}, "w").write("stopped")  # a bench's finally block runs (its servers stop)
"""


@pytest.fixture
def bench_dir(tmp_path, monkeypatch):
    folder = tmp_path / "bench"
    folder.mkdir()
    lib = str(Path(benchlib.__file__).parent)
    (folder / "a_records_bench.py").write_text(textwrap.dedent(RECORDS.format(benchlib_dir=lib)), encoding="utf-8")
    (folder / "b_fails_bench.py").write_text(textwrap.dedent(FAILS.format(benchlib_dir=lib)), encoding="utf-8")
    (folder / "c_overruns_bench.py").write_text(
        OVERRUNS.format(marker=str(tmp_path / "stopped")), encoding="utf-8")
    (folder / "benchlib.py").write_text("# not a bench\n", encoding="utf-8")
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n## 计分引擎 / Scoring engine\n\nthe engine's own section\n", encoding="utf-8")
    monkeypatch.setattr(run_all, "BENCH_DIR", folder)
    monkeypatch.setattr(run_all, "DOC", doc)
    monkeypatch.setattr(run_all, "ROOT", tmp_path)
    monkeypatch.delenv("DUIBIAO_BENCH_RESULTS", raising=False)
    return folder


def test_every_bench_runs_and_one_table_sums_them_up(bench_dir, capsys):
    began = time.monotonic()
    assert run_all.main(["--timeout", "3"]) == 1  # one failed, one overran
    assert time.monotonic() - began < 45
    out = capsys.readouterr().out
    # Each bench ran, in order, the failing one did not stop the next.
    assert out.index("== a_records_bench.py") < out.index("== b_fails_bench.py") < out.index("== c_overruns_bench.py")
    assert "benchlib.py" not in out.replace("benchlib.py'", "")
    summary = out[out.index("汇总 / Summary"):]
    assert "ranking page p95" in summary and "✓" in summary
    engine = next(line for line in summary.splitlines() if line.startswith("engine, province"))
    assert "✗" in engine and "0.6 s (pandas)" in engine and "1.50×" in engine
    assert "recorded before it failed" in summary  # what a failing bench recorded is still shown
    assert "FAILED b_fails_bench.py" in summary and "failed (exit 3)" in summary
    assert "FAILED c_overruns_bench.py" in summary and "timed out after 3 s" in summary
    # The overrunning bench was interrupted, not killed outright: its finally block ran.
    assert (bench_dir.parent / "stopped").read_text() == "stopped"


def test_the_summary_is_written_first_and_replaced_by_the_next_run(bench_dir):
    doc = run_all.DOC
    run_all.main(["--timeout", "3", "records"])
    first = doc.read_text(encoding="utf-8")
    assert first.startswith("# Benchmarks\n\n## 汇总 / Summary\n")
    assert first.index("## 汇总 / Summary") < first.index("## 计分引擎 / Scoring engine")
    assert "the engine's own section" in first and "| ranking page p95 | 120 ms" not in first
    assert "| ranking page p95 | 0.12 s | ≤ 150 ms | ✓ |" in first
    assert "load average" in first and "machine:" in first
    run_all.main(["--timeout", "3", "records"])
    second = doc.read_text(encoding="utf-8")
    assert second.count("## 汇总 / Summary") == 1 and second.count("## 计分引擎") == 1


def test_no_docs_is_passed_on_and_leaves_the_page_alone(bench_dir, capfd):
    before = run_all.DOC.read_text(encoding="utf-8")
    (bench_dir / "a_records_bench.py").write_text(
        (bench_dir / "a_records_bench.py").read_text(encoding="utf-8") + '\n# accepts "--no-docs"\n',
        encoding="utf-8")
    assert run_all.main(["--no-docs", "records"]) == 0
    assert "\nno-docs\n" in capfd.readouterr().out  # what the bench printed: it was given --no-docs
    assert run_all.DOC.read_text(encoding="utf-8") == before


def test_an_unknown_name_runs_nothing(bench_dir, capsys):
    assert run_all.main(["nothing-like-this"]) == 2
    assert "no bench matches" in capsys.readouterr().err


def test_summary_only_writes_the_summary_and_asks_the_benches_to_leave_theirs(bench_dir, capfd):
    (bench_dir / "a_records_bench.py").write_text(
        (bench_dir / "a_records_bench.py").read_text(encoding="utf-8") + '\n# accepts "--no-docs"\n',
        encoding="utf-8")
    assert run_all.main(["--summary-only", "records"]) == 0
    assert "\nno-docs\n" in capfd.readouterr().out
    text = run_all.DOC.read_text(encoding="utf-8")
    assert "## 汇总 / Summary" in text and "the engine's own section" in text


STARTS_THEN_WAITS = """
import time
open({started!r}, "w").write("started")
try:
    time.sleep(60)
finally:
    open({marker!r}, "w").write("stopped")
"""


def test_ctrl_c_on_the_runner_stops_the_running_bench(tmp_path, monkeypatch):
    """The bench runs in a session of its own (so that a timeout can stop its whole group), so
    the terminal's Ctrl-C reaches only the runner: the runner must stop the bench before it
    gives up, or the bench and the servers it started run on."""
    import subprocess

    started, marker = tmp_path / "started", tmp_path / "stopped"
    bench = tmp_path / "waits_bench.py"
    bench.write_text(STARTS_THEN_WAITS.format(started=str(started), marker=str(marker)), encoding="utf-8")

    class CtrlC(subprocess.Popen):
        def wait(self, timeout=None):
            if not started.exists():  # Ctrl-C once the bench is inside its try block
                for _ in range(600):
                    if started.exists():
                        break
                    time.sleep(0.1)
                raise KeyboardInterrupt
            return super().wait(timeout)

    monkeypatch.setattr(subprocess, "Popen", CtrlC)
    with pytest.raises(KeyboardInterrupt):
        run_all.run_one(bench, results=tmp_path / "rows.jsonl", timeout=120, no_docs=True)
    assert marker.read_text() == "stopped"
