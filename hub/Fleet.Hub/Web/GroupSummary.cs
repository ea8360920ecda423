using Fleet.Hub.Deployments;
using Fleet.Hub.Devices;
using Fleet.Hub.Rollouts;

namespace Fleet.Hub.Web;

/// <summary>A deployment group as the UI shows it: the devices its rules match now, and the rollout facade's rows for
/// those devices plus any device that had an attempt from this group (a device already running the release for
/// another group's sake is not this group's).</summary>
internal sealed record GroupSummary(DeploymentGroup Group, IReadOnlyList<Device> Members, RolloutProgress? Rollout)
{
    public IReadOnlyList<DeviceRollout> Rows { get; } =
        Rollout?.Devices.Where(r => r.Attempts > 0 || Members.Any(m => m.Serial == r.Serial)).ToList() ?? [];

    public int Online => Members.Count(d => d.Online);
    public int Offline => Members.Count(d => !d.Online);
    public int Updating => Count(DeviceRolloutStatus.InFlight) + Count(DeviceRolloutStatus.Soaking);
    public int Failed => Count(DeviceRolloutStatus.Failed) + Count(DeviceRolloutStatus.RolledBack);
    public int PenaltyBox => Count(DeviceRolloutStatus.PenaltyBox);
    public int Committed => Count(DeviceRolloutStatus.Committed);
    public int Targeted => Rows.Count;

    private int Count(string status) => Rows.Count(r => r.Status == status);
}
