using Fleet.Hub.Firmware;

namespace Fleet.Hub.Deployments;

/// <summary>One entry of a group's release history: this firmware became current at this time, by this actor.</summary>
internal sealed class Release
{
    public int Id { get; set; }
    public int DeploymentGroupId { get; set; }
    public int FirmwareId { get; set; }
    public FirmwareRecord? Firmware { get; set; }
    public required string Actor { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
