#!/usr/bin/env bash
# shellcheck disable=SC2317  # start_<svc> and the *_ready checks are invoked indirectly
# Backing services for Obstack development and tests, run as plain processes
# (no Docker, no systemd): PostgreSQL, Redis, Prometheus, Alertmanager, Kafka.
#
#   scripts/services.sh up       install what is missing, start what is down, print env
#   scripts/services.sh down     stop everything this script started
#   scripts/services.sh env      print the export lines only
#   scripts/services.sh status   one line per service; exit 1 if any is down
#
#   eval "$(scripts/services.sh up)"    # or: eval "$(scripts/services.sh env)"
#
# stdout carries only the export lines (so eval works); all progress goes to stderr.
# Everything binds to 127.0.0.1 on non-default ports so it cannot clash with a
# system-wide instance of the same service. docker-compose.yml at the repo root
# publishes the same ports, so the same env lines work with either.
#
# Environment:
#   OBSTACK_SERVICES_DIR  state: data, logs, pid files (default ~/.cache/obstack-services/run)
#   XDG_CACHE_HOME        downloads go to $XDG_CACHE_HOME/obstack-services (default ~/.cache)
set -euo pipefail

readonly HOST=127.0.0.1
readonly PG_PORT=55432
readonly REDIS_PORT=56379
readonly PROM_PORT=59090
readonly AM_PORT=59093
readonly KAFKA_PORT=59092
readonly KAFKA_CONTROLLER_PORT=59094
readonly PG_APP_USER=obstack PG_APP_PASSWORD=obstack PG_APP_DB=obstack

# 4.1.x rather than 4.0.x: 4.0.1/4.1.0 restored JoinGroup v0/v1, which kafkajs 2.2.4
# (our client) still speaks. Keep in step with the apache/kafka tag in docker-compose.yml.
readonly KAFKA_VERSION=4.1.2
# kafka_2.13 pulls in log4j-core but no SLF4J binding, and the broker logs through
# SLF4J 1.x; without this bridge (same version as the log4j-core it brings) it logs nothing.
readonly LOG4J_VERSION=2.25.3
readonly MAVEN_DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

readonly SERVICES=(postgres redis prometheus alertmanager kafka)

CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/obstack-services"
RUN_DIR="${OBSTACK_SERVICES_DIR:-$HOME/.cache/obstack-services/run}"
KAFKA_HOME="$CACHE_DIR/kafka-$KAFKA_VERSION"
KAFKA_LIBS="$KAFKA_HOME/libs"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"

log() { printf '[services] %s\n' "$*" >&2; }
die() {
  printf '[services] error: %s\n' "$*" >&2
  exit 1
}

# Size of each log before a start, so a failure report shows only what this start wrote.
declare -A LOG_MARK=()
mark_logs() {
  local f
  while read -r f; do
    LOG_MARK[$f]=$(stat -c %s "$f" 2>/dev/null || echo 0)
  done < <(service_logs "$1")
}

# A failed start is explained in its log, but not always at the end: Kafka, for one,
# logs hundreds of lines of shutdown after the fatal error. So show the error lines
# first, then the tail.
die_with_logs() {
  local msg=$1 f mark part
  shift
  part=$(mktemp)
  for f in "$@"; do
    [[ -s $f ]] || continue
    mark=${LOG_MARK[$f]:-0}
    if (($(stat -c %s "$f") >= mark)); then
      tail -c +"$((mark + 1))" "$f" >"$part"
    else
      cp "$f" "$part" # rotated since the mark
    fi
    [[ -s $part ]] || continue
    if grep -qiE 'error|fatal|panic|exception|caused by' "$part"; then
      printf '[services] ---- error lines in %s ----\n' "$f" >&2
      grep -iE 'error|fatal|panic|exception|caused by' "$part" | tail -n 15 | cut -c1-400 >&2
    fi
    printf '[services] ---- last lines of %s ----\n' "$f" >&2
    tail -n 30 "$part" | cut -c1-400 >&2
  done
  rm -f "$part"
  die "$msg"
}

