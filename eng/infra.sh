#!/usr/bin/env bash
# eng/infra.sh: a private RabbitMQ node and a private PostgreSQL cluster for development, tests
# and CI, without Docker.
#
# Usage: eng/infra.sh start | stop | status | env | rabbitmq-start | rabbitmq-stop
#                    | rabbitmq-run | postgres-run
#
#   start           start both (idempotent), then print the `export ...` lines of `env`
#   stop            stop both cleanly
#   status          say what runs; exit 0 when both run, 3 otherwise
#   env             print `export VAR=...` lines: eval "$(eng/infra.sh env)"
#   credentials     create the state directory's credentials if it has none yet, print the file's path
#   rabbitmq-start  start only the broker (tests use it to end a simulated outage)
#   rabbitmq-stop   stop only the broker (tests use it to simulate an outage)
#   rabbitmq-run    run the broker in the foreground, its log on stdout, until SIGTERM or SIGINT
#                   (an orderly shutdown); the AppHost's local mode runs it as a resource
#   postgres-run    run PostgreSQL in the foreground, its log on stderr; SIGTERM or SIGINT stops
#                   it with a fast shutdown (clients disconnected, a clean checkpoint)
#
# A three-node RabbitMQ cluster on loopback (beside the single node, in <state>/cluster; README,
# "Running on a RabbitMQ cluster"). The nodes share one Erlang cookie and the administrator's
# password; each has its own node name, ports and data; nodes 2 and 3 join node 1.
#   cluster-start            start the three nodes (idempotent), join them, print `cluster-env`
#   cluster-stop             stop the three nodes cleanly
#   cluster-status           say which nodes run; exit 0 when all three do, 3 otherwise
#   cluster-env              print `export ...` lines: the cluster's multi-node AMQP address
#                            (ECOMMERCE_TEST_RABBITMQ_CLUSTER), its management APIs
#                            (ECOMMERCE_TEST_RABBITMQ_CLUSTER_MANAGEMENT, one URL per node, comma
#                            separated) and its state directory (ECOMMERCE_TEST_RABBITMQ_CLUSTER_DIR)
#   cluster-node-start N     start node N (1, 2 or 3) again; it rejoins the cluster
#   cluster-node-stop N      stop node N cleanly
#   cluster-node-kill N      SIGKILL node N (a crash: nothing flushed, nothing said to the peers)
#   cluster-node-pause N     SIGSTOP node N (a hung machine: connections open, nothing answers)
#   cluster-node-resume N    SIGCONT node N
#   cluster-node-pid N       print the pid of node N's Erlang VM
#   cluster-node-run N       run node N in the foreground until SIGTERM or SIGINT, joining node 1
#                            once both are up (the AppHost's cluster mode runs the three nodes so)
#
# Settings (environment):
#   ECOMMERCE_INFRA_DIR       state (data, logs, config); default <repo>/.infra
#   RABBITMQ_PORT             AMQP port, default 5672; the Erlang distribution port is
#                             RABBITMQ_PORT+20000 and the CLI's is RABBITMQ_PORT+30000..+30010
#   RABBITMQ_MANAGEMENT_PORT  management HTTP API port, default 15672
#   POSTGRES_PORT             PostgreSQL port, default 5432
#   ECOMMERCE_INFRA_TIMEOUT   seconds to wait for a server to start or stop, default 60
#   RABBITMQ_CLUSTER_PORT     AMQP port of cluster node 1, default 5701; node N takes this + N - 1,
#                             its distribution port +20000 and its CLI's +30000..+30010
#   RABBITMQ_CLUSTER_MANAGEMENT_PORT  management port of cluster node 1, default 15701 (+ N - 1)
# A port given once is remembered in the state directory (ports.env), so later commands on the
# same directory (stop, rabbitmq-start from a test, env) use it without repeating it.
#
# Only the `export` lines go to stdout; progress and errors go to stderr, so
# `vars=$(eng/infra.sh start) && eval "$vars"` is safe.
#
# Both servers listen on loopback only. Their administrative user `ecommerce` (a broker
# administrator, PostgreSQL's bootstrap superuser) gets a random password per state directory,
# generated on the first start and kept in <state>/credentials.env (mode 0600); `env` prints it in
# the connection strings. The services never use it: the AppHost and the test fixtures create each
# service's own broker user and database role with it. Neither server is run as root: as root,
# RabbitMQ runs as the `rabbitmq` user (when it exists) and PostgreSQL as `postgres`, like the
# distribution's own services.
set -euo pipefail

# Directories we create must be traversable by the service users (rabbitmq, postgres).
umask 022

repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
state_dir=${ECOMMERCE_INFRA_DIR:-$repo_root/.infra}
# We cd around and hand paths to servers: make the state directory absolute.
case $state_dir in
    /*) ;;
    *) state_dir=$PWD/$state_dir ;;
esac
state_dir=${state_dir%/}
# Commands run as the service users inherit our working directory, and PostgreSQL's tools fail
# in one they cannot read (such as /root).
cd "$state_dir" 2>/dev/null || cd /
timeout_s=${ECOMMERCE_INFRA_TIMEOUT:-60}

rmq_dir=$state_dir/rabbitmq
rmq_home=$rmq_dir/home            # HOME of the broker and of rabbitmqctl: holds the Erlang cookie
rmq_pid_file=$rmq_dir/rabbitmq.pid
rmq_nodename_file=$rmq_dir/nodename
rmq_node_seed=$state_dir          # what the node name is derived from
cluster_node=''                   # the cluster node selected (cluster_select), none for the single node
# Peers take a node that stopped answering (hung, not crashed) for down after about this many
# seconds (Erlang's default is 60), and only then elect new leaders for its queues.
readonly cluster_erl_args='-kernel net_ticktime 10'
pg_dir=$state_dir/postgres
pg_data=$pg_dir/data
pg_log=$pg_dir/postgres.log
ports_file=$state_dir/ports.env
credentials_file=$state_dir/credentials.env

# The administrative user of both servers; its passwords are generated per state directory.
readonly app_user=ecommerce
rmq_password=''
pg_password=''

log() { printf 'infra: %s\n' "$*" >&2; }
die() {
    printf 'infra: error: %s\n' "$*" >&2
    exit 1
}

# --- credentials: generated once per state directory -------------------------------------------

random_password() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

credential() { # $1: key; prints its value from credentials.env
    sed -n "s/^$1=\([0-9a-f]*\)\$/\1/p" "$credentials_file" | tail -n 1
}

# Reads the passwords of this state directory, creating them on its first use. Servers whose data
# predates the file were created with the fixed password of older versions of this script, which
# this one no longer knows: they must be created again.
load_credentials() {
    if [[ ! -s $credentials_file ]]; then
        if [[ -f $pg_data/PG_VERSION || -d $rmq_dir/mnesia ]]; then
            die "$state_dir holds servers created without generated credentials (with the fixed" \
                "password of older versions): stop them and remove $pg_dir and $rmq_dir" \
                "(their data is lost), then start again"
        fi
        log "generating the credentials of $state_dir in $credentials_file"
        (
            umask 077
            printf '%s\n' "# Generated by eng/infra.sh: the passwords of the servers in this directory." \
                "ECOMMERCE_INFRA_USER=$app_user" \
                "RABBITMQ_PASSWORD=$(random_password)" \
                "POSTGRES_PASSWORD=$(random_password)" >"$credentials_file.tmp"
            mv -f "$credentials_file.tmp" "$credentials_file"
        )
    fi
    chmod 600 "$credentials_file"
    rmq_password=$(credential RABBITMQ_PASSWORD)
    pg_password=$(credential POSTGRES_PASSWORD)
    [[ -n $rmq_password && -n $pg_password ]] || die "$credentials_file is damaged; remove the state directory $state_dir"
}

# --- ports: environment, else remembered in the state directory, else the default -------------

recorded_port() { # $1: variable name, $2: file (default ports.env); prints the value remembered there, if any
    local file=${2:-$ports_file}
    [[ -f $file ]] || return 0
    sed -n "s/^$1=\([0-9][0-9]*\)\$/\1/p" "$file" | tail -n 1
}

RABBITMQ_PORT=${RABBITMQ_PORT:-$(recorded_port RABBITMQ_PORT)}
RABBITMQ_PORT=${RABBITMQ_PORT:-5672}
RABBITMQ_MANAGEMENT_PORT=${RABBITMQ_MANAGEMENT_PORT:-$(recorded_port RABBITMQ_MANAGEMENT_PORT)}
RABBITMQ_MANAGEMENT_PORT=${RABBITMQ_MANAGEMENT_PORT:-15672}
POSTGRES_PORT=${POSTGRES_PORT:-$(recorded_port POSTGRES_PORT)}
POSTGRES_PORT=${POSTGRES_PORT:-5432}

check_port_value() { # $1: name, $2: value, $3: highest allowed
    if ! [[ $2 =~ ^[0-9]+$ ]] || ((10#$2 < 1 || 10#$2 > $3)); then
        die "$1=$2 is not a port number between 1 and $3"
    fi
}
# RABBITMQ_PORT+30010 (the CLI's distribution ports) must still be a valid port.
check_port_value RABBITMQ_PORT "$RABBITMQ_PORT" 35525
check_port_value RABBITMQ_MANAGEMENT_PORT "$RABBITMQ_MANAGEMENT_PORT" 65535
check_port_value POSTGRES_PORT "$POSTGRES_PORT" 65535

cluster_dir=$state_dir/cluster
cluster_ports_file=$cluster_dir/ports.env
RABBITMQ_CLUSTER_PORT=${RABBITMQ_CLUSTER_PORT:-$(recorded_port RABBITMQ_CLUSTER_PORT "$cluster_ports_file")}
RABBITMQ_CLUSTER_PORT=${RABBITMQ_CLUSTER_PORT:-5701}
RABBITMQ_CLUSTER_MANAGEMENT_PORT=${RABBITMQ_CLUSTER_MANAGEMENT_PORT:-$(recorded_port RABBITMQ_CLUSTER_MANAGEMENT_PORT "$cluster_ports_file")}
RABBITMQ_CLUSTER_MANAGEMENT_PORT=${RABBITMQ_CLUSTER_MANAGEMENT_PORT:-15701}
# Node 3's CLI ports (cluster port + 2 + 30010) must still be valid ports.
check_port_value RABBITMQ_CLUSTER_PORT "$RABBITMQ_CLUSTER_PORT" 35523
check_port_value RABBITMQ_CLUSTER_MANAGEMENT_PORT "$RABBITMQ_CLUSTER_MANAGEMENT_PORT" 65533
[[ $timeout_s =~ ^[0-9]+$ ]] || die "ECOMMERCE_INFRA_TIMEOUT=$timeout_s is not a number of seconds"

# A second node on the host (the system's `rabbit` node, another checkout) must not share our
# Erlang distribution port, so it follows the AMQP port, as RabbitMQ's own default does.
rmq_dist_port=$((RABBITMQ_PORT + 20000))
rmq_ctl_dist_min=$((RABBITMQ_PORT + 30000))

record_ports() {
    if [[ -n $cluster_node ]]; then
        printf '%s\n' "# Ports of the cluster in this directory, written by eng/infra.sh." \
            "RABBITMQ_CLUSTER_PORT=$RABBITMQ_CLUSTER_PORT" \
            "RABBITMQ_CLUSTER_MANAGEMENT_PORT=$RABBITMQ_CLUSTER_MANAGEMENT_PORT" >"$cluster_ports_file"
        return 0
    fi
    printf '%s\n' "# Ports of the servers in this directory, written by eng/infra.sh start." \
        "RABBITMQ_PORT=$RABBITMQ_PORT" \
        "RABBITMQ_MANAGEMENT_PORT=$RABBITMQ_MANAGEMENT_PORT" \
        "POSTGRES_PORT=$POSTGRES_PORT" >"$ports_file"
}

port_busy() { # $1: port; true when something listens on it (any address)
    local out
    if command -v ss >/dev/null 2>&1 && out=$(ss -ltn "sport = :$1" 2>/dev/null); then
        [[ $out == *LISTEN* ]]
        return
    fi
    # No ss (macOS, minimal images): try to connect on both loopback addresses.
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null || (exec 3<>"/dev/tcp/::1/$1") 2>/dev/null
}

require_free_port() { # $1: port, $2: what it is for, $3: the variable to change
    if port_busy "$1"; then
        die "port $1 ($2) is already in use by another process (not this infrastructure in" \
            "$state_dir). Choose another port with $3=<port>, e.g. $3=$((${!3} + 10)) eng/infra.sh start"
    fi
}

# --- users: servers never run as root -----------------------------------------------------------

current_user=$(id -un)
if [[ $(id -u) -eq 0 ]]; then
    is_root=true
    pg_user=postgres
    # The Debian/Ubuntu/RPM packages create `rabbitmq`; a tarball install as root may not.
    if id -u rabbitmq >/dev/null 2>&1; then rmq_user=rabbitmq; else rmq_user=root; fi
else
    is_root=false
    pg_user=$current_user
    rmq_user=$current_user
fi

# Run a command as a service user. fd 9 (our lock) is closed so that no long-lived process (a
# server, an epmd that a CLI call happens to start) keeps the lock after we exit.
as_user() { # $1: user, then the command
    local user=$1
    shift
    if [[ $user == "$current_user" ]]; then
        "$@" 9>&-
    else
        runuser -u "$user" -- "$@" 9>&-
    fi
}

# Files we write as root into a directory owned by a service user must belong to that user.
give_to() { # $1: user, then paths
    local user=$1
    shift
    if [[ $is_root == true && $user != root ]]; then chown -R "$user:" "$@"; fi
}

# --- installation -------------------------------------------------------------------------------

install_package() { # $1: Debian package, $2: hint for other systems
    if [[ $is_root == true ]] && command -v apt-get >/dev/null 2>&1; then
        log "$1 is not installed: installing it with apt-get (this is Debian/Ubuntu and we are root)"
        # apt writes to stdout, which is reserved for the export lines.
        DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >&2
        # apt may start the distribution's own service: it is left alone, we use our own ports.
    else
        die "$1 is not installed. Install it and run again: Debian/Ubuntu: sudo apt-get install $1; $2"
    fi
}

find_rabbitmq_bin() { # prints the directory of the real rabbitmq-server and rabbitmqctl
    local dir
    # Debian/Ubuntu's /usr/sbin/rabbitmq* are wrappers that switch to the rabbitmq user, cd to
    # /var/lib/rabbitmq and redirect to /var/log/rabbitmq: use the scripts behind them.
    for dir in /usr/lib/rabbitmq/bin /usr/local/sbin /usr/sbin /opt/homebrew/sbin; do
        if [[ -x $dir/rabbitmq-server && -x $dir/rabbitmqctl ]]; then
            printf '%s\n' "$dir"
            return 0
        fi
    done
    dir=$(command -v rabbitmq-server 2>/dev/null) || return 1
    dirname -- "$dir"
}

ensure_rabbitmq_installed() {
    rmq_bin=$(find_rabbitmq_bin) || {
        install_package rabbitmq-server \
            "Fedora/RHEL: https://www.rabbitmq.com/docs/install-rpm; macOS: brew install rabbitmq"
        rmq_bin=$(find_rabbitmq_bin) || die "rabbitmq-server is still not found after installing it"
    }
}

find_pg_bindir() { # prints the newest PostgreSQL bin directory
    local newest
    newest=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
    if [[ -x $newest ]]; then
        dirname -- "$newest"
        return 0
    fi
    if command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]; then
        pg_config --bindir
        return 0
    fi
    newest=$(command -v initdb 2>/dev/null) || return 1
    dirname -- "$newest"
}

ensure_postgres_installed() {
    pg_bin=$(find_pg_bindir) || {
        install_package postgresql "Fedora/RHEL: sudo dnf install postgresql-server; macOS: brew install postgresql@17"
        pg_bin=$(find_pg_bindir) || die "PostgreSQL's initdb is still not found after installing postgresql"
    }
    # A cluster must be run by the major version that created it.
    if [[ -f $pg_data/PG_VERSION ]]; then
        local data_version bin_version
        data_version=$(<"$pg_data/PG_VERSION")
        bin_version=$("$pg_bin/initdb" --version | sed -n 's/.* \([0-9][0-9]*\)[.0-9]*.*/\1/p')
        if [[ $data_version != "$bin_version" ]]; then
            if [[ -x /usr/lib/postgresql/$data_version/bin/pg_ctl ]]; then
                pg_bin=/usr/lib/postgresql/$data_version/bin
            else
                die "$pg_data was created by PostgreSQL $data_version, but only $bin_version is installed;" \
                    "remove $pg_dir (its data is lost) to create a new cluster"
            fi
        fi
    fi
    if [[ $is_root == true ]] && ! id -u "$pg_user" >/dev/null 2>&1; then
        die "PostgreSQL refuses to run as root and there is no '$pg_user' user to run it; create one" \
            "(useradd --system postgres) or run this script as a normal user"
    fi
}

