#!/bin/sh
# Adds hashling's broker kit to a Mosquitto 2.0 installation with Debian's
# layout (apt-get install mosquitto): /etc/mosquitto/mosquitto.conf reads
# /etc/mosquitto/conf.d/*.conf and already sets pid_file, persistence,
# persistence_location and log_dest.
#
#   sudo deploy/mosquitto/install-broker-kit.sh --host NAME [--listen [ADDR:]PORT]
#        [--local-port PORT|off] [--root DIR]
#
#   --host NAME        name or IP address the devices connect to; a fleet CA and a
#                      broker certificate for NAME are made when none exist yet
#   --listen           the TLS listener (default 8883, every interface)
#   --local-port       plain MQTT on 127.0.0.1 for tools on the broker host
#                      (default 1883; off: none)
#   --root DIR         install under DIR instead of / (tests, image builds)
#
# What it writes:
#   /etc/mosquitto/conf.d/hashling.conf   listeners, TLS, auth, ACL, autosave
#   /etc/mosquitto/hashling/hashling.acl  the rules; above its per-device marker
#                                         line replaced by this kit's, below kept
#   /etc/mosquitto/hashling/passwd        created empty (add-device.sh fills it)
#   /etc/mosquitto/hashling/ca/           fleet CA and broker certificate (--host)
# and /etc/mosquitto/mosquitto.conf only where none exists (this directory's
# mosquitto.conf). It refuses, naming file and line, settings elsewhere that
# would clash with the kit's. Idempotent: a second run changes no file.
# Then: systemctl restart mosquitto (new listeners need a restart, not a reload).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=""
HOST=""
LISTEN=8883
LOCAL_PORT=1883
MARK='# --- per-device group blocks (add-device.sh --group); keep them last ---'
# Settings the kit owns: a second value elsewhere is either refused by Mosquitto
# (password_file, acl_file: "Duplicate ... value") or silently overrides one of
# the two (the others), so either way the kit would not do what it says.
KIT_KEYS="per_listener_settings allow_anonymous password_file acl_file autosave_interval autosave_on_changes max_packet_size max_queued_messages set_tcp_nodelay plugin auth_plugin"

say() { printf 'install-broker-kit: %s\n' "$*"; }
die() { printf 'install-broker-kit: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --host) [ $# -ge 2 ] || die "--host needs a name"; HOST=$2; shift 2 ;;
    --listen) [ $# -ge 2 ] || die "--listen needs [ADDR:]PORT"; LISTEN=$2; shift 2 ;;
    --local-port) [ $# -ge 2 ] || die "--local-port needs a port or off"; LOCAL_PORT=$2; shift 2 ;;
    --root) [ $# -ge 2 ] || die "--root needs a directory"; ROOT=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) printf 'install-broker-kit: unknown option %s\n' "$1" >&2; usage 64 ;;
  esac
done

case "$ROOT" in
  *[!A-Za-z0-9/._-]*) die "--root must be a plain path ([A-Za-z0-9/._-]), not \"$ROOT\"" ;;
esac
ROOT=${ROOT%/}
case "$LISTEN" in
  *:*) LISTEN_ADDR=${LISTEN%:*}; LISTEN_PORT=${LISTEN##*:} ;;
  *) LISTEN_ADDR=""; LISTEN_PORT=$LISTEN ;;
esac
port_ok() { case "$1" in ''|*[!0-9]*) return 1 ;; esac; [ "$1" -ge 1 ] && [ "$1" -le 65535 ]; }
port_ok "$LISTEN_PORT" || die "--listen: \"$LISTEN\" is not [ADDR:]PORT"
[ "$LOCAL_PORT" = off ] || port_ok "$LOCAL_PORT" || die "--local-port: \"$LOCAL_PORT\" is not a port or off"
[ "$LOCAL_PORT" != "$LISTEN_PORT" ] || die "--listen and --local-port must differ"

ETC="$ROOT/etc/mosquitto"
KIT="$ETC/hashling"
CONFD="$ETC/conf.d"
MAIN="$ETC/mosquitto.conf"
DROPIN="$CONFD/hashling.conf"
ACL="$KIT/hashling.acl"
PASSWD="$KIT/passwd"
CA_DIR="$KIT/ca"

