"""Import a catalogue file (.json or .xlsx); nothing is written if anything is wrong."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onetrip.catalog import services, transfer


class Command(BaseCommand):
    help = "Import departments and items from a .json or .xlsx file in the catalogue format."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--publish", action="store_true", help="publish changed items")

    def handle(self, *args, path: Path, publish: bool, **opts):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件：{exc}") from None
        bundle = (
            transfer.parse_xlsx(raw) if path.suffix.lower() == ".xlsx" else transfer.parse_json(raw)
        )
        try:
            departments, items = transfer.validate_documents(bundle, publish=publish)
            counts = services.catalogue_import(
                departments=departments, items=items, user=None, publish=publish
            )
        except transfer.ImportRejected as exc:
            raise CommandError("\n".join([str(exc), *(str(p) for p in exc.problems)])) from None
        except services.CatalogError as exc:
            lines = [exc.message, *(f"  {v.field}: {v.message}" for v in exc.violations)]
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(
            "导入完成：部门 {departments}，新增 {created}，更新 {updated}，未变 {unchanged}，"
            "发布 {published}。".format(**counts)
        )
