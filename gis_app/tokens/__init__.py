"""What an API token may do (`TokenAccess`: read-only or not), its admin and `issue_token`.

DRF's own Token table stays as it is (its key, user and creation time; expiry and revocation
in gis_app/web/auth.py); this app adds one row per restricted token. The rule itself (a
read-only token may only read) is enforced where every token is resolved: gis_app/web/auth.py.
"""
