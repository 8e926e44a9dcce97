# Keyway in a container: docker build -t keyway:0.1.0 . && docker run -p 8000:8000 -p 127.0.0.1:8001:8001 keyway:0.1.0
# Three stages on the same Node.js 20 image, and the runtime image takes only the last two's output:
#   build  — every dependency (TypeScript, Vite), compiles src/ to dist/src (tests left out: tsconfig.dist.json)
#            and builds the web console into dist/web;
#   deps   — production dependencies only (`npm ci --omit=dev`), with the compilers better-sqlite3's native
#            module may need when npm finds no prebuilt binary;
#   final  — Node.js, those dependencies, dist/src, dist/web and bin/, run as the image's unprivileged `node` user.
# docs/deployment.md says how to run it; test/package/dockerfile.test.ts checks this file.

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Install scripts skipped: the compiler needs no native module, the deps stage builds it.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.dist.json ./
COPY src/ src/
RUN npx tsc -p tsconfig.dist.json
COPY scripts/build-web.mjs scripts/
COPY web/ web/
RUN node scripts/build-web.mjs

FROM node:20-bookworm-slim AS deps
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
  && npm cache clean --force

FROM node:20-bookworm-slim
LABEL org.opencontainers.image.title="keyway" \
      org.opencontainers.image.description="API gateway and AI gateway built around custom keys" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production \
    KEYWAY_DATA_DIR=/var/lib/keyway \
    KEYWAY_PROXY_LISTEN=0.0.0.0:8000 \
    KEYWAY_ADMIN_LISTEN=0.0.0.0:8001 \
    KEYWAY_LOG_FORMAT=json
WORKDIR /opt/keyway
COPY --from=deps /src/package.json ./package.json
COPY --from=deps /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/dist/web ./dist/web
COPY bin/ ./bin/
# The image's own unprivileged user (uid 1000) owns the data directory and nothing else: the code is root's,
# read-only to the process (a read-only root file system works: only the data directory is written).
RUN mkdir -p /var/lib/keyway && chown node:node /var/lib/keyway && chmod 0700 /var/lib/keyway
USER node
VOLUME ["/var/lib/keyway"]
# 8000 proxy (HTTP), 8443 proxy (HTTPS, when a certificate is set), 8001 admin API (/health, /ready),
# 8002 developer portal (KEYWAY_PORTAL_LISTEN=off: none).
EXPOSE 8000 8443 8001 8002
# The admin listener's /health needs no token; fetch is global in Node.js 20, so no curl in the image.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8001/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) drains in-flight requests: give it longer than proxy.drain_timeout_ms (10 s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/keyway.js"]
CMD ["start"]
