"""The service item catalogue (政务服务事项清单): departments, items and their versions.

An item's content lives in ``ItemVersion`` and its children (situations, materials, fees,
FAQ). A version is a draft until published; publishing freezes it for good. Later
additions (form fields, review stages, bundles) hang off ``ItemVersion`` the same way.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy


class Department(models.Model):
    """A government department: one that implements items, or one that holds shared data."""

    class Role(models.TextChoices):
        SERVICE = "service", "办事部门"
        DATA_OWNER = "data_owner", "数据共享部门"

    code = models.SlugField("部门代码", max_length=40, unique=True)
    name = models.CharField("部门名称", max_length=100)
    name_en = models.CharField("英文名称", max_length=200, blank=True)
    short_name = models.CharField("简称", max_length=40, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
        verbose_name="上级部门",
    )
    role = models.CharField("类别", max_length=20, choices=Role.choices, default=Role.SERVICE)
    address = models.CharField("办公地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    office_hours = models.CharField("办公时间", max_length=200, blank=True)
    # Where a person goes who disputes this department's refusal, denial or revocation; the
    # notices name them (applications.services.department_appeal_text), blank gives the generic
    # wording. Sixty characters holds any organ's or court's name and keeps the sentence short
    # enough for an SMS.
    reconsideration_body = models.CharField(
        "行政复议机关",
        max_length=60,
        blank=True,
        help_text="受理对本部门决定的行政复议申请的机关，如“兰州市人民政府”；"
        "留空时文书只写“依法申请行政复议”",
    )
    litigation_court = models.CharField(
        "行政诉讼管辖法院",
        max_length=60,
        blank=True,
        help_text="对本部门决定提起行政诉讼的管辖法院；留空时文书只写“依法向人民法院提起行政诉讼”",
    )
    order = models.PositiveIntegerField("排序", default=100)

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


ITEM_CODE_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
    gettext_lazy("实施编码只能由字母、数字、点、连字符和下划线组成。"),
)
LINK_VALIDATOR = RegexValidator(
    r"^(https?://|/(?!/))", gettext_lazy("请填写以 http://、https:// 或 / 开头的地址。")
)


class Item(models.Model):
    """A service item's stable identity; its content is in versions."""

    code = models.CharField(
        "实施编码", max_length=64, unique=True, validators=[ITEM_CODE_VALIDATOR]
    )
    catalog_code = models.CharField("基本编码", max_length=64, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="items", verbose_name="实施主体"
    )
    current_version = models.OneToOneField(
        "ItemVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="现行版本",
    )
    order = models.PositiveIntegerField("排序", default=100)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    # Words the guide searches, from the current version (see services.search_text_for).
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = "事项"
        verbose_name_plural = "事项"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        version = self.current_version
        return f"{version.name if version else self.code}"


class Kind(models.TextChoices):
    """事项类型, with the national code in the value's comment."""

    LICENCE = "licence", "行政许可"  # 01
    PENALTY = "penalty", "行政处罚"  # 02
    ENFORCEMENT = "enforcement", "行政强制"  # 03
    LEVY = "levy", "行政征收"  # 04
    BENEFIT = "benefit", "行政给付"  # 05
    INSPECTION = "inspection", "行政检查"  # 06
    CONFIRMATION = "confirmation", "行政确认"  # 07
    AWARD = "award", "行政奖励"  # 08
    ADJUDICATION = "adjudication", "行政裁决"  # 09
    OTHER = "other", "其他行政权力"  # 10
    PUBLIC_SERVICE = "public_service", "公共服务"  # 20


KIND_NATIONAL_CODES = {
    "licence": "01",
    "penalty": "02",
    "enforcement": "03",
    "levy": "04",
    "benefit": "05",
    "inspection": "06",
    "confirmation": "07",
    "award": "08",
    "adjudication": "09",
    "other": "10",
    "public_service": "20",
}


class LimitUnit(models.TextChoices):
    WORKING = "working", "工作日"
    CALENDAR = "calendar", "自然日"