[ -n "$ROOT" ] || [ "$(id -u)" -eq 0 ] || die "run as root (sudo), or give --root"
# The broker drops to user mosquitto before it reads the password and ACL files
# (Mosquitto 2.0: "Unable to open pwfile" for a root-only file), so they are
# root:mosquitto 0640. Without that group (a scratch root as non-root) they stay as made.
BROKER_GROUP=""
if [ "$(id -u)" -eq 0 ] && getent group mosquitto >/dev/null 2>&1; then BROKER_GROUP=mosquitto; fi
readable_by_broker() {
  if [ -n "$BROKER_GROUP" ]; then chgrp "$BROKER_GROUP" "$1"; fi
  chmod 0640 "$1"
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# put NEW DEST: DEST gets NEW's contents when they differ; an existing DEST keeps
# its owner and mode (written in place), so a second run touches nothing.
put() {
  if [ -f "$2" ] && cmp -s "$1" "$2"; then
    say "unchanged $2"
  elif [ -f "$2" ]; then
    cat "$1" > "$2"
    say "updated $2"
  else
    cp "$1" "$2"
    chmod 0644 "$2"
    say "wrote $2"
  fi
}

# Paths inside the kit's files, as the broker will see them.
rooted() { if [ -n "$ROOT" ]; then sed "s# /etc/mosquitto/# $ROOT/etc/mosquitto/#g; s# /var/lib/mosquitto/# $ROOT/var/lib/mosquitto/#g"; else cat; fi; }

# 1. The main file: Debian's, which must read conf.d; or ours where there is none.
mkdir -p "$CONFD" "$KIT"
chmod 0755 "$KIT"
if [ ! -f "$MAIN" ]; then
  rooted < "$HERE/mosquitto.conf" > "$TMP/main"
  put "$TMP/main" "$MAIN"
  mkdir -p "$ROOT/var/lib/mosquitto"
  if [ -n "$BROKER_GROUP" ] && id mosquitto >/dev/null 2>&1; then chown mosquitto "$ROOT/var/lib/mosquitto"; fi
elif ! grep -Eq "^[[:space:]]*include_dir[[:space:]]+($CONFD|/etc/mosquitto/conf\\.d)/?[[:space:]]*\$" "$MAIN"; then
  die "$MAIN does not read $CONFD: add the line 'include_dir /etc/mosquitto/conf.d' at its end (Debian's default file has it), then run this again"
fi

# 2. Nothing else may set what the kit sets.
clashes=""
for f in "$MAIN" "$CONFD"/*.conf; do
  if [ ! -f "$f" ] || [ "$f" = "$DROPIN" ]; then continue; fi
  found=$(awk -v keys=" $KIT_KEYS " -v p1="$LISTEN_PORT" -v p2="$LOCAL_PORT" -v file="$f" '
    /^[[:space:]]*#/ || NF == 0 { next }
    index(keys, " " $1 " ") { print file ":" NR ": " $0; next }
    ($1 == "listener" || $1 == "port") && ($2 == p1 || $2 == p2) { print file ":" NR ": " $0 " (the kit opens this port)" }
  ' "$f")
  if [ -n "$found" ]; then clashes="$clashes
  $found"; fi
done
# An include_dir that does not exist stops Mosquitto ("Unable to open include_dir"):
# an earlier version of these instructions added /etc/mosquitto/hashling/conf.d.
includes=$(awk '$1 == "include_dir" { print $2 }' "$MAIN")
while IFS= read -r dir; do
  case "$dir" in ''|/etc/mosquitto/conf.d|/etc/mosquitto/conf.d/|"$CONFD"|"$CONFD"/) continue ;; esac
  case "$dir" in /*) ;; *) continue ;; esac
  if [ ! -d "$ROOT$dir" ] && [ ! -d "$dir" ]; then
    clashes="$clashes
  $MAIN: include_dir $dir (no such directory: Mosquitto would not start)"
  fi
done <<INCLUDES
$includes
INCLUDES
[ -z "$clashes" ] || die "these lines set what $DROPIN sets, or stop Mosquitto; remove or comment them out, then run this again:$clashes"
if ! cat "$MAIN" "$CONFD"/*.conf 2>/dev/null | grep -Eq '^[[:space:]]*persistence_location[[:space:]]'; then
  say "note: no persistence_location in $MAIN; Mosquitto will save its database in its working directory"
fi

# 3. The ACL: this kit's rules, then the per-device blocks add-device.sh appended.
[ "$(tail -n 1 "$HERE/hashling.acl")" = "$MARK" ] || die "$HERE/hashling.acl must end with its per-device marker line"
if [ -f "$ACL" ]; then
  grep -qxF "$MARK" "$ACL" || die "$ACL lacks the line '$MARK': it is not this kit's file; move it away (or add that line above its per-device blocks) and run this again"
  { cat "$HERE/hashling.acl"; awk -v m="$MARK" 'kept { print } $0 == m { kept = 1 }' "$ACL"; } > "$TMP/acl"
else
  cp "$HERE/hashling.acl" "$TMP/acl"
fi
put "$TMP/acl" "$ACL"
readable_by_broker "$ACL"

# 4. The password file add-device.sh fills (Mosquitto refuses to start without it).
if [ ! -f "$PASSWD" ]; then
  : > "$PASSWD"
  say "wrote $PASSWD (empty: add accounts with add-device.sh)"
fi
readable_by_broker "$PASSWD"

# 5. TLS: the fleet CA and the broker's certificate.
if [ ! -f "$CA_DIR/broker.crt" ] || [ ! -f "$CA_DIR/broker.key" ] || [ ! -f "$CA_DIR/ca.crt" ]; then
  [ -n "$HOST" ] || die "no broker certificate in $CA_DIR yet: give --host NAME (the name or IP address devices connect to), or put your own ca.crt, broker.crt and broker.key there"
  if [ ! -f "$CA_DIR/ca.key" ]; then
    sh "$HERE/add-device.sh" init-ca --ca-dir "$CA_DIR" >/dev/null
    say "made the fleet CA in $CA_DIR (ca.key: keep it offline when not issuing)"
  fi
  sh "$HERE/add-device.sh" broker-cert "$HOST" --ca-dir "$CA_DIR" >/dev/null
  say "made the broker certificate for $HOST in $CA_DIR"
elif [ -n "$HOST" ] && ! openssl x509 -in "$CA_DIR/broker.crt" -noout -checkhost "$HOST" 2>/dev/null | grep -q 'does match' \
     && ! openssl x509 -in "$CA_DIR/broker.crt" -noout -checkip "$HOST" 2>/dev/null | grep -q 'does match'; then
  say "note: $CA_DIR/broker.crt is not for $HOST; kept it (remove broker.crt and broker.key to make a new one)"
else
  say "unchanged $CA_DIR (CA and broker certificate)"
fi
readable_by_broker "$CA_DIR/broker.key"

# 6. The drop-in, with this broker's ports and paths.
if [ -n "$LISTEN_ADDR" ]; then tls_line="listener $LISTEN_PORT $LISTEN_ADDR"; else tls_line="listener $LISTEN_PORT"; fi
rooted < "$HERE/hashling.conf" | awk -v tls="$tls_line" -v local="$LOCAL_PORT" '
  $0 == "# Plain MQTT for tools on the broker host only (never exposed); still password" && local == "off" { exit }
  $0 == "listener 8883" { print tls; next }
  $0 == "listener 1883 127.0.0.1" { print "listener " local " 127.0.0.1"; next }
  { print }
' > "$TMP/dropin"
grep -qxF "$tls_line" "$TMP/dropin" || die "$HERE/hashling.conf has no 'listener 8883' line to set the port in"
put "$TMP/dropin" "$DROPIN"

if [ -z "$ROOT" ]; then
  say "done; restart the broker to open its listeners: systemctl restart mosquitto"
else
  say "done (under $ROOT)"
fi
