"""Backup and restore of one installation: the database and the uploaded files in one file.

`duibiao backup FILE` and `duibiao restore FILE` (web/management/commands) call
`backup_create` and `backup_restore` (operations.py); the file's format and its safe reading
are in archive.py, what differs between SQLite and PostgreSQL in databases.py.
"""