# --- state directory and lock -------------------------------------------------------------------

prepare_state_dir() {
    mkdir -p "$state_dir"
    # Service users must reach their directories through ours and its parents (e.g. not /root).
    local user
    for user in "$rmq_user" "$pg_user"; do
        if [[ $user != "$current_user" ]] && ! runuser -u "$user" -- test -x "$state_dir"; then
            die "user $user cannot enter $state_dir (a parent directory is private);" \
                "set ECOMMERCE_INFRA_DIR (the AppHost: Infrastructure:StateDirectory) to a directory that others" \
                "may traverse, e.g. /var/tmp/ecommerce-infra"
        fi
    done
    cd "$state_dir"
}

# Two concurrent `start`s (two terminals, two test runs) would race on ports and initdb.
# The cluster has a lock of its own, so that it may start beside the single node.
acquire_lock() { # $1: lock file, default the state directory's
    command -v flock >/dev/null 2>&1 || return 0
    exec 9>"${1:-$state_dir/.lock}"
    flock -w $((timeout_s * 2 + 30)) 9 || die "another eng/infra.sh is still busy with $state_dir"
}

# --- RabbitMQ -----------------------------------------------------------------------------------

rmq_node() {
    # Erlang node names are unique per host (epmd), and several state directories may run nodes
    # at once (the AppHost's, the test suite's, a load test's, another checkout's): the name is
    # derived from the state directory. It is fixed when the node's data is created, because the
    # data belongs to that name.
    if [[ -s $rmq_nodename_file ]]; then
        cat -- "$rmq_nodename_file"
    else
        local checksum
        checksum=$(printf '%s' "$rmq_node_seed" | cksum)
        printf '%s\n' "ecommerce-${checksum%% *}@localhost"
    fi
}

rmq_set_env() {
    rmq_node_name=$(rmq_node)
    # Everything the node and the CLI read is under the state directory, so the system's
    # /etc/rabbitmq and /var/lib/rabbitmq are neither read nor written.
    rmq_env=(
        "HOME=$rmq_home"
        "RABBITMQ_NODENAME=$rmq_node_name"
        "RABBITMQ_NODE_PORT=$RABBITMQ_PORT"
        "RABBITMQ_DIST_PORT=$rmq_dist_port"
        # The distribution port (what rabbitmqctl talks to) listens on loopback only, too.
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}${cluster_node:+ $cluster_erl_args}"
        "RABBITMQ_CTL_DIST_PORT_MIN=$rmq_ctl_dist_min"
        "RABBITMQ_CTL_DIST_PORT_MAX=$((rmq_ctl_dist_min + 10))"
        "RABBITMQ_CONF_ENV_FILE=$rmq_dir/rabbitmq-env.conf"
        "RABBITMQ_CONFIG_FILE=$rmq_dir/rabbitmq.conf"
        "RABBITMQ_CONFIG_FILES=$rmq_dir/conf.d"
        "RABBITMQ_ADVANCED_CONFIG_FILE=$rmq_dir/advanced.config"
        "RABBITMQ_ENABLED_PLUGINS_FILE=$rmq_dir/enabled_plugins"
        "RABBITMQ_MNESIA_BASE=$rmq_dir/mnesia"
        "RABBITMQ_LOG_BASE=$rmq_dir/log"
        "RABBITMQ_PID_FILE=$rmq_pid_file"
        "RABBITMQ_MOTD_FILE=$rmq_dir/motd"
    )
}

