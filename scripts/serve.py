#!/usr/bin/env python3
"""Serves site/ for the demo with the headers in scripts/headers.json: the document's
CSP (with frame-ancestors, which a <meta> CSP cannot carry), the worker's own CSP,
and cross-origin isolation (COOP/COEP). Usage: serve.py DIR PORT."""
import json
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HEADERS = json.loads((Path(__file__).parent / "headers.json").read_text())


class Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript", ".wasm": "application/wasm"}

    def end_headers(self):
        path = self.path.split("?")[0].split("#")[0]
        for key, value in HEADERS["all"].items():
            self.send_header(key, value)
        # The worker or document policy, by headers.json's "paths" (first match wins).
        own = next((k for k, ends in HEADERS["paths"].items() if path.endswith(tuple(ends))), None)
        for key, value in HEADERS.get(own, {}).items():
            self.send_header(key, value)
        super().end_headers()


if __name__ == "__main__":
    directory, port = sys.argv[1], int(sys.argv[2])
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(Handler, directory=directory))
    server.serve_forever()
