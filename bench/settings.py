"""The project's settings plus one bare view, so scenario 6 compares like with like: the same
middleware stack, the same database, a view that does nothing."""

from cooperation.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# Served as in production (DEBUG off, whitenoise's manifest): run.py collects the files here,
# outside the tree, so the benchmark never touches the project's own staticfiles/.
STATIC_ROOT = "/tmp/unibridge-bench-static"
