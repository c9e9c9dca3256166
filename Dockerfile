FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 PORT=8000 DATABASE_URL=sqlite:////data/exploria.db

# WeasyPrint (PDF summaries) needs Pango and fonts
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY server ./server
COPY migrations ./migrations
COPY cards ./cards
COPY templates ./templates
COPY static ./static
# editable: the app finds cards/, templates/, static/ and migrations/ beside its code
RUN pip install --no-cache-dir -e .

RUN useradd --create-home exploria && mkdir /data && chown exploria /data
USER exploria
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request,os;urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz')"
# python -m server migrates the database, then serves
CMD ["python", "-m", "server"]
