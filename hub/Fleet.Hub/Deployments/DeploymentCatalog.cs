using Fleet.Hub.Audit;
using Fleet.Hub.Firmware;
using Fleet.Hub.Hosting;
using Fleet.Hub.Products;
using Fleet.Hub.Storage;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Deployments;

/// <summary>The Deployments facade: groups, their current firmware and release history, and what a release may
/// reach. Firmware ships to a group, or to one device, only when the scope of the key that signed it covers the
/// group's whole reach (<see cref="GroupReleaseTargets"/>) or the device; <see cref="ReleaseGate"/> decides, on
/// creation and on every change of the firmware, tags, tag match or version requirement.</summary>
internal sealed class DeploymentCatalog(IDbContextFactory<HubDb> dbs, AuditLog audit, TimeProvider clock, Rollouts.RolloutSignal signal, ReleaseGate gate)
{
    public const int DefaultMaxConcurrent = 10;
    public const int DefaultFailureThreshold = 20;
    public const int MaxSoakSeconds = 7 * 24 * 3600;
    public const int DefaultQuarantineAfter = 2;

    public async Task<Outcome<DeploymentGroup>> CreateAsync(Actor actor, string name, string productName, GroupChanges spec, CancellationToken ct)
    {
        if (!Names.IsValid(name))
        {
            return Names.Invalid("deployment group name", name);
        }

        await using var db = await dbs.CreateDbContextAsync(ct);
        var product = await db.Products.FirstOrDefaultAsync(p => p.Name == productName, ct);
        if (product is null)
        {
            return ProductCatalog.Unknown(productName);
        }

        if (await db.DeploymentGroups.AnyAsync(g => g.Name == name, ct))
        {
            return new Failure(FailureKind.Conflict, "group_exists", $"deployment group '{name}' exists already; change it with 'fleet deployment update {name}'");
        }

        if (spec.Firmware is null)
        {
            return new Failure(FailureKind.Invalid, "firmware_required", "a deployment group needs --firmware UUID|VERSION");
        }

        var group = new DeploymentGroup
        {
            Name = name,
            ProductId = product.Id,
            TagMatch = Deployments.TagMatch.All,
            MaxConcurrent = DefaultMaxConcurrent,
            FailureThresholdPercent = DefaultFailureThreshold,
            CreatedAt = clock.GetUtcNow(),
            UpdatedAt = clock.GetUtcNow(),
        };
        var applied = await ApplyAsync(db, actor, group, spec, ct);
        if (applied is not null)
        {
            return applied;
        }

        db.DeploymentGroups.Add(group);
        audit.Record(db, actor, "deployment.create", $"deployment:{name}", Describe(group));
        await db.SaveChangesAsync(ct);
        signal.Kick();
        return group;
    }

    public async Task<Outcome<DeploymentGroup>> UpdateAsync(Actor actor, string name, GroupChanges changes, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var group = await db.DeploymentGroups.Include(g => g.Product).Include(g => g.Firmware).FirstOrDefaultAsync(g => g.Name == name, ct);
        if (group is null)
        {
            return Unknown(name);
        }

        var applied = await ApplyAsync(db, actor, group, changes, ct);
        if (applied is not null)
        {
            return applied;
        }

        group.UpdatedAt = clock.GetUtcNow();
        var action = changes.Paused switch { true => "deployment.pause", false => "deployment.resume", _ => "deployment.update" };
        audit.Record(db, actor, action, $"deployment:{name}", Describe(group));
        await db.SaveChangesAsync(ct);
        signal.Kick();
        return group;
    }

