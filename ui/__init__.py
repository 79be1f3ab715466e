"""The Gradio chat and the web server that mounts it beside the REST API. Only calls `assistant`."""

import assistant  # noqa: F401  (imports index, which sets the offline environment before Gradio loads)
