"""Every API refusal in Chinese by default, in English with `Accept-Language: en`: one table.

The code writes its refusals in English (what the logs, the tests and the `error` codes
read); the one exception handler (errors.py) and the few places that build refusal bodies
themselves (a batch's per-point errors, Open311's list) put the `detail` into the caller's
language here, once, just before the answer is written. The `error` code and the
`parameter` name stay English identifiers.

How a detail is put into Chinese, in order (the rows live in refusal_rows.py):
1. "<parameter>: <reason>": the parameter stays, the reason goes through `REASONS`, a table
   of (pattern, replacement) rows, plain data tested row by row;
2. a whole detail through `DETAILS` (messages that name no parameter);
3. anything no row matches still gets a Chinese sentence: the meaning of its `error` code
   (`CODES`), then the English detail as written (names, values and limits stay readable).
A line is translated once per process (`lru_cache`): a batch repeats its errors.

Messages Django and DRF write themselves (authentication, media types, parsers, serializer
fields) come from their own catalogues in the active language: Chinese (LANGUAGE_CODE), or
English when `LanguageMiddleware` sees `Accept-Language: en` (it does nothing otherwise).
"""
from __future__ import annotations

import re
from functools import lru_cache

from django.utils import translation

from gis_app.web.refusal_rows import CODES, DETAILS, REASONS  # noqa: F401  (the tables)

_REASONS = [(re.compile(p), r) for p, r in REASONS]
_DETAILS = [(re.compile(p), r) for p, r in DETAILS]
_NAMED = re.compile(r"^([^:：\s][^:：]{0,60}?): ")
_WORD = re.compile(r"[A-Za-z]{2,}")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def wants_english(request) -> bool:
    """English only when the client asks for it first (`Accept-Language: en...`)."""
    if request is None:
        return False
    # META, not request.headers: building the headers mapping parses every header name, and
    # an API request asks this on every call (~10 us of a ~0.4 ms request path).
    header = (request.META.get("HTTP_ACCEPT_LANGUAGE") or "").strip().lower()
    return header.startswith("en")


class LanguageMiddleware:
    """English for Django's and DRF's own messages when the client asks for it first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not wants_english(request):
            return self.get_response(request)
        with translation.override("en"):
            return self.get_response(request)


def _first(table, text: str) -> str | None:
    for pattern, replacement in table:
        found = pattern.search(text)
        if found:
            if getattr(replacement, "says", False):     # a row that reads a nested reason
                return replacement(found, _say)
            return pattern.sub(replacement, text, count=1)
    return None


def _say(text: str) -> str:
    """A nested reason, bare or "<field>: <reason>", in Chinese (for the rows that hold one)."""
    said = _first(_REASONS, text)
    if said is not None:
        return said
    return detail_in_chinese(text) if _NAMED.match(text) else text


@lru_cache(maxsize=20_000)
def reason_in_chinese(reason: str) -> str:
    """A bare reason (no "<parameter>: " before it) through `REASONS`; as written if no row knows it."""
    said = _first(_REASONS, reason)
    return reason if said is None else said


@lru_cache(maxsize=20_000)
def detail_in_chinese(detail: str, code: str = "error", parameter: str = "") -> str:
    """The detail of a refusal in Chinese (see the module's docstring for the order)."""
    named = _NAMED.match(detail)        # "name: reason" (the name as the code wrote it)
    if named:
        said = _first(_REASONS, detail[named.end():])
        if said is not None:
            return f"{named.group(1)}：{said}"
    said = _first(_DETAILS, detail)
    if said is not None:
        return said
    if _CJK.search(detail) and len(_WORD.findall(detail)) <= 3:
        return detail                   # already Chinese (Django's and DRF's own catalogue)
    lead = CODES.get(code, CODES["error"])
    return f"{lead}：{detail}" if detail else lead


def localize(body: dict, english: bool) -> dict:
    """A refusal body `{"error", "detail", "parameter"?, ...}` in the caller's language."""
    if english or not isinstance(body, dict) or not isinstance(body.get("detail"), str):
        return body
    out = {**body, "detail": detail_in_chinese(body["detail"], str(body.get("error") or "error"),
                                               body.get("parameter") or "")}
    if isinstance(body.get("problems"), list):     # a refused upload lists every problem's reason
        out["problems"] = [{**p, "reason": _problem_reason(p)} if isinstance(p, dict) and
                           isinstance(p.get("reason"), str) else p for p in body["problems"]]
    if isinstance(body.get("stopped"), str):
        out["stopped"] = reason_in_chinese(body["stopped"])
    return out


def _problem_reason(problem: dict) -> str:
    """One problem's reason in Chinese: read as "<field>: <reason>", given back without the field."""
    field = str(problem.get("field") or "field")
    said = detail_in_chinese(f"{field}: {problem['reason']}", "error")
    return said[len(field) + 1:] if said.startswith(f"{field}：") else reason_in_chinese(problem["reason"])
