#!/usr/bin/env bash
# Installs (or removes) hashling on an existing Debian/Raspberry Pi OS device,
# from the tree this script belongs to (a checkout or an unpacked release), or
# from a release tarball (npm run release) that it verifies first:
#   sudo ./deploy/install.sh [--release URL|FILE [--sha256 HEX]] [--role agent|coordinator]
#        [--config FILE] [--password-file FILE] [--ca FILE] [--no-start]
#   sudo ./deploy/install.sh --uninstall [--purge]
# --release: a URL needs --sha256 (the tarball's line in SHA256SUMS); a local
# file is checked against --sha256 or the SHA256SUMS beside it. A mismatch is
# refused before anything is unpacked or installed.
# Idempotent: running it again with the same inputs changes nothing; an existing
# /etc/hashling config is never overwritten (use --force-config). `hashling` is
# put on PATH (/usr/local/bin/hashling).
set -euo pipefail

ROLE=agent
SOURCE=""
RELEASE=""
SHA256=""
CONFIG=""
PASSWORD_FILE=""
CA_FILE=""
START=1
UNINSTALL=0
PURGE=0
FORCE_CONFIG=0
SKIP_DEPS=0
# Tests install into a scratch tree; then no user, no systemctl.
ROOT="${HASHLING_INSTALL_ROOT:-}"

usage() {
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

die() {
  printf 'install.sh: %s\n' "$*" >&2
  exit 1
}

say() {
  printf 'install.sh: %s\n' "$*"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --role) ROLE="${2:?--role needs agent or coordinator}"; shift 2 ;;
    --source) SOURCE="${2:?--source needs a directory}"; shift 2 ;;
    --release) RELEASE="${2:?--release needs a URL or a file}"; shift 2 ;;
    --sha256) SHA256="${2:?--sha256 needs 64 hex digits}"; shift 2 ;;
    --config) CONFIG="${2:?--config needs a file}"; shift 2 ;;
    --password-file) PASSWORD_FILE="${2:?--password-file needs a file}"; shift 2 ;;
    --ca) CA_FILE="${2:?--ca needs a file}"; shift 2 ;;
    --no-start) START=0; shift ;;
    --force-config) FORCE_CONFIG=1; shift ;;
    --skip-deps) SKIP_DEPS=1; shift ;;
    --uninstall) UNINSTALL=1; shift ;;
    --purge) PURGE=1; shift ;;
    -h|--help) usage 0 ;;
    *) printf 'install.sh: unknown option %s\n' "$1" >&2; usage 64 ;;
  esac
done

case "$ROLE" in
  agent|coordinator) ;;
  *) die "--role must be agent or coordinator, not $ROLE" ;;
esac

APP="$ROOT/opt/hashling"
ETC="$ROOT/etc/hashling"
STATE="$ROOT/var/lib/hashling"
UNITS="$ROOT/etc/systemd/system"
# The command on PATH (a link to the installed bin; its target as the system sees it).
LINK="$ROOT/usr/local/bin/hashling"
UNIT="hashling-$ROLE.service"

# Set when code, unit or config changed: the running service is restarted only then.
CHANGED=0

# Real system changes only when installing into /.
system() {
  if [ -z "$ROOT" ]; then "$@"; else say "(root $ROOT) skipped: $*"; fi
}

if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then
  die "run as root (sudo)"
fi

if [ "$UNINSTALL" -eq 1 ]; then
  for u in hashling-agent.service hashling-coordinator.service; do
    if [ -f "$UNITS/$u" ]; then
      system systemctl disable --now "$u" || true
      rm -f "$UNITS/$u"
      say "removed $u"
    fi
  done
  system systemctl daemon-reload || true
  rm -rf "$APP" "$APP.new"
  if [ -L "$LINK" ]; then rm -f "$LINK"; fi
  if [ "$PURGE" -eq 1 ]; then
    rm -rf "$ETC" "$STATE" "$ROOT/var/cache/hashling"
    if [ -z "$ROOT" ] && id hashling >/dev/null 2>&1; then
      userdel hashling || true
    fi
    say "purged config, state and the hashling user"
  else
    say "kept $ETC and $STATE (use --purge to remove them)"
  fi
  exit 0
