"""A portal that embeds the assistant while API keys are set, in the standard library only.

The key stays in this backend: for every page view it asks the assistant for a short-lived embed
token for its own origin, and the page it serves holds only that token in the iframe's URL.

    ASSISTANT_URL=http://127.0.0.1:7860 ASSISTANT_KEY=<a key of ASSISTANT_API_KEYS> \\
        python docs/embed_portal_example.py --port 8000        # then open http://127.0.0.1:8000/

tests/ui/test_browser_access.py runs this very file in a browser against a real server.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def mint_embed_url(assistant_url: str, key: str, origin: str, minutes: float = 60) -> str:
    """POST /api/embed-tokens with the key; returns the URL to put in the iframe."""
    request = urllib.request.Request(
        f"{assistant_url}/api/embed-tokens", method="POST",
        data=json.dumps({"origin": origin, "minutes": minutes}).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return assistant_url + json.load(response)["url"]


def portal_page(embed_url: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Intranet portal</title></head><body>"
        "<h1>Intranet portal</h1>"
        f"<iframe id='embed' src='{html.escape(embed_url, quote=True)}' title='Ask our documents' "
        "style='width:360px;height:640px;border:1px solid #ddd;border-radius:8px'></iframe>"
        "</body></html>"
    )


def make_server(port: int, assistant_url: str, key: str, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    origin = f"http://{host}:{port}"  # behind a proxy: the public origin people's browsers see

    class Portal(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/":
                self.send_error(404)
                return
            body = portal_page(mint_embed_url(assistant_url, key, origin)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")  # a token per page view
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return ThreadingHTTPServer((host, port), Portal)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    assistant_url = os.environ.get("ASSISTANT_URL", "http://127.0.0.1:7860")
    server = make_server(args.port, assistant_url, os.environ["ASSISTANT_KEY"])
    print(f"portal on http://127.0.0.1:{args.port}/", flush=True)
    server.serve_forever()
