"""Load the shipped Lanzhou 人社局 catalogue (or another directory in the same layout)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onetrip.catalog import services, transfer


class Command(BaseCommand):
    help = "Load and publish the shipped catalogue (departments.yaml, items/*.yaml)."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=transfer.SHIPPED_DATA_DIR)
        parser.add_argument("--no-publish", action="store_true", help="leave versions as drafts")

    def handle(self, *args, **opts):
        try:
            bundle = transfer.load_shipped(opts["dir"])
            departments, items = transfer.validate_documents(bundle, publish=not opts["no_publish"])
            counts = services.catalogue_import(
                departments=departments, items=items, user=None, publish=not opts["no_publish"]
            )
        except transfer.ImportRejected as exc:
            raise CommandError("\n".join([str(exc), *(str(p) for p in exc.problems)])) from None
        except services.CatalogError as exc:
            lines = [exc.message, *(f"  {v.field}: {v.message}" for v in exc.violations)]
            raise CommandError("\n".join(lines)) from None
        except FileNotFoundError as exc:
            raise CommandError(f"找不到目录或文件：{exc.filename}") from None
        self.stdout.write(
            "事项清单已载入：部门 {departments}，新增 {created}，更新 {updated}，"
            "未变 {unchanged}，发布 {published}。".format(**counts)
        )