    public async Task<IReadOnlyList<DeploymentGroup>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.DeploymentGroups.AsNoTracking().Include(g => g.Product).Include(g => g.Firmware).OrderBy(g => g.Name).ToListAsync(ct);
    }

    public async Task<Outcome<DeploymentGroup>> FindAsync(string name, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var group = await db.DeploymentGroups.AsNoTracking()
            .Include(g => g.Product).Include(g => g.Firmware)
            .Include(g => g.Releases.OrderByDescending(r => r.Id)).ThenInclude(r => r.Firmware)
            .FirstOrDefaultAsync(g => g.Name == name, ct);
        return group is null ? Unknown(name) : group;
    }

    /// <summary>Resolves "uuid or version" for one device and checks the release may reach it: the one-device push
    /// goes through the same resolution and scope rule as a group's release.</summary>
    public async Task<Outcome<PushRelease>> PreparePushAsync(Actor actor, string serial, string firmwareReference, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var device = await db.Devices.AsNoTracking().Include(d => d.Product).FirstOrDefaultAsync(d => d.Serial == serial, ct);
        if (device?.Product is null)
        {
            return Devices.DeviceRegistry.Unknown(serial);
        }

        var firmware = await FindFirmwareAsync(db, device.ProductId, firmwareReference, ct);
        if (firmware is null)
        {
            return UnknownFirmware(firmwareReference, $"{serial}'s product");
        }

        if (firmware.QuarantinedAt is not null)
        {
            return FirmwareQuarantine.Refused(firmware);
        }

        var refused = await gate.AuthorizeAsync(actor, firmware, device.Product.Name, [GroupReleaseTargets.Device(device.Product.Name, firmware, device, null)], ReleaseGate.DeviceCode, ct);
        return refused is null ? new PushRelease(device, firmware) : refused;
    }

    /// <summary>The bundle (or payload) download: free when the signer's scope covers any device; otherwise the
    /// caller names where it goes (<paramref name="serial"/> or <paramref name="group"/>) and that must be covered,
    /// so a download cannot carry a scoped key's firmware past its scope by hand.</summary>
    public async Task<Outcome<FirmwareRecord>> AuthorizeDownloadAsync(Actor actor, string uuid, string? serial, string? group, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var firmware = await db.Firmware.AsNoTracking().Include(f => f.Product).FirstOrDefaultAsync(f => f.Uuid == uuid, ct);
        if (firmware?.Product is null)
        {
            return FirmwareStore.Unknown(uuid);
        }

        var product = firmware.Product.Name;
        var scopes = await gate.ScopesAsync(product, ct);
        var anywhere = new ReleaseTarget(new Fleet.Protocol.Trust.FirmwareScope(product, firmware.Version, GroupReleaseTargets.AnyMember, null, []), "any device (no ?serial= or ?group= named)");
        List<ReleaseTarget> targets;
        if (serial is not null)
        {
            var device = await db.Devices.AsNoTracking().FirstOrDefaultAsync(d => d.Serial == serial && d.ProductId == firmware.ProductId, ct);
            if (device is null)
            {
                return Devices.DeviceRegistry.Unknown(serial);
            }

            targets = [GroupReleaseTargets.Device(product, firmware, device, null)];
        }
        else if (group is not null)
        {
            var g = await db.DeploymentGroups.AsNoTracking().FirstOrDefaultAsync(x => x.Name == group && x.ProductId == firmware.ProductId, ct);
            if (g is null)
            {
                return Unknown(group);
            }

            targets = [.. GroupReleaseTargets.For(g, product, firmware, [])];
        }
        else
        {
            targets = [anywhere];
        }

        var refused = await gate.AuthorizeAsync(actor, scopes, firmware, targets, serial is null && group is null ? "download_scope_required" : ReleaseGate.DeviceCode, ct);
        return refused is null ? firmware : refused;
    }

    public static Failure Unknown(string name) =>
        new(FailureKind.NotFound, "unknown_group", $"no deployment group '{name}'; list them with 'fleet deployment list'");

    private async Task<Failure?> ApplyAsync(HubDb db, Actor actor, DeploymentGroup group, GroupChanges c, CancellationToken ct)
    {
        if (c.TagMatch is not null && !Deployments.TagMatch.IsKnown(c.TagMatch))
        {
            return new Failure(FailureKind.Invalid, "invalid_tag_match", $"tag match '{c.TagMatch}' must be 'all' or 'any'");
        }

        if (c.Tags?.FirstOrDefault(t => !Names.IsValid(t)) is { } badTag)
        {
            return Names.Invalid("tag", badTag);
        }

        if (c.VersionRequirement is not null && !GroupTargeting.TryParseRequirement(c.VersionRequirement, out _))
        {
            return new Failure(FailureKind.Invalid, "invalid_version_requirement", $"version requirement '{c.VersionRequirement}' is not a SemVer range; write e.g. '>=1.2.0 <2.0.0' or '^1.2'");
        }

        if (c.MaxConcurrent is < 1)
        {
            return new Failure(FailureKind.Invalid, "invalid_max_concurrent", $"max concurrent {c.MaxConcurrent} must be at least 1");
        }

        if (c.FailureThresholdPercent is < 0 or > 100)
        {
            return new Failure(FailureKind.Invalid, "invalid_failure_threshold", $"failure threshold {c.FailureThresholdPercent}% must be 0-100");
        }

        if (c.SoakSeconds is < 0 or > MaxSoakSeconds)
        {
            return new Failure(FailureKind.Invalid, "invalid_soak", $"soak {c.SoakSeconds} s must be 0 (off) to {MaxSoakSeconds} s (7 days); write e.g. --soak 30m");
        }

        if (c.Window is { Length: > 0 } window && Rollouts.MaintenanceWindow.Parse(window, out var windowError) is null)
        {
            return new Failure(FailureKind.Invalid, "invalid_window", $"{windowError}; give --window like '02:00-05:00 Europe/Berlin', or 'off' to remove it");
        }

        if (c.QuarantineAfter is < 0)
        {
            return new Failure(FailureKind.Invalid, "invalid_quarantine_after", $"quarantine after {c.QuarantineAfter} devices must be 0 (never) or more");
        }

        if (group.Id == 0 || c.Tags is not null || c.TagMatch is not null || c.VersionRequirement is not null)
        {
            var productName = await db.Products.AsNoTracking().Where(p => p.Id == group.ProductId).Select(p => p.Name).FirstAsync(ct);
            if (await gate.AuthorizeReachChangeAsync(actor, productName, group.Name, ct) is { } reachRefused)
            {
                return reachRefused;
            }
        }

        FirmwareRecord? released = null;
        if (c.Firmware is not null)
        {
            released = await FindFirmwareAsync(db, group.ProductId, c.Firmware, ct);
            if (released is null)
            {
                return UnknownFirmware(c.Firmware, "this group's product");
            }

            if (released.QuarantinedAt is not null)
            {
                return FirmwareQuarantine.Refused(released);
            }
        }

        group.Tags = c.Tags is null ? group.Tags : [.. c.Tags.Distinct()];
        group.TagMatch = c.TagMatch ?? group.TagMatch;
        group.VersionRequirement = c.VersionRequirement is null ? group.VersionRequirement : (c.VersionRequirement.Length == 0 ? null : c.VersionRequirement);

        // The release as it will be, checked whenever what it ships or whom it reaches changes.
        var shipping = released ?? group.Firmware ?? (group.FirmwareId == 0 ? null : await db.Firmware.FirstOrDefaultAsync(f => f.Id == group.FirmwareId, ct));
        if (shipping is not null && (released is not null || c.Tags is not null || c.TagMatch is not null || c.VersionRequirement is not null))
        {
            var product = await db.Products.AsNoTracking().Where(p => p.Id == group.ProductId).Select(p => p.Name).FirstAsync(ct);
            var view = new DeploymentGroup { Name = group.Name, ProductId = group.ProductId, Tags = group.Tags, TagMatch = group.TagMatch, VersionRequirement = group.VersionRequirement, Firmware = shipping };
            var candidates = await db.Devices.AsNoTracking().Where(d => d.ProductId == group.ProductId && !d.Revoked).ToListAsync(ct);
            var members = candidates.Where(d => GroupTargeting.Targets(view, d, product));
            var refused = await gate.AuthorizeAsync(actor, shipping, product, GroupReleaseTargets.For(view, product, shipping, members), ReleaseGate.GroupCode, ct);
            if (refused is not null)
            {
                return refused;
            }
        }

        if (released is not null && group.FirmwareId != released.Id)
        {
            group.FirmwareId = released.Id;
            group.Firmware = released;
            group.Releases.Add(new Release { FirmwareId = released.Id, Actor = actor.Name, CreatedAt = clock.GetUtcNow() });
        }

        group.MaxConcurrent = c.MaxConcurrent ?? group.MaxConcurrent;
        group.FailureThresholdPercent = c.FailureThresholdPercent ?? group.FailureThresholdPercent;
        group.SoakSeconds = c.SoakSeconds ?? group.SoakSeconds;
        group.QuarantineAfter = c.QuarantineAfter ?? group.QuarantineAfter;
        if (c.Window is not null)
        {
            group.MaintenanceWindow = c.Window.Length == 0 ? null : Rollouts.MaintenanceWindow.Parse(c.Window, out _)!.ToString();
        }
        if (c.Paused is { } paused && paused != group.Paused)
        {
            group.Paused = paused;
            group.PauseReason = null;
            group.ResumedAt = paused ? group.ResumedAt : clock.GetUtcNow();
        }
        return null;
    }

    /// <summary>The one "uuid or version" resolution, for groups and pushes alike.</summary>
    private static Task<FirmwareRecord?> FindFirmwareAsync(HubDb db, int productId, string reference, CancellationToken ct) =>
        db.Firmware.FirstOrDefaultAsync(f => f.ProductId == productId && (f.Uuid == reference || f.Version == reference), ct);

    private static Failure UnknownFirmware(string reference, string whose) =>
        new(FailureKind.NotFound, "unknown_firmware", $"no firmware '{reference}' (uuid or version) for {whose}; list it with 'fleet firmware list'");

    private static string Describe(DeploymentGroup g) =>
        $"firmware={g.Firmware?.Version}({g.Firmware?.Uuid}) tags={g.TagMatch}:{string.Join(',', g.Tags)} requirement={g.VersionRequirement ?? "*"} maxConcurrent={g.MaxConcurrent} failureThreshold={g.FailureThresholdPercent}% soak={g.SoakSeconds}s quarantineAfter={g.QuarantineAfter} window={g.MaintenanceWindow ?? "any time"} paused={g.Paused}";
}
