"""The reference of bench/pages.py: the least a Flask app served by gunicorn can do per
request (no database, no template), measured in the same run as the portal's pages.

    gunicorn --chdir bench hello:app
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
