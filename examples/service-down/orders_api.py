#!/usr/bin/env python3
"""A tiny orders API for the runbook demo: GET /health and GET /orders over a SQLite file.

It exists so that the bundled playbook has something real to diagnose on a bare machine.
"""
import json
import os
import sqlite3
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DB = os.environ.get("ORDERS_DB", os.path.join(os.path.dirname(__file__), "state", "orders.db"))
PORT = int(os.environ.get("SERVICE_PORT", "8089"))


class Handler(BaseHTTPRequestHandler):
    def _send(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        try:
            with sqlite3.connect(DB, timeout=1) as db:
                if self.path == "/health":
                    stuck = db.execute("SELECT count(*) FROM orders WHERE status = 'processing'").fetchone()[0]
                    self._send(200 if stuck == 0 else 503, {"status": "ok" if stuck == 0 else "degraded", "stuck": stuck})
                elif self.path == "/orders":
                    rows = db.execute("SELECT id, status, updated_at FROM orders ORDER BY id").fetchall()
                    self._send(200, [{"id": r[0], "status": r[1], "updated_at": r[2]} for r in rows])
                else:
                    self._send(404, {"error": "not found"})
        except sqlite3.Error as e:
            self._send(500, {"error": str(e)})

    def log_message(self, fmt, *args):
        sys.stderr.write("orders_api: " + (fmt % args) + "\n")


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
