namespace Fleet.Hub.Rollouts;

/// <summary>How many of the targeted devices are in each rollout state (each device counted once, by its latest attempt).</summary>
internal sealed record RolloutCounts(int Targeted, int Pending, int InFlight, int Committed, int Failed, int RolledBack, int PenaltyBox, int Soaking = 0);
