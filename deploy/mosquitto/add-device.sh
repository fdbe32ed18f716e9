#!/bin/sh
# Adds a hashling device (or account) to the production Mosquitto of deploy/mosquitto.
#
#   add-device.sh password ID [--group G]... [--passwd FILE] [--acl FILE] [--out DIR]
#       password entry (mosquitto_passwd); the password is read from stdin when it
#       is not a terminal, else generated, and written to DIR/ID.password (0600)
#       for the device's broker.password_file.
#   add-device.sh cert ID [--group G]... [--ca-dir DIR] [--acl FILE] [--out DIR] [--days N]
#       client certificate with CN=ID signed by the local fleet CA (for
#       require_certificate + use_identity_as_username); writes DIR/ID.crt, ID.key.
#   add-device.sh account NAME [--passwd FILE] [--out DIR]
#       password entry for coordinator, operator or homeassistant (rules in hashling.acl).
#   add-device.sh init-ca [--ca-dir DIR]            the fleet CA (EC P-256, 10 years)
#   add-device.sh broker-cert HOST [--ca-dir DIR]   the broker's server certificate (HOST: DNS name or IP)
#
# Groups: each --group G lets the device read hashling/group/G/cmd/#; the lines go
# into a "# device ID" block at the end of the ACL file (re-running replaces it).
# Mosquitto re-reads the password and ACL files on SIGHUP: systemctl reload mosquitto.
set -eu

ETC=/etc/mosquitto/hashling
PASSWD="$ETC/passwd"
ACL="$ETC/hashling.acl"
CA_DIR="$ETC/ca"
OUT=.
DAYS=825
DEVICE_GROUPS=""

die() { echo "add-device: $*" >&2; exit 64; }

check_name() {
  printf '%s' "$1" | grep -Eq '^[A-Za-z0-9_-]{1,64}$' || die "\"$1\" must be 1-64 characters of [A-Za-z0-9_-]"
}

check_device_id() {
  check_name "$1"
  case "$1" in
    all|group|coordinator|operator|homeassistant) die "\"$1\" is reserved (a fleet topic level or an account name)" ;;
  esac
}

# Removes the "# device ID" block (up to the next blank line) from the ACL file.
drop_acl_block() {
  [ -f "$ACL" ] || return 0
  tmp="$ACL.tmp.$$"
  awk -v head="# device $1" '
    $0 == head { skip = 1; next }
    skip && $0 == "" { skip = 0; next }
    !skip { print }
  ' "$ACL" > "$tmp"
  # Written in place: the file keeps the owner and mode the broker reads it with.
  cat "$tmp" > "$ACL"
  rm -f "$tmp"
}

write_acl_block() {
  id=$1
  drop_acl_block "$id"
  [ -n "$DEVICE_GROUPS" ] || return 0
  {
    printf '# device %s\nuser %s\n' "$id" "$id"
    for g in $DEVICE_GROUPS; do printf 'topic read hashling/group/%s/cmd/#\n' "$g"; done
    printf '\n'
  } >> "$ACL"
}

set_password() {
  name=$1
  if [ -t 0 ]; then
    pw=$(openssl rand -base64 24)
  else
    IFS= read -r pw || die "no password on stdin"
  fi
  [ -n "$pw" ] || die "empty password"
  if [ ! -f "$PASSWD" ]; then
    # Mosquitto reads it after dropping to user mosquitto: root:mosquitto 0640.
    touch "$PASSWD"
    chmod 640 "$PASSWD"
    if [ "$(id -u)" -eq 0 ] && getent group mosquitto >/dev/null 2>&1; then chgrp mosquitto "$PASSWD"; fi
  fi
  # mosquitto_passwd stores a salted PBKDF2/SHA-512 hash, never the password.
  mosquitto_passwd -b "$PASSWD" "$name" "$pw"
  umask 077
  mkdir -p "$OUT"
  printf '%s\n' "$pw" > "$OUT/$name.password"
  echo "password for $name written to $OUT/$name.password (copy it to the device's broker.password_file, then delete it here)"
}

