# Build stage: the pinned Rust toolchain on Debian 12, matching the runtime's glibc.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock rustfmt.toml ./
COPY src ./src
COPY fixtures ./fixtures
COPY scenarios ./scenarios
RUN --mount=type=cache,target=/usr/local/cargo/registry --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin mockcloud && cp target/release/mockcloud /mockcloud

# Runtime: only the binary (fixtures are compiled in) on distroless glibc, as the non-root user.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /mockcloud /usr/local/bin/mockcloud
# The shipped scenario library, for `--scenario /scenarios/<name>.json`.
COPY --from=build /src/scenarios /scenarios
ENV MOCKCLOUD_LISTEN=0.0.0.0:8990 \
    MOCKCLOUD_LOG_FORMAT=json
EXPOSE 8990
USER nonroot:nonroot
HEALTHCHECK --interval=10s --timeout=3s --start-period=2s --retries=3 \
    CMD ["/usr/local/bin/mockcloud", "health", "--url", "http://127.0.0.1:8990"]
ENTRYPOINT ["/usr/local/bin/mockcloud"]
CMD ["serve"]
