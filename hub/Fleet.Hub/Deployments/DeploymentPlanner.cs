using Fleet.Hub.Devices;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Deployments;

/// <summary>Answers which devices a group targets now (for listing, and later for the rollout orchestrator).</summary>
internal sealed class DeploymentPlanner(IDbContextFactory<HubDb> dbs, DeviceRegistry registry)
{
    /// <summary>A page of the devices group <paramref name="groupName"/> targets now, filtered and paged as any device
    /// list.</summary>
    public async Task<Outcome<DevicePage>> MemberPageAsync(string groupName, DeviceSearch search, CancellationToken ct)
    {
        var members = await MembersAsync(groupName, ct);
        if (!members.Ok)
        {
            return members.Failure;
        }

        return await registry.SearchAsync(search, [.. members.Value.Select(d => d.Id)], ct);
    }

    public async Task<Outcome<IReadOnlyList<Device>>> MembersAsync(string groupName, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        // The matching rule compares the firmware's platform and the product: load both.
        var group = await db.DeploymentGroups.AsNoTracking().Include(g => g.Product).Include(g => g.Firmware).FirstOrDefaultAsync(g => g.Name == groupName, ct);
        if (group is null)
        {
            return DeploymentCatalog.Unknown(groupName);
        }

        var candidates = await db.Devices.AsNoTracking().Include(d => d.Product).Where(d => d.ProductId == group.ProductId).OrderBy(d => d.Serial).ToListAsync(ct);
        return candidates.Where(d => GroupTargeting.Targets(group, d)).ToList();
    }
}
