"""Stored files handed out: always as a download, never rendered by the browser."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse

from onetrip.applications.models import StoredFile

# The name endings each stored type may keep; anything else gets the first.
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}


def name_for_type(name: str, content_type: str) -> str:
    """``name`` ending as its content is: a PDF called ``x.html`` is handed out as
    ``x.html.pdf``, so no program opens it as something else."""
    endings = EXTENSIONS.get(content_type)
    if not endings or name.lower().endswith(endings):
        return name
    return f"{name}{endings[0]}"


def attachment(stored: StoredFile) -> FileResponse | None:
    """The file as an attachment with its sniffed type; None when storage has lost it."""
    try:
        handle = default_storage.open(stored.storage_name, "rb")
    except OSError:
        return None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name_for_type(stored.original_name, stored.content_type),
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
