"""Reads of the inspections app, always through the gate: one module per subject (findings
and campaigns, enterprises, work statistics, the rates and the daily picture)."""
