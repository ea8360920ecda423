#!/usr/bin/env bash
# Production PKI for a Fleet hub, made with OpenSSL (ECDSA P-256):
#
#   root-ca.crt / root-ca.key      offline root CA (20 years). Move root-ca.key to offline storage afterwards.
#   device-ca.crt / device-ca.key  the hub's device CA (10 years, pathlen 0), signed by the root;
#                                  the hub signs device certificates with it at provisioning.
#   server-ca.crt / server-ca.key  the hub's own anchor (10 years, pathlen 0): issues the server certificate and
#                                  nothing else, never a device certificate. Devices and CLI users pin it.
#   server-ca-endorsement.crt      server-ca's key certified by the root: how tanks that pinned the root (an
#                                  earlier layout) verify the new anchor before they pin it (docs/upgrade.md).
#   server.crt / server.key        the hub's TLS certificate for HTTPS and MQTT (2 years, serverAuth), signed by
#                                  server-ca; names localhost, 127.0.0.1 and every --host/--ip.
#
# Start the hub with:
#   Fleet.Hub --ca-cert OUT/device-ca.crt --ca-key OUT/device-ca.key --root-cert OUT/root-ca.crt \
#             --server-cert OUT/server.crt --server-key OUT/server.key --server-ca-cert OUT/server-ca.crt
#
# Usage: certs/make-pki.sh OUT_DIR [--host NAME]... [--ip ADDRESS]... [--name ORGANISATION]
#        certs/make-pki.sh --add-server-ca OUT_DIR [--host NAME]... [--ip ADDRESS]... [--name ORGANISATION]
#   --add-server-ca upgrades a directory made before server-ca existed (its server.crt signed by the root): keeps
#   that certificate as server-legacy.crt/.key (the hub presents it while tanks still pin the root), then writes
#   server-ca.*, server-ca-endorsement.crt and a new server.* signed by server-ca. Needs root-ca.key once.
# Private keys are created with mode 0600 (umask 077). Existing files are never overwritten.
set -euo pipefail

