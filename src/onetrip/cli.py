"""The `onetrip` command: Django management with onetrip's settings.

`onetrip serve`, `onetrip load-catalogue`, `onetrip export-catalogue out.xlsx`, … Dashes and
underscores are the same in command names.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onetrip.conf.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(argv)
    except ImproperlyConfigured as exc:  # a setting to fix: say which, without a traceback
        sys.exit(f"onetrip: {exc}")


if __name__ == "__main__":
    main()
