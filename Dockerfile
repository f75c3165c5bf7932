# syntax=docker/dockerfile:1
# mlflowd image: the server binary, MLflow's web UI files, nothing else.
#
# The two build stages run the same commands the test suite runs outside Docker
# (tests/deploy/test_image_build.py): `cargo build --release --locked` and
# `python3 scripts/fetch-ui.py`.

# --- 1. the binary ---------------------------------------------------------------------------
FROM rust:1.95.0-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
RUN cargo build --release --locked \
    && install -D -m 0755 target/release/mlflowd /out/usr/local/bin/mlflowd \
    && ln -s mlflowd /out/usr/local/bin/mlflow

# --- 2. the UI files, from the mlflow wheel (only its js/build tree is kept) ----------------
FROM python:3.11.14-slim-bookworm AS ui
COPY scripts/fetch-ui.py /fetch-ui.py
RUN python3 /fetch-ui.py /out/usr/share/mlflowd/ui

# --- 3. runtime: glibc + libgcc, no shell, no package manager, non-root ---------------------
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/ /
COPY --from=ui /out/ /
ENV MLFLOWD_UI_DIR=/usr/share/mlflowd/ui
# Nothing is written at run time; a read-only root filesystem works (mount an emptyDir at /tmp
# if a platform insists on a writable temp directory).
WORKDIR /tmp
USER 65532:65532
EXPOSE 5000
# `mlflow` is a link to `mlflowd`, so manifests written for the Python image
# (`mlflow server --backend-store-uri …`) start unchanged.
ENTRYPOINT ["/usr/local/bin/mlflowd"]
CMD ["server", "--host", "0.0.0.0", "--port", "5000"]
