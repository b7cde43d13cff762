"""附件 in the production shape: deploy/nginx.conf in front of gunicorn with
``PORTAL_ATTACHMENT_ACCEL_REDIRECT=/_uploads/``. The app decides who may have a file, nginx
sends it from the upload folder (the config's ``alias``, pointed at this run's folder): the
app's name and type, the security headers, Range and ETag; a post that is not public gets the
app's 404, and the internal location cannot be asked for directly."""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import live_gunicorn
import pytest
from support import edit_url, press
from test_attachments import (  # noqa: F401 (fixtures are used by name)
    PDF,
    app_config,
    download_links,
    new_notice,
    notices,
    uploads_root,
)
from test_attachments_types import CHINESE_DOCX, docx_bytes
from test_nginx import (  # noqa: F401 (fixtures are used by name)
    MAIN_CONFIG,
    MIME_TYPES,
    ROOT,
    accepts,
    assert_security_headers,
    fetch,
    nginx_binary,
    render_site_config,
)

pytestmark = pytest.mark.slow

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXAMPLE_UPLOADS = f"{ROOT}/instance/uploads/"  # deploy/nginx.conf's alias, once rendered


@contextlib.contextmanager
def nginx_for_uploads(binary: str, folder: Path, upstream: int, uploads: Path) -> Iterator[int]:
    """nginx with deploy/nginx.conf (as tests/test_nginx.py renders it) whose upload folder
    is ``uploads``; yields its port."""
    folder.mkdir(parents=True, exist_ok=True)
    port = live_gunicorn.free_port()
    text = render_site_config(folder, port, [upstream, live_gunicorn.free_port()])
    assert EXAMPLE_UPLOADS in text, "deploy/nginx.conf no longer serves instance/uploads/"
    (folder / "portal.conf").write_text(text.replace(EXAMPLE_UPLOADS, f"{uploads}/"), "utf-8")
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    main = MAIN_CONFIG.format(user=user, folder=folder, mime_types=MIME_TYPES)
    (folder / "nginx.conf").write_text(main, encoding="utf-8")
    command = [binary, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", "stderr"]
    with (folder / "nginx.out").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15  # readiness polling of a subprocess, not a wait
        while not accepts(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((folder / "nginx.out").read_text(errors="replace")[-3000:])
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def site(nginx_binary, database_url, uploads_root, tmp_path, app) -> Iterator[int]:  # noqa: F811, ARG001 (app: empty tables)
    env = {
        "PORTAL_ATTACHMENT_ACCEL_REDIRECT": "/_uploads/",
        "PORTAL_ATTACHMENT_FOLDER": str(uploads_root),
    }
    server = live_gunicorn.serve(
        database_url, secrets.token_hex(32), tmp_path / "gunicorn.log", "--workers", "1", env=env
    )
    with contextlib.ExitStack() as stack:
        try:
            upstream = stack.enter_context(server)
            yield stack.enter_context(
                nginx_for_uploads(nginx_binary, tmp_path / "nginx", upstream, uploads_root)
            )
        except RuntimeError as error:
            pytest.fail(str(error), pytrace=False)


def test_nginx_sends_the_file_the_app_allows(site, editor_client, client, notices):  # noqa: F811
    data = docx_bytes()
    edit = edit_url(new_notice(editor_client, notices, files=[(CHINESE_DOCX, data)]))
    (link,) = download_links(client, f"/notices/{edit.split('/')[3]}.html")
    response = fetch(site, link)
    assert response.status == 200
    assert response.body == data
    assert response.headers["Content-Type"] == DOCX_TYPE
    disposition = response.headers["Content-Disposition"]
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == CHINESE_DOCX
    assert "X-Accel-Redirect" not in response.headers
    assert_security_headers(response)
    etag = response.headers["ETag"]
    assert fetch(site, link, {"If-None-Match": etag}).status == 304
    part = fetch(site, link, {"Range": "bytes=0-99"})
    assert part.status == 206
    assert part.body == data[:100]
    assert part.headers["Content-Range"] == f"bytes 0-99/{len(data)}"

    assert press(editor_client, edit.removesuffix("/edit") + "/withdraw").status_code == 302
    gone = fetch(site, link)
    assert gone.status == 404
    assert "页面不存在" in gone.text
    digest = link.split("/")[2]
    assert fetch(site, f"/_uploads/{digest[:2]}/{digest[2:4]}/{digest}").status == 404
