"""A byte cap on uploaded files, enforced while the body streams in.

Django already streams files larger than FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file;
this handler, first in FILE_UPLOAD_HANDLERS, counts every file byte of a request and stops
at UPLOAD_MAX_BYTES, so a huge upload neither fills memory nor the disk. The refusal is an
APIException (413 JSON through the API's exception handler) and also a RequestDataTooBig
(a SuspiciousOperation: Django answers 400 on plain pages), so it is never a 500.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from rest_framework.exceptions import APIException


class UploadTooLarge(APIException, RequestDataTooBig):
    status_code = 413
    default_code = "upload_too_large"

    def __init__(self, limit: int):
        super().__init__(detail=f"the upload is larger than {limit:,} bytes (setting UPLOAD_MAX_BYTES)",
                         code="upload_too_large")


class CappedUploadHandler(FileUploadHandler):
    """Counts; passes every chunk on unchanged to the handlers after it."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        self.limit = settings.UPLOAD_MAX_BYTES
        if content_length and content_length > self.limit + 64 * 1024:   # room for the form fields
            raise UploadTooLarge(self.limit)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise UploadTooLarge(self.limit)
        return raw_data

    def file_complete(self, file_size):
        return None
