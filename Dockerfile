# syntax=docker/dockerfile:1
# The Open edX Webhooks service. From the repository root: `docker build -t openedx-webhooks .`
# Published for each release as ghcr.io/<owner>/openedx-webhooks:<version> (.github/workflows/release.yml).
# The Tutor plugin builds this same file (a copy in openedx/tutor, kept equal by its tests) with
# `--build-context source=<folder or git URL>` (WEBHOOKS_SOURCE, else the release's tag), which replaces the
# `source` stage below.
# tests/deploy/image-start.test.ts reads the final stage (its COPY list, ENV, USER, HEALTHCHECK and CMD) and
# runs exactly that: keep ENV as KEY=value pairs and CMD/HEALTHCHECK in JSON form.
# Node.js 24 LTS on Debian 13 (trixie).
ARG NODE_IMAGE=docker.io/library/node:24-trixie-slim

# The repository: the build context, unless a named context called `source` is given.
FROM scratch AS source
COPY . /

# Every dependency, for the build.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=source /package.json /package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

# `next build` into /app/.next (what `npm start` runs on a fresh clone).
FROM deps AS build
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=source /next.config.mjs /postcss.config.mjs /tsconfig.json /proxy.ts /instrumentation.ts ./
COPY --from=source /app ./app
COPY --from=source /components ./components
COPY --from=source /lib ./lib
COPY --from=source /drizzle ./drizzle
RUN npm run build && rm -rf .next/cache

# Production dependencies only (tsx is one: server.ts runs through it).
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY --from=source /package.json /package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

# What runs: server.ts and the sources it imports, the build, production dependencies; no npm, no build cache.
FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 DATA_DIR=/data
COPY --from=source /package.json /package-lock.json /next.config.mjs /tsconfig.json /server.ts ./
COPY --from=source /app ./app
COPY --from=source /components ./components
COPY --from=source /lib ./lib
COPY --from=source /drizzle ./drizzle
COPY --from=source /scripts ./scripts
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/.next ./.next
# The code stays root's (read-only to the service); the data folder and Next.js's cache are the node user's (uid 1000).
RUN mkdir -p /data .next/cache && chown node:node /data .next/cache
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
# The server directly (not `npm start`, which builds and forwards signals): node gets SIGTERM itself, and the
# handler in server.ts stops taking requests, lets those and the deliveries in flight finish, then exits 0.
CMD ["node", "--import", "tsx", "server.ts"]
