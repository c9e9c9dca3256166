#!/usr/bin/env bash
# Static checks of the deployment files, without Docker images (none can be pulled here):
#  - deploy/nginx.conf is loaded by a real nginx (`nginx -t`) inside a minimal main
#    configuration, as the nginx image includes it from conf.d (the compose service names do
#    not resolve here, so a name written straight into proxy_pass, which nginx would resolve
#    only once at start, fails this check: it must go through a variable and the resolver);
#  - docker-compose.yml is read by `docker compose config` when the compose plugin exists.
# The rules the files must follow (Host, X-Forwarded-For, restart policies, …) are checked by
# tests/install/test_deploy.py, which also runs this script.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v nginx >/dev/null 2>&1; then
  echo "deploy/check.sh: nginx is not installed (apt-get install nginx; .ci/run does)" >&2
  exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/nginx.conf" <<CONF
pid $tmp/nginx.pid;
error_log stderr;
events {}
http {
    client_body_temp_path $tmp;
    proxy_temp_path $tmp;
    fastcgi_temp_path $tmp;
    uwsgi_temp_path $tmp;
    scgi_temp_path $tmp;
    include $PWD/deploy/nginx.conf;
}
CONF
nginx -t -q -p "$tmp" -c "$tmp/nginx.conf"
echo "deploy/nginx.conf: nginx -t passed ($(nginx -v 2>&1))"

if docker compose version >/dev/null 2>&1; then
  docker compose -f docker-compose.yml config --quiet
  echo "docker-compose.yml: docker compose config passed"
else
  echo "docker-compose.yml: no docker compose here, checked by tests/install/test_deploy.py only"
fi
