"""The reporters of bench/load_bench.py, for locust (run by it; not a bench of its own).

Each simulated reporter takes one account of the plan (LOAD_PLAN, a JSON file written by
load_bench.seed): a session minted in the database beforehand (no password is hashed while the
clock runs), its unit, and the values it types. It opens its unit's reporting page once, then
saves one value at a time as the page does (htmx POST with the row's version), waiting
LOAD_WAIT seconds ("5,15") between saves. Every answer is written to LOAD_ACCEPTED, one JSON
line each, so that load_bench can compare what was accepted with what the database holds.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import secrets
import string
import time

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
LOW, HIGH = (float(x) for x in os.environ.get("LOAD_WAIT", "5,15").split(","))
_accounts = itertools.cycle(PLAN["users"])
_log = open(os.environ["LOAD_ACCEPTED"], "a", encoding="utf-8")  # noqa: SIM115 (closed on quit)
VERSION = re.compile(r'name="version" value="(\d+)"')


@events.quitting.add_listener
def _close(**_kwargs):
    _log.close()


class Reporter(FastHttpUser):
    wait_time = between(LOW, HIGH)

    def on_start(self):
        self.account = next(_accounts)
        csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        self.headers = {
            "Cookie": f"{PLAN['session_cookie']}={self.account['session']}; {PLAN['csrf_cookie']}={csrf}",
            "X-CSRFToken": csrf, "Accept-Language": "zh-CN",
        }
        self.base = f"/assessment/periods/{PLAN['period']}/report/{self.account['unit']}/"
        self.versions = {code: 0 for code, *_values in self.account["values"]}
        self.turn = itertools.cycle(range(len(self.account["values"])))
        self.saves = 0
        with self.client.get(self.base, headers=self.headers, name="report page", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"report page answered {r.status_code}")

    @task
    def save_a_value(self):
        code, *values = self.account["values"][next(self.turn)]
        value = values[self.saves % len(values)]
        self.saves += 1
        data = {"value": value, "note": "", "version": str(self.versions[code])}
        with self.client.post(self.base + f"{code}/", data=data, name="value save", catch_response=True,
                              headers={**self.headers, "HX-Request": "true", "Referer": self.base}) as r:
            line = {"unit": self.account["unit"], "code": code, "value": value, "status": r.status_code,
                    "at": time.time()}
            if r.status_code == 200:
                found = VERSION.search(r.text or "")
                line["version"] = int(found.group(1)) if found else None
                if found:
                    self.versions[code] = int(found.group(1))
                r.success()
            else:
                r.failure(f"answered {r.status_code}")
            _log.write(json.dumps(line) + "\n")
