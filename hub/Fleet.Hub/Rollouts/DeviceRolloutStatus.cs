namespace Fleet.Hub.Rollouts;

/// <summary>The values of <see cref="DeviceRollout.Status"/>.</summary>
internal static class DeviceRolloutStatus
{
    public const string Pending = "pending";
    public const string InFlight = "in_flight";
    public const string Soaking = "soaking";
    public const string Committed = "committed";
    public const string Failed = "failed";
    public const string RolledBack = "rolled_back";
    public const string PenaltyBox = "penalty_box";
}
