# Used by deploy/compose.yaml: turns hub.conf (web processes on 127.0.0.1:8001-8004 of one machine)
# into the compose variant, whose web processes are the replicas of the "web" service on port 8000.
# "resolve" looks the name up again (Docker's DNS at 127.0.0.11) when replicas are recreated, so a
# `docker compose up -d` of a new image needs no reload of nginx; it needs nginx 1.27.3 or later.
/^upstream hub_web {/i\
resolver 127.0.0.11 valid=10s ipv6=off;
/^upstream hub_web {/a\
    zone hub_web 64k;
s/^\( *\)server 127\.0\.0\.1:8001\([ ;]\)/\1server web:8000 resolve\2/
/^ *server 127\.0\.0\.1:800[2-4][ ;]/d
# Docker's bridge networks often have IPv6 off, where nginx cannot listen on [::]; the ports
# published on the host reach the container over IPv4 anyway.
/^ *listen \[::\]:/d
