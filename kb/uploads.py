"""An upload handler that refuses files larger than ``KB_UPLOAD_MAX_BYTES`` while they stream in."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


class UploadTooLarge(RequestDataTooBig):
    """An uploaded file, or a multipart body, over ``KB_UPLOAD_MAX_BYTES``; the message says which."""


class SizeLimitUploadHandler(FileUploadHandler):
    """First in ``FILE_UPLOAD_HANDLERS``: counts each file's bytes and stops the request past the limit.

    ``RequestDataTooBig`` is a ``SuspiciousOperation``, so Django answers 400 and nothing
    of the request is processed; the file is never kept whole in memory or on disk.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = settings.KB_UPLOAD_MAX_BYTES
        # A body far larger than one file may be plus the form fields is refused before reading.
        if content_length and content_length > self.limit + settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise UploadTooLarge(
                f"The request body ({content_length} bytes) is larger than an upload may be: "
                f"files up to {self.limit} bytes."
            )
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise UploadTooLarge(
                f"The uploaded file {self.file_name!r} is larger than the limit of {self.limit} bytes."
            )
        return raw_data

    def file_complete(self, file_size):
        return None
