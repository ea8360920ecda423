#!/bin/sh
# Installs the Fleet agent on a Raspberry Pi: fleet-boot, the systemd unit, the udev rule, the device's
# provisioning and the first firmware into slot a of /var/lib/fleet, then enables the service.
#
# Run as root from a directory laid out like the one `fleet device burn` puts on the boot partition:
#   fleet-boot  fleet-agent.service  60-fleet-gpio-i2c.rules  install.sh
#   provisioning/  device.crt device.key ca.crt hub.json [trusted-keys/*.pub] [trust/{root,targets,membership}.json] [agent.json]
#   firmware/      manifest.json manifest.sig payload.tar payload.sha256
# On first boot cloud-init runs it (user-data runcmd) with --remove-source, so the device key does not
# stay on the FAT partition, which anyone holding the card can read.
#
# usage: install.sh [--from DIR] [--destdir DIR] [--no-activate] [--remove-source]
#   --destdir DIR   install under DIR instead of / (image builders, tests)
#   --no-activate   skip users, groups, ownership, udev and systemctl (what needs a running Pi)
set -eu

PROG=fleet-install
FROM=$(dirname "$0")
DEST=''
ACTIVATE=1
REMOVE_SOURCE=0

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { say "$*"; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --from) [ $# -ge 2 ] || die "--from needs a directory"; FROM=$2; shift 2 ;;
        --destdir) [ $# -ge 2 ] || die "--destdir needs a directory"; DEST=$2; shift 2 ;;
        --no-activate) ACTIVATE=0; shift ;;
        --remove-source) REMOVE_SOURCE=1; shift ;;
        *) die "unknown option '$1' (usage: install.sh [--from DIR] [--destdir DIR] [--no-activate] [--remove-source])" ;;
    esac
done

for f in fleet-boot fleet-agent.service 60-fleet-gpio-i2c.rules \
    provisioning/device.crt provisioning/device.key provisioning/ca.crt provisioning/hub.json \
    firmware/manifest.json firmware/payload.tar firmware/payload.sha256; do
    [ -f "$FROM/$f" ] || die "$FROM/$f is missing; burn the card again with 'fleet device burn'"
done
if [ -d "$FROM/provisioning/trust" ]; then
    # A partial trust store would make the agent trust nothing (it never falls back to trusted-keys/ once trust/ exists).
    for f in root.json targets.json membership.json; do
        [ -f "$FROM/provisioning/trust/$f" ] || die "$FROM/provisioning/trust/$f is missing; burn the card again with 'fleet device burn'"
    done
fi

# The payload was checked against its signed manifest when the card was burnt; this catches a bad card.
expected=$(cut -d ' ' -f 1 <"$FROM/firmware/payload.sha256")
actual=$(sha256sum "$FROM/firmware/payload.tar" | cut -d ' ' -f 1)
[ "$expected" = "$actual" ] || die "firmware/payload.tar is damaged (sha256 $actual, expected $expected); burn the card again"

# The payload is unpacked by root, so it gets the rules the agent's own extractor applies to an update
# (protocol/Fleet.Protocol/Packaging/PayloadExtractor.cs): plain files, directories and symlinks that stay inside
# the slot; no setuid or setgid bits, device nodes, FIFOs, sockets or hard links. The listing is checked before
# anything is unpacked, and the unpacked tree again afterwards.
refuse_payload() { die "firmware/payload.tar $*; this is not a payload 'fleet firmware build' makes: build and burn the card again"; }

check_payload() {
    # -P: names and link targets as stored (GNU tar would otherwise hide a leading / or ../ here).
    listing=$(LC_ALL=C tar -t -v -P --numeric-owner -f "$1") || refuse_payload "cannot be listed by tar"
    names=$(LC_ALL=C tar -t -P -f "$1") || refuse_payload "cannot be listed by tar"
    printf '%s\n' "$listing" | while IFS= read -r line; do
        [ -n "$line" ] || continue
        perms=${line%% *}
    # perms owner/group size date time NAME [-> TARGET | link to TARGET]
        entry=$(printf '%s\n' "$line" | sed 's/^[^ ]*  *[^ ]*  *[^ ]*  *[^ ]*  *[^ ]* //')
        case "$perms" in
            -*|d*|l*) ;;
            h*) refuse_payload "holds a hard link ($entry); payloads hold only files, directories and symlinks" ;;
            c*|b*) refuse_payload "holds a device node ($entry); payloads hold only files, directories and symlinks" ;;
            p*) refuse_payload "holds a FIFO ($entry); payloads hold only files, directories and symlinks" ;;
            *) refuse_payload "holds an entry of type '${perms%"${perms#?}"}' ($entry); payloads hold only files, directories and symlinks" ;;
        esac
        case "$perms" in
            ???[sS]*|??????[sS]*) refuse_payload "holds a setuid or setgid file ($entry, mode $perms)" ;;
        esac
        case "$perms" in
            l*)
                case "$entry" in
                    *' -> '*' -> '*) refuse_payload "holds a symlink whose name or target cannot be told apart ($entry)" ;;
                esac
                target=${entry#* -> }
                case "/$target/" in
                    //*|*/../*) refuse_payload "holds a symlink out of the slot ($entry); only relative targets without '..' are allowed" ;;
                esac
                ;;
        esac
    done || exit 1
    printf '%s\n' "$names" | while IFS= read -r name; do
        [ -n "$name" ] || continue
        case "/$name/" in
            //*|*/../*) refuse_payload "holds an entry outside the slot ($name)" ;;
        esac
    done || exit 1
}

