# syntax=docker/dockerfile:1
# provisio: the engine, its HTTP API and CLI in one image.
#   docker build -t provisio .
#   docker run -d -p 8080:8080 -v provisio-data:/data provisio     # prints the admin token once: docker logs
# Two stages: the build stage has the compilers and dev dependencies, the runtime stage only the
# built code and production dependencies, running as the unprivileged `node` user.
# The base image is pinned to an exact Node.js release (20, as the engines field says); pin its
# digest as well in your registry mirror (docs/operations.md, "Container").

FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 installs a prebuilt binary; the toolchain is there for platforms without one.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PROVISIO_HOST=0.0.0.0 \
    PROVISIO_PORT=8080 \
    PROVISIO_SQLITE_PATH=/data/provisio.db \
    PROVISIO_KEY_FILE=/data/secret.key
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
USER node
# The SQLite database and the secret key file live here: back the volume up, key apart.
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PROVISIO_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# serve stops gracefully on SIGTERM (running actions finish for PROVISIO_SHUTDOWN_GRACE_SECONDS).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve"]
