"""`onetrip audit verify [--checkpoint "SEQ HASH"]` and `onetrip audit checkpoint`."""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError

from onetrip.audit.chain import GENESIS_HASH
from onetrip.audit.selectors import audit_chain_head, audit_chain_verify, digest_checks_run

CHECKPOINT = re.compile(r"^\s*(\d+)\s+([0-9a-f]{64})\s*$")


def _checkpoint(text: str) -> tuple[int, str]:
    match = CHECKPOINT.match(text.lower())
    if not match:
        raise CommandError("检查点格式应为“序号 哈希”，例如 `onetrip audit checkpoint` 的输出。")
    return int(match[1]), match[2]


class Command(BaseCommand):
    help = "审计链：verify 校验整条哈希链；checkpoint 输出当前链头（序号 哈希），供另行保存。"

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        verify = subcommands.add_parser("verify", help="校验哈希链，报告第一条断裂的事件")
        verify.add_argument(
            "--checkpoint", help="先前保存的“序号 哈希”；链中必须仍有该事件且哈希相同"
        )
        verify.add_argument("--batch-size", type=int, default=5000, help="每批读取的事件数")
        subcommands.add_parser("checkpoint", help="输出当前链头：序号 哈希")

    def handle(self, *args, subcommand: str, **options):
        from django.conf import settings
        from django.db import connection

        if "audit_auditevent" not in connection.introspection.table_names():
            raise CommandError(
                f"数据库尚未初始化（数据目录 {settings.DATA_DIR}）：请在项目目录运行，"
                "或用 ONETRIP_DATA_DIR / ONETRIP_DATABASE_URL 指向正在使用的数据库。"
            )
        if subcommand == "checkpoint":
            seq, hash_ = audit_chain_head() or (0, GENESIS_HASH)
            self.stdout.write(f"{seq} {hash_}")
            return
        checkpoint = _checkpoint(options["checkpoint"]) if options.get("checkpoint") else None
        result = audit_chain_verify(batch_size=options["batch_size"], checkpoint=checkpoint)
        if not result.ok:
            where = (
                f"动作 {result.broken_action}，对象 {result.broken_object}"
                if result.broken_action
                else "该事件已不存在"
            )
            raise CommandError(
                f"审计链在第 {result.broken_seq} 条事件处断裂（{where}）：{result.reason}",
                returncode=1,
            )
        problems = digest_checks_run()
        if problems:
            raise CommandError(
                "审计链完整，但以下记录与审计事件中的摘要不符：\n" + "\n".join(problems)
            )
        if result.last_seq is None:
            self.stdout.write(self.style.SUCCESS("审计链完整：共 0 条事件。"))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"审计链完整：共 {result.checked} 条事件，最后序号 {result.last_seq}，"
                f"哈希 {result.last_hash[:12]}…"
            )
        )
