"""Uploaded files: what a file is (decided by its content on upload) and how it is served.

A core package (it imports Django, never an app of the system) so that assessment, documents,
inspections and whatever comes next type and serve their uploads the same way.
"""
