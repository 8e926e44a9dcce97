# Keyway in a container: docker build -t keyway . && docker run -p 8000:8000 -p 127.0.0.1:8001:8001 keyway
# Two stages on the same Node.js 20 image: the build stage has the compilers (better-sqlite3 is a native
# module, built or downloaded by npm ci) and TypeScript; the runtime stage has only what runs.

FROM node:20-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY bin/ bin/
COPY src/ src/
COPY scripts/build-web.mjs scripts/
COPY web/ web/
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund \
  && find dist -name '*.test.js' -delete \
  && find dist -name '*.map' -delete

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    KEYWAY_DATA_DIR=/var/lib/keyway \
    KEYWAY_PROXY_LISTEN=0.0.0.0:8000 \
    KEYWAY_ADMIN_LISTEN=0.0.0.0:8001 \
    KEYWAY_LOG_FORMAT=json
WORKDIR /opt/keyway
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/dist/web ./dist/web
COPY --from=build /src/bin ./bin
# The image's own unprivileged user (uid 1000) owns the data directory and nothing else.
RUN mkdir -p /var/lib/keyway && chown node:node /var/lib/keyway && chmod 0700 /var/lib/keyway
USER node
VOLUME ["/var/lib/keyway"]
EXPOSE 8000 8001
# The admin listener's /health needs no token; fetch is global in Node.js 20, so no curl in the image.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8001/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) drains in-flight requests: give it longer than proxy.drain_timeout_ms (10 s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/keyway.js"]
CMD ["start"]
