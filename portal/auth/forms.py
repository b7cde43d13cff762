"""The login and password forms: their rules live here, not in the view."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, ValidationError
from wtforms.validators import InputRequired

from portal import messages
from portal.auth.sessions import PASSWORD_MIN

USERNAME_MAX = 64
PASSWORD_MAX = 1024  # hashing megabytes of "password" would be a cheap denial of service


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[InputRequired(messages.FIELD_REQUIRED)])
    password = PasswordField("密码", validators=[InputRequired(messages.FIELD_REQUIRED)])
    next = HiddenField()

    def validate_username(self, field: StringField) -> None:
        if len(field.data or "") > USERNAME_MAX:
            raise ValidationError(messages.LOGIN_FAILED)

    def validate_password(self, field: PasswordField) -> None:
        if len(field.data or "") > PASSWORD_MAX:
            raise ValidationError(messages.LOGIN_FAILED)


class PasswordForm(FlaskForm):
    """One's own new password: the current one (checked by the view, which counts a wrong one
    as a failed login), the new one twice."""

    current_password = PasswordField(
        "当前密码", validators=[InputRequired(messages.FIELD_REQUIRED)]
    )
    new_password = PasswordField("新密码", validators=[InputRequired(messages.FIELD_REQUIRED)])
    new_password_again = PasswordField(
        "再次输入新密码", validators=[InputRequired(messages.FIELD_REQUIRED)]
    )

    def validate_current_password(self, field: PasswordField) -> None:
        if len(field.data or "") > PASSWORD_MAX:
            raise ValidationError(messages.CURRENT_PASSWORD_WRONG)

    def validate_new_password(self, field: PasswordField) -> None:
        length = len(field.data or "")
        if not PASSWORD_MIN <= length <= PASSWORD_MAX:
            raise ValidationError(
                messages.PASSWORD_LENGTH.format(min=PASSWORD_MIN, max=PASSWORD_MAX)
            )

    def validate_new_password_again(self, field: PasswordField) -> None:
        if field.data != self.new_password.data:
            raise ValidationError(messages.PASSWORDS_DIFFER)
