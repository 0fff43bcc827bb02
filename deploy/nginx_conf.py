"""Write the nginx config for several MNIST Backprop Lab servers (standard library only).

    python deploy/nginx_conf.py 127.0.0.1:8501 127.0.0.1:8502 > /etc/nginx/conf.d/mnist-lab.conf
    nginx -t && systemctl reload nginx

The output is a site file for Debian's nginx (its nginx.conf includes conf.d/*.conf inside
`http`). `--standalone PREFIX` writes a whole nginx.conf instead, whose pid, log and temporary
files live in PREFIX, for nginx started by hand as any user (`nginx -p PREFIX -c
PREFIX/nginx.conf`): the two-server test runs that one.

Sticky by the student's workspace cookie: nginx gives a new browser its token on the first
request, so the page, its WebSocket and every reload reach the same app server (the one
training that student's runs); if that server is gone, the next one serves the student, who
finds their saved runs there through the shared store.
"""

from __future__ import annotations

import argparse
import re
import sys

ADDRESS = re.compile(r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")  # host:port, IPv6 in brackets

SITE = """\
# MNIST Backprop Lab: nginx in front of {count} app server(s), sticky by workspace cookie.
# Made by: python deploy/nginx_conf.py {args}
map $http_upgrade $lab_connection_upgrade {{ default upgrade; '' close; }}
# The workspace token (ui/workspace.py: 32 URL-safe characters; $request_id is 32 hex).
map $cookie_mnist_lab_work $lab_work {{ "" $request_id; default $cookie_mnist_lab_work; }}
# $request_id is 128 random bits when nginx is built with OpenSSL (Debian's is).
map $cookie_mnist_lab_work $lab_new_work {{
    "" "mnist_lab_work=$request_id; Path=/; Max-Age=34560000; SameSite=Lax{secure}";
    default "";
}}

upstream mnist_lab {{
    hash $lab_work consistent;
{servers}
}}

server {{
    listen {listen};{tls}
    client_max_body_size 200m;  # uploads of the four MNIST files
    location / {{
        proxy_pass http://mnist_lab;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;      # Streamlit's WebSocket
        proxy_set_header Connection $lab_connection_upgrade;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_read_timeout 86400s;                    # a session open all afternoon
        proxy_next_upstream error timeout;            # a dead server: the next one
        add_header Set-Cookie $lab_new_work;
        add_header X-Lab-Upstream $upstream_addr always;
    }}
}}
"""

STANDALONE = """\
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{site}}}
"""


def site(
    servers: list[str], listen: str = "80", cert: str | None = None, key: str | None = None
) -> str:
    """The site file's text: an upstream of servers ("host:port" each) and a server block."""
    bad = [s for s in servers if not ADDRESS.match(s)]
    if not servers or bad:
        raise ValueError(f"give app servers as host:port (got {' '.join(bad) or 'none'})")
    if (cert is None) != (key is None):
        raise ValueError("give both --cert and --key for HTTPS, or neither")
    tls = f"\n    ssl_certificate {cert};\n    ssl_certificate_key {key};" if cert else ""
    given = [*servers, "--listen", listen] + (["--cert", cert, "--key", key] if cert else [])
    args = " ".join(given)
    return SITE.format(
        count=len(servers),
        args=args,
        secure="; Secure" if cert else "",
        servers="\n".join(f"    server {s} max_fails=1 fail_timeout=30s;" for s in servers),
        listen=f"{listen} ssl" if cert else listen,
        tls=tls,
    )


def standalone(site_text: str, prefix: str) -> str:
    """A whole nginx.conf around site_text, keeping pid, logs and temp files in prefix."""
    indented = "".join(f"    {line}\n" if line else "\n" for line in site_text.splitlines())
    return STANDALONE.format(prefix=prefix, site=indented)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("servers", nargs="+", help="app servers as host:port")
    parser.add_argument("--listen", default="80", help="nginx's port or address:port (80)")
    parser.add_argument("--cert", help="TLS certificate file (then nginx listens with ssl)")
    parser.add_argument("--key", help="TLS key file")
    parser.add_argument("--standalone", metavar="PREFIX", help="write a whole nginx.conf")
    args = parser.parse_args(argv)
    try:
        text = site(args.servers, args.listen, args.cert, args.key)
    except ValueError as e:
        parser.error(str(e))
    print(standalone(text, args.standalone) if args.standalone else text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
