"""The Gradio chat and the web server that mounts it beside the REST API. Only calls `assistant`."""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