fi

# A release tarball: fetched, verified against its SHA-256, unpacked; it is the source tree then.
if [ -n "$RELEASE" ]; then
  [ -z "$SOURCE" ] || die "--release and --source exclude each other"
  WORK="$(mktemp -d)"
  trap 'rm -rf "$WORK"' EXIT
  name="${RELEASE##*/}"
  name="${name%%\?*}"
  tarball="$WORK/${name:-release.tgz}"
  case "$RELEASE" in
    http://*|https://*|file://*)
      [ -n "$SHA256" ] || die "--release $RELEASE needs --sha256 (the tarball's line in the release's SHA256SUMS)"
      command -v curl >/dev/null 2>&1 || die "curl not found (apt-get install curl)"
      curl -fsSL --retry 3 -o "$tarball" "$RELEASE" || die "cannot download $RELEASE"
      ;;
    *)
      [ -f "$RELEASE" ] || die "--release: no file $RELEASE"
      cp "$RELEASE" "$tarball"
      if [ -z "$SHA256" ]; then
        sums="$(dirname "$RELEASE")/SHA256SUMS"
        [ -f "$sums" ] || die "cannot verify $RELEASE: give --sha256, or put the release's SHA256SUMS beside it"
        SHA256="$(awk -v f="$name" '$2 == f || $2 == "*" f { print $1; exit }' "$sums")"
        [ -n "$SHA256" ] || die "$sums has no line for $name"
      fi
      ;;
  esac
  printf '%s' "$SHA256" | grep -Eqx '[0-9a-f]{64}' || die "--sha256 must be 64 lower-case hex digits, not $SHA256"
  actual="$(sha256sum "$tarball" | cut -d' ' -f1)"
  if [ "$actual" != "$SHA256" ]; then
    die "$RELEASE has SHA-256 $actual, not $SHA256: refusing to install it (tampered with, or an incomplete download)"
  fi
  mkdir "$WORK/tree"
  tar -xzf "$tarball" -C "$WORK/tree" --strip-components=1 || die "$RELEASE is not a release tarball"
  SOURCE="$WORK/tree"
  say "verified $name (SHA-256 $actual)"
fi

# The source tree: the checkout this script belongs to, unless --source or --release.
if [ -z "$SOURCE" ]; then
  SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fi
if [ ! -f "$SOURCE/package.json" ] || [ ! -f "$SOURCE/bin/hashling.js" ]; then
  die "$SOURCE is not a hashling source tree"
fi

# The oldest Node.js hashling runs on (package.json "engines"; Raspberry Pi OS
# bookworm's apt nodejs is 18.20.4), checked to the minor version.
NODE_MIN_MAJOR=18
NODE_MIN_MINOR=19
if [ "$SKIP_DEPS" -eq 0 ]; then
  command -v node >/dev/null 2>&1 || die "node not found: install Node.js >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR first (Debian/Raspberry Pi OS: apt-get install nodejs)"
  node_version="$(node -p 'process.versions.node')"
  node_major="${node_version%%.*}"
  node_minor="${node_version#*.}"
  node_minor="${node_minor%%.*}"
  if [ "$node_major" -lt "$NODE_MIN_MAJOR" ] || { [ "$node_major" -eq "$NODE_MIN_MAJOR" ] && [ "$node_minor" -lt "$NODE_MIN_MINOR" ]; }; then
    die "Node.js $node_version is too old: hashling needs >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR"
  fi
fi

# The compiled product (dist/, plain JavaScript with its libraries inside) runs
# without npm or node_modules. A release tarball has it; a bare checkout builds
# it here once with npm (nothing is compiled when the service starts).
if [ ! -f "$SOURCE/dist/main.js" ]; then
  [ "$SKIP_DEPS" -eq 0 ] || die "$SOURCE has no compiled dist/: run npm ci there first"
  command -v npm >/dev/null 2>&1 || die "$SOURCE has no compiled dist/ and npm is missing: use a release tarball (npm pack) or apt-get install npm"
  say "building dist/ in $SOURCE (npm ci)"
  (cd "$SOURCE" && npm ci --no-audit --no-fund --loglevel=error)
