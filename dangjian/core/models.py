"""Users, the roles they hold at organizations, and the security records around them."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .fields import PathField
from .history import history_user


class Role(models.TextChoices):
    """What a role may see and do. The scope rules read these properties (``scope.py``)."""

    ORG_ADMIN = "org_admin", "组织部/党委管理员"
    BRANCH_ADMIN = "branch_admin", "支部书记/组织委员"
    MEMBER = "member", "党员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"

    @property
    def is_separated_duty(self) -> bool:
        """三员分立: the three administrators of the system itself, never two in one person."""
        return self in SEPARATED_DUTIES

    @property
    def reads_members(self) -> bool:
        """Reads the member records of the whole subtree (the 党员 role reads only their own)."""
        return self in (Role.ORG_ADMIN, Role.BRANCH_ADMIN)

    @property
    def reads_organizations(self) -> bool:
        """Reads the organizations of the subtree: profiles and counts, not members' personal data."""
        return self in (Role.ORG_ADMIN, Role.BRANCH_ADMIN, Role.SYSTEM_ADMIN)

    @property
    def reads_member_data(self) -> bool:
        """Reads some member's personal data: a subtree's members, or (党员) one's own record."""
        return self.reads_members or self == Role.MEMBER

    @property
    def writes_members(self) -> bool:
        return self in (Role.ORG_ADMIN, Role.BRANCH_ADMIN)

    @property
    def writes_organizations(self) -> bool:
        return self == Role.ORG_ADMIN

    @property
    def manages_users(self) -> bool:
        """Creates accounts and grants roles in the subtree (an 组织部/党委管理员 for its own
        organizations' cadres; the 系统管理员 as its whole job)."""
        return self in (Role.ORG_ADMIN, Role.SYSTEM_ADMIN)

    @property
    def manages_security(self) -> bool:
        return self == Role.SECURITY_ADMIN

    @property
    def reads_audit(self) -> bool:
        return self == Role.AUDIT_ADMIN

    @property
    def rank(self) -> int:
        """Strength of the organization roles, for grants: nobody grants above their own."""
        return {Role.ORG_ADMIN: 3, Role.BRANCH_ADMIN: 2, Role.MEMBER: 1}.get(self, 0)


SEPARATED_DUTIES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


