# syntax=docker/dockerfile:1
# Build: compile TypeScript and keep only production dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY function ./function
RUN npm run build && npm prune --omit=dev

# Runtime: distroless Node 24, non-root, nothing written to the root filesystem, so it runs
# with readOnlyRootFilesystem as Crossplane's package runtime deploys it.
FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /fn
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
USER 65532:65532
EXPOSE 9443
# ENTRYPOINT, not CMD: Crossplane's runtimes pass the function flags (for example --insecure)
# as the container's arguments.
ENTRYPOINT ["/nodejs/bin/node", "dist/function/server/main.js"]
