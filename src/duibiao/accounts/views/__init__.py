"""Pages of the accounts app: the security administrator's pages and each user's own account.

One module per page group (grants, security, password); urls.py lists them.
"""
