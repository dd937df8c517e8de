"""The page benches' shared request timer (bench/benchlib.py): every request timed in wall and
CPU time, several URLs taken in turn, the largest answer kept, a refused request stops the
bench (a figure for an error page would be worse than none)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import benchlib  # noqa: E402


class Answer:
    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code, self.content = status_code, content


class StandInClient:
    """Answers each URL with a body of its own length; /refused with 403."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def get(self, url: str) -> Answer:
        self.asked.append(url)
        sum(range(20_000))  # some CPU time to measure
        return Answer(403 if url == "/refused" else 200, b"x" * len(url))


def test_each_request_is_timed_in_wall_and_cpu_time_taking_the_urls_in_turn():
    client = StandInClient()
    timed = benchlib.timed_requests(client, ["/a", "/longer"], 5)
    assert client.asked == ["/a", "/longer", "/a", "/longer", "/a"]
    assert len(timed) == len(timed.wall) == len(timed.cpu) == 5
    assert all(wall > 0 for wall in timed.wall) and all(cpu >= 0 for cpu in timed.cpu)
    assert timed.size == len("/longer")  # the largest answer, not the last one


def test_one_url_may_be_given_alone():
    client = StandInClient()
    assert len(benchlib.timed_requests(client, "/page", 3)) == 3 and client.asked == ["/page"] * 3


def test_a_refused_request_stops_the_bench():
    with pytest.raises(AssertionError, match="403"):
        benchlib.timed_requests(StandInClient(), ["/a", "/refused"], 4)


def test_ms_is_the_percentile_in_milliseconds():
    values = [0.010, 0.020, 0.030, 0.040, 0.300]
    assert benchlib.ms(values) == "30 ms" and benchlib.ms(values, 100) == "300 ms"
