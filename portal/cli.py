"""``flask --app portal …``: every package's commands, registered in one place."""

from __future__ import annotations

from flask import Flask

from portal.admin import COMMANDS as CHANNEL_COMMANDS
from portal.attachments.cli import gc_uploads_command
from portal.auth.cli import COMMANDS as ACCOUNT_COMMANDS
from portal.demo.benchdata import bench_data_command
from portal.demo.seed import seed_demo_command
from portal.search.cli import reindex_command


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(bench_data_command)
    app.cli.add_command(reindex_command)
    app.cli.add_command(gc_uploads_command)
    for command in (*ACCOUNT_COMMANDS, *CHANNEL_COMMANDS):
        app.cli.add_command(command)
