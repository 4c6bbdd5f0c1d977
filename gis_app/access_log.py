"""Gunicorn's access log without credentials.

Open311 clients may still send `api_key` in the query (GeoReport v2 says so) and old links
may carry `token=`; neither may reach a log file. The masking logger (deploy/gunicorn.conf.py)
replaces the value of every credential-looking query parameter in the request line, the
query, the referer and any logged request header with `***`, and an Authorization header
with its scheme only.
"""
from __future__ import annotations

import re

from gunicorn.glogging import Logger

SECRET_PARAMS = ("token", "api_key", "apikey", "access_token", "key", "password", "sessionid",
                 "csrfmiddlewaretoken")
_PATTERN = re.compile(r"(?i)(?<![a-z0-9_])(" + "|".join(SECRET_PARAMS) + r")=([^&\s\"#]*)")


def mask(text):
    """A `token` (or `api_key`) query value replaced by `***`, other parameters kept (also
    percent-encoded in a referer)."""
    if not isinstance(text, str) or "=" not in text:
        return text
    return _PATTERN.sub(lambda m: f"{m.group(1)}=***", text)


class MaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if key in ("r", "q", "f", "U") or key.endswith("}i"):
                atoms[key] = mask(value)
        if "{authorization}i" in atoms:
            scheme = str(atoms["{authorization}i"]).split(" ", 1)[0]
            atoms["{authorization}i"] = f"{scheme} ***"
        return atoms
