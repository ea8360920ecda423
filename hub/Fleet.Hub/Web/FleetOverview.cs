using Fleet.Hub.Deployments;
using Fleet.Hub.Devices;
using Fleet.Hub.Products;

namespace Fleet.Hub.Web;

/// <summary>The read side of the dashboard and group pages, composed from the facades.</summary>
internal sealed class FleetOverview(ProductCatalog products, DeploymentCatalog deployments, DeviceRegistry devices, Rollouts.RolloutProgressQuery rollouts)
{
    public async Task<IReadOnlyList<(Product Product, IReadOnlyList<GroupSummary> Groups)>> DashboardAsync(CancellationToken ct)
    {
        var groups = new List<GroupSummary>();
        foreach (var group in await deployments.ListAsync(ct))
        {
            if (await SummaryAsync(group, ct) is { } summary)
            {
                groups.Add(summary);
            }
        }

        return (await products.ListAsync(ct))
            .Select(p => (p, (IReadOnlyList<GroupSummary>)groups.Where(g => g.Group.ProductId == p.Id).ToList()))
            .ToList();
    }

    public async Task<GroupSummary?> GroupAsync(string name, CancellationToken ct)
    {
        var group = await deployments.FindAsync(name, ct);
        return group.Ok ? await SummaryAsync(group.Value, ct) : null;
    }

    /// <summary>The devices behind a page's rows (a group page's members and past attempts).</summary>
    public Task<IReadOnlyList<Device>> DevicesAsync(IReadOnlyCollection<string> serials, CancellationToken ct) => devices.FindManyAsync(serials, ct);

    public Task<FleetCounts> CountsAsync(CancellationToken ct) => devices.CountsAsync(ct);

    /// <summary>A page of the device search on the dashboard.</summary>
    public Task<DevicePage> SearchAsync(DeviceSearch search, CancellationToken ct) => devices.SearchAsync(search, null, ct);

    private async Task<GroupSummary?> SummaryAsync(DeploymentGroup group, CancellationToken ct)
    {
        // The group as loaded here carries its product and firmware, which the matching rule needs (platform).
        var members = (await devices.ListAsync(group.Product?.Name, ct)).Where(d => GroupTargeting.Targets(group, d)).ToList();
        var progress = await rollouts.GetAsync(group.Name, ct);
        return new GroupSummary(group, members, progress.Ok ? progress.Value : null);
    }
}
