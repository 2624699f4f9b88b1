# syntax=docker/dockerfile:1
# The hotshard image the Kubernetes manifests in deploy/kubernetes/ run (README "On Kubernetes"):
#
#   docker build -t registry.example.com/hotshard:0.1.0 .     (or: podman build, buildah bud)
#
# Stage 1 builds the release binary with the Swift runtime linked in, as `make portable` does
# (scripts/package/static-relink.sh relinks an existing build to save a second one; a container
# build compiles once, so it asks SwiftPM for the static runtime directly). The binary then
# needs only libc, libstdc++, libpcap and zlib (README "Install"), so stage 2 is a slim Debian
# with libpcap and no Swift at all. Both stages are Debian 12, the system the toolchain was built
# for, so the binary's glibc and libstdc++ are the ones it was linked against.
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends libpcap-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The dependencies first, so that a change to the sources does not fetch them again.
COPY Package.swift Package.resolved ./
RUN swift package resolve
COPY . .
# The version stamped into the binary is `git describe` when .git is in the build context (it is
# left out by .dockerignore), else the VERSION file.
RUN swift build -c release --product hotshard --static-swift-stdlib \
    && install -D -m 755 -s "$(swift build -c release --static-swift-stdlib --show-bin-path)/hotshard" /out/usr/local/bin/hotshard \
    && install -D -m 644 -t /out/usr/local/share/hotshard/profiles profiles/*.yaml profiles/README.md \
    && ldd /out/usr/local/bin/hotshard

FROM ${RUNTIME_IMAGE}
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends libpcap0.8 zlib1g ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 65532 hotshard \
    && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin hotshard
COPY --from=build /out/ /
# Fails the image build when a library the binary needs is missing from the runtime.
RUN hotshard --version
# Stopping the container is Ctrl-C to hotshard: it stops measuring and writes what it measured
# (SIGTERM would end it with nothing written).
STOPSIGNAL SIGINT
USER 65532:65532
WORKDIR /tmp
ENTRYPOINT ["hotshard"]
CMD ["--help"]
