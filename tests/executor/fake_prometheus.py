#!/usr/bin/env python3
"""A stand-in Prometheus for tests: answers GET /api/v1/query on 127.0.0.1 with a canned vector.

Prints the port it listens on, then serves until killed.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query).get("query", [""])[0]
        if url.path != "/api/v1/query":
            body, code = {"status": "error", "errorType": "not_found", "error": "no such path"}, 404
        elif query.startswith("bad("):
            body, code = {"status": "error", "errorType": "bad_data", "error": "parse error"}, 400
        else:
            body, code = {"status": "success", "data": {"resultType": "vector", "result": [
                {"metric": {"__name__": "up", "job": "api", "query": query}, "value": [1700000000, "1"]}]}}, 200
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
