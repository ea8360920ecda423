using System.Security.Cryptography;
using Fleet.Hub.Audit;
using Fleet.Hub.Hosting;
using Fleet.Hub.Pki;
using Fleet.Hub.Products;
using Fleet.Hub.Storage;
using Fleet.Protocol.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Hub.Devices;

/// <summary>The Devices facade: registry, provisioning, revocation, presence and reported state.</summary>
internal sealed class DeviceRegistry(
    IDbContextFactory<HubDb> dbs,
    HubPki pki,
    IDeviceLink link,
    AuditLog audit,
    IOptions<HubOptions> options,
    TimeProvider clock,
    PresenceWriter presence,
    Firmware.TrustQuery trust)
{
    public async Task<Outcome<ProvisionedDevice>> ProvisionAsync(Actor actor, string serial, string productName, IReadOnlyList<string> tags, string csrPem, CancellationToken ct)
    {
        if (!Names.IsValid(serial))
        {
            return Names.Invalid("serial", serial);
        }

        foreach (var tag in tags)
        {
            if (!Names.IsValid(tag))
            {
                return Names.Invalid("tag", tag);
            }
        }

        await using var db = await dbs.CreateDbContextAsync(ct);
        var product = await db.Products.FirstOrDefaultAsync(p => p.Name == productName, ct);
        if (product is null)
        {
            return ProductCatalog.Unknown(productName);
        }

        if (await db.Devices.AnyAsync(d => d.Serial == serial, ct))
        {
            return new Failure(FailureKind.Conflict, "device_exists", $"device '{serial}' is provisioned already; pick a new serial");
        }

        var signed = pki.SignDevice(csrPem, serial, clock);
        if (!signed.Ok)
        {
            return signed.Failure;
        }

        using var certificate = signed.Value;
        db.Devices.Add(new Device
        {
            Serial = serial,
            ProductId = product.Id,
            Tags = [.. tags.Distinct()],
            CertificateFingerprint = Fingerprint(certificate),
            CertificateNotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime()),
            CertificateSerialNumber = certificate.SerialNumber,
            CreatedAt = clock.GetUtcNow(),
        });
        audit.Record(db, actor, "device.provision", $"device:{serial}", $"product={productName} tags={string.Join(',', tags)} cert={Fingerprint(certificate)}");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            if (!await SerialTakenAsync(serial, ct))
            {
                throw;
            }

            // Another provisioning of the same serial won the race (unique index): the certificate signed here was
            // never registered, so it can never connect; only one certificate per serial is ever live.
            return new Failure(FailureKind.Conflict, "device_exists", $"device '{serial}' is provisioned already; pick a new serial");
        }

        var keys = await db.RegisteredKeys.AsNoTracking().Where(k => k.ProductId == product.Id && k.RevokedAt == null).OrderBy(k => k.Name)
            .Select(k => new TrustedKey(k.Name, k.KeyId, k.PublicKeyPem)).ToListAsync(ct);
        var o = options.Value;
        var metadata = await trust.GetAsync(productName, ct);
        var active = metadata.Ok && metadata.Value.IsActive;
        return new ProvisionedDevice(serial, productName, tags, certificate.ExportCertificatePem() + "\n", pki.ClientAnchorPem, o.MqttHost, o.MqttPort, keys,
            active ? Convert.ToBase64String(metadata.Value!.Roots[^1]) : null, active ? Convert.ToBase64String(metadata.Value!.Targets!) : null);
    }

    private async Task<bool> SerialTakenAsync(string serial, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Devices.AnyAsync(d => d.Serial == serial, ct);
    }

    public async Task<Outcome<Device>> RevokeAsync(Actor actor, string serial, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var device = await db.Devices.Include(d => d.Product).FirstOrDefaultAsync(d => d.Serial == serial, ct);
        if (device is null)
        {
            return Unknown(serial);
        }

        if (!device.Revoked)
        {
            device.Revoked = true;
            device.RevokedAt = clock.GetUtcNow();
            device.Online = false;
            audit.Record(db, actor, "device.revoke", $"device:{serial}");
            await db.SaveChangesAsync(ct);
        }

        // Saved first, so a reconnect racing this call is refused by the registry.
        await link.DisconnectAsync(serial, ct);
        return device;
    }

    public async Task<Outcome<Device>> FindAsync(string serial, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var device = await db.Devices.AsNoTracking().Include(d => d.Product).FirstOrDefaultAsync(d => d.Serial == serial, ct);
        return device is null ? Unknown(serial) : device;
    }

    public async Task<IReadOnlyList<Device>> ListAsync(string? product, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var q = db.Devices.AsNoTracking().Include(d => d.Product).AsQueryable();
        if (product is not null)
        {
            q = q.Where(d => d.Product!.Name == product);
        }

        return await q.OrderBy(d => d.Serial).ToListAsync(ct);
    }

    /// <summary>A page of devices matching <paramref name="search"/>, in serial order; within
    /// <paramref name="among"/> only, when given (e.g. a deployment group's members).</summary>
    public async Task<DevicePage> SearchAsync(DeviceSearch search, IReadOnlyCollection<int>? among, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var q = db.Devices.AsNoTracking().Include(d => d.Product).AsQueryable();
        if (among is not null)
        {
            q = q.Where(d => among.Contains(d.Id));
        }

        if (search.Product is { } product)
        {
            q = q.Where(d => d.Product!.Name == product);
        }

        if (search.SerialPrefix is { Length: > 0 } prefix)
        {
            q = q.Where(d => d.Serial.StartsWith(prefix));
        }

        if (search.Tag is { } tag)
        {
            q = q.Where(d => d.Tags.Contains(tag));
        }

        if (search.Version is { } version)
        {
            q = q.Where(d => d.FirmwareVersion == version);
        }

        if (search.Online is { } online)
        {
            q = q.Where(d => d.Online == online && !d.Revoked);
        }

        if (search.TankState is { } state)
        {
            q = q.Where(d => d.TankState == state);
        }

        if (search.After is { } after)
        {
            q = q.Where(d => string.Compare(d.Serial, after) > 0);
        }

        var rows = await q.OrderBy(d => d.Serial).Take(search.Limit + 1).ToListAsync(ct);
        return rows.Count > search.Limit
            ? new DevicePage(rows[..search.Limit], DeviceSearch.CursorAfter(rows[search.Limit - 1].Serial))
            : new DevicePage(rows, null);
    }

    /// <summary>The devices of these serials (those that exist), for a page that shows a known set of rows.</summary>
    public async Task<IReadOnlyList<Device>> FindManyAsync(IReadOnlyCollection<string> serials, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Devices.AsNoTracking().Include(d => d.Product).Where(d => serials.Contains(d.Serial)).ToListAsync(ct);
    }

    /// <summary>The fleet in numbers, counted by the database: devices, online, revoked, and how many run each firmware
    /// version and are in each tank state. What a dashboard shows instead of every device.</summary>
    public async Task<FleetCounts> CountsAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var active = db.Devices.AsNoTracking().Where(d => !d.Revoked);
        var total = await active.CountAsync(ct);
        var online = await active.CountAsync(d => d.Online, ct);
        var revoked = await db.Devices.CountAsync(d => d.Revoked, ct);
        var versions = await active.GroupBy(d => d.FirmwareVersion).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var states = await active.GroupBy(d => d.TankState).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        return new FleetCounts(total, online, revoked,
            [.. versions.OrderByDescending(v => v.Count).ThenBy(v => v.Key, StringComparer.Ordinal).Select(v => (v.Key ?? "unknown", v.Count))],
            [.. states.OrderByDescending(v => v.Count).ThenBy(v => v.Key, StringComparer.Ordinal).Select(v => (v.Key ?? "unknown", v.Count))]);
    }

    public async Task<IReadOnlyList<DeviceEventRecord>> EventsAsync(string serial, int limit, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.DeviceEvents.AsNoTracking()
            .Where(e => db.Devices.Any(d => d.Id == e.DeviceId && d.Serial == serial) && e.Kind != ConnectionEventKind)
            .OrderByDescending(e => e.Id).Take(Math.Clamp(limit, 1, 1000)).ToListAsync(ct);
    }

    /// <summary>When the device connected and disconnected, newest first (recorded by the hub, not reported by the device).</summary>
    public async Task<IReadOnlyList<DeviceEventRecord>> ConnectionsAsync(string serial, int limit, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.DeviceEvents.AsNoTracking()
            .Where(e => db.Devices.Any(d => d.Id == e.DeviceId && d.Serial == serial) && e.Kind == ConnectionEventKind)
            .OrderByDescending(e => e.Id).Take(Math.Clamp(limit, 1, 1000)).ToListAsync(ct);
    }

    /// <summary>Fail closed: only a registered, unrevoked device presenting the very certificate it was issued.</summary>
    public async Task<ConnectionVerdict> CheckConnectionAsync(string serial, string certificateFingerprint, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var device = await db.Devices.AsNoTracking().FirstOrDefaultAsync(d => d.Serial == serial, ct);
        if (device is null)
        {
            return ConnectionVerdict.UnknownSerial;
        }

        if (device.Revoked)
        {
            return ConnectionVerdict.Revoked;
        }

        return CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(device.CertificateFingerprint),
            System.Text.Encoding.ASCII.GetBytes(certificateFingerprint))
            ? ConnectionVerdict.Accepted
            : ConnectionVerdict.CertificateMismatch;
    }

    /// <summary>Queued for <see cref="PresenceWriter"/>, which stores it (and the connection event) within moments.</summary>
    public Task SetPresenceAsync(string serial, bool online, CancellationToken ct)
    {
        presence.Enqueue(serial, online, clock.GetUtcNow());
        return Task.CompletedTask;
    }

    public async Task ReportStatusAsync(string serial, StatusMessage status, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var device = await db.Devices.FirstOrDefaultAsync(d => d.Serial == serial, ct);
        if (device is null || device.Revoked)
        {
            return;
        }

        device.Online = status.Online;
        device.LastSeen = clock.GetUtcNow();
        if (status.Online)
        {
            device.FirmwareUuid = status.Firmware?.Uuid ?? device.FirmwareUuid;
            device.FirmwareVersion = status.Firmware?.Version ?? device.FirmwareVersion;
            device.ActiveSlot = status.ActiveSlot ?? device.ActiveSlot;
            device.Platform = status.Firmware?.Platform ?? device.Platform;
            device.Architecture = status.Firmware?.Architecture ?? device.Architecture;
            device.TankState = status.TankState ?? device.TankState;
            device.UptimeSeconds = status.UptimeSeconds;
            device.HubAnchor = status.HubAnchor ?? device.HubAnchor;
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>External mode's one definition of connected: the device's last status (or last will) says online and
    /// it is not revoked. (The embedded broker holds the connections and asks its own client list.)</summary>
    public async Task<bool> IsOnlineAsync(string serial, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Devices.AnyAsync(d => d.Serial == serial && d.Online && !d.Revoked, ct);
    }

    public async Task<int> CountOnlineAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Devices.CountAsync(d => d.Online && !d.Revoked, ct);
    }

    /// <summary>The certificate serial numbers of revoked devices, for the external broker's CRL.</summary>
    public async Task<IReadOnlyList<string>> RevokedCertificateSerialsAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Devices.AsNoTracking().Where(d => d.Revoked && d.CertificateSerialNumber != null).Select(d => d.CertificateSerialNumber!).ToListAsync(ct);
    }

    /// <summary>External mode: marks offline every device still shown online whose last status (or event) is
    /// older than <paramref name="silence"/>, as a disconnect in its connection history. A status handed out again
    /// late by the broker, after a node's restart, can say online for a device long gone; this bounds how long it is
    /// believed. Returns how many devices it marked.</summary>
    public async Task<int> MarkSilentOfflineAsync(TimeSpan silence, CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow() - silence;
        await using var db = await dbs.CreateDbContextAsync(ct);
        var silent = await db.Devices.AsNoTracking().Where(d => d.Online && !d.Revoked && d.LastSeen != null && d.LastSeen < cutoff).Select(d => d.Serial).ToListAsync(ct);
        foreach (var serial in silent)
        {
            presence.Enqueue(serial, online: false, clock.GetUtcNow());
        }

        return silent.Count;
    }

    /// <summary>Stores a device-reported event, unless the device is unknown or revoked: with an external broker a
    /// revoked device may still be connected until the broker reloads its CRL, and nothing it says counts.</summary>
    public async Task RecordEventAsync(string serial, DeviceEvent e, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var id = await db.Devices.Where(d => d.Serial == serial && !d.Revoked).Select(d => (int?)d.Id).FirstOrDefaultAsync(ct);
        if (id is null)
        {
            return;
        }

        db.DeviceEvents.Add(new DeviceEventRecord
        {
            DeviceId = id.Value,
            Kind = e.Kind,
            Name = e.Name,
            Ts = e.Ts,
            ReceivedAt = clock.GetUtcNow(),
            Detail = e.Detail,
            FirmwareUuid = e.FirmwareUuid,
            FirmwareVersion = e.FirmwareVersion,
            Reason = e.Reason,
            Progress = e.Progress,
        });
        await db.Devices.Where(d => d.Id == id).ExecuteUpdateAsync(s => s.SetProperty(d => d.LastSeen, clock.GetUtcNow()), ct);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Not a device-reported kind: the hub records each MQTT connect and disconnect under it.</summary>
    public const string ConnectionEventKind = "connection";

    public static string Fingerprint(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) =>
        certificate.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant();

    public static Failure Unknown(string serial) =>
        new(FailureKind.NotFound, "unknown_device", $"no device '{serial}'; list devices with 'fleet device list'");
}
