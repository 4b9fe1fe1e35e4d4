#!/usr/bin/env bash
# Set-up before the tests (run by `npm test` and `npm run test:integration` / `test:e2e` through
# their pre-scripts, and by .ci/run): everything it can do on a fresh machine, before any test starts.
#
#   scripts/test-setup.sh [all|services|browser]    (default: all)
#
#   services  Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 (database "test", user
#             "postgres", trust on loopback): started when installed but stopped. Installed
#             (Debian packages) only as root with CI=true; otherwise it stops with the command to run.
#   browser   services, and Chromium at /usr/bin/chromium (or $CHROMIUM_PATH): Debian's chromium is
#             installed when missing and we are root; otherwise it stops with the command to run.
#   all       both (what `npm test` needs). `npm run test:unit` needs none of this.
#
# It exits non-zero at the first thing it cannot fix, so a test run never starts half-equipped
# (the tests fail, never skip, without their services).
set -euo pipefail
what="${1:-all}"
case "$what" in all | services | browser) ;; *)
  echo "usage: $0 [all|services|browser]" >&2
  exit 2
  ;;
esac

root=false
[ "$(id -u)" = 0 ] && root=true
sudo=""
$root || sudo="sudo "

stop() {
  echo "test-setup: $1" >&2
  echo "test-setup: run:  $2" >&2
  exit 1
}

apt_install() {
  echo "test-setup: installing Debian's $*"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_for() {
  for _ in $(seq 1 50); do "$@" && return 0; sleep 0.2; done
  return 1
}

redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG) 2>/dev/null; }
pg_answers() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
pg_up() { psql -h 127.0.0.1 -p 5432 -U postgres -d test -tAc 'SELECT 1' 2>/dev/null | grep -q '^1$'; }
pg_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -1; }

services() {
  if ! redis_up; then
    if ! command -v redis-server >/dev/null; then
      if $root && [ "${CI:-}" = true ]; then apt_install redis-server; else
        stop "Redis is not installed (needed on 127.0.0.1:6379)" "${sudo}apt-get install -y redis-server"
      fi
    fi
    echo "test-setup: starting Redis on 127.0.0.1:6379"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no >/dev/null
    wait_for redis_up || stop "Redis did not answer on 127.0.0.1:6379 after starting" "redis-server --bind 127.0.0.1 --port 6379"
  fi
  echo "test-setup: Redis OK"

  if ! pg_up; then
    if [ -z "$(pg_version)" ]; then
      if $root && [ "${CI:-}" = true ]; then
        apt_install postgresql
        # Test machine only: trust local and loopback connections (no password in the tests).
        printf 'local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n' >"/etc/postgresql/$(pg_version)/main/pg_hba.conf"
      else
        stop "PostgreSQL is not installed (needed on 127.0.0.1:5432)" "${sudo}apt-get install -y postgresql"
      fi
    fi
    if ! pg_answers; then
      echo "test-setup: starting PostgreSQL $(pg_version) on 127.0.0.1:5432"
      if $root; then pg_ctlcluster --skip-systemctl-redirect "$(pg_version)" main start || true; else
        ${sudo}pg_ctlcluster --skip-systemctl-redirect "$(pg_version)" main start || true
      fi
      wait_for pg_answers ||
        stop "PostgreSQL did not answer on 127.0.0.1:5432" "${sudo}pg_ctlcluster --skip-systemctl-redirect $(pg_version) main start"
    fi
    if ! pg_up; then
      psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" 2>/dev/null | grep -q 1 ||
        psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE test' 2>/dev/null || true
    fi
    pg_up || stop "PostgreSQL answers, but not to user postgres without password on database test" \
      "psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE test'  (and trust for 127.0.0.1 in pg_hba.conf)"
  fi
  echo "test-setup: PostgreSQL OK"
}

browser() {
  local chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
  if [ ! -x "$chromium" ]; then
    if $root && [ -z "${CHROMIUM_PATH:-}" ]; then apt_install chromium; else
      stop "Chromium is missing at $chromium (needed by the browser tests)" "${sudo}apt-get install -y chromium"
    fi
  fi
  "$chromium" --version >/dev/null 2>&1 || stop "$chromium does not start" "${sudo}apt-get install -y --reinstall chromium"
  echo "test-setup: Chromium OK"
}

services
if [ "$what" != services ]; then browser; fi