class ItemVersion(models.Model):
    """One version of an item's published guide (办事指南). Frozen once published."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    class HandlingType(models.TextChoices):
        INSTANT = "instant", "即办件"
        PROMISED = "promised", "承诺件"

    class ResultType(models.TextChoices):
        CERTIFICATE = "certificate", "出证办结"
        DOCUMENT = "document", "出文办结"
        APPROVAL = "approval", "审批办结"
        NONE = "none", "无审批结果"

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    change_note = models.CharField("修订说明", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name="发布人",
    )
    content_digest = models.CharField("内容摘要", max_length=64, blank=True, editable=False)

    # Identity
    name = models.CharField("事项名称", max_length=200)
    name_en = models.CharField("英文名称", max_length=300, blank=True)
    summary = models.TextField("事项简介", blank=True)
    handling_item = models.CharField("业务办理项", max_length=200, blank=True)
    kind = models.CharField("事项类型", max_length=20, choices=Kind.choices)
    keywords = models.CharField(
        "检索关键词", max_length=300, blank=True, help_text="以空格或逗号分隔，如常用简称"
    )
    # Who
    serves_persons = models.BooleanField("服务对象：自然人", default=True)
    serves_enterprises = models.BooleanField("服务对象：法人", default=False)
    co_departments = models.ManyToManyField(
        Department, blank=True, related_name="co_handled_versions", verbose_name="联办机构"
    )
    # Time
    handling_type = models.CharField("办件类型", max_length=12, choices=HandlingType.choices)
    legal_limit = models.PositiveIntegerField(
        "法定办结时限", null=True, blank=True, help_text="空表示法律未规定时限"
    )
    legal_limit_unit = models.CharField(
        "法定时限单位", max_length=10, choices=LimitUnit.choices, default=LimitUnit.WORKING
    )
    legal_limit_note = models.CharField("法定时限说明", max_length=300, blank=True)
    promised_limit = models.PositiveIntegerField("承诺办结时限", help_text="0 表示即办")
    promised_limit_unit = models.CharField(
        "承诺时限单位", max_length=10, choices=LimitUnit.choices, default=LimitUnit.WORKING
    )
    promised_limit_note = models.CharField("承诺时限说明", max_length=300, blank=True)
    # Trips
    visits_required = models.PositiveSmallIntegerField("到办事现场次数", default=0)
    visits_reason = models.CharField("必须现场办理原因说明", max_length=300, blank=True)
    # Online
    online_available = models.BooleanField("是否网办", default=False)
    online_depth = models.PositiveSmallIntegerField(
        "网上办理深度",
        default=0,
        choices=[
            (0, "不支持网办"),
            (1, "Ⅰ级 信息发布"),
            (2, "Ⅱ级 在线预审"),
            (3, "Ⅲ级 在线受理"),
            (4, "Ⅳ级 全程网办"),
        ],
    )
    supports_post_delivery = models.BooleanField("支持物流快递送达", default=False)
    accepts_post_application = models.BooleanField("接受邮寄申请", default=False)
    supports_appointment = models.BooleanField("支持预约办理", default=False)
    supports_online_payment = models.BooleanField("支持网上支付", default=False)
    # Guide
    conditions = models.TextField("受理条件", blank=True)
    legal_basis = models.TextField("设定依据", blank=True)
    remedy = models.TextField(
        "救济途径",
        max_length=1000,
        blank=True,
        help_text="仅在法律另有规定时填写（如劳动争议仲裁不予受理的，可向人民法院起诉）："
        "不予受理、不予批准和撤销的文书以此代替部门的行政复议、行政诉讼告知。",
    )
    process_steps = models.TextField("办理流程", blank=True, help_text="每行一个步骤")
    handling_place = models.CharField("办理地点", max_length=300, blank=True)
    handling_hours = models.CharField("办理时间", max_length=300, blank=True)
    consult_phone = models.CharField("咨询电话", max_length=60, blank=True)
    complaint_phone = models.CharField("监督投诉电话", max_length=60, blank=True)
    # Fees
    fee_charged = models.BooleanField("是否收费", default=False)
    fee_note = models.CharField("收费说明", max_length=300, blank=True)
    # Result
    result_type = models.CharField(
        "审批结果类型", max_length=12, choices=ResultType.choices, default=ResultType.NONE
    )
    result_name = models.CharField("审批结果名称", max_length=200, blank=True)
    result_sample = models.TextField(
        "审批结果样本", blank=True, help_text="结果样本的样式说明或样本文件地址"
    )

    class Meta:
        verbose_name = "事项版本"
        verbose_name_plural = "事项版本"
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="uniq_item_version_number"),
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="draft"), name="one_draft_per_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_instant(self) -> bool:
        return self.handling_type == self.HandlingType.INSTANT

    @property
    def fully_online(self) -> bool:
        return self.online_depth == 4

    @property
    def kind_code(self) -> str:
        return KIND_NATIONAL_CODES.get(self.kind, "")

    def steps(self) -> list[str]:
        return [s.strip() for s in self.process_steps.splitlines() if s.strip()]

    def keyword_list(self) -> list[str]:
        return [k for k in self.keywords.replace("，", " ").replace(",", " ").split() if k]


class Situation(models.Model):
    """情形: a branch of an item that changes which materials are needed."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="situations")
    code = models.SlugField("情形代码", max_length=40)
    name = models.CharField("情形名称", max_length=200)
    description = models.TextField("情形说明", blank=True)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "办理情形"
        verbose_name_plural = "办理情形"
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="uniq_situation_code")
        ]

    def __str__(self) -> str:
        return self.name


