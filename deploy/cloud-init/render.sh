#!/bin/sh
# Fills deploy/cloud-init/user-data for one device and prints it:
#
#   deploy/cloud-init/render.sh --id ID --group G --broker HOST \
#       --password-file FILE --ca FILE --coordinator-key FILE|KEY \
#       --release-url URL --release-sha256 HEX [--template FILE] > ID.user-data
#
# Every REPLACE_ME value is replaced (the CA's PEM indented into its block);
# values are checked first (id and group as device ids, a host name or address,
# a one-line password, a PEM certificate, a base64 Ed25519 key, an http(s) or
# file URL, 64 hex digits), and the result must hold no REPLACE_ME left and pass
# `cloud-init schema` where cloud-init is installed. Exit 64 on bad arguments,
# 1 when the result is not valid.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
TEMPLATE="$HERE/user-data"
ID="" GROUP="" BROKER="" PASSWORD_FILE="" CA="" KEY="" URL="" SHA=""

die() { printf 'render.sh: %s\n' "$*" >&2; exit "${2:-64}"; }

while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || die "$1 needs a value"
  case "$1" in
    --id) ID=$2 ;;
    --group) GROUP=$2 ;;
    --broker) BROKER=$2 ;;
    --password-file) PASSWORD_FILE=$2 ;;
    --ca) CA=$2 ;;
    --coordinator-key) KEY=$2 ;;
    --release-url) URL=$2 ;;
    --release-sha256) SHA=$2 ;;
    --template) TEMPLATE=$2 ;;
    *) die "unknown option $1 (see the header of $0)" ;;
  esac
  shift 2
done

matches() { printf '%s' "$1" | grep -Eqx "$2"; }
matches "$ID" '[A-Za-z0-9_-]{1,64}' || die "--id: 1-64 characters of [A-Za-z0-9_-], not \"$ID\""
matches "$GROUP" '[A-Za-z0-9_-]{1,64}' || die "--group: 1-64 characters of [A-Za-z0-9_-], not \"$GROUP\""
matches "$BROKER" '[A-Za-z0-9.:-]{1,253}' || die "--broker: a host name or IP address, not \"$BROKER\""
[ -f "$PASSWORD_FILE" ] || die "--password-file: no file \"$PASSWORD_FILE\""
if [ ! -s "$PASSWORD_FILE" ] || [ "$(wc -l < "$PASSWORD_FILE")" -gt 1 ]; then die "--password-file: one line expected in $PASSWORD_FILE"; fi
if [ ! -f "$CA" ] || ! grep -q '^-----BEGIN CERTIFICATE-----$' "$CA"; then die "--ca: no PEM certificate in \"$CA\""; fi
if [ -f "$KEY" ]; then KEY=$(tr -d ' \n' < "$KEY"); fi
KEY=${KEY#work.coordinator_public_key=}
matches "$KEY" '[A-Za-z0-9+/]{43}=' || die "--coordinator-key: a coordinator.pub file or its base64 Ed25519 key (44 characters)"
matches "$URL" "(https?|file)://[^[:space:]'\"\\\\]+" || die "--release-url: an http(s):// or file:// URL without spaces or quotes"
matches "$SHA" '[0-9a-f]{64}' || die "--release-sha256: 64 lower-case hex digits (the tarball's line in SHA256SUMS)"
[ -f "$TEMPLATE" ] || die "no template $TEMPLATE"

# awk's ENVIRON and index(): values are copied literally (no regex or sed
# metacharacters to escape in passwords or URLs).
out=$(
  RID=$ID RGROUP=$GROUP RBROKER=$BROKER RKEY=$KEY RURL=$URL RSHA=$SHA \
  RPASSWORD=$(cat "$PASSWORD_FILE") RCA=$(cat "$CA") awk '
    function put(line, name, value,    at, out) {
      out = ""
      while ((at = index(line, name)) > 0) {
        out = out substr(line, 1, at - 1) value
        line = substr(line, at + length(name))
      }
      return out line
    }
    $0 ~ /^ *REPLACE_ME_BROKER_CA_PEM$/ {
      indent = substr($0, 1, index($0, "R") - 1)
      n = split(ENVIRON["RCA"], pem, "\n")
      for (i = 1; i <= n; i++) if (pem[i] != "") print indent pem[i]
      next
    }
    {
      line = $0
      line = put(line, "REPLACE_ME_DEVICE_ID", ENVIRON["RID"])
      line = put(line, "REPLACE_ME_GROUP", ENVIRON["RGROUP"])
      line = put(line, "REPLACE_ME_BROKER_HOST", ENVIRON["RBROKER"])
      line = put(line, "REPLACE_ME_DEVICE_PASSWORD", ENVIRON["RPASSWORD"])
      line = put(line, "REPLACE_ME_COORDINATOR_PUBLIC_KEY", ENVIRON["RKEY"])
      line = put(line, "REPLACE_ME_RELEASE_URL", ENVIRON["RURL"])
      line = put(line, "REPLACE_ME_RELEASE_SHA256", ENVIRON["RSHA"])
      print line
    }
  ' "$TEMPLATE"
)
left=$(printf '%s\n' "$out" | grep -Eo 'REPLACE[_]ME_[A-Z0-9_]+' | sort -u | tr '\n' ' ' || true)
[ -z "$left" ] || die "still unfilled in the result: $left(a template newer than this script?)" 1
if command -v cloud-init >/dev/null 2>&1; then
  tmp=$(mktemp)
  printf '%s\n' "$out" > "$tmp"
  if ! cloud-init schema --config-file "$tmp" >/dev/null 2>"$tmp.err"; then
    cat "$tmp.err" >&2
    rm -f "$tmp" "$tmp.err"
    die "the result is not valid cloud-config" 1
  fi
  rm -f "$tmp" "$tmp.err"
fi
printf '%s\n' "$out"
