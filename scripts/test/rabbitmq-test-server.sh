#!/usr/bin/env bash
# Starts or stops a throw-away RabbitMQ broker (Debian's rabbitmq-server) as a plain process on a
# loopback port, never as a system service: every file it writes lives under DIR, which is made
# over to the `rabbitmq` user (the broker drops to it). The consistent-hash exchange and sharding
# (x-modulus-hash) plugins are on.
#
#   scripts/test/rabbitmq-test-server.sh start DIR PORT [DIST_PORT EPMD_PORT]
#                                                    # waits until the broker accepts AMQP (~6 s)
#   scripts/test/rabbitmq-test-server.sh ctl DIR ARGS...  # rabbitmqctl against that broker
#   scripts/test/rabbitmq-test-server.sh stop DIR         # stops it by its pid, and its epmd
#
# The node is hotshard-test-PORT@localhost; its Erlang distribution port (default PORT+1) and
# its own epmd (ERL_EPMD_PORT, default PORT+2) are private, so brokers of parallel tests and a
# system RabbitMQ never share either.
set -euo pipefail
command="${1:?start|ctl|stop}"
dir="${2:?DIR}"

if [ "$(id -u)" -eq 0 ]; then as_rabbitmq=(runuser -u rabbitmq --); else as_rabbitmq=(); fi

environment() {
  local port
  read -r port dist epmd < "$dir/port"
  export HOME="$dir"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$port"
  export RABBITMQ_NODENAME="hotshard-test-$port@localhost"
  export RABBITMQ_DIST_PORT="$dist"
  export ERL_EPMD_PORT="$epmd"
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_MNESIA_BASE="$dir/mnesia"
  export RABBITMQ_LOG_BASE="$dir/log"
  export RABBITMQ_FEATURE_FLAGS_FILE="$dir/feature_flags"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
  export RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
  export RABBITMQ_CONFIG_FILE="$dir/rabbitmq"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
  export RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
}

case "$command" in
  start)
    port="${3:?PORT}"
    mkdir -p "$dir/mnesia" "$dir/log"
    echo "$port ${4:-$((port + 1))} ${5:-$((port + 2))}" > "$dir/port"
    echo '[rabbitmq_consistent_hash_exchange,rabbitmq_sharding].' > "$dir/enabled_plugins"
    printf 'loopback_users = none\nlisteners.tcp.default = 127.0.0.1:%s\n' "$port" > "$dir/rabbitmq.conf"
    : > "$dir/rabbitmq-env.conf"
    [ "$(id -u)" -eq 0 ] && chown -R rabbitmq:rabbitmq "$dir"
    environment
    # The broker outlives this script: it must not inherit a descriptor of our caller's (a pipe
    # the caller reads to its end would stay open). Bash reads this script on fd 255.
    for fd in /proc/$$/fd/*; do
      fd="${fd##*/}"
      case "$fd" in 0|1|2|255) ;; *) eval "exec $fd>&-" 2>/dev/null || true ;; esac
    done
    "${as_rabbitmq[@]}" env HOME="$HOME" /usr/lib/rabbitmq/bin/rabbitmq-server < /dev/null > "$dir/log/stdout" 2>&1 &
    echo $! > "$dir/launcher.pid"
    for _ in $(seq 1 600); do
      # The broker logs this once every boot step is done (rabbitmqctl await_startup says the
      # same but costs its own Erlang VM start, seconds on a busy machine).
      if grep -qs "Server startup complete" "$RABBITMQ_LOG_BASE/$RABBITMQ_NODENAME.log" &&
         (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        exit 0
      fi
      if ! kill -0 "$(cat "$dir/launcher.pid")" 2>/dev/null; then
        echo "rabbitmq-server exited; see $dir/log" >&2
        tail -20 "$dir/log/stdout" >&2 || true
        exit 1
      fi
      sleep 0.1
    done
    echo "rabbitmq-server did not accept on 127.0.0.1:$port within 60 s" >&2
    exit 1
    ;;
  ctl)
    shift 2
    environment
    exec "${as_rabbitmq[@]}" env HOME="$HOME" /usr/lib/rabbitmq/bin/rabbitmqctl -q "$@"
    ;;
  stop)
    [ -f "$dir/port" ] || exit 0
    environment
    # The broker's own pid (RABBITMQ_PID_FILE), then the epmd it started on its private port.
    if [ -f "$RABBITMQ_PID_FILE" ]; then
      pid="$(cat "$RABBITMQ_PID_FILE")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    [ -f "$dir/launcher.pid" ] && kill "$(cat "$dir/launcher.pid")" 2>/dev/null || true
    epmd="$(pgrep -u rabbitmq -f "epmd.*-port $ERL_EPMD_PORT" || true)"
    if [ -z "$epmd" ]; then
      # epmd started by erl -daemon has no -port argument: match by its environment.
      for candidate in $(pgrep -u rabbitmq -x epmd || true); do
        if tr '\0' '\n' 2>/dev/null < "/proc/$candidate/environ" | grep -qx "ERL_EPMD_PORT=$ERL_EPMD_PORT"; then
          epmd="$candidate"
        fi
      done
    fi
    [ -n "$epmd" ] && kill $epmd 2>/dev/null || true
    ;;
  *)
    echo "usage: $0 start DIR PORT | ctl DIR ARGS... | stop DIR" >&2
    exit 2
    ;;
esac