fi

# 1. The service user (system account, no login, video group for vcgencmd).
if [ -z "$ROOT" ]; then
  if ! id hashling >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/hashling --no-create-home --shell /usr/sbin/nologin --user-group hashling
    say "created user hashling"
  fi
  if getent group video >/dev/null 2>&1 && ! id -nG hashling | tr ' ' '\n' | grep -qx video; then
    usermod -a -G video hashling
    say "added hashling to group video"
  fi
fi

# 2. The code (bin/, dist/, package.json), replaced as a whole: copied beside,
#    then swapped, so a failed copy leaves the running version untouched.
version="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$SOURCE/package.json" | head -n 1)"
stamp="$version $(cd "$SOURCE" && find bin dist package.json -type f | LC_ALL=C sort | xargs cat | cksum | cut -d' ' -f1)"
if [ -f "$APP/.install-stamp" ] && [ "$(cat "$APP/.install-stamp")" = "$stamp" ]; then
  say "hashling $version already installed in $APP"
else
  rm -rf "$APP.new"
  mkdir -p "$APP.new"
  cp -R "$SOURCE/bin" "$SOURCE/dist" "$APP.new/"
  cp "$SOURCE/package.json" "$APP.new/"
  printf '%s\n' "$stamp" > "$APP.new/.install-stamp"
  rm -rf "$APP.old"
  if [ -d "$APP" ]; then mv "$APP" "$APP.old"; fi
  mv "$APP.new" "$APP"
  rm -rf "$APP.old"
  CHANGED=1
  say "installed hashling $version in $APP"
fi

# `hashling` on PATH for operators (hashling health, hashling fleet …).
mkdir -p "$(dirname "$LINK")"
if [ "$(readlink "$LINK" 2>/dev/null || true)" != /opt/hashling/bin/hashling.js ]; then
  ln -sfn /opt/hashling/bin/hashling.js "$LINK"
  say "linked $LINK -> /opt/hashling/bin/hashling.js"
fi

# 3. Config, credentials and state directories (never overwriting an operator's config).
install -d -m 0750 "$ETC" "$STATE"
system chown root:hashling "$ETC"
system chown hashling:hashling "$STATE"
put_secret() { # src dest mode
  if [ -n "$1" ]; then
    if [ ! -f "$2" ] || [ "$FORCE_CONFIG" -eq 1 ]; then
      install -m "$3" "$1" "$2"
      system chown root:hashling "$2"
      CHANGED=1
      say "wrote $2"
    elif ! cmp -s "$1" "$2"; then
      say "kept existing $2 (differs from $1; --force-config replaces it)"
    fi
  fi
}
put_secret "$CONFIG" "$ETC/$ROLE.json" 0640
put_secret "$PASSWORD_FILE" "$ETC/broker.password" 0640
put_secret "$CA_FILE" "$ETC/ca.crt" 0644

# 4. The systemd unit.
mkdir -p "$UNITS"
if ! cmp -s "$SOURCE/deploy/systemd/$UNIT" "$UNITS/$UNIT"; then
  install -m 0644 "$SOURCE/deploy/systemd/$UNIT" "$UNITS/$UNIT"
  system systemctl daemon-reload
  CHANGED=1
  say "installed $UNIT"
fi

if [ ! -f "$ETC/$ROLE.json" ]; then
  say "no $ETC/$ROLE.json yet: write it (see deploy/README.md), then: systemctl enable --now $UNIT"
elif [ "$START" -eq 1 ]; then
  system systemctl enable --now "$UNIT"
  # A re-run after an update must load the new code; an unchanged re-run leaves it alone.
  if [ "$CHANGED" -eq 1 ]; then
    system systemctl restart "$UNIT"
    say "$UNIT enabled and restarted"
  else
    say "$UNIT enabled; nothing changed"
  fi
fi
