"""领导驾驶舱's figures, composed from the assessment, projects and inspections selectors.

Above the domain apps (it reads all three) and below the entry points, so the cockpit page
(web) and the API (api/cockpit.py) read the same function and cannot disagree.
"""
