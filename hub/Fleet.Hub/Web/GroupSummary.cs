using Fleet.Hub.Deployments;
using Fleet.Hub.Devices;

namespace Fleet.Hub.Web;

/// <summary>A deployment group as the dashboard shows it: its members' presence and update states counted.</summary>
internal sealed record GroupSummary(DeploymentGroup Group, IReadOnlyList<Device> Members, IReadOnlyDictionary<string, UpdateProgress> Updates)
{
    public int Online => Members.Count(d => d.Online);
    public int Offline => Members.Count(d => !d.Online);
    public int Updating => Members.Count(d => Updates.TryGetValue(d.Serial, out var u) && u.InFlight);
    public int Failed => Members.Count(d => Updates.TryGetValue(d.Serial, out var u) && u.Failed);
    public int OnCurrentRelease => Members.Count(d => d.FirmwareUuid == Group.Firmware?.Uuid);
}
