using Fleet.Hub.Audit;
using Fleet.Hub.Firmware;
using Fleet.Hub.Hosting;
using Fleet.Hub.Products;
using Fleet.Hub.Storage;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Deployments;

/// <summary>The Deployments facade: groups, their current firmware and release history, and the rule that firmware
/// may ship to a group only when signed by a key allowed for that group.</summary>
internal sealed class DeploymentCatalog(IDbContextFactory<HubDb> dbs, AuditLog audit, TimeProvider clock, Rollouts.RolloutSignal signal)
{
    public const int DefaultMaxConcurrent = 10;
    public const int DefaultFailureThreshold = 20;

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

        if (c.Firmware is not null)
        {
            var firmware = await db.Firmware.FirstOrDefaultAsync(f => f.ProductId == group.ProductId && (f.Uuid == c.Firmware || f.Version == c.Firmware), ct);
            if (firmware is null)
            {
                return new Failure(FailureKind.NotFound, "unknown_firmware", $"no firmware '{c.Firmware}' (uuid or version) for this group's product; list it with 'fleet firmware list'");
            }

            var keyCheck = await SigningKeyRules.CheckAllowedAsync(db, firmware, group.Name, ct);
            if (keyCheck is not null)
            {
                return keyCheck;
            }

            if (group.FirmwareId != firmware.Id)
            {
                group.FirmwareId = firmware.Id;
                group.Firmware = firmware;
                group.Releases.Add(new Release { FirmwareId = firmware.Id, Actor = actor.Name, CreatedAt = clock.GetUtcNow() });
            }
        }

        group.Tags = c.Tags is null ? group.Tags : [.. c.Tags.Distinct()];
        group.TagMatch = c.TagMatch ?? group.TagMatch;
        group.VersionRequirement = c.VersionRequirement is null ? group.VersionRequirement : (c.VersionRequirement.Length == 0 ? null : c.VersionRequirement);
        group.MaxConcurrent = c.MaxConcurrent ?? group.MaxConcurrent;
        group.FailureThresholdPercent = c.FailureThresholdPercent ?? group.FailureThresholdPercent;
        if (c.Paused is { } paused && paused != group.Paused)
        {
            group.Paused = paused;
            group.PauseReason = null;
            group.ResumedAt = paused ? group.ResumedAt : clock.GetUtcNow();
        }
        return null;
    }

    private static string Describe(DeploymentGroup g) =>
        $"firmware={g.Firmware?.Version}({g.Firmware?.Uuid}) tags={g.TagMatch}:{string.Join(',', g.Tags)} requirement={g.VersionRequirement ?? "*"} maxConcurrent={g.MaxConcurrent} failureThreshold={g.FailureThresholdPercent}% paused={g.Paused}";
}
