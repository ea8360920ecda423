namespace Fleet.Hub.Rollouts;

/// <summary>Why an attempt failed, as a named value: outcomes and quarantine are decided from it, never from the
/// wording of <see cref="Attempt.Reason"/>.</summary>
public enum AttemptFailure
{
    /// <summary>The device refused the offer or reported <c>failed</c> before activation.</summary>
    DeviceFailed,

    /// <summary>The new version did not pass its trial on the device, which went back to its previous slot.</summary>
    RolledBack,

    /// <summary>No progress within the in-flight timeout.</summary>
    TimedOut,

    /// <summary>A health summary during the soak showed the tank badly held (fault, water temperature, pH).</summary>
    Unhealthy,

    /// <summary>A health summary during the soak reported a sensor faulted or implausible (stuck, jump, disagrees).</summary>
    SensorFault,

    /// <summary>Offline for longer than the offline limit during the soak, or disconnected too often.</summary>
    Offline,

    /// <summary>The soak window ended without a single health summary from the new firmware: health unproven.</summary>
    NoHealth,
}

/// <summary>The snake_case names of <see cref="AttemptFailure"/> the API and CLI show.</summary>
public static class AttemptFailures
{
    public static string Name(AttemptFailure failure) => failure switch
    {
        AttemptFailure.DeviceFailed => "device_failed",
        AttemptFailure.RolledBack => "rolled_back",
        AttemptFailure.TimedOut => "timed_out",
        AttemptFailure.Unhealthy => "unhealthy",
        AttemptFailure.SensorFault => "sensor_fault",
        AttemptFailure.Offline => "offline",
        AttemptFailure.NoHealth => "no_health",
        _ => failure.ToString().ToLowerInvariant(),
    };

    /// <summary>Failures that say the release itself is bad (not the network, not a refusal): these count towards
    /// quarantine.</summary>
    public static bool CondemnsRelease(AttemptFailure failure) =>
        failure is AttemptFailure.RolledBack or AttemptFailure.Unhealthy or AttemptFailure.SensorFault or AttemptFailure.Offline or AttemptFailure.NoHealth;

    /// <summary>Failures decided during a soak.</summary>
    public static bool IsSoakFailure(AttemptFailure failure) =>
        failure is AttemptFailure.Unhealthy or AttemptFailure.SensorFault or AttemptFailure.Offline or AttemptFailure.NoHealth;
}