usage() { echo "usage: $0 [--add-server-ca] OUT_DIR [--host NAME]... [--ip ADDRESS]... [--name ORGANISATION]" >&2; exit 2; }
[ $# -ge 1 ] || usage
MODE=new
if [ "$1" = "--add-server-ca" ]; then MODE=add; shift; [ $# -ge 1 ] || usage; fi
OUT=$1; shift
ORG="Fleet"
SANS="DNS:localhost,IP:127.0.0.1"
while [ $# -gt 0 ]; do
  case "$1" in
    --host) [ $# -ge 2 ] || usage; SANS="$SANS,DNS:$2"; shift 2 ;;
    --ip)   [ $# -ge 2 ] || usage; SANS="$SANS,IP:$2"; shift 2 ;;
    --name) [ $# -ge 2 ] || usage; ORG=$2; shift 2 ;;
    *) echo "make-pki.sh: unknown argument '$1'" >&2; usage ;;
  esac
done

command -v openssl >/dev/null || { echo "make-pki.sh: openssl is not installed (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$OUT"
if [ "$MODE" = new ]; then
  for f in root-ca.key root-ca.crt device-ca.key device-ca.crt server-ca.key server-ca.crt server-ca-endorsement.crt server.key server.crt; do
    if [ -e "$OUT/$f" ]; then
      echo "make-pki.sh: $OUT/$f exists already; refusing to overwrite a PKI (use an empty directory, or --add-server-ca to upgrade one)" >&2
      exit 1
    fi
  done
else
  for f in root-ca.key root-ca.crt server.key server.crt; do
    [ -e "$OUT/$f" ] || { echo "make-pki.sh: --add-server-ca needs $OUT/$f (bring root-ca.key back from offline storage for this step)" >&2; exit 1; }
  done
  for f in server-ca.key server-ca.crt server-ca-endorsement.crt server-legacy.crt server-legacy.key; do
    if [ -e "$OUT/$f" ]; then
      echo "make-pki.sh: $OUT/$f exists already; this directory has a server CA (nothing to add)" >&2
      exit 1
    fi
  done
fi

umask 077
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

cat > "$WORK/ext.cnf" <<CNF
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[device_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[server_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[endorsement]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $SANS
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF

selfsign() { # name subject days extensions
  key "$WORK/$1.key"
  openssl req -new -sha256 -key "$WORK/$1.key" -subj "$2" -out "$WORK/$1.csr" 2>/dev/null
  openssl x509 -req -in "$WORK/$1.csr" -signkey "$WORK/$1.key" -set_serial "0x$(openssl rand -hex 16)" -sha256 -days "$3" \
    -extfile "$WORK/ext.cnf" -extensions "$4" -out "$WORK/$1.crt" 2>/dev/null
}

# sign NAME SUBJECT DAYS EXTENSIONS ISSUER_CRT ISSUER_KEY [KEY]: a new key (or KEY) certified by the issuer.
sign() {
  if [ -n "${7:-}" ]; then cp "$7" "$WORK/$1.key"; else key "$WORK/$1.key"; fi
  openssl req -new -sha256 -key "$WORK/$1.key" -subj "$2" -out "$WORK/$1.csr" 2>/dev/null
  openssl x509 -req -in "$WORK/$1.csr" -CA "$5" -CAkey "$6" -set_serial "0x$(openssl rand -hex 16)" \
    -sha256 -days "$3" -extfile "$WORK/ext.cnf" -extensions "$4" -out "$WORK/$1.crt" 2>/dev/null
}

if [ "$MODE" = new ]; then
  # Offline root, self-signed with exactly our extensions (req's defaults differ between OpenSSL versions).
  selfsign root-ca "/O=$ORG/CN=$ORG Root CA" 7300 root
  sign device-ca "/O=$ORG/CN=$ORG Device CA" 3650 device_ca "$WORK/root-ca.crt" "$WORK/root-ca.key"
  ROOT_CRT="$WORK/root-ca.crt"; ROOT_KEY="$WORK/root-ca.key"
else
  ROOT_CRT="$OUT/root-ca.crt"; ROOT_KEY="$OUT/root-ca.key"
fi

# The hub's own anchor, apart from the device CA; the root vouches for its key (the endorsement).
selfsign server-ca "/O=$ORG/CN=$ORG Hub Server CA" 3650 server_ca
sign server-ca-endorsement "/O=$ORG/CN=$ORG Hub Server CA" 3650 endorsement "$ROOT_CRT" "$ROOT_KEY" "$WORK/server-ca.key"
rm -f "$WORK/server-ca-endorsement.key"
sign server "/O=$ORG/CN=localhost" 730 server "$WORK/server-ca.crt" "$WORK/server-ca.key"

openssl verify -CAfile "$WORK/server-ca.crt" "$WORK/server.crt" >/dev/null
openssl verify -CAfile "$ROOT_CRT" "$WORK/server-ca-endorsement.crt" >/dev/null

if [ "$MODE" = new ]; then
  openssl verify -CAfile "$WORK/root-ca.crt" "$WORK/device-ca.crt" >/dev/null
  for f in root-ca device-ca; do
    install -m 0600 "$WORK/$f.key" "$OUT/$f.key"
    install -m 0644 "$WORK/$f.crt" "$OUT/$f.crt"
  done
else
  # The earlier server certificate stays for tanks that pin the root until they have the new anchor.
  install -m 0600 "$OUT/server.key" "$OUT/server-legacy.key"
  install -m 0644 "$OUT/server.crt" "$OUT/server-legacy.crt"
  rm -f "$OUT/server.key" "$OUT/server.crt"
fi

for f in server-ca server; do
  install -m 0600 "$WORK/$f.key" "$OUT/$f.key"
  install -m 0644 "$WORK/$f.crt" "$OUT/$f.crt"
done
install -m 0644 "$WORK/server-ca-endorsement.crt" "$OUT/server-ca-endorsement.crt"

if [ "$MODE" = new ]; then
  echo "wrote $OUT: root-ca.crt device-ca.crt server-ca.crt server-ca-endorsement.crt server.crt (public) and root-ca.key device-ca.key server-ca.key server.key (0600)"
else
  echo "upgraded $OUT: server-ca.crt server-ca-endorsement.crt server.crt (new), server-legacy.crt/.key (the earlier server certificate)"
fi
echo "server certificate names: $SANS"
echo "devices and CLI users pin server-ca.crt; start the hub with --server-ca-cert $OUT/server-ca.crt"
echo "move $OUT/root-ca.key offline; the hub needs device-ca.*, server-ca.crt, server-ca-endorsement.crt and server.* only"
