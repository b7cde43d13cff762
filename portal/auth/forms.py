"""The login form: its rules live here, not in the view."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, ValidationError
from wtforms.validators import InputRequired

from portal import messages

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
