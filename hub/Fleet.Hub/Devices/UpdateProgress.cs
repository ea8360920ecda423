namespace Fleet.Hub.Devices;

/// <summary>A device's latest reported update stage (<see cref="Fleet.Protocol.Messages.UpdateStages"/>), progress 0..1
/// while downloading, and the version it is updating to.</summary>
internal sealed record UpdateProgress(string Serial, string Stage, double? Progress, string? Version, string? Reason, DateTimeOffset At)
{
    public bool InFlight => Stage is "received" or "downloading" or "staged" or "rebooting";

    public bool Failed => Stage is "failed" or "rolled_back";
}