class User(AbstractUser):
    """A login. What it may see comes from its role assignments, never from ``is_superuser``.

    ``home_organization`` is where the account is managed from (the scope of the user lists);
    ``acting_organization`` is the organization whose roles the user currently acts in."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    home_organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="所属组织",
    )
    acting_organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="当前身份所在组织",
    )
    must_change_password = models.BooleanField("须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # Who else has known a password of this account (三员分立: they may not be the ones who make it
    # read member data). None: the server's command line.
    created_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="创建人"
    )
    password_reset_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="最近重置密码的人"
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"], get_user=history_user)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleAssignment(models.Model):
    """A user holds a role at an organization; every role held at the organization the user acts
    from applies together."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments", verbose_name="用户"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="role_assignments", verbose_name="所在组织"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="授权人",
    )
    granted_at = models.DateTimeField("授权时间", auto_now_add=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "organization"], name="role_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class PasswordHistory(models.Model):
    """Hashes of a user's earlier passwords, so the policy can refuse reusing the last few."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


class Event(models.TextChoices):
    """Kinds of security events (安全审计事件)."""

    LOGIN = "login", "登录"
    LOGOUT = "logout", "退出"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKED_OUT = "locked_out", "账号锁定"
    UNLOCKED = "unlocked", "解除锁定"
    PERMISSION_DENIED = "permission_denied", "拒绝操作"
    OUT_OF_SCOPE = "out_of_scope", "访问范围外数据"
    EXPORT = "export", "导出"
    IMPORT = "import", "导入"
    REVEAL = "reveal", "查看完整证件号码"
    USER_CREATED = "user_created", "创建账号"
    USER_CHANGED = "user_changed", "修改账号"
    PASSWORD_CHANGED = "password_changed", "修改密码"
    PASSWORD_RESET = "password_reset", "重置密码"
    ROLE_GRANTED = "role_granted", "授予角色"
    ROLE_REVOKED = "role_revoked", "撤销角色"
    ACTING_SWITCHED = "acting_switched", "切换身份"
    SETTING_CHANGED = "setting_changed", "修改安全设置"
    TOKEN_CREATED = "token_created", "创建API令牌"
    TOKEN_REVOKED = "token_revoked", "吊销API令牌"
    SESSION_EXPIRED = "session_expired", "会话超时"


class AuditEvent(models.Model):
    """One security event, chained to the one before it.

    ``hash`` is an HMAC (key from the environment, never in the database) over the event's
    content and the previous event's hash, so editing, deleting or reordering any row breaks the
    chain from there on; ``manage.py verify_audit`` finds the first break. Rows are only ever
    inserted, by ``core.audit.record``."""

    seq = models.PositiveBigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间")
    event = models.CharField("事件", max_length=30, choices=Event.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    org_path = models.CharField("操作人所在组织路径", max_length=255, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    target_type = models.CharField("对象类型", max_length=50, blank=True)
    target_id = models.CharField("对象编号", max_length=50, blank=True)
    target_repr = models.CharField("对象", max_length=200, blank=True)
    details = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField("前一事件摘要", max_length=64)
    hash = models.CharField("摘要", max_length=64)

    class Meta:
        verbose_name = "安全审计事件"
        verbose_name_plural = "安全审计事件"
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["event", "seq"], name="audit_event_seq"),
            models.Index(fields=["actor_name", "seq"], name="audit_actor_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_event_display()} {self.actor_name}"


class AuditHead(models.Model):
    """The end of the chain: the last sequence number and hash. Appending locks this one row, so
    concurrent events line up one after another; a truncated tail no longer matches it."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class SecuritySettings(models.Model):
    """The security policy, one row, changed by the 安全管理员 (each change audited)."""

    failure_limit = models.PositiveSmallIntegerField("连续登录失败锁定次数", default=5)
    lockout_minutes = models.PositiveSmallIntegerField("锁定时长（分钟）", default=30)
    idle_timeout_minutes = models.PositiveSmallIntegerField("无操作自动退出（分钟）", default=30)
    password_min_length = models.PositiveSmallIntegerField("密码最短长度", default=10)
    password_min_classes = models.PositiveSmallIntegerField(
        "密码至少包含的字符类别数", default=3, help_text="大写字母、小写字母、数字、符号四类中至少几类"
    )
    password_history = models.PositiveSmallIntegerField("不得重复使用最近几次密码", default=5)
    token_days = models.PositiveSmallIntegerField("API 令牌有效期（天）", default=90)
    org_admin_reveals_id = models.BooleanField("组织部/党委管理员可查看完整证件号码", default=True)
    branch_admin_reveals_id = models.BooleanField("支部书记/组织委员可查看完整证件号码", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = "安全设置"
        verbose_name_plural = "安全设置"

    def __str__(self) -> str:
        return "安全设置"

    def reveals_id(self, role: Role) -> bool:
        return {Role.ORG_ADMIN: self.org_admin_reveals_id, Role.BRANCH_ADMIN: self.branch_admin_reveals_id}.get(
            role, False
        )


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once, at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="用户"
    )
    name = models.CharField("用途", max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField("令牌前缀", max_length=8, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class InboxState(models.TextChoices):
    OPEN = "open", "待办"
    DONE = "done", "已办结"
    DISMISSED = "dismissed", "已忽略"


class InboxItem(models.Model):
    """One piece of work due at an organization (待办事项): a letter to accept, a half-year
    assessment, a term to renew. Written only by ``core.inbox.refresh`` from what the apps'
    registered sources compute, and closed by it once the source no longer yields it (the work is
    done); the one change a person makes is dismissing it, with the reason (``dismiss_item``).

    No record history: the row is derived from the sources, which keep their own, and the
    dismissal carries who, when (``closed_at``) and why on the row itself."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+", verbose_name="办理组织"
    )
    org_path = PathField("组织路径", max_length=255)  # the organization's path, for the scope
    source = models.CharField("来源", max_length=30)
    key = models.CharField("事项标识", max_length=100)  # stable within the source: "transfer:17:receipt"
    kind = models.CharField("事项类别", max_length=30)
    title = models.CharField("事项", max_length=300)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="对象类型"
    )
    object_id = models.PositiveBigIntegerField("对象编号", null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    due = models.DateField("办理期限")
    state = models.CharField("状态", max_length=10, choices=InboxState.choices, default=InboxState.OPEN)
    link = models.CharField("办理页面", max_length=200)
    opened_at = models.DateTimeField("生成时间")
    closed_at = models.DateTimeField("办结或忽略时间", null=True, blank=True)
    dismissed_reason = models.CharField("忽略理由", max_length=200, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="忽略人",
    )

    class Meta:
        verbose_name = "待办事项"
        verbose_name_plural = "待办事项"
        ordering = ["due", "id"]
        indexes = [
            # The inbox of a subtree and its counts: one range scan of the open items under the
            # path, soonest first; on PostgreSQL the grouping columns ride along, so counting by
            # source and kind never touches the table.
            models.Index(
                fields=["org_path", "due"],
                include=["source", "kind"],
                condition=Q(state="open"),
                name="inbox_open_under_path",
            ),
        ]
        constraints = [
            # Also the index refresh looks items up by (source, key).
            models.UniqueConstraint(fields=["source", "key"], name="inbox_source_key_unique"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def state_enum(self) -> InboxState:
        return InboxState(self.state)
