"""The install and deployment files follow their rules (no Docker needed: images cannot be pulled
here). deploy/check.sh loads the nginx configuration in a real nginx."""

import ipaddress
import json
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.helpers import ROOT

COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
NGINX = (ROOT / "deploy" / "nginx.conf").read_text()
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def nginx_directives() -> list[str]:
    """The configuration's statements, comments removed and whitespace collapsed."""
    text = re.sub(r"#[^\n]*", "", NGINX)
    return [" ".join(s.split()) for s in re.split(r"[;{}]", text) if s.strip()]


def test_check_script_passes() -> None:
    done = subprocess.run(
        ["bash", str(ROOT / "deploy" / "check.sh")], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "nginx -t passed" in done.stdout


def test_nginx_passes_the_browser_host_and_overwrites_the_client_address() -> None:
    directives = nginx_directives()
    assert "proxy_set_header Host $http_host" in directives  # keeps the port
    assert "proxy_set_header X-Forwarded-For $remote_addr" in directives
    assert "$proxy_add_x_forwarded_for" not in NGINX  # appending keeps what the client wrote


def test_nginx_resolves_the_apps_again() -> None:
    directives = nginx_directives()
    assert any(d.startswith("resolver 127.0.0.11") for d in directives)
    passes = [d for d in directives if d.startswith("proxy_pass ")]
    assert passes and all("$" in d for d in passes), passes


def test_nginx_access_log_has_no_query_string() -> None:
    formats = [d for d in nginx_directives() if d.startswith("log_format ")]
    assert formats
    for fmt in formats:
        assert "$uri" in fmt
        for leaky in ("$request_uri", "$args", "$query_string", "$http_referer", "$arg_"):
            assert leaky not in fmt, fmt
        assert not re.search(r"\$request(?![_a-z])", fmt), fmt  # "$request" has the query too
    name = formats[0].split()[1]
    assert any(d.startswith("access_log ") and d.endswith(f" {name}") for d in nginx_directives())


def test_compose_builds_one_image_once() -> None:
    services = COMPOSE["services"]
    built = [name for name, s in services.items() if "build" in s]
    assert len(built) == 1, built
    image = services[built[0]]["image"]
    users = [name for name, s in services.items() if s.get("image") == image]
    assert len(users) >= 2 and all(services[n].get("pull_policy") == "never" for n in users if n not in built)


def test_compose_restarts_every_service() -> None:
    for name, service in COMPOSE["services"].items():
        assert service.get("restart") in ("unless-stopped", "always"), name


def test_compose_waits_for_postgres_over_tcp() -> None:
    check = " ".join(COMPOSE["services"]["postgres"]["healthcheck"]["test"])
    assert "pg_isready" in check and "-h 127.0.0.1" in check


def test_apps_trust_forwarded_addresses_from_the_proxy_only() -> None:
    services = COMPOSE["services"]
    proxy = services["proxy"]["networks"]["default"]["ipv4_address"]
    subnet = COMPOSE["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(proxy) in ipaddress.ip_network(subnet)
    apps = [s for s in services.values() if "DATABASE_URL" in s.get("environment", {})]
    assert len(apps) == 2
    for app in apps:
        env = app["environment"]
        assert env["TRUSTED_PROXIES"] == proxy
        assert env.get("FORWARDED_ALLOW_IPS", proxy) == proxy  # never "*"
        assert "app" in app["networks"]["default"]["aliases"]


def test_dockerfile_installs_the_lock_before_the_code() -> None:
    lines = [line.strip() for line in DOCKERFILE.splitlines()]
    lock = next(i for i, line in enumerate(lines) if "--require-hashes -r" in line)
    copies = [i for i, line in enumerate(lines) if line.startswith("COPY ")]
    code = [i for i in copies if "requirements.lock" not in lines[i]]
    assert code and lock < min(code)
    assert "pip install -e" not in DOCKERFILE  # a normal install: the package carries its files


def test_dockerfile_healthcheck_and_user() -> None:
    health = re.search(r"^HEALTHCHECK (.*?) \\\n\s*CMD (\[.*\])$", DOCKERFILE, re.M)
    assert health, "HEALTHCHECK with options, then CMD in exec form on the next line"
    for option in ("--interval=", "--timeout=", "--start-period="):
        assert option in health.group(1)
    command = json.loads(health.group(2))
    assert command[0] == "python" and "/healthz" in command[-1]
    compile(command[-1], "healthcheck", "exec")
    assert re.search(r"^USER 10001:10001$", DOCKERFILE, re.M)
    assert "--uid 10001" in DOCKERFILE


def test_dockerignore_allows_only_what_the_image_needs() -> None:
    lines = [
        line
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert lines[0] == "*"
    allowed = {line[1:] for line in lines if line.startswith("!")}
    assert allowed.isdisjoint({".venv", "data", ".git", "tests", "test-artifacts"})
    copied = re.findall(r"^COPY (?!--from)(\S+)", DOCKERFILE, re.M)
    assert all(src in allowed or src == "." for src in copied), copied


def _pins(lock: Path) -> dict[str, str]:
    text = lock.read_text()
    entries = re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)(.*?)(?=^\S|\Z)", text, re.M | re.S)
    for name, _, rest in entries:
        assert "--hash=sha256:" in rest, f"{lock.name}: {name} has no hash"
    return {canonicalize_name(name): version for name, version, _ in entries}


def test_lock_files_pin_what_pyproject_asks_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _pins(ROOT / "requirements.lock")
    test = _pins(ROOT / "requirements-test.lock")
    for spec, pins in (
        (project["dependencies"], runtime),
        (project["dependencies"] + project["optional-dependencies"]["test"], test),
    ):
        for line in spec:
            req = Requirement(line)
            name = canonicalize_name(req.name)
            assert name in pins, f"{name} is not locked: run make lock"
            assert req.specifier.contains(pins[name], prereleases=True), (
                f"{name}=={pins[name]} does not satisfy {req.specifier}: run make lock"
            )
    assert {n: v for n, v in test.items() if n in runtime} == runtime  # one set of versions
