# hashling: one image for the agent (default) and the coordinator (`coordinator …`).
#
#   docker buildx build --platform linux/amd64,linux/arm64,linux/arm/v7 -t hashling:0.1.0 .
#   docker run --rm --init hashling:0.1.0 agent --broker mqtt://broker:1883 --device-id pi-01
#
# node:20-bookworm-slim still publishes linux/arm/v7 (Pi 2/3 with 32-bit OS, Zero 2 W),
# next to amd64 and arm64; Alpine's musl builds of Node are not published for arm/v7.
# hashling runs on Node >= 18.19 (package.json engines; node:18-bookworm-slim works too).
ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: the compiled product (dist/: plain JavaScript, libraries bundled in,
# .wasm kernels beside it). JavaScript is the same on every platform, so it is
# built once on the build host's own platform, never under emulation.
FROM --platform=$BUILDPLATFORM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Behind a TLS-inspecting proxy, give its CA bundle as the `ca` build secret
# (docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt): it is
# mounted for this step only and is in no layer. npm 10 can exit 0 after failed
# fetches ("Exit handler never called!"), so npm ls checks the tree is whole.
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \
 && npm ci --ignore-scripts --no-audit --no-fund \
 && npm ls --all >/dev/null
COPY . .
RUN npm run build

# --- runtime
FROM ${NODE_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="hashling" \
      org.opencontainers.image.description="MQTT-managed micro-mining agent for IoT fleets, and its pool-side coordinator" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/hashling/hashling"
# tini as PID 1: forwards SIGTERM to node (clean `offline` status) and reaps the
# vcgencmd children the Raspberry Pi sensors spawn.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && groupadd --system --gid 10001 hashling \
 && useradd --system --uid 10001 --gid hashling --groups video --home-dir /var/lib/hashling --no-create-home --shell /usr/sbin/nologin hashling \
 && install -d -o hashling -g hashling -m 0750 /var/lib/hashling \
 && install -d -o root -g hashling -m 0750 /etc/hashling
WORKDIR /app
# No node_modules and no TypeScript: plain node runs dist/ (nothing compiles at start).
COPY package.json ./
COPY bin ./bin
COPY --from=build /src/dist ./dist
RUN ln -s /app/bin/hashling.js /usr/local/bin/hashling
# health.state_dir: the status file behind `hashling health` and the cached
# kernel plan (a restarted container skips the timing).
ENV NODE_ENV=production \
    HASHLING_HEALTH_STATE_DIR=/var/lib/hashling \
    HASHLING_SENSORS_SYSFS_ROOT=/sys
# The user alone (no :group), so Docker also gives it its supplementary group
# video from /etc/group (vcgencmd); a user:group form would drop it.
USER hashling
VOLUME ["/var/lib/hashling"]
# The process's own status file (health.state_dir): fresh, alive, broker reachable
# within health.max_offline_s. `hashling health` picks the agent's or the
# coordinator's file, whichever runs here.
HEALTHCHECK --interval=60s --timeout=15s --start-period=90s --retries=3 \
  CMD ["node", "/app/bin/hashling.js", "health"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/hashling.js"]
CMD ["agent"]
