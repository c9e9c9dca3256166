# ExplorIA en ligne: one process, SQLite in the /data volume (docker-compose.yml: several
# processes with PostgreSQL and Redis). Layers from the least to the most often changed: system
# libraries, Python dependencies from requirements.lock, then the app, so a code change rebuilds
# only the last, small layers.
FROM python:3.11-slim-bookworm AS base

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (PDF summaries) needs Pango and fonts
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

# dependencies: exactly the locked versions, checked against their hashes
COPY requirements.lock /tmp/requirements.lock
RUN pip install --require-hashes -r /tmp/requirements.lock && rm /tmp/requirements.lock


# the app as a wheel; cards, templates, static files and migrations travel inside it
FROM base AS wheel
COPY . /src
RUN pip wheel --no-deps --wheel-dir /wheels /src


FROM base
# a fixed, unprivileged user: a directory bind-mounted on /data must be writable by UID 10001
# (chown -R 10001:10001 DIR); the server says so and stops if it is not
RUN groupadd --system --gid 10001 exploria \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --shell /usr/sbin/nologin exploria \
 && mkdir /data && chown 10001:10001 /data
COPY --from=wheel /wheels /wheels
RUN pip install --no-deps /wheels/*.whl && rm -rf /wheels

ENV HOST=0.0.0.0 PORT=8000 DATABASE_URL=sqlite:////data/exploria.db
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
# every 10 s once started; a start-up (migrations) may take up to 30 s before failures count
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['PORT']}/healthz\", timeout=2)"]
# python -m server migrates the database, then serves
CMD ["python", "-m", "server"]
