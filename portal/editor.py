"""Blueprint placeholder: filled in by its own issue."""

from flask import Blueprint

bp = Blueprint("editor", __name__)
