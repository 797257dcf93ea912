#!/usr/bin/env bash
# eng/test.sh: THE test command (the README's and CI's). Checks the code style, builds and runs
# every test of ECommerce.sln against a real RabbitMQ and PostgreSQL, then prints one summary line:
#
#   N passed, N failed, N skipped
#
# Usage: eng/test.sh [extra dotnet test arguments, e.g. --filter "FullyQualifiedName~Order"]
#
# Infrastructure:
#   - ECOMMERCE_TEST_RABBITMQ already set (a machine with Docker/Testcontainers settings, or
#     servers provided from outside): used as is, nothing is started.
#   - otherwise eng/infra.sh starts a private RabbitMQ and PostgreSQL (ports from RABBITMQ_PORT,
#     RABBITMQ_MANAGEMENT_PORT, POSTGRES_PORT; see that script), and stops them on exit, but only
#     when this script started them: infrastructure that was already running is left running.
#     Beside them, the same way, a three-node RabbitMQ cluster for the cluster tests (ports from
#     RABBITMQ_CLUSTER_PORT and RABBITMQ_CLUSTER_MANAGEMENT_PORT, default 5701-5703 and
#     15701-15703), started while the single node boots.
#
# Exit code: dotnet test's.
set -euo pipefail

repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
# Tests that simulate a broker outage call eng/infra.sh themselves, from another directory: a
# relative state directory must still name the same place.
if [[ -n ${ECOMMERCE_INFRA_DIR:-} && $ECOMMERCE_INFRA_DIR != /* ]]; then
    export ECOMMERCE_INFRA_DIR=$PWD/$ECOMMERCE_INFRA_DIR
fi
cd "$repo_root"

log() { printf 'test: %s\n' "$*" >&2; }

started_infra=false
started_cluster=false
# shellcheck disable=SC2317 # called by the EXIT trap, which shellcheck 0.9 does not follow
cleanup() {
    if [[ $started_cluster == true ]]; then
        log "stopping the RabbitMQ cluster this script started"
        eng/infra.sh cluster-stop || log "eng/infra.sh cluster-stop failed (see above); its nodes may still run"
    fi
    if [[ $started_infra == true ]]; then
        log "stopping the infrastructure this script started"
        eng/infra.sh stop || log "eng/infra.sh stop failed (see above); the servers may still run"
    fi
}
trap cleanup EXIT
# A Ctrl-C or a CI timeout (SIGTERM) must still stop the servers: exit, which runs the EXIT trap.
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -n ${ECOMMERCE_TEST_RABBITMQ:-} ]]; then
    log "ECOMMERCE_TEST_RABBITMQ is set: using the given endpoints, starting nothing"
else
    if eng/infra.sh status >/dev/null 2>&1; then
        log "the infrastructure is already running: using it and leaving it running"
    else
        # Even when only one of the two servers was down, it is this run that completes the set,
        # so this run stops it (the other one too) at the end.
        started_infra=true
    fi
    if ! eng/infra.sh cluster-status >/dev/null 2>&1; then
        started_cluster=true
    fi
    # Both start the broker with the state directory's passwords: made once, before either.
    eng/infra.sh credentials >/dev/null
    cluster_env_file=$(mktemp)
    eng/infra.sh cluster-start >"$cluster_env_file" &
    cluster_pid=$!
    # An assignment, not eval "$(...)": eval would hide the failure of the command substitution.
    infra_env=$(eng/infra.sh start)
    eval "$infra_env"
    wait "$cluster_pid" || { rm -f "$cluster_env_file"; log "the RabbitMQ cluster did not start (see above)"; exit 1; }
    # ECOMMERCE_TEST_RABBITMQ_CLUSTER_DIR tells the cluster tests to use it rather than start their own.
    eval "$(<"$cluster_env_file")"
    rm -f "$cluster_env_file"
fi

if [[ -f .config/dotnet-tools.json ]]; then
    dotnet tool restore
fi

# The code style of .editorconfig: the build enforces its rules (EnforceCodeStyleInBuild); the
# whitespace of every C# file is checked here, before anything runs (`dotnet format` fixes it).
format_status=0
dotnet format whitespace --folder --verify-no-changes || format_status=$?
if ((format_status != 0)); then
    log "code style: files differ from .editorconfig (above); run dotnet format whitespace --folder"
fi

# A new directory per run, so that the summary counts this run's TRX files only.
results=$repo_root/TestResults/run-$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$results"

status=0
dotnet test ECommerce.sln -c Release \
    --logger "console;verbosity=normal" \
    --logger trx --results-directory "$results" \
    "$@" || status=$?

# One <Counters .../> element per TRX file (one per test project). VSTest's TRX counts a skipped
# test in total but not in executed (its notExecuted stays 0); other writers use notExecuted.
# Errors, timeouts and aborted runs count as failures. RS="<" makes every XML element a record,
# whatever the line breaks; mawk/gawk/BSD awk alike.
summarize() {
    awk '
        function has(name) { return match($0, "[ \t\r\n]" name "=\"[0-9]+\"") }
        function attr(name,    s) {
            if (!has(name)) return 0
            s = substr($0, RSTART, RLENGTH)
            gsub(/[^0-9]/, "", s)
            return s + 0
        }
        BEGIN { RS = "<"; passed = 0; failed = 0; skipped = 0 }
        /^Counters[ \t\r\n\/]/ {
            passed += attr("passed")
            failed += attr("failed") + attr("error") + attr("timeout") + attr("aborted")
            if (has("executed") && attr("total") > attr("executed"))
                skipped += attr("total") - attr("executed")
            else
                skipped += attr("notExecuted")
        }
        END { printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped }
    ' "$@"
}

trx_files=()
while IFS= read -r -d '' file; do
    trx_files+=("$file")
done < <(find "$results" -name '*.trx' -type f -print0)

echo
if ((${#trx_files[@]} == 0)); then
    log "no TRX results in $results (did the build fail?)"
    echo "0 passed, 0 failed"
else
    log "results: $results (${#trx_files[@]} TRX files)"
    summarize "${trx_files[@]}"
fi
if ((status != 0)); then log "dotnet test exited with code $status"; fi
if ((status == 0 && format_status != 0)); then status=$format_status; fi
exit "$status"
