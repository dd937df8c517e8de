"""Rebuild data.csv, units.csv and expected.csv from the published Doing Business 2019 extract.

Source: World Bank, Doing Business 2019, "Starting a business" — GitHub
lamfo-unb/self-organizing-maps, data/raw/start-business.xlsx @ 9cf1d7c2 (converted to CSV).
Run: python examples/db2019-starting-a-business/convert.py [path/to/db2019-starting-a-business.csv]
"""

import csv
import sys
from pathlib import Path

HERE = Path(__file__).parent
SRC = Path(
    sys.argv[1]
    if len(sys.argv) > 1
    else "/work/shared/reference-data/db2019-starting-a-business.csv"
)
SOURCE_LINE = (
    "# source: World Bank Doing Business 2019, Starting a business; GitHub "
    "lamfo-unb/self-organizing-maps data/raw/start-business.xlsx @ 9cf1d7c2 (converted to CSV)"
)
COLUMNS = {
    "proc_men": "Procedures - Men (number)",
    "proc_women": "Procedures - Women (number)",
    "time_men": "Time - Men (days)",
    "time_women": "Time - Women (days)",
    "cost_men": "Cost - Men (% of income per capita)",
    "cost_women": "Cost - Women (% of income per capita)",
    "min_capital": "Paid-in Minimum capital (% of income per capita)",
}

rows = list(csv.DictReader(SRC.open(encoding="utf-8")))
with (HERE / "data.csv").open("w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["unit", "indicator", "value"])
    for r in rows:
        for code, col in COLUMNS.items():
            w.writerow([r["Country code"], code, r[col]])
with (HERE / "units.csv").open("w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["unit", "name", "category", "income_group"])
    for r in rows:
        w.writerow([r["Country code"], r["Economy"], r["Region"], r["Income group"]])
with (HERE / "expected.csv").open("w", newline="", encoding="utf-8") as f:
    f.write(SOURCE_LINE + "\n")
    w = csv.writer(f)
    w.writerow(["unit", "SAB", *COLUMNS])
    for r in rows:
        w.writerow(
            [r["Country code"], r["Score-Starting a business"]]
            + [r["Score-" + col] for col in COLUMNS.values()]
        )
