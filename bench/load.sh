#!/usr/bin/env bash
# Load test: 200 concurrent clients for 60 s against gunicorn + whitenoise, on 127.0.0.1
# only, on a copy of the demo database. Usage: bash bench/load.sh [clients] [seconds]
# Needs wrk (apt-get install wrk). Results go to stdout; write them into bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS="${1:-200}"
SECONDS_="${2:-60}"
PORT="${BENCH_PORT:-8190}"
DB=/tmp/unibridge-bench.sqlite3
[ -f unibridge.sqlite3 ] || { echo "run 'make run' once first (demo database)"; exit 1; }
cp unibridge.sqlite3 "$DB"
export DATABASE_URL="sqlite:///$DB" DJANGO_ENV=production ALLOWED_HOSTS=127.0.0.1 \
  SECRET_KEY="bench-only-$(head -c 48 /dev/urandom | base64 | tr -d '/+=')" \
  SECURE_SSL_REDIRECT=0 AXES_ENABLED=0
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn cooperation.wsgi:application --bind "127.0.0.1:$PORT" \
  --workers "${WEB_CONCURRENCY:-4}" --timeout 60 --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health/" >/dev/null && break; sleep 0.2; done
echo "machine: $(nproc) CPUs, $(uname -sr); $(date -u +%FT%TZ); workers ${WEB_CONCURRENCY:-4}"
timeout $((SECONDS_ + 30)) wrk -t4 -c"$CLIENTS" -d"${SECONDS_}s" --timeout 10s --latency \
  -s bench/load.lua "http://127.0.0.1:$PORT"
