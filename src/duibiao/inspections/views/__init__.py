"""Thin views of the inspections app, one module per subject: read the request, call one
selector or service, render."""
