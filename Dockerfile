# syntax=docker/dockerfile:1
#
# Depwatch, the Slack bot, as a container that needs no privilege:
# - multi-stage: TypeScript is compiled with the dev dependencies in `build`; the runtime stage gets
#   the production dependencies only (`deps`), the compiled dist/, migrations/ and the built-in
#   incident template; no compiler, no npm cache, no sources, no tests;
# - the base image is pinned by digest (see NODE_IMAGE below; bump tag and digest together);
# - runs as the image's unprivileged `node` user (uid 1000), numeric so that runAsNonRoot can check it;
# - works with a read-only root filesystem: the only writes are the database (DEPWATCH_DB, on the
#   /data volume, with its -wal/-shm files and templates/ beside it) and temporary files (/tmp: mount a
#   tmpfs; an OSV mirror sync unpacks its download there);
# - HEALTHCHECK runs bin/healthcheck.js with Node (the slim image has no curl or wget);
# - git, for `scan --history`, in the runtime stage only: Depwatch runs only git log, rev-parse,
#   rev-list and cat-file, which read, with GIT_OPTIONAL_LOCKS=0, so the read-only root filesystem
#   and the non-root user still hold;
# - no secret is baked in: configuration comes from the environment at run time (`--env-file .env`),
#   and .dockerignore keeps .env and databases out of the build context.
#
# node:20.19-bookworm-slim, multi-platform index digest, Node 20.19.6, built 2025-12-08, as listed in
# the docker-library "repo-info" record for that tag (repos/node/remote/20.19-bookworm-slim.md).
# Check it before relying on it: docker buildx imagetools inspect node:20.19-bookworm-slim
ARG NODE_IMAGE=node:20.19-bookworm-slim@sha256:1b38aaddff63cd0d3a9b5b03863a71fd33ee62047dd2e915f494d96b4b9c18cc

FROM ${NODE_IMAGE} AS base
WORKDIR /app
# better-sqlite3 downloads a prebuilt binary for this Node and platform; when none fits it compiles,
# which needs these tools. They stay in the build stages: the runtime stage never gets them.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./

# Production dependencies only. Scripts are off (`prepare` would build, which needs TypeScript);
# better-sqlite3's own install script is then run on purpose, and only it.
FROM base AS deps
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3

# Every dependency, to compile src/ into dist/.
FROM base AS build
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
RUN node bin/build.js

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    DEPWATCH_DB=/data/depwatch.db \
    PORT=3000
WORKDIR /app
# A font for the monthly chart's text: @napi-rs/canvas draws with the system's fonts only, and the slim
# image has none (without one the bot leaves the chart out and says so). DejaVu, no recommends.
# git for `depwatch scan --history` (git log and git cat-file, read only; without git the history part
# is partial, `git-missing`); no recommends (no ssh client, less or patch). Both are bookworm's, as
# the digest-pinned base image is: Debian replaces a package's version in place, so a version pin
# would break the build at the next security update.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core git \
 && rm -rf /var/lib/apt/lists/*
# Owned by root and read-only to the bot: the code cannot be changed by the process running it.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
COPY src/incidents/templates/default.yml ./src/incidents/templates/default.yml
COPY bin/healthcheck.js ./bin/healthcheck.js
# The licences the image must carry: Depwatch's own, and the Apache-2.0 attribution of the one data
# set it ships (PyPI's top project names, in dist/packages/typosquat/).
COPY LICENSE ./
COPY src/packages/typosquat/LICENSE-warehouse.txt ./dist/packages/typosquat/LICENSE-warehouse.txt
# The database's directory belongs to the bot; a named volume mounted here starts with this owner.
RUN mkdir /data && chown 1000:1000 /data
VOLUME ["/data"]
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "bin/healthcheck.js"]
# `docker run IMAGE` starts the bot; `docker run IMAGE dist/cli.js audit …` runs the CLI instead.
ENTRYPOINT ["node"]
CMD ["dist/main.js"]
