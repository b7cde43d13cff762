"""Blueprint placeholder: filled in by its own issue."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)