rmqctl() { # rabbitmqctl against our node, as the broker's user, with the broker's cookie
    as_user "$rmq_user" env "${rmq_env[@]}" "$rmq_bin/rabbitmqctl" -n "$rmq_node_name" "$@"
}

rmq_pid() { # prints the pid of our running broker; fails when it does not run
    local pid
    [[ -r $rmq_pid_file ]] || return 1
    pid=$(tr -dc '0-9' <"$rmq_pid_file")
    [[ -n $pid ]] && is_erlang_vm "$pid" || return 1
    printf '%s\n' "$pid"
}

is_erlang_vm() { # $1: pid. The pid file survives a crash (kill -9): is the pid still a VM?
    local comm
    comm=$(ps -p "$1" -o comm= 2>/dev/null) || return 1
    [[ $comm == *beam* ]]
}

rmq_write_config() { # $1: where the node logs besides its file: console (foreground runs) or none
    local console=false
    [[ ${1:-none} == console ]] && console=true
    mkdir -p "$rmq_home" "$rmq_dir/log" "$rmq_dir/mnesia" "$rmq_dir/conf.d"
    [[ -s $rmq_nodename_file ]] || printf '%s\n' "$rmq_node_name" >"$rmq_nodename_file"

    # The Erlang cookie authenticates rabbitmqctl to the node. Both run with HOME=$rmq_home, so
    # they read this file, never the system's /var/lib/rabbitmq/.erlang.cookie or root's.
    if [[ ! -s $rmq_home/.erlang.cookie ]]; then
        od -An -N20 -tx1 /dev/urandom | tr -d ' \n' | tr 'a-f' 'A-F' >"$rmq_home/.erlang.cookie"
    fi
    chmod 400 "$rmq_home/.erlang.cookie" # Erlang refuses a cookie others can read

    # Empty: keeps the system's /etc/rabbitmq/rabbitmq-env.conf from overriding our variables.
    : >"$rmq_dir/rabbitmq-env.conf"
    # The management plugin (HTTP API used by tests and people) is enabled by this file, read at
    # boot: no rabbitmq-plugins call, nothing written to /etc/rabbitmq/enabled_plugins.
    printf '%s\n' '[rabbitmq_management].' >"$rmq_dir/enabled_plugins"

    # Regenerated on every start so that changed ports take effect.
    local ipv6_listener=''
    if [[ -r /proc/net/if_inet6 ]] && grep -q ' lo$' /proc/net/if_inet6; then
        # Clients connect to "localhost", which resolves to ::1 first on most systems.
        ipv6_listener="listeners.tcp.2 = ::1:$RABBITMQ_PORT"
    fi
    cat >"$rmq_dir/rabbitmq.conf" <<EOF
# Generated by eng/infra.sh on every start: edit the script, not this file.
listeners.tcp.1 = 127.0.0.1:$RABBITMQ_PORT
$ipv6_listener
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBITMQ_MANAGEMENT_PORT
# Queue counters in the HTTP API refresh every second (default 5 s), for tests that poll them.
collect_statistics_interval = 1000
# Created when the node's data is created, instead of guest (which works only from localhost).
default_user = $app_user
default_pass = $rmq_password
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
log.console = $console
${cluster_node:+# Once the nodes see each other again after a partition (a node hung, then resumed: each
# side took the other for down), the side with fewer nodes restarts and takes the state of the other.
# pause_minority would not heal this: every node sees a majority again, so none pauses.
cluster_partition_handling = autoheal
# New quorum queues get their leaders spread over the nodes, not all on the node their
# declaring client happened to connect to.
queue_leader_locator = balanced}
log.console.level = info
log.file.level = info
EOF
    # It holds the administrator's password.
    chmod 600 "$rmq_dir/rabbitmq.conf"
    # A cluster node's home (the shared cookie) is beside its directory, not in it.
    give_to "$rmq_user" "$rmq_dir" "$rmq_home"
}

rabbitmq_launch() { # starts the node in the background; rabbitmq_wait_ready waits for it
    local pid
    rmq_launcher_pid=''
    if pid=$(rmq_pid); then
        check_running_port RABBITMQ_PORT rabbitmq
        log "rabbitmq: already running (node $rmq_node_name, pid $pid)"
        return 0
    fi
    require_free_port "$RABBITMQ_PORT" "RabbitMQ AMQP" RABBITMQ_PORT
    require_free_port "$RABBITMQ_MANAGEMENT_PORT" "RabbitMQ management" RABBITMQ_MANAGEMENT_PORT
    require_free_port "$rmq_dist_port" "RabbitMQ Erlang distribution, RABBITMQ_PORT+20000" RABBITMQ_PORT
    rmq_write_config
    record_ports

    log "rabbitmq: starting node $rmq_node_name as user $rmq_user (amqp $RABBITMQ_PORT," \
        "management $RABBITMQ_MANAGEMENT_PORT, logs in $rmq_dir/log)"
    local -a cmd=()
    # Own session: a Ctrl-C or the CI's kill of the calling process group must not hit the
    # broker; it is stopped with rabbitmqctl by `stop` instead.
    if command -v setsid >/dev/null 2>&1; then cmd+=(setsid); else cmd+=(nohup); fi
    if [[ $rmq_user != "$current_user" ]]; then cmd+=(runuser -u "$rmq_user" --); fi
    cmd+=(env "${rmq_env[@]}" "$rmq_bin/rabbitmq-server")
    # stdin/stdout/stderr detached too, or `$(eng/infra.sh start)` would wait for the broker.
    "${cmd[@]}" </dev/null >>"$rmq_dir/log/console.log" 2>&1 9>&- &
    rmq_launcher_pid=$!
    rmq_start_seconds=$SECONDS
}

