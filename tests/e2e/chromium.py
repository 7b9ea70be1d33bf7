"""How this project starts the system Chromium headless, as root and with no network: the
browser tests (conftest.py), docs/screenshots.py and bench/session63.py. ``CHROMIUM`` in
the environment names another executable."""

import os
import shutil

EXECUTABLE = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
