"""Writes of the projects app: keyword-only arguments, the gate asked first, one transaction
and one audit row each; a versioned object is written only at the version it was read."""
