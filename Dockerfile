FROM python:3.11-slim-bookworm

# WeasyPrint renders with pango/harfbuzz; Liberation Sans gives the QR-bill its Arial metrics.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        fonts-liberation2 fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=openleg.settings.production
WORKDIR /app

COPY pyproject.toml constraints.txt README.md ./
COPY openleg ./openleg
COPY accounts ./accounts
COPY pipeline ./pipeline
COPY communities ./communities
COPY metering ./metering
COPY billing ./billing
COPY documents ./documents
COPY api ./api
RUN pip install --no-cache-dir -c constraints.txt .
COPY . .

RUN useradd --create-home --uid 1000 openleg \
    && mkdir -p /app/media /app/staticfiles /var/lib/openleg/metrics \
    && SECRET_KEY=build DATABASE_URL=sqlite:////tmp/build.db ALLOWED_HOSTS=localhost \
       python manage.py collectstatic --noinput \
    && chown -R openleg:openleg /app/media /app/staticfiles /var/lib/openleg/metrics
USER openleg

EXPOSE 8000
# The ASGI application: Django, the MCP server at /mcp and the static files (openleg/asgi.py).
CMD ["uvicorn", "openleg.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--workers", "3", \
     "--timeout-graceful-shutdown", "30", "--timeout-keep-alive", "150", "--no-access-log"]
