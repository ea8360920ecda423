using Fleet.Hub.Deployments;
using Fleet.Hub.Devices;
using Fleet.Hub.Rollouts;

namespace Fleet.Hub.Web;

/// <summary>A deployment group as the dashboard shows it: its members' presence counted, and the rollout facade's
/// counts of updating, failed and penalty-boxed devices for the current release.</summary>
internal sealed record GroupSummary(DeploymentGroup Group, IReadOnlyList<Device> Members, RolloutProgress? Rollout)
{
    public int Online => Members.Count(d => d.Online);
    public int Offline => Members.Count(d => !d.Online);
    public int Updating => Rollout?.Counts.InFlight ?? 0;
    public int Failed => (Rollout?.Counts.Failed ?? 0) + (Rollout?.Counts.RolledBack ?? 0);
    public int PenaltyBox => Rollout?.Counts.PenaltyBox ?? 0;
    public int Committed => Rollout?.Counts.Committed ?? 0;
    public int Targeted => Rollout?.Counts.Targeted ?? Members.Count;
}
