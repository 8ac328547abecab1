# syntax=docker/dockerfile:1
# The same image `npm run package` builds without Docker (scripts/build-image.sh): the bundled
# entry point at /app/main.mjs on distroless Node 24, user 65532, ENTRYPOINT and no CMD.
# test/packaging.test.ts keeps the two in step.
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle.sh ./scripts/bundle.sh
COPY function ./function
RUN bash scripts/bundle.sh /src/_build/app/main.mjs

# Runtime: distroless Node 24, non-root, nothing written to the root filesystem, so it runs
# with readOnlyRootFilesystem as Crossplane's package runtime deploys it.
FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
COPY --from=build /src/_build/app/main.mjs /app/main.mjs
USER 65532:65532
EXPOSE 9443
# ENTRYPOINT, not CMD: Crossplane's runtimes pass the function flags (for example --insecure)
# as the container's arguments. --max-semi-space-size: V8 lets the main thread's nursery grow to
# 32 MiB under load; one call's garbage needs far less (bench/soak.ts --dist measures the RSS).
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=8", "/app/main.mjs"]
