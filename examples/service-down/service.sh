#!/usr/bin/env bash
# The demo's orders service: start it, stop it, and break it the way the playbook expects.
#   service.sh break    fresh database with stuck orders, and no service running (the incident)
#   service.sh start | stop | restart | status
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
STATE=$HERE/state
DB=$STATE/orders.db
PIDFILE=$STATE/orders_api.pid
PORT=${SERVICE_PORT:-8089}
PY=$(command -v /usr/bin/python3 || command -v python3)

running() { [[ -f $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

setup_db() {
  mkdir -p "$STATE"
  rm -f "$DB"
  "$PY" - "$DB" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, status TEXT, updated_at TEXT)")
for i in range(1, 8):
    db.execute("INSERT INTO orders VALUES (?, ?, 'shipped', datetime('now', '-2 hours'))", (i, f"customer-{i}"))
for i in range(8, 11):
    db.execute("INSERT INTO orders VALUES (?, ?, 'processing', datetime('now', '-20 minutes'))", (i, f"customer-{i}"))
db.commit()
PY
}

start() {
  if running; then echo "orders_api already running (pid $(cat "$PIDFILE"))"; return 0; fi
  [[ -f $DB ]] || setup_db
  # Release what a crash left behind before serving again.
  "$PY" -c "import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.execute(\"UPDATE orders SET status='pending', updated_at=datetime('now') WHERE status='processing'\"); d.commit()" "$DB"
  # setsid: the service leaves the caller's session and process group, as a daemon does (runbook
  # stops whatever a step leaves behind in its own group when the step ends).
  ORDERS_DB=$DB SERVICE_PORT=$PORT setsid nohup "$PY" "$HERE/orders_api.py" >"$STATE/orders_api.log" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 50); do
    if curl -fsS -m 1 -o /dev/null "http://127.0.0.1:$PORT/health" 2>/dev/null; then
      echo "orders_api started (pid $(cat "$PIDFILE"), port $PORT)"; return 0
    fi
    sleep 0.1
  done
  echo "orders_api did not answer on port $PORT; see $STATE/orders_api.log" >&2
  return 1
}

stop() {
  if running; then kill "$(cat "$PIDFILE")" && echo "orders_api stopped"; else echo "orders_api not running"; fi
  rm -f "$PIDFILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) if running; then echo "running (pid $(cat "$PIDFILE"))"; else echo "not running"; exit 3; fi ;;
  break) stop >/dev/null; setup_db; echo "incident staged: orders_api is down and 3 orders are stuck in processing" ;;
  *) echo "usage: $0 start|stop|restart|status|break" >&2; exit 2 ;;
esac
