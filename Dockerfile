# syntax=docker/dockerfile:1
# The toolchain the scripts expect, from .swift-version (scripts/setup checks the two agree).
ARG SWIFT_VERSION=6.3.1

# Build: the official Swift image on Debian 12 with the -dev libraries.
FROM swift:${SWIFT_VERSION}-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      pkg-config libmicrohttpd-dev libpq-dev libargon2-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Sources only: without Tests/ the manifest declares the product and nothing else.
COPY Package.swift ./
COPY Sources ./Sources
RUN swift build -c release --static-swift-stdlib --product latchkey \
 && install -D .build/release/latchkey /out/latchkey

# Run: slim Debian with only the runtime libraries, as a non-root user.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libmicrohttpd12 libpq5 libargon2-1 libssl3 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin latchkey
COPY --from=build /out/latchkey /usr/local/bin/latchkey
COPY sql /usr/share/latchkey/sql
ENV LATCHKEY_HOST=0.0.0.0 \
    LATCHKEY_PORT=8080 \
    LATCHKEY_MIGRATIONS_DIR=/usr/share/latchkey/sql
USER latchkey
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=2s --retries=3 CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/latchkey"]
CMD ["serve"]