rmq_fail() { # $1: reason
    log "rabbitmq: $1; last lines of its logs:"
    tail -n 30 "$rmq_dir/log/console.log" "$rmq_dir/log/$rmq_node_name.log" >&2 2>/dev/null || true
    die "RabbitMQ did not start ($1); see $rmq_dir/log"
}

rabbitmq_wait_ready() {
    [[ -n $rmq_launcher_pid ]] || return 0 # it was already running
    local deadline=$((rmq_start_seconds + timeout_s))
    # 1. The node boots (the Erlang VM, then the rabbit application and its plugins).
    until rmqctl -q await_startup --timeout 5 >/dev/null 2>&1; do
        kill -0 "$rmq_launcher_pid" 2>/dev/null || rmq_fail "the server process exited"
        ((SECONDS < deadline)) || rmq_fail "not started after ${timeout_s}s"
        sleep 1
    done
    # 2. Our user exists. default_user creates it with a new node; a node whose data was created
    #    otherwise (by an older version of this script, say) gets it here.
    local users
    users=$(rmqctl -q list_users 2>/dev/null) || rmq_fail "rabbitmqctl list_users failed"
    if ! grep -q "^${app_user}[[:space:]]" <<<"$users"; then
        log "rabbitmq: creating user $app_user"
        rmqctl -q add_user "$app_user" "$rmq_password" >/dev/null
        rmqctl -q set_user_tags "$app_user" administrator >/dev/null
        rmqctl -q set_permissions -p / "$app_user" '.*' '.*' '.*' >/dev/null
    fi
    # 3. The management HTTP API answers (it starts with the plugin, a little after the node).
    until management_answers; do
        kill -0 "$rmq_launcher_pid" 2>/dev/null || rmq_fail "the server process exited"
        ((SECONDS < deadline)) || rmq_fail "management API not answering after ${timeout_s}s"
        sleep 1
    done
    log "rabbitmq: ready in $((SECONDS - rmq_start_seconds))s"
}

management_answers() {
    if command -v curl >/dev/null 2>&1; then
        curl -fsS -o /dev/null --max-time 5 -u "$app_user:$rmq_password" \
            "http://127.0.0.1:$RABBITMQ_MANAGEMENT_PORT/api/overview" 2>/dev/null
    else
        port_busy "$RABBITMQ_MANAGEMENT_PORT"
    fi
}

rabbitmq_stop() {
    local pid
    if ! pid=$(rmq_pid); then
        log "rabbitmq: not running"
        return 0
    fi
    log "rabbitmq: stopping node $rmq_node_name (pid $pid)"
    local started=$SECONDS deadline=$((SECONDS + timeout_s))
    # `stop <pid_file>` returns once the VM has exited, after closing connections and queues.
    if ! rmqctl -q stop "$rmq_pid_file" >/dev/null 2>&1; then
        log "rabbitmq: rabbitmqctl stop failed; sending SIGTERM to pid $pid (an orderly shutdown too)"
        kill -TERM "$pid" 2>/dev/null || true
    fi
    # The node deletes its pid file early in the shutdown: wait for the process itself, which
    # holds the ports until it exits.
    while is_erlang_vm "$pid"; do
        if ((SECONDS >= deadline)); then
            log "rabbitmq: still running after ${timeout_s}s; killing pid $pid"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 1
    done
    log "rabbitmq: stopped in $((SECONDS - started))s"
}

# --- PostgreSQL ---------------------------------------------------------------------------------

pg_ctl_as() { as_user "$pg_user" "$pg_bin/pg_ctl" -D "$pg_data" "$@"; }

pg_running() {
    [[ -f $pg_data/PG_VERSION ]] && pg_ctl_as status >/dev/null 2>&1
}

pg_pid() { head -n 1 "$pg_data/postmaster.pid" 2>/dev/null || true; }

