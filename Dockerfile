# ldapply: one image for the web process, the Celery worker and Celery beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

# ldapply finds templates/, static/ and migrations/ next to its package (PROJECT_ROOT), and those
# folders are not in the wheel; PYTHONPATH imports the package from /app, ahead of site-packages,
# so they stay in reach. `pip install .` still installs every dependency.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app

# WeasyPrint's system libraries: Pango, HarfBuzz's subsetter (letters render faster with it), a font.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . .
RUN pip install . \
    && rm -rf build ./*.egg-info

# A non-root user; /data is the mount point of the shared `storage` volume, and a fresh named volume
# copies this folder's ownership, so the app can write letters and uploads there.
RUN groupadd --system ldapply \
    && useradd --system --gid ldapply --home-dir /app --no-create-home --shell /usr/sbin/nologin ldapply \
    && mkdir -p /data/storage /data/instance \
    && chown -R ldapply:ldapply /data
USER ldapply

EXPOSE 8000
CMD ["gunicorn", "--workers", "2", "--bind", "0.0.0.0:8000", "--reuse-port", "--timeout", "30", "wsgi:app"]
