# Knowledge Hub API server.
#   docker build -t knowledge-hub .
#   docker run -p 8000:8000 -e DATABASE_URL=postgresql://… -e KHUB_APP_DATABASE_URL=postgresql://… \
#     knowledge-hub khub serve --host 0.0.0.0 --port 8000 --migrate
# Without DATABASE_URL the embedded PostgreSQL keeps its data in /data (mount a volume).
# docs/deploy.md: roles, the vector extension, pool sizing, production settings, compose.yaml.

FROM node:20-slim AS graphiql
WORKDIR /build/graph/static
COPY graph/static/package.json graph/static/package-lock.json graph/static/.npmrc graph/static/install-graphiql.sh ./
RUN bash install-graphiql.sh

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KHUB_DATA_DIR=/data/pgdata
# A numeric user, so platforms that require a non-root user (runAsNonRoot) can verify it.
RUN groupadd --gid 10001 khub \
    && useradd --uid 10001 --gid 10001 --create-home khub \
    && mkdir -p /data && chown 10001:10001 /data
WORKDIR /app
COPY requirements.lock pyproject.toml README.md alembic.ini schema.graphql ./
COPY graph ./graph
COPY persistence ./persistence
COPY migrations ./migrations
COPY --from=graphiql /build/graph/static/vendor ./graph/static/vendor
# Every dependency at the version CI tested (requirements.lock, made by pip-compile).
RUN pip install --no-cache-dir --constraint requirements.lock .
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
# Liveness, without curl in the image: the process answers HTTP. Readiness (the database
# and its schema) is /readyz, for load balancers and orchestrators.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["khub", "serve", "--host", "0.0.0.0", "--port", "8000"]
