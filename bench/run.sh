#!/usr/bin/env bash
# bench/run.sh: the standard load test on a private, freshly started system. Starts the AppHost in
# Release in its local mode (the installed RabbitMQ and PostgreSQL as local processes, the
# services of the catalog), without the dashboard, so that no telemetry export weighs on the
# figures; runs the standard scenario of bench/ECommerce.LoadTest (with PostgreSQL's statistics,
# for transactions and statements per order), writes bench/results/<timestamp>.json (and the
# console table next to it as .txt), and stops everything again, also on Ctrl-C or an error.
#
# Usage: bench/run.sh [load test options]
#   Options are passed on to the load test after --scenario standard, e.g. a short try:
#   bench/run.sh --duration 10s --warmup 5s
#
# Settings (environment). The defaults keep the run away from the broker and database of a
# developer's AppHost and of eng/infra.sh (tests): never load those.
#   BENCH_STATE_DIR             state of the servers, default /tmp/bench-infra
#   RABBITMQ_PORT 5702, RABBITMQ_MANAGEMENT_PORT 15702, POSTGRES_PORT 5462
#   BENCH_FRESH                 1 (default): delete the state directory before starting, so every
#                               run starts on empty databases and queues; 0: keep it
#   BENCH_RESULTS_DIR           default bench/results
#   BENCH_START_TIMEOUT         seconds to wait for every service to be healthy, default 180
#   BENCH_RABBITMQ_CLUSTER      1: a three-node RabbitMQ cluster with quorum queues (the AppHost's
#                               Infrastructure:RabbitMqCluster) on RABBITMQ_PORT..+2 and
#                               RABBITMQ_MANAGEMENT_PORT..+2; 0 (default): one node, classic queues
# The services keep the AppHost's ports (order service 3000, ...; src/ECommerce.ServiceCatalog).
set -euo pipefail

repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
infra=$repo_root/eng/infra.sh
load_test_project=$repo_root/bench/ECommerce.LoadTest/ECommerce.LoadTest.csproj
apphost_project=$repo_root/ECommerce.AppHost/ECommerce.AppHost.csproj

state_dir=${BENCH_STATE_DIR:-/tmp/bench-infra}
rabbitmq_port=${RABBITMQ_PORT:-5702}
management_port=${RABBITMQ_MANAGEMENT_PORT:-15702}
postgres_port=${POSTGRES_PORT:-5462}
fresh=${BENCH_FRESH:-1}
results_dir=${BENCH_RESULTS_DIR:-$repo_root/bench/results}
start_timeout=${BENCH_START_TIMEOUT:-180}
rabbitmq_cluster=${BENCH_RABBITMQ_CLUSTER:-0}

log() { printf 'bench: %s\n' "$*" >&2; }
die() {
    printf 'bench: error: %s\n' "$*" >&2
    exit 1
}

command -v dotnet >/dev/null 2>&1 || die "dotnet is not installed"
[[ $rabbitmq_cluster == 0 || $rabbitmq_cluster == 1 ]] || die "BENCH_RABBITMQ_CLUSTER is '$rabbitmq_cluster'; use 0 or 1"
command -v curl >/dev/null 2>&1 || die "curl is needed to wait for the services' /health"

# Everything is built before anything runs, so the build does not disturb the measurement; the
# AppHost runs the services from its own configuration's build output (Release).
log "building the AppHost, the services and the load test (Release)"
dotnet build "$apphost_project" -c Release --nologo -v quiet >&2 || die "the AppHost does not build (errors above)"
dotnet build "$load_test_project" -c Release --nologo -v quiet >&2 || die "the load test does not build (errors above)"
load_test=$repo_root/bench/ECommerce.LoadTest/bin/Release/net10.0/ECommerce.LoadTest.dll

