using Fleet.Hub.Audit;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Firmware;

/// <summary>A quarantined release as listed.</summary>
internal sealed record QuarantinedRelease(string Uuid, string Product, string Version, DateTimeOffset QuarantinedAt, string Reason);

/// <summary>When a release was quarantined (null: it is not) and when an operator last cleared it: failures before the
/// clear no longer count towards quarantine.</summary>
internal sealed record QuarantineState(DateTimeOffset? QuarantinedAt, DateTimeOffset? ClearedAt);

/// <summary>The Firmware facade's quarantine: a release that failed on too many devices (the rollout orchestrator
/// decides, docs/ota.md) is quarantined for its product, and the hub offers it to no device, by any path, until an
/// operator clears it. Every change is audited.</summary>
internal sealed class FirmwareQuarantine(IDbContextFactory<HubDb> dbs, AuditLog audit, TimeProvider clock, Rollouts.RolloutSignal signal)
{
    /// <summary>Quarantines the release (by the hub); false when it already was.</summary>
    public async Task<bool> QuarantineAsync(string uuid, string reason, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var firmware = await db.Firmware.Include(f => f.Product).FirstOrDefaultAsync(f => f.Uuid == uuid, ct);
        if (firmware is null || firmware.QuarantinedAt is not null)
        {
            return false;
        }

        firmware.QuarantinedAt = clock.GetUtcNow();
        firmware.QuarantineReason = reason;
        audit.Record(db, Actor.Hub, "firmware.quarantine", $"firmware:{uuid}", $"product={firmware.Product?.Name} version={firmware.Version} {reason}");
        await db.SaveChangesAsync(ct);
        signal.Kick();
        return true;
    }

    public async Task<IReadOnlyList<QuarantinedRelease>> ListAsync(string? product, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var q = db.Firmware.AsNoTracking().Include(f => f.Product).Where(f => f.QuarantinedAt != null);
        if (product is not null)
        {
            q = q.Where(f => f.Product!.Name == product);
        }

        var rows = await q.ToListAsync(ct);
        return [.. rows.OrderBy(f => f.Product!.Name).ThenByDescending(f => f.QuarantinedAt)
            .Select(f => new QuarantinedRelease(f.Uuid, f.Product!.Name, f.Version, f.QuarantinedAt!.Value, f.QuarantineReason ?? ""))];
    }

    public async Task<IReadOnlyDictionary<string, QuarantineState>> StatesAsync(IReadOnlyCollection<string> uuids, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var list = uuids.Distinct().ToList();
        return await db.Firmware.AsNoTracking().Where(f => list.Contains(f.Uuid))
            .ToDictionaryAsync(f => f.Uuid, f => new QuarantineState(f.QuarantinedAt, f.QuarantineClearedAt), ct);
    }

    /// <summary>Lets the release be offered again. <paramref name="reference"/> is its uuid, or its version with
    /// <paramref name="product"/> when several products have that version.</summary>
    public async Task<Outcome<QuarantinedRelease>> ClearAsync(Actor actor, string reference, string? product, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var matches = await db.Firmware.Include(f => f.Product)
            .Where(f => (f.Uuid == reference || f.Version == reference) && (product == null || f.Product!.Name == product)).ToListAsync(ct);
        if (matches.Count == 0)
        {
            return new Failure(FailureKind.NotFound, "unknown_firmware",
                $"no firmware '{reference}' (uuid or version){(product is null ? "" : $" for product '{product}'")}; list quarantined releases with 'fleet firmware quarantine list'");
        }

        if (matches.Count > 1)
        {
            return new Failure(FailureKind.Invalid, "ambiguous_firmware",
                $"version '{reference}' exists for products {string.Join(", ", matches.Select(m => m.Product?.Name).Distinct())}; name one with --product, or give the uuid");
        }

        var firmware = matches[0];
        if (firmware.QuarantinedAt is not { } since)
        {
            return new Failure(FailureKind.Conflict, "not_quarantined", $"firmware {firmware.Version} ({firmware.Uuid}) of {firmware.Product?.Name} is not quarantined");
        }

        var cleared = new QuarantinedRelease(firmware.Uuid, firmware.Product?.Name ?? "", firmware.Version, since, firmware.QuarantineReason ?? "");
        firmware.QuarantinedAt = null;
        firmware.QuarantineReason = null;
        firmware.QuarantineClearedAt = clock.GetUtcNow();
        audit.Record(db, actor, "firmware.quarantine.clear", $"firmware:{firmware.Uuid}",
            $"product={cleared.Product} version={cleared.Version} quarantined since {since:O}: {cleared.Reason}");
        await db.SaveChangesAsync(ct);
        signal.Kick();
        return cleared;
    }

    /// <summary>The one refusal of an offer, a push or a group release of a quarantined release.</summary>
    public static Failure Refused(FirmwareRecord f) => new(FailureKind.Conflict, "firmware_quarantined",
        $"firmware {f.Version} ({f.Uuid}) is quarantined for its product since {f.QuarantinedAt:u}: {f.QuarantineReason}; the hub offers it to no device " +
        $"until an operator clears it with 'fleet firmware quarantine clear {f.Uuid}'");
}