class Material(models.Model):
    """申请材料 of one item version."""

    class MaterialType(models.TextChoices):
        ORIGINAL = "original", "原件"
        COPY = "copy", "复印件"
        ORIGINAL_AND_COPY = "original_and_copy", "原件和复印件"
        ELECTRONIC = "electronic", "电子件"

    class Form(models.TextChoices):
        PAPER = "paper", "纸质"
        ELECTRONIC = "electronic", "电子"
        BOTH = "both", "纸质或电子"

    class Necessity(models.TextChoices):
        REQUIRED = "required", "必要"
        CONDITIONAL = "conditional", "容情形提交"

    class Source(models.TextChoices):
        APPLICANT = "applicant", "申请人自备"
        ISSUED = "issued", "政府部门核发"
        SHARED = "shared", "共享获取"
        ELICENCE = "elicence", "电子证照库"
        COMMITMENT = "commitment", "告知承诺"
        # The item's own application form: its fields are answered online (or by the window
        # officer at the counter) and the submission signs them; nothing is uploaded.
        ONLINE_FORM = "online_form", "在线填报"

    # Sources the applicant does not bring.
    NOT_BROUGHT = (Source.SHARED, Source.ELICENCE, Source.COMMITMENT, Source.ONLINE_FORM)
    # What 材料免提交率 counts (DOMAIN.md): a document made unnecessary by sharing, the
    # e-licence library or a commitment. The application form is answered, not exempted.
    EXEMPT = (Source.SHARED, Source.ELICENCE, Source.COMMITMENT)

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    code = models.SlugField("材料代码", max_length=40)
    name = models.CharField("材料名称", max_length=200)
    material_type = models.CharField(
        "材料类型", max_length=20, choices=MaterialType.choices, default=MaterialType.ORIGINAL
    )
    material_form = models.CharField(
        "材料形式", max_length=12, choices=Form.choices, default=Form.BOTH
    )
    copies = models.PositiveSmallIntegerField("份数", default=1)
    necessity = models.CharField(
        "必要性", max_length=12, choices=Necessity.choices, default=Necessity.REQUIRED
    )
    condition = models.CharField(
        "提交条件", max_length=300, blank=True, help_text="容情形提交的材料在什么情况下需要"
    )
    is_key = models.BooleanField("关键材料", default=True, help_text="只有非关键材料可以容缺")
    deficiency_allowed = models.BooleanField("可容缺", default=False)
    source = models.CharField(
        "来源渠道", max_length=12, choices=Source.choices, default=Source.APPLICANT
    )
    source_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="出具或共享部门",
    )
    evidence_type = models.CharField(
        "共享数据类型",
        max_length=60,
        blank=True,
        help_text="共享获取或电子证照时，满足此材料的数据类型",
    )
    situations = models.ManyToManyField(
        Situation,
        blank=True,
        related_name="materials",
        verbose_name="适用情形",
        help_text="不选表示所有情形",
    )
    notes = models.TextField("填报须知", blank=True)
    legal_basis = models.CharField("材料依据", max_length=300, blank=True)
    blank_form = models.CharField(
        "空白表格", max_length=300, blank=True, help_text="空白表格的下载地址"
    )
    sample = models.CharField(
        "示例样表", max_length=300, blank=True, help_text="填写示例的下载地址"
    )
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="uniq_material_code")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def not_brought(self) -> bool:
        return self.source in self.NOT_BROUGHT


