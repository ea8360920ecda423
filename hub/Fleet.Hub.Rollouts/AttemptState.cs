namespace Fleet.Hub.Rollouts;

public enum AttemptState
{
    /// <summary>The update command was sent; no final answer yet.</summary>
    InFlight,

    /// <summary>The device reported <c>committed</c> from the new version and, when its group has a soak window, stayed
    /// connected and healthy through it: the only success.</summary>
    Committed,

    /// <summary>The device refused or failed before activation.</summary>
    Failed,

    /// <summary>The new version did not pass its trial and the device went back. Counted as a failure.</summary>
    RolledBack,

    /// <summary>No progress within the in-flight timeout. Counted as a failure.</summary>
    TimedOut,

    /// <summary>Stopped by the hub (group firmware changed, cancel): neither success nor failure.</summary>
    Cancelled,

    /// <summary>Committed, and now in its group's soak window: not a success yet, still holding a concurrency slot.
    /// Ends <see cref="Committed"/> or <see cref="Failed"/> with an <see cref="AttemptFailure"/>.</summary>
    Soaking,
}