init_ca() {
  mkdir -p "$CA_DIR"
  [ -f "$CA_DIR/ca.key" ] && die "$CA_DIR/ca.key exists; refusing to replace the fleet CA"
  umask 077
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$CA_DIR/ca.key" -out "$CA_DIR/ca.crt" -days 3650 -subj "/CN=hashling fleet CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  chmod 644 "$CA_DIR/ca.crt"
  echo "fleet CA in $CA_DIR (keep ca.key offline when not issuing)"
}

# sign NAME CN EXTENSIONS OUTDIR
sign() {
  [ -f "$CA_DIR/ca.key" ] || die "no CA in $CA_DIR; run: add-device.sh init-ca --ca-dir $CA_DIR"
  ext="$4/$1.ext"
  printf '%s\n' "$3" > "$ext"
  umask 077
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$4/$1.key" -out "$4/$1.csr" -subj "/CN=$2" 2>/dev/null
  openssl x509 -req -in "$4/$1.csr" -CA "$CA_DIR/ca.crt" -CAkey "$CA_DIR/ca.key" -CAcreateserial \
    -out "$4/$1.crt" -days "$DAYS" -sha256 -extfile "$ext" 2>/dev/null
  rm -f "$4/$1.csr" "$ext"
  chmod 644 "$4/$1.crt"
}

[ $# -ge 1 ] || die "usage: add-device.sh password|cert|account|init-ca|broker-cert ..."
mode=$1
shift
name=""
if [ "$mode" != init-ca ]; then
  [ $# -ge 1 ] || die "$mode needs a name"
  name=$1
  shift
fi
while [ $# -gt 0 ]; do
  case "$1" in
    --group) [ $# -ge 2 ] || die "--group needs a value"; check_name "$2"; DEVICE_GROUPS="$DEVICE_GROUPS $2"; shift 2 ;;
    --passwd) [ $# -ge 2 ] || die "--passwd needs a file"; PASSWD=$2; shift 2 ;;
    --acl) [ $# -ge 2 ] || die "--acl needs a file"; ACL=$2; shift 2 ;;
    --ca-dir) [ $# -ge 2 ] || die "--ca-dir needs a directory"; CA_DIR=$2; shift 2 ;;
    --out) [ $# -ge 2 ] || die "--out needs a directory"; OUT=$2; shift 2 ;;
    --days) [ $# -ge 2 ] || die "--days needs a number"; DAYS=$2; shift 2 ;;
    *) die "unknown option $1" ;;
  esac
done

case "$mode" in
  password)
    check_device_id "$name"
    set_password "$name"
    write_acl_block "$name"
    ;;
  cert)
    check_device_id "$name"
    mkdir -p "$OUT"
    sign "$name" "$name" "extendedKeyUsage=clientAuth" "$OUT"
    write_acl_block "$name"
    echo "certificate for $name: $OUT/$name.crt and $OUT/$name.key (broker.cert / broker.key; broker.ca = $CA_DIR/ca.crt)"
    ;;
  account)
    case "$name" in
      coordinator|operator|homeassistant) ;;
      *) echo "add-device: note: $name has no rules of its own in hashling.acl; copy the operator block for it" >&2 ;;
    esac
    check_name "$name"
    set_password "$name"
    ;;
  init-ca)
    init_ca
    ;;
  broker-cert)
    mkdir -p "$CA_DIR"
    # Devices check the name they connect to against the certificate: a DNS
    # name, or an IP address for brokers reached by address.
    case "$name" in
      *[!0-9.]*|'') case "$name" in *:*) san="IP:$name" ;; *) san="DNS:$name" ;; esac ;;
      *) san="IP:$name" ;;
    esac
    sign broker "$name" "subjectAltName=$san
extendedKeyUsage=serverAuth" "$CA_DIR"
    echo "broker certificate for $name in $CA_DIR/broker.crt, key in $CA_DIR/broker.key"
    ;;
  *) die "unknown mode $mode" ;;
esac
echo "reload the broker to apply: systemctl reload mosquitto (SIGHUP)"
