#!/usr/bin/env bash
# eng/run-local.sh: runs the whole system without Docker and without Aspire: a private RabbitMQ
# and PostgreSQL (eng/infra.sh) and the five services as local processes, configured exactly as
# the Aspire AppHost (ECommerce.AppHost/AppHost.cs) configures them.
#
# Usage: eng/run-local.sh [--no-build] [--detach]
#        eng/run-local.sh stop
#
#   (no command)  build, start, wait until every service is healthy, print the URLs, then stay in
#                 the foreground; Ctrl-C (or SIGTERM) stops the services, then the infrastructure
#                 if this run started it
#   --no-build    use the existing build output (eng/run-local.sh builds it otherwise)
#   --detach      start, print the URLs and exit, leaving everything running
#   stop          stop what a detached (or another terminal's) run-local started
#
# Settings (environment):
#   ORDER_SERVICE_PORT 3000, PAYMENT_SERVICE_PORT 3001, INVENTORY_SERVICE_PORT 3002,
#   SHIPPING_SERVICE_PORT 3003, NOTIFICATION_SERVICE_PORT 3004   the services' HTTP ports
#   DeadLetters__ApiKey       the shipping service's dead-letter API key, default local-dev-key
#   OTEL_EXPORTER_OTLP_*      passed through to every service (e.g. OTEL_EXPORTER_OTLP_ENDPOINT
#                             of a collector or a standalone Aspire dashboard)
#   ASPNETCORE_ENVIRONMENT    default Development, as in the services' launch profiles
#   ECOMMERCE_CONFIGURATION   build configuration, default Release
#   ECOMMERCE_START_TIMEOUT   seconds to wait for every service to be healthy, default 120
#   ECOMMERCE_STOP_TIMEOUT    seconds a service gets to shut down before it is killed, default 30
#   ECOMMERCE_INFRA_DIR, RABBITMQ_PORT, RABBITMQ_MANAGEMENT_PORT, POSTGRES_PORT
#                             see eng/infra.sh; logs and pids go under the same state directory
#                             (<repo>/.infra by default): logs/<service>.log, run-local/
#
# Progress and errors go to stderr; the summary (URLs, the sample request) to stdout.
set -euo pipefail

repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
infra=$repo_root/eng/infra.sh
# The state directory is eng/infra.sh's: one place for a checkout's servers, logs and pids. It is
# made absolute here and exported, so infra.sh and this script agree whatever the directory.
state_dir=${ECOMMERCE_INFRA_DIR:-$repo_root/.infra}
case $state_dir in
    /*) ;;
    *) state_dir=$PWD/$state_dir ;;
esac
state_dir=${state_dir%/}
export ECOMMERCE_INFRA_DIR=$state_dir
log_dir=$state_dir/logs
run_dir=$state_dir/run-local
pid_file=$run_dir/pids               # "launcher <pid>" (foreground runs), then "<service> <pid>"
infra_marker=$run_dir/infra-started  # present when run-local started the infrastructure

configuration=${ECOMMERCE_CONFIGURATION:-Release}
start_timeout=${ECOMMERCE_START_TIMEOUT:-120}
stop_timeout=${ECOMMERCE_STOP_TIMEOUT:-30}

# The services: Aspire resource name, project, port variable, default port, database. The names
# and databases are those of the AppHost (shared/DESIGN.md section 2). Parallel arrays, not an
# associative one, so that the bash 3.2 of macOS runs this too.
names=(order-service payment-service inventory-service shipping-service notification-service)
projects=(ECommerce.OrderService ECommerce.PaymentService ECommerce.InventoryService
    ECommerce.ShippingService ECommerce.NotificationService)
port_vars=(ORDER_SERVICE_PORT PAYMENT_SERVICE_PORT INVENTORY_SERVICE_PORT SHIPPING_SERVICE_PORT
    NOTIFICATION_SERVICE_PORT)
default_ports=(3000 3001 3002 3003 3004)
databases=(ordersdb paymentsdb inventorydb shippingdb notificationsdb)

log() { printf 'run-local: %s\n' "$*" >&2; }
die() {
    printf 'run-local: error: %s\n' "$*" >&2
    exit 1
}

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
    exit 2
}

check_number() { # $1: name, $2: value
    [[ $2 =~ ^[0-9]+$ ]] || die "$1=$2 is not a number"
}

ports=()
for i in "${!names[@]}"; do
    var=${port_vars[$i]}
    ports[i]=${!var:-${default_ports[$i]}}
    check_number "$var" "${ports[$i]}"
    ((10#${ports[$i]} >= 1 && 10#${ports[$i]} <= 65535)) || die "$var=${ports[$i]} is not a port number"
done
check_number ECOMMERCE_START_TIMEOUT "$start_timeout"
check_number ECOMMERCE_STOP_TIMEOUT "$stop_timeout"

project_dll() { # $1: index; the service's build output
    printf '%s\n' "$repo_root/src/${projects[$1]}/bin/$configuration/net10.0/${projects[$1]}.dll"
}

port_busy() { # $1: port; true when something listens on it (same test as eng/infra.sh)
    local out
    if command -v ss >/dev/null 2>&1 && out=$(ss -ltn "sport = :$1" 2>/dev/null); then
        [[ $out == *LISTEN* ]]
        return
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null || (exec 3<>"/dev/tcp/::1/$1") 2>/dev/null
}

# A pid in the pid file may have been reused by an unrelated process since (a reboot, a long
# pause): only a process whose command line still names the expected program is ours.
is_our_process() { # $1: pid, $2: text its command line must contain
    local args
    [[ $1 =~ ^[0-9]+$ ]] || return 1
    args=$(ps -p "$1" -o args= 2>/dev/null) || return 1
    [[ $args == *"$2"* ]]
}

# SIGTERM is the orderly shutdown of a .NET host (stop consumers, flush, close connections);
# SIGKILL only after the stop timeout.
terminate() { # pairs of "<pid> <command-line text>"
    local -a live=()
    local pid text deadline
    while (($# >= 2)); do
        pid=$1 text=$2
        shift 2
        if is_our_process "$pid" "$text"; then
            kill -TERM "$pid" 2>/dev/null || true
            live+=("$pid" "$text")
        fi
    done
    ((${#live[@]} > 0)) || return 0
    deadline=$((SECONDS + stop_timeout))
    set -- "${live[@]}"
    while (($# >= 2)); do
        pid=$1 text=$2
        while is_our_process "$pid" "$text"; do
            if ((SECONDS >= deadline)); then
                log "pid $pid still running after ${stop_timeout}s: killing it"
                kill -KILL "$pid" 2>/dev/null || true
                break
            fi
            sleep 0.2
        done
        shift 2
    done
}

# --- stop (another terminal's run, or a detached one) -------------------------------------------

cmd_stop() {
    if [[ ! -f $pid_file ]]; then
        log "no run-local processes recorded in $run_dir"
    else
        local name pid launcher=''
        local -a services=()
        while read -r name pid; do
            if [[ $name == launcher ]]; then
                launcher=$pid
            else
                services+=("$pid" "${name}")
            fi
        done <"$pid_file"
        if [[ -n $launcher ]] && is_our_process "$launcher" run-local.sh; then
            # A foreground run: it stops its services and its infrastructure itself, in order.
            log "stopping the run-local in the foreground (pid $launcher)"
            kill -TERM "$launcher"
            local deadline=$((SECONDS + stop_timeout + 90))
            while is_our_process "$launcher" run-local.sh; do
                ((SECONDS < deadline)) || die "pid $launcher is still stopping; see its terminal"
                sleep 0.5
            done
            return 0
        fi
        # Services are matched by their dll name (ECommerce.OrderService.dll), not "dotnet".
        local -a pairs=()
        local i
        for ((i = 0; i < ${#services[@]}; i += 2)); do
            for j in "${!names[@]}"; do
                if [[ ${names[$j]} == "${services[i + 1]}" ]]; then
                    pairs+=("${services[$i]}" "${projects[$j]}.dll")
                fi
            done
        done
        log "stopping the services"
        terminate ${pairs[@]+"${pairs[@]}"}
        rm -f "$pid_file"
    fi
    if [[ -f $infra_marker ]]; then
        log "stopping the infrastructure that run-local started"
        "$infra" stop
        rm -f "$infra_marker"
    else
        log "leaving the infrastructure alone (run-local did not start it)"
    fi
}

# --- start --------------------------------------------------------------------------------------

build=true
detach=false
case ${1:-} in
    stop)
        (($# == 1)) || usage
        cmd_stop
        exit 0
        ;;
    -h | --help | help) usage ;;
esac
for arg in "$@"; do
    case $arg in
        --no-build) build=false ;;
        --detach) detach=true ;;
        *)
            printf 'run-local: unknown argument "%s"\n' "$arg" >&2
            usage
            ;;
    esac
done

command -v dotnet >/dev/null 2>&1 || die "dotnet is not installed (the .NET 10 SDK: https://dot.net)"
command -v curl >/dev/null 2>&1 || die "curl is not installed (it polls the services' /health)"

# One run per state directory: a second would find its ports taken, and its pid file would
# overwrite the first one's.
if [[ -f $pid_file ]]; then
    while read -r name pid; do
        text=run-local.sh
        for j in "${!names[@]}"; do
            [[ ${names[$j]} != "$name" ]] || text=${projects[$j]}.dll
        done
        if is_our_process "$pid" "$text"; then
            die "run-local already runs from $state_dir ($name, pid $pid): stop it with" \
                "'eng/run-local.sh stop', or use another ECOMMERCE_INFRA_DIR and ports"
        fi
    done <"$pid_file"
    rm -f "$pid_file" # left by a run that was killed with SIGKILL
fi

for i in "${!names[@]}"; do
    if port_busy "${ports[$i]}"; then
        die "port ${ports[$i]} (${names[$i]}) is already in use; choose another with" \
            "${port_vars[$i]}=<port>"
    fi
done

# Build the five services (their projects build Contracts, Messaging and ServiceDefaults). Not the
# whole ECommerce.Ci.slnf: a test project that does not compile yet must not stop a local run.
if [[ $build == true ]]; then
    for i in "${!names[@]}"; do
        log "building ${projects[$i]} ($configuration)"
        dotnet build "$repo_root/src/${projects[$i]}/${projects[$i]}.csproj" -c "$configuration" \
            --nologo -v quiet >&2 || die "the build of ${projects[$i]} failed (errors above)"
    done
fi
for i in "${!names[@]}"; do
    [[ -f $(project_dll "$i") ]] || die "$(project_dll "$i") does not exist: run without --no-build"
done

# Everything below is undone by cleanup, on any exit of a foreground run: an error, Ctrl-C,
# SIGTERM, a closed terminal.
started_infra=false
service_pids=()
sleeper=''
cleaning=false
# shellcheck disable=SC2317 # called by the traps, which shellcheck 0.9 does not follow
cleanup() {
    [[ $cleaning == false ]] || return 0
    cleaning=true
    trap '' INT TERM HUP # a second Ctrl-C must not cut the orderly shutdown short
    if [[ -n $sleeper ]]; then kill "$sleeper" 2>/dev/null || true; fi
    local -a pairs=()
    local i
    for i in "${!service_pids[@]}"; do
        [[ -z ${service_pids[$i]} ]] || pairs+=("${service_pids[$i]}" "${projects[$i]}.dll")
    done
    if ((${#pairs[@]} > 0)); then
        log "stopping the services"
        terminate "${pairs[@]}"
    fi
    rm -f "$pid_file"
    if [[ $started_infra == true ]]; then
        log "stopping the infrastructure this run started"
        "$infra" stop || log "eng/infra.sh stop failed (see above); the servers may still run"
        rm -f "$infra_marker"
    fi
}
trap cleanup EXIT
# Exit, which runs the EXIT trap, with the conventional status of the signal.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

mkdir -p "$log_dir" "$run_dir"
if [[ $detach == false ]]; then
    # `eng/run-local.sh stop` from another terminal asks this process to stop, so the order of the
    # shutdown stays in one place.
    printf 'launcher %s\n' "$$" >"$pid_file"
else
    : >"$pid_file"
fi

# The infrastructure: used as it is when it already runs (and then left running at the end).
if "$infra" status >/dev/null 2>&1; then
    log "RabbitMQ and PostgreSQL already run from $state_dir: using them, leaving them running"
else
    started_infra=true
    : >"$infra_marker"
fi
# An assignment, not eval "$(...)": eval would hide the failure of the command substitution.
infra_env=$("$infra" start)
eval "$infra_env"
[[ -n ${ConnectionStrings__messaging:-} && -n ${ECOMMERCE_POSTGRES_SERVER:-} ]] ||
    die "eng/infra.sh env did not provide ConnectionStrings__messaging and ECOMMERCE_POSTGRES_SERVER"

# What the AppHost injects, so a service cannot tell the two launchers apart:
#   ConnectionStrings__messaging      WithReference(messaging): amqp://user:password@host:port
#   ConnectionStrings__<db>           WithReference(<db>): Host=..;Port=..;Username=..;Password=..;Database=..
#   services__<name>__http__0         service discovery, for every service
#   OTEL_SERVICE_NAME                 the resource name
#   DeadLetters__ApiKey               the shipping service's deadletter-api-key parameter
# OTEL_EXPORTER_OTLP_* set by the user reach the services as part of the inherited environment.
discovery=()
for i in "${!names[@]}"; do
    discovery+=("services__${names[$i]}__http__0=http://localhost:${ports[$i]}")
done
dead_letter_key=${DeadLetters__ApiKey:-local-dev-key}

started_at=$SECONDS
for i in "${!names[@]}"; do
    dll=$(project_dll "$i")
    service_log=$log_dir/${names[$i]}.log
    env_vars=(
        "ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}"
        "ConnectionStrings__messaging=$ConnectionStrings__messaging"
        "ConnectionStrings__${databases[$i]}=$ECOMMERCE_POSTGRES_SERVER;Database=${databases[$i]}"
        "${discovery[@]}"
        "OTEL_SERVICE_NAME=${names[$i]}"
        # Timestamps in the log files, as Aspire sets them. The formatter must be named: without
        # a FormatterName the console logger applies its legacy options over FormatterOptions.
        "Logging__Console__FormatterName=${Logging__Console__FormatterName:-simple}"
        "Logging__Console__FormatterOptions__TimestampFormat=${Logging__Console__FormatterOptions__TimestampFormat:-yyyy-MM-ddTHH:mm:ss.fff }"
    )
    if [[ ${names[$i]} == shipping-service ]]; then
        env_vars+=("DeadLetters__ApiKey=$dead_letter_key")
    fi
    printf '=== %s: %s started by eng/run-local.sh\n' "$(date '+%Y-%m-%dT%H:%M:%S')" "${names[$i]}" >"$service_log"
    # - The working directory is the build output: it is the content root, where appsettings.json is.
    # - Own session (setsid): a Ctrl-C in the terminal reaches this script only, which then stops
    #   the services in order; and a detached service survives the terminal. env, setsid and dotnet
    #   exec one another, so $! is the service's own pid.
    # - stdin from /dev/null, so a detached run does not hold the terminal.
    (
        cd "$(dirname -- "$dll")"
        session=()
        if command -v setsid >/dev/null 2>&1; then session=(setsid); fi
        exec env "${env_vars[@]}" ${session[@]+"${session[@]}"} dotnet "$dll" --urls "http://localhost:${ports[$i]}"
    ) </dev/null >>"$service_log" 2>&1 &
    service_pids[i]=$!
    # Tracked by pid, never waited for: out of the job table, so that bash does not print a job
    # report ("Aborted ...") when a service dies from a signal.
    disown "${service_pids[$i]}"
    printf '%s %s\n' "${names[$i]}" "${service_pids[$i]}" >>"$pid_file"
    log "started ${names[$i]} (pid ${service_pids[$i]}, port ${ports[$i]}, log $service_log)"
done

# Healthy means /health answers 200: the database and the broker checks pass (the AppHost's
# WithHttpHealthCheck("/health")). Polled with a deadline; a service that exits fails at once.
health_status() { # $1: port; prints the HTTP status of /health (000 when nothing answers)
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://localhost:$1/health" 2>/dev/null || true
}
deadline=$((SECONDS + start_timeout))
pending=("${!names[@]}")
while ((${#pending[@]} > 0)); do
    still=()
    for i in "${pending[@]}"; do
        if ! is_our_process "${service_pids[$i]}" "${projects[$i]}.dll"; then
            log "${names[$i]} exited during start-up; last lines of $log_dir/${names[$i]}.log:"
            tail -n 40 "$log_dir/${names[$i]}.log" >&2 || true
            die "${names[$i]} did not start"
        fi
        if [[ $(health_status "${ports[$i]}") == 200 ]]; then
            log "${names[$i]} is healthy"
        else
            still+=("$i")
        fi
    done
    pending=("${still[@]+"${still[@]}"}")
    ((${#pending[@]} > 0)) || break
    if ((SECONDS >= deadline)); then
        for i in "${pending[@]}"; do
            log "${names[$i]}: /health answers $(health_status "${ports[$i]}") after ${start_timeout}s;" \
                "last lines of $log_dir/${names[$i]}.log:"
            tail -n 40 "$log_dir/${names[$i]}.log" >&2 || true
        done
        die "not every service became healthy within ${start_timeout}s (ECOMMERCE_START_TIMEOUT)"
    fi
    sleep 1
done

# --- the summary --------------------------------------------------------------------------------

# http://user:password@localhost:15672 as eng/infra.sh exports it, split for people.
management=${ECOMMERCE_TEST_RABBITMQ_MANAGEMENT:-http://ecommerce:ecommerce@localhost:15672}
management_credentials=${management#http://}
management_credentials=${management_credentials%@*}
management_url=http://${management##*@}
order_url=http://localhost:${ports[0]}

printf '\nECommerce is running (healthy in %ss). Logs: %s/<service>.log\n\n' "$((SECONDS - started_at))" "$log_dir"
for i in "${!names[@]}"; do
    printf '  %-21s http://localhost:%-6s API docs: http://localhost:%s/scalar/v1\n' \
        "${names[$i]}" "${ports[$i]}" "${ports[$i]}"
done
printf '\n  RabbitMQ management    %s  (user %s, password %s)\n' \
    "$management_url" "${management_credentials%%:*}" "${management_credentials#*:}"
printf '  PostgreSQL             %s\n' "$ECOMMERCE_POSTGRES_SERVER"
printf '\nPlace an order, then follow it with GET %s/orders/{orderId}:\n\n' "$order_url"
printf '  curl -X POST %s/orders -H "Content-Type: application/json" -d %s\n\n' "$order_url" \
    "'{\"customerId\":\"CUST123\",\"customerEmail\":\"customer@example.com\",\"items\":[{\"productId\":\"PROD123\",\"quantity\":1,\"price\":29.99}],\"totalAmount\":29.99}'"

# The shipping service's final DLQ over HTTP (list, replay), with the key it was given.
shipping_port=${ports[3]}
# A key of the user's own is not echoed to the terminal: the command names the variable.
shown_key=local-dev-key
if [[ $dead_letter_key != local-dev-key ]]; then shown_key="<your DeadLetters__ApiKey>"; fi
printf 'Dead letters (the final DLQ of shipping):\n\n  curl -H "X-Api-Key: %s" http://localhost:%s/dead-letters\n\n' \
    "$shown_key" "$shipping_port"

if [[ $detach == true ]]; then
    printf 'Detached: stop everything with eng/run-local.sh stop\n'
    trap - EXIT INT TERM HUP # leave everything running
    exit 0
fi
printf 'Press Ctrl-C to stop everything.\n'

# Stay in the foreground until a signal. A short sleep in the background and `wait` keep the
# shell responsive to signals (bash runs a trap only between commands). A service that exits on
# its own is reported once; the others keep running, as under the AppHost.
reported=()
while true; do
    for i in "${!names[@]}"; do
        if [[ -z ${reported[$i]:-} ]] && ! is_our_process "${service_pids[$i]}" "${projects[$i]}.dll"; then
            reported[i]=1
            service_pids[i]=''
            log "${names[$i]} exited; last lines of $log_dir/${names[$i]}.log:"
            tail -n 20 "$log_dir/${names[$i]}.log" >&2 || true
        fi
    done
    sleep 2 &
    sleeper=$!
    wait "$sleeper" || true
    sleeper=''
done
