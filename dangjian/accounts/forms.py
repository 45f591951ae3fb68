"""Forms of the account, user, security and audit pages. They parse input; services decide."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from dangjian.core.dates import DateKind
from dangjian.core.forms import StyledForm, date_field, style_widgets
from dangjian.core.models import Event, Role, SecuritySettings
from dangjian.orgs.filters import scoped_organizations
from dangjian.orgs.widgets import OrganizationPicker

GRANTABLE = [(role.value, role.label) for role in (Role.ORG_ADMIN, Role.BRANCH_ADMIN)]


def organization_field(label: str, request: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        queryset=scoped_organizations(request).order_by("path"),
        widget=OrganizationPicker(),
        error_messages={"invalid_choice": "所选组织不存在或不在您的管理范围内", "required": f"请选择{label}"},
    )


class LoginForm(AuthenticationForm):
    """Django's login form, refusing a username longer than any account's before authenticating:
    the lockout records (django-axes) keep the attempted name in a 255-character column, so a longer
    one failed on PostgreSQL (500). Django sets the field's length for the page only, unchecked."""

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        limit = self.username_field.max_length or 254  # Django's own default where the model sets none
        if len(username) > limit:
            raise forms.ValidationError(f"用户名不能超过 {limit} 个字符")
        return username


class PasswordChangeForm(StyledForm):
    old_password = forms.CharField(label="原密码", widget=forms.PasswordInput(render_value=False))
    new_password = forms.CharField(label="新密码", widget=forms.PasswordInput(render_value=False))
    new_password2 = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput(render_value=False))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data


class TokenForm(StyledForm):
    name = forms.CharField(label="用途", max_length=100, help_text="例如：统计报表对接")
    days = forms.IntegerField(label="有效期（天）", min_value=1, initial=30)


class UserCreateForm(StyledForm):
    username = forms.CharField(label="用户名", max_length=150)
    display_name = forms.CharField(label="姓名", max_length=50)

    def __init__(self, *args: Any, request: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_organization"] = organization_field("所属组织", request)


class GrantForm(StyledForm):
    role = forms.ChoiceField(label="角色", choices=GRANTABLE)

    def __init__(self, *args: Any, request: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"] = organization_field("授权组织", request)


class SecuritySettingsForm(StyledForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(SecuritySettings, exclude=["updated_at"]))
        style_widgets(self)


class AuditFilterForm(StyledForm):
    event = forms.ChoiceField(label="事件", choices=[("", "全部"), *Event.choices], required=False)
    actor = forms.CharField(label="操作人账号", required=False)
    target = forms.CharField(label="对象", required=False)
    # The trail's column is an address: any other text is a form error, not a query PostgreSQL refuses.
    ip = forms.GenericIPAddressField(
        label="IP 地址", required=False, error_messages={"invalid": "IP 地址格式不正确，例如 192.168.1.10"}
    )
    since = date_field("起始日期", kind=DateKind.QUERY)
    until = date_field("截止日期", kind=DateKind.QUERY)


class UnlockForm(StyledForm):
    username = forms.CharField(label="用户名", max_length=150)