usage() {
  sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

# State or caches inside the work tree would end up in commits and in CI clones.
refuse_inside_repo() {
  local path
  path="$(realpath -m "$1")"
  case "$path/" in
    "$REPO_ROOT"/*) die "$2 ($path) must not be inside the repository ($REPO_ROOT)" ;;
  esac
}

port_open() {
  # bash's /dev/tcp connects to loopback instantly or fails instantly; no extra tools needed.
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# ---------------------------------------------------------------- binaries ---

pg_bindir() {
  local dirs d
  # Newest installed major version wins, as Debian's own wrappers do.
  mapfile -t dirs < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV)
  for d in "${dirs[@]}"; do
    if [[ -x $d/postgres && -x $d/initdb && -x $d/pg_ctl && -x $d/psql && -x $d/pg_isready ]]; then
      printf '%s\n' "$d"
      return 0
    fi
  done
  return 1
}

prometheus_bin() { command -v prometheus || echo /usr/bin/prometheus; }
alertmanager_bin() { command -v prometheus-alertmanager || command -v alertmanager || echo /usr/bin/prometheus-alertmanager; }

java_bin() {
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    echo "$JAVA_HOME/bin/java"
  else
    command -v java || echo java
  fi
}

as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

# Debian packages start their daemons from postinst (postgresql on 5432, redis on 6379,
# prometheus on 9090, ...). We never use those instances, so keep them from starting
# with a temporary policy-rc.d (unless the machine already has one, e.g. in containers).
without_service_autostart() {
  local policy=/usr/sbin/policy-rc.d rc=0
  if [[ -e $policy ]]; then
    "$@"
    return
  fi
  printf '#!/bin/sh\n# temporary, from obstack scripts/services.sh\nexit 101\n' | as_root tee "$policy" >/dev/null
  as_root chmod 755 "$policy"
  "$@" || rc=$?
  as_root rm -f "$policy"
  return "$rc"
}

apt_install() {
  local out rc=0
  out="$(mktemp)"
  log "installing Debian packages: $*"
  without_service_autostart as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "$@" 2>&1 | tee "$out" >&2 || rc=$?
  # Only refresh the package lists when the install failed for want of them:
  # an update costs time and changes what every later install resolves to.
  if ((rc != 0)) && grep -qE 'Unable to locate package|has no installation candidate|Failed to fetch|404 +Not Found' "$out"; then
    log "package lists look stale or missing; running apt-get update and retrying"
    as_root apt-get update >&2
    rc=0
    without_service_autostart as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y --no-install-recommends "$@" >&2 || rc=$?
  fi
  rm -f "$out"
  ((rc == 0)) || die "apt-get install $* failed (exit $rc)"
}

ensure_packages() {
  local missing=()
  command -v apt-get >/dev/null || die "apt-get not found: this script targets Debian 12 (bookworm)"
  pg_bindir >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v redis-cli >/dev/null || missing+=(redis-tools)
  command -v prometheus >/dev/null || missing+=(prometheus)
  command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null ||
    missing+=(prometheus-alertmanager)
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  command -v curl >/dev/null || missing+=(curl)
  command -v "$(java_bin)" >/dev/null || missing+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null || missing+=(maven)
  # setfacl, for ensure_pg_can_traverse; tiny, and one apt run is cheaper than two.
  if [[ $EUID -eq 0 ]] && ! command -v setfacl >/dev/null; then
    missing+=(acl)
  fi
  if ((${#missing[@]} > 0)); then
    apt_install "${missing[@]}"
  fi
}

ensure_kafka_libs() {
  [[ -f $KAFKA_LIBS/.complete ]] && return 0
  log "resolving Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_LIBS"
  mkdir -p "$KAFKA_HOME"
  # kafka-tools is not a dependency of the broker but holds TopicCommand, which the
  # readiness check (and anyone debugging) uses.
  cat >"$KAFKA_HOME/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.obstack</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>$KAFKA_VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
EOF
  rm -rf "$KAFKA_LIBS.tmp"
  # A private local repository keeps every download under the cache dir and away
  # from whatever a developer's ~/.m2 holds.
  # Output to a file: with -q it is only (colour-coded) noise unless something fails.
  if ! mvn -B -q -f "$KAFKA_HOME/pom.xml" -Dmaven.repo.local="$CACHE_DIR/m2-repository" \
    "$MAVEN_DEPENDENCY_PLUGIN:copy-dependencies" -DincludeScope=runtime \
    -DoutputDirectory="$KAFKA_LIBS.tmp" >"$KAFKA_HOME/mvn.log" 2>&1; then
    die_with_logs "could not resolve Kafka $KAFKA_VERSION from Maven Central" "$KAFKA_HOME/mvn.log"
  fi
  # Swap in only a complete set, so an interrupted download is retried next time.
  rm -rf "$KAFKA_LIBS"
  mv "$KAFKA_LIBS.tmp" "$KAFKA_LIBS"
  touch "$KAFKA_LIBS/.complete"
}

# -------------------------------------------------------- process helpers ---

pidfile() { echo "$RUN_DIR/$1/$1.pid"; }

# Prints the pid if the process in the service's pid file is alive and still is that
# service: after a reboot the number may belong to something else.
service_pid() {
  local svc=$1 file pid marker
  case $svc in
    postgres)
      file="$RUN_DIR/postgres/data/postmaster.pid"
      marker=postgres
      ;;
    redis)
      file=$(pidfile redis)
      marker="redis-server"
      ;;
    prometheus)
      file=$(pidfile prometheus)
      marker="--web.listen-address=$HOST:$PROM_PORT"
      ;;
    alertmanager)
      file=$(pidfile alertmanager)
      marker="--web.listen-address=$HOST:$AM_PORT"
      ;;
    kafka)
      file=$(pidfile kafka)
      marker="kafka.Kafka"
      ;;
  esac
  [[ -r $file ]] || return 1
  read -r pid <"$file" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker" || return 1
  echo "$pid"
}

service_port() {
  case $1 in
    postgres) echo "$PG_PORT" ;;
    redis) echo "$REDIS_PORT" ;;
    prometheus) echo "$PROM_PORT" ;;
    alertmanager) echo "$AM_PORT" ;;
    kafka) echo "$KAFKA_PORT" ;;
  esac
}

# Cheap check used by `up` and `status`: ours is running and its port answers.
# The thorough protocol-level checks run only right after a start.
service_up() {
  service_pid "$1" >/dev/null && port_open "$(service_port "$1")"
}

# setsid detaches the service from the caller's session, so it outlives the shell
# (or CI step) that ran `up` and a Ctrl-C there does not reach it.
spawn() {
  local svc=$1 out=$2
  shift 2
  # 9>&-: the service must not inherit the state lock, or the next `up` waits forever.
  setsid "$@" </dev/null >>"$out" 2>&1 9>&- &
  echo $! >"$(pidfile "$svc")"
}

# wait_for SVC SECONDS CHECK-COMMAND... ; logs to show on failure come from service_logs.
wait_for() {
  local svc=$1 timeout=$2 deadline logs=()
  shift 2
  deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if [[ $svc != postgres ]] && ! service_pid "$svc" >/dev/null; then
      mapfile -t logs < <(service_logs "$svc")
      die_with_logs "$svc exited during startup" "${logs[@]}"
    fi
    if ((SECONDS >= deadline)); then
      mapfile -t logs < <(service_logs "$svc")
      die_with_logs "$svc did not become ready within ${timeout}s" "${logs[@]}"
    fi
    sleep 0.3
  done
}

service_logs() {
  case $1 in
    postgres) echo "$RUN_DIR/postgres/postgres.log" ;;
    redis) echo "$RUN_DIR/redis/redis.log" ;;
    prometheus) echo "$RUN_DIR/prometheus/prometheus.log" ;;
    alertmanager) echo "$RUN_DIR/alertmanager/alertmanager.log" ;;
    kafka) printf '%s\n' "$RUN_DIR/kafka/kafka.out" "$RUN_DIR/kafka/logs/server.log" ;;
  esac
}

# Nothing of ours is running, yet something answers on the port: starting would only
# fail later with a less obvious message.
check_port_free() {
  local port
  port=$(service_port "$1")
  if port_open "$port"; then
    die "$1: port $HOST:$port is already in use by a process this script did not start"
  fi
}

# ---------------------------------------------------------------- postgres ---

# PostgreSQL refuses to run as root, so as root it runs as the Debian `postgres` user.
pg_user() {
  if [[ $EUID -eq 0 ]]; then echo postgres; else id -un; fi
}

as_pg() {
  if [[ $EUID -eq 0 ]]; then
    # cd /: the caller's cwd (often under /root) may be unreadable for that user.
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# The postgres user must be able to reach its data dir, but the default state dir
# lives under $HOME, which for root is mode 700. Grant that one user search (x) on
# each blocking ancestor via an ACL instead of opening the directories to everyone.
ensure_pg_can_traverse() {
  local dir=$1 path="" part parts
  [[ $EUID -eq 0 ]] || return 0
  runuser -u postgres -- test -x "$dir" 2>/dev/null && return 0
  command -v setfacl >/dev/null || apt_install acl
  IFS=/ read -ra parts <<<"${dir#/}"
  for part in "${parts[@]}"; do
    path="$path/$part"
    if ! runuser -u postgres -- test -x "$path" 2>/dev/null; then
      log "granting user postgres search permission on $path (ACL u:postgres:x)"
      setfacl -m u:postgres:x "$path"
    fi
  done
}

start_postgres() {
  local bindir dir data sock logf user
  bindir=$(pg_bindir) || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
  dir="$RUN_DIR/postgres"
  data="$dir/data"
  sock="$dir/sock"
  logf="$dir/postgres.log"
  user=$(pg_user)
  mkdir -p "$dir"
  touch "$logf"
  if [[ $EUID -eq 0 ]]; then
    # The log too: pg_ctl appends to it as $user, while initdb's output is
    # redirected into it by this (root) shell.
    chown "$user:" "$dir" "$logf"
  fi
  chmod 700 "$dir"
  ensure_pg_can_traverse "$dir"
  as_pg mkdir -p "$sock"

  if [[ ! -f $data/PG_VERSION ]]; then
    log "postgres: initdb in $data"
    rm -rf "$data"
    # C.UTF-8 exists on every Debian system (no locales package needed) and sorts
    # deterministically. Password auth on TCP, peer auth on our private socket for admin.
    as_pg "$bindir/initdb" -D "$data" -U "$user" --encoding=UTF8 --locale=C.UTF-8 \
      --auth-local=peer --auth-host=scram-sha-256 >>"$logf" 2>&1 ||
      die_with_logs "postgres: initdb failed" "$logf"
    echo "include 'obstack.conf'" | as_pg tee -a "$data/postgresql.conf" >/dev/null
  fi
  # Rewritten on every start so edits to this script take effect without a re-init.
  as_pg tee "$data/obstack.conf" >/dev/null <<EOF
# written by scripts/services.sh; overwritten on every start
listen_addresses = '$HOST'
port = $PG_PORT
unix_socket_directories = '$sock'
max_connections = 200
EOF
  log "postgres: starting on $HOST:$PG_PORT"
  # 9>&- as in spawn(). pg_ctl -w notices a postmaster that dies during startup and returns at once.
  as_pg "$bindir/pg_ctl" -D "$data" -l "$logf" -w -t 90 -s start >&2 9>&- ||
    die_with_logs "postgres failed to start" "$logf"
  wait_for postgres 30 "$bindir/pg_isready" -q -h "$HOST" -p "$PG_PORT"

  # Idempotent: the role's password and CREATEDB (tests create throwaway databases)
  # are reasserted on every start.
  as_pg "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$PG_PORT" -U "$user" -d postgres >&2 <<EOF ||
SELECT format('CREATE ROLE %I', '$PG_APP_USER')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_APP_USER') \\gexec
ALTER ROLE "$PG_APP_USER" WITH LOGIN CREATEDB PASSWORD '$PG_APP_PASSWORD';
SELECT format('CREATE DATABASE %I OWNER %I', '$PG_APP_DB', '$PG_APP_USER')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_APP_DB') \\gexec
EOF
    die_with_logs "postgres: creating role/database failed" "$logf"

  # The real check: the application's own credentials over TCP.
  PGPASSWORD=$PG_APP_PASSWORD PGCONNECT_TIMEOUT=5 "$bindir/psql" -X -At \
    -h "$HOST" -p "$PG_PORT" -U "$PG_APP_USER" -d "$PG_APP_DB" -c 'select 1' >/dev/null ||
    die_with_logs "postgres: 'select 1' as $PG_APP_USER failed" "$logf"
  log "postgres: ready"
}

# ------------------------------------------------------------------ redis ---

start_redis() {
  local dir="$RUN_DIR/redis"
  mkdir -p "$dir"
  # Redis holds only ephemeral state for us, so no RDB/AOF: nothing to corrupt or to
  # fill the disk, and every start is clean.
  cat >"$dir/redis.conf" <<EOF
# written by scripts/services.sh; overwritten on every start
bind $HOST
port $REDIS_PORT
protected-mode yes
daemonize no
dir $dir
logfile $dir/redis.log
save ""
appendonly no
EOF
  log "redis: starting on $HOST:$REDIS_PORT"
  spawn redis "$dir/redis.log" redis-server "$dir/redis.conf"
}

redis_ready() { [[ $(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }

# ------------------------------------------------------------- prometheus ---

start_prometheus() {
  local dir="$RUN_DIR/prometheus"
  mkdir -p "$dir/data"
  cat >"$dir/prometheus.yml" <<EOF
# written by scripts/services.sh; overwritten on every start
global:
  scrape_interval: 15s
  evaluation_interval: 15s
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['$HOST:$AM_PORT']
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['$HOST:$PROM_PORT']
EOF
  log "prometheus: starting on $HOST:$PROM_PORT"
  # Remote-write receiver: Obstack pushes samples into Prometheus rather than only
  # being scraped. Lifecycle API: lets a developer POST /-/reload after editing the config.
  spawn prometheus "$dir/prometheus.log" "$(prometheus_bin)" \
    --config.file="$dir/prometheus.yml" \
    --storage.tsdb.path="$dir/data" \
    --web.listen-address="$HOST:$PROM_PORT" \
    --web.enable-remote-write-receiver \
    --web.enable-lifecycle
}

http_ready() { curl -fsS --max-time 2 -o /dev/null "$1"; }

# ----------------------------------------------------------- alertmanager ---

start_alertmanager() {
  local dir="$RUN_DIR/alertmanager"
  mkdir -p "$dir/data"
  # Alertmanager refuses to start without a route to some receiver; a receiver with
  # no integrations just holds alerts, which is all tests need to query them back.
  cat >"$dir/alertmanager.yml" <<EOF
# written by scripts/services.sh; overwritten on every start
route:
  receiver: default
  group_wait: 1s
  group_interval: 5s
  repeat_interval: 1h
receivers:
  - name: default
EOF
  log "alertmanager: starting on $HOST:$AM_PORT"
  # An empty cluster address turns off gossip, which would otherwise bind 0.0.0.0:9094.
  spawn alertmanager "$dir/alertmanager.log" "$(alertmanager_bin)" \
    --config.file="$dir/alertmanager.yml" \
    --storage.path="$dir/data" \
    --web.listen-address="$HOST:$AM_PORT" \
    --cluster.listen-address=
}

# ------------------------------------------------------------------ kafka ---

check_java() {
  local java major
  java=$(java_bin)
  major=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
  [[ ${major%%.*} =~ ^[0-9]+$ ]] || die "cannot run $java"
  ((${major%%.*} >= 17)) || die "Kafka $KAFKA_VERSION needs Java 17+, $java is $major (set JAVA_HOME)"
}

# Short-lived Kafka CLI tools: quiet logging to stderr, C1 JIT only (a full warm-up
# would cost more than it saves), and a hard time limit since an admin client retries
# for a long time against a broker that is not there yet.
kafka_tool() {
  timeout 60 "$(java_bin)" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$RUN_DIR/kafka/tools-log4j2.properties" \
    -cp "$KAFKA_LIBS/*" "$@"
}

start_kafka() {
  local dir="$RUN_DIR/kafka" cluster_id
  check_java
  mkdir -p "$dir/data" "$dir/logs"
  # Single-node combined broker+controller (KRaft). Every internal topic must have
  # replication factor 1 on one node, or e.g. __consumer_offsets can never be created
  # and consumers wait forever for a group coordinator.
  cat >"$dir/server.properties" <<EOF
# written by scripts/services.sh; overwritten on every start
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
auto.create.topics.enable=true
group.initial.rebalance.delay.ms=0
EOF
  # Log to a file: the broker is chatty and its stdout is only for JVM-level failures.
  cat >"$dir/log4j2.properties" <<EOF
# written by scripts/services.sh; overwritten on every start
status = warn
appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = $dir/logs/server.log
appender.file.filePattern = $dir/logs/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
  cat >"$dir/tools-log4j2.properties" <<EOF
# written by scripts/services.sh; overwritten on every start
status = warn
appender.err.type = Console
appender.err.name = STDERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = STDERR
EOF
  cat >"$dir/tools-client.properties" <<EOF
# written by scripts/services.sh; overwritten on every start
request.timeout.ms=5000
default.api.timeout.ms=10000
EOF
  if [[ ! -f $dir/data/meta.properties ]]; then
    [[ -s $dir/cluster-id ]] || kafka_tool kafka.tools.StorageTool random-uuid >"$dir/cluster-id"
    cluster_id=$(<"$dir/cluster-id")
    log "kafka: formatting KRaft storage (cluster id $cluster_id)"
    kafka_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" \
      >>"$dir/kafka.out" 2>&1 || die_with_logs "kafka: storage format failed" "$dir/kafka.out"
  fi
  log "kafka: starting $KAFKA_VERSION on $HOST:$KAFKA_PORT (controller $HOST:$KAFKA_CONTROLLER_PORT)"
  spawn kafka "$dir/kafka.out" "$(java_bin)" -Xms256m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$dir/log4j2.properties" \
    -Dkafka.logs.dir="$dir/logs" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$dir/server.properties"
}

# An open port only means the socket is bound; a metadata round trip means the
# broker has joined its controller and can serve clients.
kafka_ready() {
  port_open "$KAFKA_PORT" &&
    kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$HOST:$KAFKA_PORT" \
      --command-config "$RUN_DIR/kafka/tools-client.properties" --list
}

# ---------------------------------------------------------------- commands ---

print_env() {
  printf 'export %s=%q\n' \
    DATABASE_URL "postgres://$PG_APP_USER:$PG_APP_PASSWORD@$HOST:$PG_PORT/$PG_APP_DB" \
    REDIS_URL "redis://$HOST:$REDIS_PORT" \
    KAFKA_BROKERS "$HOST:$KAFKA_PORT" \
    PROMETHEUS_URL "http://$HOST:$PROM_PORT" \
    ALERTMANAGER_URL "http://$HOST:$AM_PORT" \
    PROMETHEUS_BIN "$(prometheus_bin)" \
    ALERTMANAGER_BIN "$(alertmanager_bin)" \
    CHROMIUM_BIN /usr/bin/chromium
}

lock_state() {
  mkdir -p "$RUN_DIR"
  exec 9>"$RUN_DIR/.lock"
  # Two concurrent `up`s (e.g. parallel test jobs) would race on initdb and ports.
  flock -w 900 9 || die "timed out waiting for another services.sh run (lock $RUN_DIR/.lock)"
}

cmd_up() {
  local svc started=() changed=false
  lock_state
  ensure_packages
  ensure_kafka_libs
  # Postgres starts synchronously (pg_ctl waits); the others are launched together and
  # then awaited, so a cold start costs the slowest service, not the sum.
  for svc in "${SERVICES[@]}"; do
    if service_up "$svc"; then
      continue
    fi
    if service_pid "$svc" >/dev/null; then
      # Running but not answering yet (still starting, or hung): wait on it below.
      started+=("$svc")
      continue
    fi
    check_port_free "$svc"
    changed=true
    mark_logs "$svc"
    "start_$svc"
    [[ $svc == postgres ]] || started+=("$svc")
  done
  for svc in "${started[@]}"; do
    case $svc in
      redis) wait_for redis 30 redis_ready ;;
      prometheus) wait_for prometheus 60 http_ready "http://$HOST:$PROM_PORT/-/ready" ;;
      alertmanager) wait_for alertmanager 60 http_ready "http://$HOST:$AM_PORT/-/ready" ;;
      kafka) wait_for kafka 120 kafka_ready ;;
      postgres) wait_for postgres 60 "$(pg_bindir)/pg_isready" -q -h "$HOST" -p "$PG_PORT" ;;
    esac
    log "$svc: ready"
  done
  if [[ $changed == false && ${#started[@]} -eq 0 ]]; then
    log "all services already up"
  fi
  print_env
}

# Waits for a pid to go away; escalates to SIGKILL after the grace period.
await_exit() {
  local svc=$1 pid=$2 grace=$3 deadline
  deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "$svc: still running after ${grace}s; sending SIGKILL to $pid"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.2
  done
}

cmd_down() {
  local svc pid bindir i pids=() names=()
  lock_state
  # Signal everything first and wait afterwards: Kafka's controlled shutdown takes a
  # few seconds and the others need not queue behind it.
  for svc in kafka alertmanager prometheus redis; do
    if pid=$(service_pid "$svc"); then
      log "$svc: stopping (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
      names+=("$svc")
    else
      rm -f "$(pidfile "$svc")"
    fi
  done
  if pid=$(service_pid postgres); then
    log "postgres: stopping (pid $pid)"
    bindir=$(pg_bindir)
    # fast = roll back open transactions and disconnect clients, then checkpoint.
    as_pg "$bindir/pg_ctl" -D "$RUN_DIR/postgres/data" -m fast -W -s stop >&2 || kill -INT "$pid"
    pids+=("$pid")
    names+=(postgres)
  fi
  for i in "${!pids[@]}"; do
    await_exit "${names[$i]}" "${pids[$i]}" 60
    # Removed only now: an interrupted `down` must still know what to stop.
    [[ ${names[$i]} == postgres ]] || rm -f "$(pidfile "${names[$i]}")"
    log "${names[$i]}: stopped"
  done
  ((${#pids[@]} > 0)) || log "nothing was running"
}

cmd_status() {
  local svc pid rc=0
  for svc in "${SERVICES[@]}"; do
    if service_up "$svc"; then
      pid=$(service_pid "$svc")
      printf '%-13s up    %s:%s (pid %s)\n' "$svc" "$HOST" "$(service_port "$svc")" "$pid"
    else
      printf '%-13s down\n' "$svc"
      rc=1
    fi
  done
  return "$rc"
}

main() {
  [[ $# -eq 1 ]] || usage
  refuse_inside_repo "$RUN_DIR" "OBSTACK_SERVICES_DIR"
  refuse_inside_repo "$CACHE_DIR" "the download cache"
  case $1 in
    up) cmd_up ;;
    down) cmd_down ;;
    env) print_env ;;
    status) cmd_status ;;
    *) usage ;;
  esac
}

main "$@"