# After unpacking: GNU tar may already have dropped what the listing refused; this catches a tar that did not.
check_unpacked() {
    odd=$(find "$1" \( -perm -4000 -o -perm -2000 -o ! \( -type f -o -type d -o -type l \) \) -print | head -n 1)
    escaping=$(find "$1" -type l \( -lname '/*' -o -lname '..' -o -lname '../*' -o -lname '*/..' -o -lname '*/../*' \) -print | head -n 1)
    if [ -n "$odd$escaping" ]; then
        rm -rf "$1"
        refuse_payload "unpacked to something the agent would refuse (${odd:-$escaping})"
    fi
}

check_payload "$FROM/firmware/payload.tar"

STATE=$DEST/var/lib/fleet
install -d -m 0755 "$DEST/usr/local/sbin" "$DEST/etc/systemd/system" "$DEST/etc/udev/rules.d"
install -m 0755 "$FROM/fleet-boot" "$DEST/usr/local/sbin/fleet-boot"
install -m 0644 "$FROM/fleet-agent.service" "$DEST/etc/systemd/system/fleet-agent.service"
install -m 0644 "$FROM/60-fleet-gpio-i2c.rules" "$DEST/etc/udev/rules.d/60-fleet-gpio-i2c.rules"

install -d -m 0750 "$STATE"
install -d -m 0750 "$STATE/slots" "$STATE/update" "$STATE/spool"

if [ -f "$STATE/boot.json" ]; then
    say "$STATE/boot.json exists: keeping the installed firmware and slots"
else
    # Unpack next to the slot and rename, so a power cut never leaves a half-filled slot a.
    rm -rf "$STATE/slots/a.new"
    install -d -m 0755 "$STATE/slots/a.new"
    tar -x -f "$FROM/firmware/payload.tar" -C "$STATE/slots/a.new" --no-same-owner --no-same-permissions
    check_unpacked "$STATE/slots/a.new"
    install -m 0644 "$FROM/firmware/manifest.json" "$STATE/slots/a.new/manifest.json"
    rm -rf "$STATE/slots/a"
    mv "$STATE/slots/a.new" "$STATE/slots/a"
    ln -sfn slots/a "$STATE/current"
    printf '%s\n' '{"active":"a","committed":"a","trial":null}' >"$STATE/boot.json.tmp"
    sync
    mv -f "$STATE/boot.json.tmp" "$STATE/boot.json"
fi

# Provisioning: the key is created 0600 from the start (umask), never readable by others even briefly.
install -d -m 0700 "$STATE/provisioning"
(umask 077 && cp "$FROM/provisioning/device.key" "$STATE/provisioning/device.key.tmp")
chmod 0600 "$STATE/provisioning/device.key.tmp"
mv -f "$STATE/provisioning/device.key.tmp" "$STATE/provisioning/device.key"
for f in device.crt ca.crt hub.json; do
    install -m 0644 "$FROM/provisioning/$f" "$STATE/provisioning/$f"
done
if [ -d "$FROM/provisioning/trusted-keys" ]; then
    install -d -m 0755 "$STATE/provisioning/trusted-keys"
    for k in "$FROM"/provisioning/trusted-keys/*.pub; do
        if [ -f "$k" ]; then install -m 0644 "$k" "$STATE/provisioning/trusted-keys/"; fi
    done
fi
if [ -d "$FROM/provisioning/trust" ]; then
    # Whole or not at all, the way the agent swaps its trust store: a complete trust.next is promoted by the agent
    # (DeviceTrust) if power fails between the two renames.
    rm -rf "$STATE/provisioning/trust.next"
    install -d -m 0755 "$STATE/provisioning/trust.next"
    for f in root.json targets.json membership.json; do
        install -m 0644 "$FROM/provisioning/trust/$f" "$STATE/provisioning/trust.next/$f"
    done
    sync
    rm -rf "$STATE/provisioning/trust"
    mv "$STATE/provisioning/trust.next" "$STATE/provisioning/trust"
fi
if [ -f "$FROM/provisioning/agent.json" ]; then
    install -m 0644 "$FROM/provisioning/agent.json" "$STATE/agent.json"
fi
sync

if [ "$ACTIVATE" -eq 1 ]; then
    getent group gpio >/dev/null || groupadd --system gpio
    getent group i2c >/dev/null || groupadd --system i2c
    getent passwd fleet >/dev/null ||
        useradd --system --user-group --home-dir /var/lib/fleet --no-create-home --shell /usr/sbin/nologin fleet
    usermod -a -G gpio,i2c fleet
    chown -R fleet:fleet "$STATE"
    udevadm control --reload-rules || say "warning: udevadm could not reload rules"
    udevadm trigger --subsystem-match=i2c-dev --subsystem-match=gpio || true
    systemctl daemon-reload
    systemctl enable fleet-agent.service
    # --no-block: a first start that fails must not stop this script from removing the key from the card.
    systemctl start --no-block fleet-agent.service
    say "fleet-agent.service enabled and started"
fi

if [ "$REMOVE_SOURCE" -eq 1 ]; then
    rm -rf "$FROM"
    sync
    say "removed $FROM (it held the device key)"
fi
say "installed into ${DEST:-/}"
