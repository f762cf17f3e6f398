# syntax=docker/dockerfile:1
# hss-baseline-sync: a small Node.js 24 image running as a non-root user, fit for a read-only root
# filesystem (it writes nothing; give it a writable /tmp anyway). Build: docker build -t hss-baseline-sync .
# Default command: the daemon (`start`); any other command works too: `docker run … sync`.

ARG NODE_IMAGE=node:24-bookworm-slim

# 1. Compile TypeScript with the dev dependencies. --ignore-scripts: the `prepare` script (tsc)
#    needs the sources, which come after, and no dev dependency needs an install script for tsc.
#    Only src/ is compiled: the bench (bench/, its own build) and the tests stay out of the image.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# 2. Production dependencies only. --omit=optional leaves out embedded-postgres' 60 MB server
#    binaries (only `demo` without DATABASE_URL uses them) and pg's Cloudflare socket. Source
#    maps and TypeScript files (declarations, the sources some packages ship) are never loaded
#    at run time: deleting them takes node_modules from 46 MB to 26 MB (docs/container.md).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && find node_modules -type f \( -name '*.map' -o -name '*.ts' -o -name '*.mts' -o -name '*.cts' \) -delete

# 3. The runtime: node, the compiled code, the migrations, production node_modules. Nothing else.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HTTP_PORT=9464
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY migrations ./migrations
# uid/gid 1000 is the image's `node` user; numeric, so Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 9464
STOPSIGNAL SIGTERM
# Liveness of `start`: /healthz on HTTP_PORT. Slim images have no curl, so node asks.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/hss-baseline-sync.js"]
CMD ["start"]
