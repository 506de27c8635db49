# Production image for the Bun backend in app/.
# The base is a build argument pinned to a Bun release. Where Docker Hub is unreachable (CI here, the offline
# stand-in), build the same release locally and pass it in:
#   scripts/build-bun-base-image.sh
#   DOCKER_BUILDKIT=0 docker build --build-arg BUN_IMAGE=local/bun:1.4.5 --build-arg GIT_SHA=$(git rev-parse HEAD) .
ARG BUN_IMAGE=oven/bun:1.4.5-slim

# --- deps: production dependencies only -------------------------------------------------------------------
# app/ is an npm workspace whose lockfile is the root package-lock.json, so bun gets a manifest with the
# devDependencies removed (without that, bun resolves them too, which needs the network). Today the app has no
# runtime dependencies and this stage yields an empty node_modules; the pattern stays so adding one is safe.
FROM ${BUN_IMAGE} AS deps
WORKDIR /deps
COPY app/package.json ./package.json
RUN bun -e 'const m = await Bun.file("package.json").json(); delete m.devDependencies; await Bun.write("package.json", JSON.stringify(m)); (await import("node:fs")).mkdirSync("node_modules", { recursive: true });' \
 && bun install --production --ignore-scripts --no-save

# --- runtime -------------------------------------------------------------------------------------------------
FROM ${BUN_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /home/bun/app
COPY --from=deps /deps/node_modules ./node_modules
COPY app/package.json ./package.json
COPY app/src ./src
# The commit comes after the files: a build argument invalidates the cache from its first use on, so here a
# new commit that changes only app/src rebuilds only that layer (with the cache of an earlier build).
ARG GIT_SHA=unknown
# CI passes ${{ github.server_url }}/${{ github.repository }}.
ARG SOURCE_URL=""
LABEL org.opencontainers.image.title="lightsail-app" \
      org.opencontainers.image.description="Bun backend deployed to AWS Lightsail" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.revision="${GIT_SHA}" \
      org.opencontainers.image.version="${GIT_SHA}"
# APP_VERSION is what GET /health reports; a deployment may override it.
ENV APP_VERSION=${GIT_SHA}
# Numeric ids so the runtime can tell it is not root without reading /etc/passwd (uid 1000 is `bun`).
USER 1000:1000
EXPOSE 3000
# main.ts drains in-flight requests on SIGTERM and exits before Docker's 10 s kill.
STOPSIGNAL SIGTERM
# No curl in the image: bun itself probes the endpoint.
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD ["bun", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 3000}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["bun", "src/main.ts"]
