#!/usr/bin/env bash
# Production PKI for a Fleet hub, made with OpenSSL (ECDSA P-256):
#
#   root-ca.crt / root-ca.key      offline root CA (20 years). Move root-ca.key to offline storage afterwards.
#   device-ca.crt / device-ca.key  the hub's device CA (10 years, pathlen 0), signed by the root;
#                                  the hub signs device certificates with it at provisioning.
#   server.crt / server.key        the hub's TLS certificate for HTTPS and MQTT (2 years, serverAuth),
#                                  signed by the root; names localhost, 127.0.0.1 and every --host/--ip.
#
# Devices and CLI users trust root-ca.crt (the hub hands it out as ca.crt). Start the hub with:
#   Fleet.Hub --ca-cert OUT/device-ca.crt --ca-key OUT/device-ca.key --root-cert OUT/root-ca.crt \
#             --server-cert OUT/server.crt --server-key OUT/server.key
#
# Usage: certs/make-pki.sh OUT_DIR [--host NAME]... [--ip ADDRESS]... [--name ORGANISATION]
# Private keys are created with mode 0600 (umask 077). Existing files are never overwritten.
set -euo pipefail

usage() { echo "usage: $0 OUT_DIR [--host NAME]... [--ip ADDRESS]... [--name ORGANISATION]" >&2; exit 2; }
[ $# -ge 1 ] || usage
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
for f in root-ca.key root-ca.crt device-ca.key device-ca.crt server.key server.crt; do
  if [ -e "$OUT/$f" ]; then
    echo "make-pki.sh: $OUT/$f exists already; refusing to overwrite a PKI (use an empty directory)" >&2
    exit 1
  fi
done

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

[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $SANS
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF

# Offline root, self-signed with exactly our extensions (req's defaults differ between OpenSSL versions).
key "$WORK/root-ca.key"
openssl req -new -sha256 -key "$WORK/root-ca.key" -subj "/O=$ORG/CN=$ORG Root CA" -out "$WORK/root-ca.csr" 2>/dev/null
openssl x509 -req -in "$WORK/root-ca.csr" -signkey "$WORK/root-ca.key" -set_serial "0x$(openssl rand -hex 16)" -sha256 -days 7300 \
  -extfile "$WORK/ext.cnf" -extensions root -out "$WORK/root-ca.crt" 2>/dev/null

# Device CA and server certificate, each signed by the root.
sign() { # name subject days extensions
  key "$WORK/$1.key"
  openssl req -new -sha256 -key "$WORK/$1.key" -subj "$2" -out "$WORK/$1.csr" 2>/dev/null
  openssl x509 -req -in "$WORK/$1.csr" -CA "$WORK/root-ca.crt" -CAkey "$WORK/root-ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -sha256 -days "$3" -extfile "$WORK/ext.cnf" -extensions "$4" -out "$WORK/$1.crt" 2>/dev/null
}
sign device-ca "/O=$ORG/CN=$ORG Device CA" 3650 device_ca
sign server "/O=$ORG/CN=localhost" 730 server

openssl verify -CAfile "$WORK/root-ca.crt" "$WORK/device-ca.crt" "$WORK/server.crt" >/dev/null

for f in root-ca device-ca server; do
  install -m 0600 "$WORK/$f.key" "$OUT/$f.key"
  install -m 0644 "$WORK/$f.crt" "$OUT/$f.crt"
done

echo "wrote $OUT: root-ca.crt device-ca.crt server.crt (public) and root-ca.key device-ca.key server.key (0600)"
echo "server certificate names: $SANS"
echo "move $OUT/root-ca.key offline; the hub needs device-ca.* and server.* only"
