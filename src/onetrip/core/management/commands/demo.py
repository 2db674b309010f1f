from django.core.management.base import BaseCommand

from onetrip.core.demo import DEMO_APPLICANTS, DEMO_PASSWORD, DEMO_STAFF, demo_ensure


class Command(BaseCommand):
    help = "Load the shipped catalogue (if empty) and create the demo accounts."

    def handle(self, *args, **opts):
        demo_ensure(stdout=self.stdout)
        self.stdout.write(
            f"演示工作人员（密码均为 {DEMO_PASSWORD}）：admin "
            + " ".join(u for u, *_ in DEMO_STAFF)
        )
        self.stdout.write(
            "演示申请人（手机号登录，验证码显示在页面上）："
            + " ".join(f"{n} {p}" for n, _, p in DEMO_APPLICANTS)
        )