class Fee(models.Model):
    """收费项目."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField("收费项目", max_length=200)
    standard = models.CharField("收费标准", max_length=300)
    basis = models.CharField("收费依据", max_length=300)
    reduction = models.CharField("减免政策", max_length=300, blank=True)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "收费项目"
        verbose_name_plural = "收费项目"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Faq(models.Model):
    """常见问题."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="faqs")
    question = models.CharField("问题", max_length=300)
    answer = models.TextField("解答")
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "常见问题"
        verbose_name_plural = "常见问题"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.question


class FormField(models.Model):
    """A field the applicant fills in for this item version (表单字段), validated on the server."""

    class FieldType(models.TextChoices):
        TEXT = "text", "单行文本"
        TEXTAREA = "textarea", "多行文本"
        INTEGER = "integer", "整数"
        DECIMAL = "decimal", "金额或小数"
        DATE = "date", "日期"
        CHOICE = "choice", "单选"
        MULTICHOICE = "multichoice", "多选"
        BOOLEAN = "boolean", "是否"
        ID_NUMBER = "id_number", "公民身份号码"
        CREDIT_CODE = "credit_code", "统一社会信用代码"
        PHONE = "phone", "手机号码"
        EMAIL = "email", "电子邮箱"
        BANK_ACCOUNT = "bank_account", "银行账号"

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="form_fields")
    code = models.SlugField("字段代码", max_length=40)
    label = models.CharField("字段名称", max_length=100)
    label_en = models.CharField("英文名称", max_length=150, blank=True)
    field_type = models.CharField("类型", max_length=20, choices=FieldType.choices)
    required = models.BooleanField("必填", default=True)
    choices = models.JSONField(
        "选项",
        default=list,
        blank=True,
        help_text='单选或多选的选项：[{"value": "a", "label": "甲"}]',
    )
    situations = models.JSONField(
        "适用情形", default=list, blank=True, help_text="情形代码列表；空表示所有情形"
    )
    help_text = models.CharField("填写说明", max_length=300, blank=True)
    min_value = models.DecimalField(
        "最小值", max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        "最大值", max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_length = models.PositiveIntegerField("最大长度", null=True, blank=True)

    class DateBound(models.TextChoices):
        PAST = "past", "不晚于填写当天（已发生的日期）"
        FUTURE = "future", "不早于填写当天（尚未到来的日期）"

    date_bound = models.CharField(
        "日期范围",
        max_length=10,
        blank=True,
        choices=DateBound.choices,
        help_text="日期字段：离职、死亡、发证等已发生的日期选“不晚于填写当天”",
    )
    prefill = models.CharField(
        "预填来源",
        max_length=80,
        blank=True,
        help_text="由共享数据预填时的数据项，如 identity.name",
    )

    class Fills(models.TextChoices):
        DELIVERY_METHOD = "delivery_method", "送达方式"
        DELIVERY_ADDRESS = "delivery_address", "邮寄地址"

    fills = models.CharField(
        "对应办件信息",
        max_length=20,
        blank=True,
        choices=Fills.choices,
        help_text="该字段的回答即办件的送达方式或邮寄地址，提交时不再另行询问",
    )
    required_if = models.CharField(
        "条件必填",
        max_length=200,
        blank=True,
        help_text="只在另一字段取某些值时必填，写作“字段代码=值”，多个值用逗号分隔，"
        "如 delivery=post；是否字段写 true 或 false",
    )
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "表单字段"
        verbose_name_plural = "表单字段"
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="uniq_form_field_code")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def required_condition(self) -> tuple[str, frozenset[str]] | None:
        """``required_if`` as (field code, values), or None when always as ``required``."""
        return parse_required_if(self.required_if)


def parse_required_if(text: str | None) -> tuple[str, frozenset[str]] | None:
    """``code=value[,value…]`` → (code, values); None when empty. Not checked against the
    form: the quality rules do that."""
    code, _sep, values = (text or "").strip().partition("=")
    if not code.strip():
        return None
    return code.strip(), frozenset(v.strip() for v in values.split(",") if v.strip())


class ReviewStage(models.Model):
    """审批环节 of an item version: 承办 → 审核 → 批准, as the item configures them."""

    class Code(models.TextChoices):
        HANDLE = "handle", "承办"
        CHECK = "check", "审核"
        APPROVE = "approve", "批准"

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="stages")
    code = models.CharField("环节", max_length=12, choices=Code.choices)
    name = models.CharField("环节名称", max_length=60)
    limit = models.PositiveIntegerField("环节时限（工作日）", null=True, blank=True)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "审批环节"
        verbose_name_plural = "审批环节"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_stage_code")]

    def __str__(self) -> str:
        return self.name
