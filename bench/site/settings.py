"""The platform's own settings plus one bare endpoint, so the benchmark compares against it in one run."""

from zhuqi.settings import *  # noqa: F403

ROOT_URLCONF = "bench.site.urls"
DEBUG = False
