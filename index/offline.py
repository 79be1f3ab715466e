"""Offline always: nothing may reach the internet (model hubs, Chroma and Gradio telemetry).

Importing `index` (which `assistant` and `ui` do first) sets these variables, once, for this process and
the ones it starts; a process that does not import it (a `chroma run` server) is given OFFLINE_ENVIRONMENT.
"""

import os

OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1", "TRANSFORMERS_VERBOSITY": "error", "GRADIO_ANALYTICS_ENABLED": "False",
}
os.environ.update({name: value for name, value in OFFLINE_ENVIRONMENT.items() if name not in os.environ})
