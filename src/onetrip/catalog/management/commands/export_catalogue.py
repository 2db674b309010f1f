"""Export the published catalogue as .json or .xlsx."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from onetrip.catalog import transfer


class Command(BaseCommand):
    help = "Export departments and the current published items (.json or .xlsx by the name)."

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", type=Path, help="output file; JSON to stdout if absent"
        )

    def handle(self, *args, path: Path | None, **opts):
        if path is None:
            sys.stdout.buffer.write(transfer.export_json())
            return
        data = transfer.export_xlsx() if path.suffix.lower() == ".xlsx" else transfer.export_json()
        path.write_bytes(data)
        self.stdout.write(f"已导出到 {path}")
