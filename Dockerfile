# Knowledge Hub API server.
#   docker build -t knowledge-hub .
#   docker run -p 8000:8000 -e DATABASE_URL=postgresql://… knowledge-hub
# Without DATABASE_URL the embedded PostgreSQL keeps its data in /data (mount a volume).

FROM node:20-slim AS graphiql
WORKDIR /build/graph/static
COPY graph/static/package.json graph/static/package-lock.json graph/static/.npmrc graph/static/install-graphiql.sh ./
RUN bash install-graphiql.sh

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 KHUB_DATA_DIR=/data/pgdata
RUN useradd --create-home --uid 10001 khub && mkdir -p /data && chown khub /data
WORKDIR /app
COPY pyproject.toml README.md alembic.ini schema.graphql ./
COPY graph ./graph
COPY persistence ./persistence
COPY migrations ./migrations
COPY --from=graphiql /build/graph/static/vendor ./graph/static/vendor
RUN pip install --no-cache-dir .
USER khub
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["khub", "serve", "--host", "0.0.0.0", "--port", "8000"]
