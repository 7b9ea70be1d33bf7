#!/usr/bin/env bash
# Load test: 200 concurrent clients for 60 s against gunicorn + whitenoise, on 127.0.0.1
# only, on a copy of the demo database.
# Usage: bash bench/load.sh [clients] [seconds] [path] [reader]
#   path    one address to load, e.g. /institutions/ (default: the mix of read paths in
#           bench/load.lua, taken in turn)
#   reader  anonymous (default); a role ("analyst", "university editor", "ministry editor",
#           "administrator"): a user of that role (a university editor linked to the demo
#           institution with the most agreements) logged in by curl, its session cookie
#           sent with every request; "token:<role>": that user's API token instead
#           (Authorization: Token ...)
# BENCH_DATABASE_URL=postgres://.../unibridge_bench loads that database as it is (size L from
# bench/generate.py; no copy, no migrate), with bench.settings, whose /bench/bare/ answers
# without reading anything: the "bare view" the signed-in pages are compared with.
# WEB_CONCURRENCY (4) workers; WRK_THREADS (4) wrk threads.
# Needs wrk (apt-get install wrk). Results go to stdout; write them into bench/RESULTS.md
# with the load average printed before and after (other work on the machine shows there).
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS="${1:-200}"
SECONDS_="${2:-60}"
TARGET="${3:-}"
READER="${4:-anonymous}"
PORT="${BENCH_PORT:-8190}"
DB="/tmp/unibridge-bench-$PORT.sqlite3"
export DJANGO_ENV=production ALLOWED_HOSTS=127.0.0.1 \
  SECRET_KEY="bench-only-$(head -c 48 /dev/urandom | base64 | tr -d '/+=')" \
  SECURE_SSL_REDIRECT=0 AXES_ENABLED=0
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  export DATABASE_URL="$BENCH_DATABASE_URL" DJANGO_SETTINGS_MODULE=bench.settings
else
  [ -f unibridge.sqlite3 ] || { echo "run 'make run' once first (demo database)"; exit 1; }
  cp unibridge.sqlite3 "$DB"
  export DATABASE_URL="sqlite:///$DB"
  .venv/bin/python manage.py migrate --noinput -v0
fi
.venv/bin/python manage.py collectstatic --noinput -v0

HEADER=()
if [ "$READER" != anonymous ]; then
  ROLE="${READER#token:}"
  PASSWORD="load-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
  # A user of that role (the bench database is a throw-away copy); prints its API token.
  TOKEN=$(LOAD_ROLE="$ROLE" LOAD_PASSWORD="$PASSWORD" .venv/bin/python manage.py shell -c '
import os
from django.contrib.auth import get_user_model
from django.db.models import Count
from rest_framework.authtoken.models import Token
from accounts.services import users_assign_role
from cooperation.roles import UNIVERSITY_EDITOR
from universities.models import Institution
role = os.environ["LOAD_ROLE"]
user, _ = get_user_model().objects.get_or_create(username="load-" + role.replace(" ", "-"))
user.set_password(os.environ["LOAD_PASSWORD"])
user.save()
own = []
if role == UNIVERSITY_EDITOR:
    own = [Institution.objects.annotate(n=Count("parties")).order_by("-n", "pk").first()]
users_assign_role(user=user, role=role, institutions=own)
print(Token.objects.get_or_create(user=user)[0].key)
' | tail -n 1 | tr -d '[:space:]')
fi

.venv/bin/gunicorn cooperation.wsgi:application --env "DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-cooperation.settings}" --bind "127.0.0.1:$PORT" \
  --workers "${WEB_CONCURRENCY:-4}" --timeout 60 --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health/" >/dev/null && break; sleep 0.2; done

if [[ "$READER" == token:* ]]; then
  HEADER=(-H "Authorization: Token $TOKEN")
  # The token is accepted (a wrong one is a 401).
  STATUS=$(curl -s -o /dev/null -w '%{http_code}' "${HEADER[@]}" "http://127.0.0.1:$PORT/api/")
  [ "$STATUS" = 200 ] || { echo "the token of $ROLE is refused ($STATUS)"; exit 1; }
elif [ "$READER" != anonymous ]; then
  # Log in as a person would, through the login form (its CSRF cookie and token first).
  # The cookies are Secure in production; curl keeps them for http://127.0.0.1 only when
  # told by hand, so they are read from the headers.
  LOGIN="http://127.0.0.1:$PORT/admin/login/"
  PAGE=$(curl -s -D - "$LOGIN")
  CSRF_COOKIE=$(grep -io 'set-cookie: csrftoken=[^;]*' <<<"$PAGE" | cut -d= -f2)
  CSRF_FORM=$(grep -o 'name="csrfmiddlewaretoken" value="[^"]*"' <<<"$PAGE" | head -1 | cut -d'"' -f4)
  SESSION=$(curl -s -D - -o /dev/null -H "Cookie: csrftoken=$CSRF_COOKIE" \
    --data-urlencode "username=load-${ROLE// /-}" --data-urlencode "password=$PASSWORD" \
    --data-urlencode "csrfmiddlewaretoken=$CSRF_FORM" --data-urlencode "next=/" "$LOGIN" \
    | grep -io 'set-cookie: sessionid=[^;]*' | cut -d= -f2)
  [ -n "$SESSION" ] || { echo "login as $ROLE failed"; exit 1; }
  HEADER=(-H "Cookie: sessionid=$SESSION; csrftoken=$CSRF_COOKIE")
  # Signed in: the back office answers (a visitor would be sent to its login page).
  STATUS=$(curl -s -o /dev/null -w '%{http_code}' "${HEADER[@]}" "http://127.0.0.1:$PORT/admin/")
  [ "$STATUS" = 200 ] || { echo "the session of $ROLE does not open /admin/ ($STATUS)"; exit 1; }
fi
if [ -n "$TARGET" ]; then
  # The page must answer 200 for this reader before it is loaded.
  STATUS=$(curl -s -o /dev/null -w '%{http_code}' "${HEADER[@]}" "http://127.0.0.1:$PORT$TARGET")
  [ "$STATUS" = 200 ] || { echo "$TARGET answered $STATUS to $READER"; exit 1; }
fi

echo "machine: $(nproc) CPUs, $(uname -sr); $(date -u +%FT%TZ); workers ${WEB_CONCURRENCY:-4}"
echo "target: ${TARGET:-the mix in bench/load.lua}; reader: $READER"
echo "before: $(uptime)"
timeout $((SECONDS_ + 30)) wrk -t"${WRK_THREADS:-4}" -c"$CLIENTS" -d"${SECONDS_}s" --timeout 10s --latency \
  "${HEADER[@]}" -s bench/load.lua "http://127.0.0.1:$PORT" -- $TARGET
echo "after: $(uptime)"
