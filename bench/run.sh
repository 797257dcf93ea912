#!/usr/bin/env bash
# bench/run.sh: the standard load test on a private, freshly started system. Starts RabbitMQ,
# PostgreSQL and the five services in Release (eng/run-local.sh --detach), runs the standard
# scenario of bench/ECommerce.LoadTest, writes bench/results/<timestamp>.json (and the console
# table next to it as .txt), and stops everything again, also on Ctrl-C or an error.
#
# Usage: bench/run.sh [load test options]
#   Options are passed on to the load test after --scenario standard, e.g. a short try:
#   bench/run.sh --duration 10s --warmup 5s
#
# Settings (environment). The defaults keep the run away from the broker and database that
# eng/infra.sh runs on the default ports for development and tests: never load those.
#   ECOMMERCE_INFRA_DIR         state of the private infrastructure, default /tmp/bench-infra
#   RABBITMQ_PORT 5702, RABBITMQ_MANAGEMENT_PORT 15702, POSTGRES_PORT 5462
#   ORDER_SERVICE_PORT 3200, PAYMENT_SERVICE_PORT 3201, INVENTORY_SERVICE_PORT 3202,
#   SHIPPING_SERVICE_PORT 3203, NOTIFICATION_SERVICE_PORT 3204
#   ASPNETCORE_ENVIRONMENT      default Production
#   BENCH_FRESH                 1 (default): delete the state directory before starting, so every
#                               run starts on empty databases and queues; 0: keep it
#   BENCH_RESULTS_DIR           default bench/results
set -euo pipefail

repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
run_local=$repo_root/eng/run-local.sh
infra=$repo_root/eng/infra.sh
project=$repo_root/bench/ECommerce.LoadTest/ECommerce.LoadTest.csproj

export ECOMMERCE_INFRA_DIR=${ECOMMERCE_INFRA_DIR:-/tmp/bench-infra}
export RABBITMQ_PORT=${RABBITMQ_PORT:-5702}
export RABBITMQ_MANAGEMENT_PORT=${RABBITMQ_MANAGEMENT_PORT:-15702}
export POSTGRES_PORT=${POSTGRES_PORT:-5462}
export ORDER_SERVICE_PORT=${ORDER_SERVICE_PORT:-3200}
export PAYMENT_SERVICE_PORT=${PAYMENT_SERVICE_PORT:-3201}
export INVENTORY_SERVICE_PORT=${INVENTORY_SERVICE_PORT:-3202}
export SHIPPING_SERVICE_PORT=${SHIPPING_SERVICE_PORT:-3203}
export NOTIFICATION_SERVICE_PORT=${NOTIFICATION_SERVICE_PORT:-3204}
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Production}
# The services are measured in Release (eng/run-local.sh's default, made explicit here).
export ECOMMERCE_CONFIGURATION=Release
fresh=${BENCH_FRESH:-1}
results_dir=${BENCH_RESULTS_DIR:-$repo_root/bench/results}

log() { printf 'bench: %s\n' "$*" >&2; }
die() {
    printf 'bench: error: %s\n' "$*" >&2
    exit 1
}

[[ -x $run_local ]] || die "$run_local is missing: the launcher is needed to start the system"
command -v dotnet >/dev/null 2>&1 || die "dotnet is not installed"

# A run already going on the same state directory would be measured together with this one.
if "$infra" status >/dev/null 2>&1; then
    die "RabbitMQ/PostgreSQL already run from $ECOMMERCE_INFRA_DIR; stop them" \
        "(ECOMMERCE_INFRA_DIR=$ECOMMERCE_INFRA_DIR eng/run-local.sh stop) or choose another ECOMMERCE_INFRA_DIR"
fi

# Fresh databases and queues: a run's figures must not depend on what earlier runs left. Only a
# directory that eng/infra.sh made (it holds ports.env) and in which nothing runs is deleted.
if [[ $fresh == 1 && -d $ECOMMERCE_INFRA_DIR ]]; then
    state_dir=$(cd -- "$ECOMMERCE_INFRA_DIR" && pwd -P)
    if [[ $state_dir != / && -f $state_dir/ports.env ]]; then
        log "deleting the previous state in $state_dir (BENCH_FRESH=0 keeps it)"
        rm -rf -- "$state_dir"
    elif [[ -n $(ls -A -- "$state_dir") ]]; then
        die "$state_dir is not empty and was not made by eng/infra.sh; refusing to delete it" \
            "(choose another ECOMMERCE_INFRA_DIR, or BENCH_FRESH=0)"
    fi
fi

# The load test is built before anything runs, so the build does not disturb the measurement.
log "building the load test (Release)"
dotnet build "$project" -c Release --nologo -v quiet >&2 || die "the load test does not build (errors above)"
load_test=$repo_root/bench/ECommerce.LoadTest/bin/Release/net10.0/ECommerce.LoadTest.dll

stopping=false
# shellcheck disable=SC2317 # reached through the traps
stop_everything() {
    [[ $stopping == false ]] || return 0
    stopping=true
    trap '' INT TERM HUP # a second Ctrl-C must not cut the shutdown short
    log "stopping the system"
    "$run_local" stop || log "eng/run-local.sh stop failed; check with: ECOMMERCE_INFRA_DIR=$ECOMMERCE_INFRA_DIR $infra status"
}
trap stop_everything EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

log "starting the system (eng/run-local.sh --detach, $ECOMMERCE_CONFIGURATION, state in $ECOMMERCE_INFRA_DIR)"
"$run_local" --detach >&2

# The broker's address and management API, as eng/infra.sh exports them for this state directory.
ConnectionStrings__messaging='' ECOMMERCE_TEST_RABBITMQ_MANAGEMENT=''
infra_env=$("$infra" env)
eval "$infra_env"
[[ -n $ConnectionStrings__messaging && -n $ECOMMERCE_TEST_RABBITMQ_MANAGEMENT ]] ||
    die "eng/infra.sh env did not provide ConnectionStrings__messaging and ECOMMERCE_TEST_RABBITMQ_MANAGEMENT"

mkdir -p "$results_dir"
stamp=$(date -u '+%Y%m%dT%H%M%SZ')
output=$results_dir/$stamp.json
log "running the standard scenario; results in $output"
set +e
dotnet "$load_test" --scenario standard \
    --base-url "http://localhost:$ORDER_SERVICE_PORT" \
    --rabbitmq "$ConnectionStrings__messaging" \
    --rabbitmq-management "$ECOMMERCE_TEST_RABBITMQ_MANAGEMENT" \
    --output "$output" "$@" | tee "$results_dir/$stamp.txt"
status=${PIPESTATUS[0]}
set -e
((status == 0)) || log "the load test exited with status $status"
exit "$status"
