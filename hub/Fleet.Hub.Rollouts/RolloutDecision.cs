namespace Fleet.Hub.Rollouts;

/// <summary>What the planner asks the hub to do; the hub persists each before acting on it.</summary>
public abstract record RolloutDecision
{
    private RolloutDecision()
    {
    }

    /// <summary>Send the group's firmware to this device and record an in-flight attempt.</summary>
    public sealed record StartUpdate(string Serial) : RolloutDecision;

    /// <summary>An in-flight attempt made no progress in time: mark it timed out.</summary>
    public sealed record ExpireAttempt(string Serial, string Reason) : RolloutDecision;

    /// <summary>The device failed this firmware too often: leave it alone until <paramref name="Until"/>.</summary>
    public sealed record PenaltyBox(string Serial, DateTimeOffset Until, string Reason) : RolloutDecision;

    /// <summary>Too many recent failures: stop the group and say why (the audit log records it).</summary>
    public sealed record PauseGroup(string Reason) : RolloutDecision;
}
