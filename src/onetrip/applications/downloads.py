"""Stored files handed out: always as a download, never rendered by the browser."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse

from onetrip.applications.models import StoredFile


def attachment(stored: StoredFile) -> FileResponse | None:
    """The file as an attachment with its sniffed type; None when storage has lost it."""
    try:
        handle = default_storage.open(stored.storage_name, "rb")
    except OSError:
        return None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
