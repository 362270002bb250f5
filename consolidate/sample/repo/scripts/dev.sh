#!/usr/bin/env bash
# Developer helper for the taskhub compose stack.
#
#   scripts/dev.sh up                 build and start everything
#   scripts/dev.sh status             health of every service
#   scripts/dev.sh logs <service>     follow one service's logs
#   scripts/dev.sh restart <service>
#   scripts/dev.sh test               backend unit tests
set -euo pipefail

cd "$(dirname "$0")/.."

SERVICES=(postgres redis backend worker orchestrator frontend)
COMPOSE=${COMPOSE:-docker compose}

die() { echo "dev.sh: $*" >&2; exit 1; }

require_service() {
  local svc=${1:-}
  [[ -n $svc ]] || die "missing service name (one of: ${SERVICES[*]})"
  for known in "${SERVICES[@]}"; do
    [[ $svc == "$known" ]] && return 0
  done
  die "unknown service '$svc' (one of: ${SERVICES[*]})"
}

health() {
  local svc=$1
  case "$svc" in
    postgres)
      $COMPOSE exec -T postgres pg_isready -U taskhub -d taskhub >/dev/null
      ;;
    redis)
      $COMPOSE exec -T redis redis-cli ping | grep -q PONG
      ;;
    backend)
      curl -fsS http://localhost:8000/health >/dev/null
      ;;
    worker)
      # Workers refresh a heartbeat key every minute (backend/heartbeat.py).
      [[ -n $($COMPOSE exec -T redis redis-cli --scan --pattern 'taskhub:worker:*') ]]
      ;;
    orchestrator)
      # No HTTP endpoint: check the container is up and has ticked recently.
      $COMPOSE exec -T orchestrator test -s /var/lib/orchestrator/status.json
      ;;
    frontend)
      curl -fsS -o /dev/null http://localhost:3000/
      ;;
    *)
      die "no health check for '$svc'"
      ;;
  esac
}

cmd=${1:-help}
shift || true

case "$cmd" in
  up)
    $COMPOSE up -d --build "$@"
    ;;
  down)
    $COMPOSE down "$@"
    ;;
  status)
    for svc in "${SERVICES[@]}"; do
      if health "$svc" 2>/dev/null; then
        printf '%-14s ok\n' "$svc"
      else
        printf '%-14s DOWN\n' "$svc"
      fi
    done
    ;;
  logs)
    require_service "${1:-}"
    $COMPOSE logs -f --tail=200 "$1"
    ;;
  restart)
    require_service "${1:-}"
    $COMPOSE restart "$1"
    ;;
  test)
    python3 -m unittest discover -s backend/tests -t backend "$@"
    ;;
  help|-h|--help)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  *)
    die "unknown command '$cmd' (try: scripts/dev.sh help)"
    ;;
esac