pg_socket_dir() {
    # A Unix socket path is limited to 107 bytes; a deep state directory falls back to /tmp.
    local dir=$pg_dir/run
    if ((${#dir} + ${#POSTGRES_PORT} + 10 > 100)); then dir=/tmp; fi
    printf '%s\n' "$dir"
}

pg_init() {
    mkdir -p "$pg_dir"
    give_to "$pg_user" "$pg_dir"
    [[ -f $pg_data/PG_VERSION ]] && return 0
    log "postgres: creating a cluster in $pg_data with $pg_bin/initdb"
    local pwfile=$pg_dir/.initdb-password
    (umask 077 && printf '%s\n' "$pg_password" >"$pwfile")
    give_to "$pg_user" "$pwfile"
    # The bootstrap superuser is `ecommerce` itself (it creates the services' roles and databases). Password
    # authentication for every connection, socket included: the OS user (postgres) is not the
    # role. No locale: byte order collation, the same on every machine.
    if ! as_user "$pg_user" "$pg_bin/initdb" -D "$pg_data" -U "$app_user" --pwfile="$pwfile" \
        --auth=scram-sha-256 --encoding=UTF8 --no-locale >"$pg_dir/initdb.log" 2>&1; then
        rm -f "$pwfile"
        cat "$pg_dir/initdb.log" >&2
        die "initdb failed (output above, also in $pg_dir/initdb.log)"
    fi
    rm -f "$pwfile"
    printf '\n%s\n%s\n' "# Added by eng/infra.sh: its settings, regenerated on every start." \
        "include_if_exists = 'ecommerce.conf'" >>"$pg_data/postgresql.conf"
}

pg_write_config() {
    local sock listen=127.0.0.1
    sock=$(pg_socket_dir)
    mkdir -p "$sock"
    give_to "$pg_user" "$pg_dir"
    if [[ -r /proc/net/if_inet6 ]] && grep -q ' lo$' /proc/net/if_inet6; then
        # "localhost" resolves to ::1 first on most systems; a failed bind is only a warning.
        listen=127.0.0.1,::1
    fi
    # pg_stat_statements counts the statements of each database (the load test reports them per
    # order); loaded only where the server has the module.
    local preload=''
    if compgen -G "$pg_bin/../lib/pg_stat_statements.*" >/dev/null || compgen -G "$pg_bin/../lib/postgresql/pg_stat_statements.*" >/dev/null; then
        preload="shared_preload_libraries = 'pg_stat_statements'"
    fi
    cat >"$pg_data/ecommerce.conf" <<EOF
# Generated by eng/infra.sh on every start: edit the script, not this file.
$preload
listen_addresses = '$listen'
port = $POSTGRES_PORT
unix_socket_directories = '$sock'
# Five services with their pools, the tests' parallel classes, the load test.
max_connections = 300
# Durability is a feature of this system (outbox, idempotency): never traded for speed here.
fsync = on
synchronous_commit = on
full_page_writes = on
EOF
    give_to "$pg_user" "$pg_data/ecommerce.conf"
}

postgres_start() {
    pg_init
    if pg_running; then
        check_running_port POSTGRES_PORT postgres
        log "postgres: already running (pid $(pg_pid), port $POSTGRES_PORT)"
        return 0
    fi
    require_free_port "$POSTGRES_PORT" PostgreSQL POSTGRES_PORT
    pg_write_config
    record_ports
    log "postgres: starting on port $POSTGRES_PORT as user $pg_user (log $pg_log)"
    local started=$SECONDS
    # -w: return when it accepts connections; -t: the deadline. pg_ctl detaches the server in its
    # own session with stdin/stdout/stderr redirected, so nothing of ours stays open.
    if ! pg_ctl_as -l "$pg_log" -w -t "$timeout_s" start >&2; then
        tail -n 30 "$pg_log" >&2 2>/dev/null || true
        die "PostgreSQL did not start within ${timeout_s}s; see $pg_log"
    fi
    log "postgres: ready in $((SECONDS - started))s"
}

postgres_stop() {
    if ! pg_running; then
        log "postgres: not running"
        return 0
    fi
    log "postgres: stopping (pid $(pg_pid))"
    local started=$SECONDS
    # fast: roll back open transactions and disconnect clients, then a clean shutdown checkpoint.
    pg_ctl_as -m fast -w -t "$timeout_s" stop >&2
    log "postgres: stopped in $((SECONDS - started))s"
}

# A server that already runs keeps the port it was started with.
check_running_port() { # $1: variable, $2: server
    local running
    # A cluster's ports are checked as a whole (cluster_check_ports).
    [[ -n $cluster_node && $2 == rabbitmq ]] && return 0
    if [[ $2 == postgres ]]; then
        running=$(sed -n 4p "$pg_data/postmaster.pid" 2>/dev/null || true)
    else
        running=$(recorded_port "$1")
    fi
    if [[ -n $running && $running != "${!1}" ]]; then
        die "$2 already runs from $state_dir on port $running, not $1=${!1}: run" \
            "'eng/infra.sh stop' first, or use another ECOMMERCE_INFRA_DIR"
    fi
}

# --- commands -----------------------------------------------------------------------------------

print_env() {
    local amqp="amqp://$app_user:$rmq_password@localhost:$RABBITMQ_PORT"
    local pg="Host=localhost;Port=$POSTGRES_PORT;Username=$app_user;Password=$pg_password"
    # The first is the key .NET Aspire injects for the `messaging` resource, so services run
    # unchanged; the others are read by the test fixtures and by the no-Docker launcher.
    printf 'export %s="%s"\n' \
        ConnectionStrings__messaging "$amqp" \
        ECOMMERCE_TEST_RABBITMQ "$amqp" \
        ECOMMERCE_TEST_RABBITMQ_MANAGEMENT "http://$app_user:$rmq_password@localhost:$RABBITMQ_MANAGEMENT_PORT" \
        ECOMMERCE_TEST_POSTGRES "$pg" \
        ECOMMERCE_POSTGRES_SERVER "$pg"
}

cmd_start() {
    ensure_rabbitmq_installed
    ensure_postgres_installed
    prepare_state_dir
    acquire_lock
    load_credentials
    rmq_set_env
    # The broker takes seconds to boot: PostgreSQL is started while it does.
    rabbitmq_launch
    postgres_start
    rabbitmq_wait_ready
    print_env
}

cmd_stop() {
    if [[ ! -d $state_dir ]]; then
        log "nothing to stop: $state_dir does not exist"
        return 0
    fi
    prepare_state_dir
    acquire_lock
    if [[ -f $rmq_pid_file ]]; then
        ensure_rabbitmq_installed
        rmq_set_env
        rabbitmq_stop
    else
        log "rabbitmq: not running"
    fi
    if [[ -f $pg_data/PG_VERSION ]]; then
        ensure_postgres_installed
        postgres_stop
    else
        log "postgres: not running"
    fi
}

cmd_rabbitmq_start() {
    ensure_rabbitmq_installed
    prepare_state_dir
    acquire_lock
    load_credentials
    rmq_set_env
    rabbitmq_launch
    rabbitmq_wait_ready
}

cmd_rabbitmq_stop() {
    if [[ ! -f $rmq_pid_file ]]; then
        log "rabbitmq: not running"
        return 0
    fi
    ensure_rabbitmq_installed
    prepare_state_dir
    acquire_lock
    rmq_set_env
    rabbitmq_stop
}

# Prints, NUL-separated, the prefix that runs a command as $1 in place (setpriv execs): a signal
# sent to the process then reaches the command itself, where runuser would stay in between and
# kill it two seconds later.
as_user_in_place() { # $1: user
    if [[ $1 != "$current_user" ]]; then
        printf '%s\0' setpriv --reuid="$1" --regid="$(id -gn "$1")" --init-groups --
    fi
}

# Runs a server (the command) in the foreground as its user and waits for it. Sent SIGTERM or
# SIGINT, this script passes the server $1, the signal of its orderly shutdown, and waits again.
run_in_foreground() { # $1: stop signal, $2: user, then the command
    local stop_signal=$1 user=$2
    shift 2
    local -a prefix=()
    mapfile -d '' prefix < <(as_user_in_place "$user")
    "${prefix[@]}" "$@" 9>&- &
    local server_pid=$! status=0
    # shellcheck disable=SC2064 # the pid is meant to be expanded now
    trap "kill -$stop_signal $server_pid 2>/dev/null || true" TERM INT
    # `wait` returns early when a trapped signal arrives: wait again until the server has gone.
    while kill -0 "$server_pid" 2>/dev/null; do
        wait "$server_pid" && status=0 || status=$?
    done
    trap - TERM INT
    return "$status"
}

cmd_rabbitmq_run() {
    ensure_rabbitmq_installed
    prepare_state_dir
    acquire_lock
    load_credentials
    rmq_set_env
    local pid
    if pid=$(rmq_pid); then
        die "rabbitmq: already runs from $state_dir (pid $pid); stop it first: eng/infra.sh stop"
    fi
    require_free_port "$RABBITMQ_PORT" "RabbitMQ AMQP" RABBITMQ_PORT
    require_free_port "$RABBITMQ_MANAGEMENT_PORT" "RabbitMQ management" RABBITMQ_MANAGEMENT_PORT
    require_free_port "$rmq_dist_port" "RabbitMQ Erlang distribution, RABBITMQ_PORT+20000" RABBITMQ_PORT
    rmq_write_config console
    record_ports
    exec 9>&- # the lock guards the preparation only
    rabbitmq_run_foreground
}

# Runs the selected node in the foreground until SIGTERM or SIGINT, then exits with its status.
rabbitmq_run_foreground() {
    log "rabbitmq: running node $rmq_node_name in the foreground as user $rmq_user (amqp" \
        "$RABBITMQ_PORT, management $RABBITMQ_MANAGEMENT_PORT)"
    # SIGTERM is the node's orderly shutdown, like `rabbitmqctl stop`.
    # The node needs Erlang's port mapper daemon (epmd). When none runs yet, it is started here as
    # a child of this script instead of the daemon the node would leave behind: it then ends with
    # this run, also when a supervisor kills the whole process tree. One that already runs (the
    # system's, another node's) is shared and left alone.
    local epmd_pid=''
    if command -v epmd >/dev/null 2>&1 && ! epmd -names >/dev/null 2>&1; then
        local -a prefix=()
        mapfile -d '' prefix < <(as_user_in_place "$rmq_user")
        "${prefix[@]}" epmd </dev/null 9>&- &
        epmd_pid=$!
        local tries=0
        until epmd -names >/dev/null 2>&1 || ((++tries > 50)); do sleep 0.1; done
    fi
    local status=0
    run_in_foreground TERM "$rmq_user" env "${rmq_env[@]}" "$rmq_bin/rabbitmq-server" || status=$?
    if [[ -n $epmd_pid ]]; then kill -TERM "$epmd_pid" 2>/dev/null || true; fi
    exit "$status"
}

cmd_postgres_run() {
    ensure_postgres_installed
    prepare_state_dir
    acquire_lock
    load_credentials
    pg_init
    if pg_running; then
        die "postgres: already runs from $state_dir (pid $(pg_pid)); stop it first: eng/infra.sh stop"
    fi
    require_free_port "$POSTGRES_PORT" PostgreSQL POSTGRES_PORT
    pg_write_config
    record_ports
    exec 9>&-
    log "postgres: running in the foreground on port $POSTGRES_PORT as user $pg_user"
    # SIGINT is PostgreSQL's fast shutdown; its SIGTERM ("smart") would wait for every client to
    # disconnect, and a supervisor would kill it first, leaving crash recovery for the next start.
    local status=0
    run_in_foreground INT "$pg_user" "$pg_bin/postgres" -D "$pg_data" || status=$?
    exit "$status"
}

cmd_env() {
    [[ -s $credentials_file ]] || die "$state_dir has no credentials yet: run 'eng/infra.sh start' first"
    load_credentials
    print_env
}

cmd_credentials() {
    mkdir -p "$state_dir"
    acquire_lock
    load_credentials
    printf '%s\n' "$credentials_file"
}

cmd_status() {
    local ok=true pid
    if pid=$(rmq_pid); then
        printf 'rabbitmq: running (node %s, pid %s, amqp port %s, management port %s)\n' \
            "$(rmq_node)" "$pid" "$RABBITMQ_PORT" "$RABBITMQ_MANAGEMENT_PORT"
    else
        printf 'rabbitmq: stopped\n'
        ok=false
    fi
    if [[ -f $pg_data/PG_VERSION ]] && pg_bin=$(find_pg_bindir) && pg_running; then
        printf 'postgres: running (pid %s, port %s, data %s)\n' "$(pg_pid)" "$POSTGRES_PORT" "$pg_data"
    else
        printf 'postgres: stopped\n'
        ok=false
    fi
    printf 'state: %s\n' "$state_dir"
    [[ $ok == true ]] || exit 3
}

# --- a three-node RabbitMQ cluster -------------------------------------------------------------

readonly cluster_nodes=(1 2 3)

# Points the RabbitMQ functions above at cluster node $1: its directory, ports and node name. The
# nodes share one home, so one Erlang cookie, which nodes of a cluster must have in common.
cluster_select() { # $1: node number
    [[ ${1:-} =~ ^[123]$ ]] || die "a cluster node is 1, 2 or 3, not '${1:-}'"
    cluster_node=$1
    rmq_dir=$cluster_dir/node$1
    rmq_home=$cluster_dir/home
    rmq_pid_file=$rmq_dir/rabbitmq.pid
    rmq_nodename_file=$rmq_dir/nodename
    rmq_node_seed=$rmq_dir
    RABBITMQ_PORT=$((RABBITMQ_CLUSTER_PORT + $1 - 1))
    RABBITMQ_MANAGEMENT_PORT=$((RABBITMQ_CLUSTER_MANAGEMENT_PORT + $1 - 1))
    rmq_dist_port=$((RABBITMQ_PORT + 20000))
    rmq_ctl_dist_min=$((RABBITMQ_PORT + 30000))
    rmq_set_env
}

# A running cluster keeps the ports it was started with (node names and data belong to them).
cluster_check_ports() {
    local recorded n
    recorded=$(recorded_port RABBITMQ_CLUSTER_PORT "$cluster_ports_file")
    [[ -z $recorded || $recorded == "$RABBITMQ_CLUSTER_PORT" ]] && return 0
    for n in "${cluster_nodes[@]}"; do
        cluster_select "$n"
        if rmq_pid >/dev/null; then
            die "the cluster of $state_dir runs on ports from $recorded, not RABBITMQ_CLUSTER_PORT=$RABBITMQ_CLUSTER_PORT:" \
                "run 'eng/infra.sh cluster-stop' first"
        fi
    done
}

cluster_prepare() {
    ensure_rabbitmq_installed
    prepare_state_dir
    mkdir -p "$cluster_dir"
    acquire_lock "$cluster_dir/.lock"
    load_credentials
    cluster_check_ports
}

# Joins node $1 to node 1 unless it is a member already. A node joins with its application
# stopped, and leaves its own (empty) data behind for the cluster's: users, queues, definitions.
cluster_join() { # $1: node number
    cluster_select 1
    local first=$rmq_node_name
    cluster_select "$1"
    if rmqctl -q cluster_status --formatter json 2>/dev/null | grep -q "\"$first\""; then
        return 0
    fi
    log "rabbitmq cluster: node $1 ($rmq_node_name) joins $first"
    rmqctl -q stop_app >/dev/null || die "rabbitmqctl stop_app failed on node $1"
    rmqctl -q join_cluster "$first" >/dev/null || die "node $1 could not join $first; see $rmq_dir/log"
    rmqctl -q start_app >/dev/null || die "rabbitmqctl start_app failed on node $1"
}

cluster_print_env() {
    local amqp='' management='' n
    for n in "${cluster_nodes[@]}"; do
        amqp+="${amqp:+,}127.0.0.1:$((RABBITMQ_CLUSTER_PORT + n - 1))"
        management+="${management:+,}http://$app_user:$rmq_password@127.0.0.1:$((RABBITMQ_CLUSTER_MANAGEMENT_PORT + n - 1))"
    done
    printf 'export %s="%s"\n' \
        ECOMMERCE_TEST_RABBITMQ_CLUSTER "amqp://$app_user:$rmq_password@$amqp" \
        ECOMMERCE_TEST_RABBITMQ_CLUSTER_MANAGEMENT "$management" \
        ECOMMERCE_TEST_RABBITMQ_CLUSTER_DIR "$state_dir"
}

cmd_cluster_start() {
    cluster_prepare
    # The nodes boot at once: a node that was part of the cluster waits for its peers at boot.
    local -a launchers=() started=()
    local n
    for n in "${cluster_nodes[@]}"; do
        cluster_select "$n"
        rabbitmq_launch
        launchers[n]=$rmq_launcher_pid
        started[n]=${rmq_start_seconds:-$SECONDS}
    done
    for n in "${cluster_nodes[@]}"; do
        cluster_select "$n"
        rmq_launcher_pid=${launchers[n]}
        rmq_start_seconds=${started[n]}
        rabbitmq_wait_ready
    done
    cluster_join 2
    cluster_join 3
    log "rabbitmq cluster: three nodes running (amqp $RABBITMQ_CLUSTER_PORT-$((RABBITMQ_CLUSTER_PORT + 2)))"
    cluster_print_env
}

cmd_cluster_stop() {
    if [[ ! -d $cluster_dir ]]; then
        log "nothing to stop: $cluster_dir does not exist"
        return 0
    fi
    cluster_prepare
    local n pid
    for n in 3 2 1; do
        cluster_select "$n"
        # A paused node would never answer its stop.
        if pid=$(rmq_pid); then kill -CONT "$pid" 2>/dev/null || true; fi
        rabbitmq_stop
    done
}

cmd_cluster_status() {
    local ok=true pid n
    for n in "${cluster_nodes[@]}"; do
        cluster_select "$n"
        if pid=$(rmq_pid); then
            printf 'rabbitmq cluster node %s: running (node %s, pid %s, amqp port %s, management port %s)\n' \
                "$n" "$rmq_node_name" "$pid" "$RABBITMQ_PORT" "$RABBITMQ_MANAGEMENT_PORT"
        else
            printf 'rabbitmq cluster node %s: stopped\n' "$n"
            ok=false
        fi
    done
    printf 'state: %s\n' "$cluster_dir"
    [[ $ok == true ]] || exit 3
}

cmd_cluster_env() {
    [[ -s $credentials_file ]] || die "$state_dir has no credentials yet: run 'eng/infra.sh cluster-start' first"
    load_credentials
    cluster_print_env
}

cmd_cluster_node_start() { # $1: node number
    cluster_prepare
    cluster_select "${1:-}"
    rabbitmq_launch
    rabbitmq_wait_ready
    if [[ $1 != 1 ]]; then cluster_join "$1"; fi
}

cmd_cluster_node_stop() { # $1: node number
    cluster_prepare
    cluster_select "${1:-}"
    rabbitmq_stop
}

cmd_cluster_node_signal() { # $1: signal, $2: node number
    cluster_select "${2:-}"
    local pid
    pid=$(rmq_pid) || die "cluster node $2 does not run"
    log "rabbitmq cluster: SIG$1 to node $2 (pid $pid)"
    kill -"$1" "$pid"
    if [[ $1 == KILL ]]; then
        # Its ports are free only once the VM has gone.
        local deadline=$((SECONDS + timeout_s))
        while is_erlang_vm "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
    fi
}

cmd_cluster_node_pid() { # $1: node number
    cluster_select "${1:-}"
    rmq_pid || die "cluster node $1 does not run"
}

cmd_cluster_node_run() { # $1: node number
    cluster_prepare
    cluster_select "${1:-}"
    local pid
    if pid=$(rmq_pid); then
        die "rabbitmq cluster node $1 already runs from $state_dir (pid $pid); stop it first: eng/infra.sh cluster-stop"
    fi
    require_free_port "$RABBITMQ_PORT" "RabbitMQ AMQP of cluster node $1" RABBITMQ_CLUSTER_PORT
    require_free_port "$RABBITMQ_MANAGEMENT_PORT" "RabbitMQ management of cluster node $1" RABBITMQ_CLUSTER_MANAGEMENT_PORT
    require_free_port "$rmq_dist_port" "RabbitMQ Erlang distribution of cluster node $1" RABBITMQ_CLUSTER_PORT
    rmq_write_config console
    record_ports
    exec 9>&- # the lock guards the preparation only
    if [[ $1 != 1 ]]; then cluster_join_when_up "$1" & fi
    rabbitmq_run_foreground
}

# In the background of a foreground run: once this node and node 1 both answer, joins node 1.
cluster_join_when_up() { # $1: node number
    local deadline=$((SECONDS + timeout_s * 3))
    while ((SECONDS < deadline)); do
        cluster_select 1
        if rmqctl -q await_startup --timeout 5 >/dev/null 2>&1; then
            cluster_select "$1"
            if rmqctl -q await_startup --timeout 5 >/dev/null 2>&1; then
                cluster_join "$1"
                return 0
            fi
        fi
        sleep 1
    done
    log "rabbitmq cluster: node $1 did not join node 1 within $((timeout_s * 3))s"
}

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
    exit 2
}

case ${1:-} in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
    credentials) cmd_credentials ;;
    rabbitmq-start) cmd_rabbitmq_start ;;
    rabbitmq-stop) cmd_rabbitmq_stop ;;
    rabbitmq-run) cmd_rabbitmq_run ;;
    postgres-run) cmd_postgres_run ;;
    cluster-start) cmd_cluster_start ;;
    cluster-stop) cmd_cluster_stop ;;
    cluster-status) cmd_cluster_status ;;
    cluster-env) cmd_cluster_env ;;
    cluster-node-start) cmd_cluster_node_start "${2:-}" ;;
    cluster-node-stop) cmd_cluster_node_stop "${2:-}" ;;
    cluster-node-kill) cmd_cluster_node_signal KILL "${2:-}" ;;
    cluster-node-pause) cmd_cluster_node_signal STOP "${2:-}" ;;
    cluster-node-resume) cmd_cluster_node_signal CONT "${2:-}" ;;
    cluster-node-pid) cmd_cluster_node_pid "${2:-}" ;;
    cluster-node-run) cmd_cluster_node_run "${2:-}" ;;
    -h | --help | help) usage ;;
    *)
        printf 'infra: unknown command "%s"\n' "${1:-}" >&2
        usage
        ;;
esac