# The services' ports under the AppHost, from the service catalog (src/ECommerce.ServiceCatalog).
mapfile -t service_ports < <(dotnet "$load_test" service-ports)
((${#service_ports[@]} > 0)) || die "the load test listed no service ports"

# A run already going on the same state directory would be measured together with this one.
if ECOMMERCE_INFRA_DIR=$state_dir "$infra" status >/dev/null 2>&1 || ECOMMERCE_INFRA_DIR=$state_dir "$infra" cluster-status >/dev/null 2>&1; then
    die "RabbitMQ/PostgreSQL already run from $state_dir; stop them" \
        "(ECOMMERCE_INFRA_DIR=$state_dir eng/infra.sh stop) or choose another BENCH_STATE_DIR"
fi
for port in "${service_ports[@]}"; do
    if curl -s -o /dev/null --max-time 2 "http://localhost:$port/"; then
        die "something already answers on port $port (an AppHost running?): stop it first"
    fi
done

# Fresh databases and queues: a run's figures must not depend on what earlier runs left. Only a
# directory that eng/infra.sh made (it holds ports.env) and in which nothing runs is deleted.
if [[ $fresh == 1 && -d $state_dir ]]; then
    resolved=$(cd -- "$state_dir" && pwd -P)
    if [[ $resolved != / && -f $resolved/ports.env ]]; then
        log "deleting the previous state in $resolved (BENCH_FRESH=0 keeps it)"
        rm -rf -- "$resolved"
    elif [[ -n $(ls -A -- "$resolved") ]]; then
        die "$resolved is not empty and was not made by eng/infra.sh; refusing to delete it" \
            "(choose another BENCH_STATE_DIR, or BENCH_FRESH=0)"
    fi
fi
mkdir -p "$state_dir"

apphost_pid=''
stopping=false
# shellcheck disable=SC2317 # reached through the traps
stop_everything() {
    [[ $stopping == false ]] || return 0
    stopping=true
    trap '' INT TERM HUP # a second Ctrl-C must not cut the shutdown short
    if [[ -n $apphost_pid ]] && kill -0 "$apphost_pid" 2>/dev/null; then
        log "stopping the AppHost (it stops the services and the servers)"
        kill -TERM "$apphost_pid" 2>/dev/null || true
        local deadline=$((SECONDS + 60))
        while kill -0 "$apphost_pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 1; done
        if kill -0 "$apphost_pid" 2>/dev/null; then
            log "the AppHost did not stop within 60 s; killing it"
            kill -KILL "$apphost_pid" 2>/dev/null || true
        fi
    fi
}
trap stop_everything EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

log "starting the AppHost (Release, local infrastructure, no dashboard; state in $state_dir, log in $state_dir/apphost.log)"
# In a process group of its own, so that a Ctrl-C reaches only this script, which then stops
# the AppHost in order. The load generator is one client placing hundreds of orders a second:
# the per-client rate limit on POST /orders is lifted.
setsid dotnet run --project "$apphost_project" -c Release --no-build --no-launch-profile -- \
    --Infrastructure:Mode=Local \
    --Infrastructure:StateDirectory="$state_dir" \
    --Infrastructure:RabbitMqPort="$rabbitmq_port" \
    --Infrastructure:RabbitMqManagementPort="$management_port" \
    --Infrastructure:PostgresPort="$postgres_port" \
    --Infrastructure:RabbitMqCluster="$([[ $rabbitmq_cluster == 1 ]] && echo true || echo false)" \
    --Dashboard:Enabled=false \
    --RateLimiting:Orders:TokenLimit=1000000 \
    --RateLimiting:Orders:TokensPerSecond=1000000 \
    </dev/null >"$state_dir/apphost.log" 2>&1 &
apphost_pid=$!

deadline=$((SECONDS + start_timeout))
for port in "${service_ports[@]}"; do
    until curl -fs -o /dev/null --max-time 2 "http://localhost:$port/health"; do
        kill -0 "$apphost_pid" 2>/dev/null || die "the AppHost exited; see $state_dir/apphost.log"
        ((SECONDS < deadline)) || die "the services were not healthy after ${start_timeout}s; see $state_dir/apphost.log"
        sleep 1
    done
done
log "all ${#service_ports[@]} services are healthy"

# The orchestrator (the AppHost and DCP) and the load generator are not the system under test, yet
# they share its cores: at a lower priority they take what the broker, the database and the
# services leave. A thread's priority is its own, so every thread of each is lowered; the
# services, RabbitMQ and PostgreSQL, already started, keep theirs.
for proc in /proc/[0-9]*; do
    command_line=$(tr '\0' ' ' 2>/dev/null <"$proc/cmdline") || continue
    case $command_line in
        *ECommerce.AppHost*) ;;
        *Service*) continue ;;
    esac
    case $command_line in
        *ECommerce.AppHost* | */tools/dcp\ *)
            for thread in "$proc"/task/*; do renice -n 10 -p "${thread##*/}" >/dev/null 2>&1 || true; done
            ;;
    esac
done

mkdir -p "$results_dir"
stamp=$(date -u '+%Y%m%dT%H%M%SZ')
output=$results_dir/$stamp.json
log "running the standard scenario; results in $output"
set +e
# The administrator's passwords, generated by eng/infra.sh in the state folder on its first start.
rabbitmq_password=$(sed -n 's/^RABBITMQ_PASSWORD=//p' "$state_dir/credentials.env")
postgres_password=$(sed -n 's/^POSTGRES_PASSWORD=//p' "$state_dir/credentials.env")
nice -n 10 dotnet "$load_test" --scenario standard \
    --rabbitmq "amqp://ecommerce:$rabbitmq_password@localhost:$rabbitmq_port" \
    --rabbitmq-management "http://ecommerce:$rabbitmq_password@localhost:$management_port" \
    --postgres "Host=localhost;Port=$postgres_port;Username=ecommerce;Password=$postgres_password" \
    --output "$output" "$@" | tee "$results_dir/$stamp.txt"
status=${PIPESTATUS[0]}
set -e
((status == 0)) || log "the load test exited with status $status"
exit "$status"
