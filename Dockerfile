# syntax=docker/dockerfile:1
# The opsgraph server: built in Rust's image, run from Debian's slim one as an unprivileged user.
#   docker build -t opsgraph --build-arg OPSGRAPH_GIT_COMMIT="$(git rev-parse HEAD)" .
#   docker run -p 8000:8000 -v opsgraph-data:/data opsgraph              # SQLite in the volume
#   docker run -p 8000:8000 -v opsgraph-data:/data opsgraph serve --demo  # with the demo data
# Settings come from the environment (.env.example names each); compose.yaml runs two instances
# on PostgreSQL behind one port.

# The builder's Debian matches the runtime's, so the binary finds the glibc it was linked to.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY entity entity
COPY migration migration
# The benchmark's data generator is not built here, but as a workspace member its crate must exist.
COPY seed seed
# Files the binary embeds: the playground's bundle, the REST reference page.
COPY assets assets
COPY src src
# `/metrics` reports it as opsgraph_build_info{commit=…}.
ARG OPSGRAPH_GIT_COMMIT=unknown
ENV OPSGRAPH_GIT_COMMIT=${OPSGRAPH_GIT_COMMIT}
# The registry and the target directory are caches between builds, not layers of the image.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin opsgraph \
    && cp target/release/opsgraph /usr/local/bin/opsgraph

FROM debian:bookworm-slim
# No package is installed: TLS roots are compiled in (rustls, webpki-roots), and the health
# check is the binary's own `opsgraph healthcheck`.
RUN groupadd --system --gid 10001 opsgraph \
    && useradd --system --uid 10001 --gid opsgraph --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin opsgraph \
    && mkdir -p /data/storage \
    && chown -R opsgraph:opsgraph /data
COPY --from=build /usr/local/bin/opsgraph /usr/local/bin/opsgraph
# Listen on every interface of the container; SQLite's file and local storage live in /data.
ENV OPSGRAPH_BIND=0.0.0.0:8000 \
    DATABASE_URL=sqlite:///data/opsgraph.sqlite?mode=rwc \
    OPSGRAPH_STORAGE_DIR=/data/storage \
    OPSGRAPH_LOG_FORMAT=json
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=6s --start-period=60s --retries=3 \
    CMD ["opsgraph", "healthcheck"]
# SIGTERM lets requests in flight finish (at most the request timeout, 30 s by default).
STOPSIGNAL SIGTERM
ENTRYPOINT ["opsgraph"]
CMD ["serve"]
