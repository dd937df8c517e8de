"""Writes of the inspections app: keyword-only arguments, the gate first, one transaction and
one audit row each; every step of a finding goes through `inspections.states`."""
