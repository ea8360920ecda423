namespace Fleet.Hub.Rollouts;

/// <summary>One step of a group's rollout, as a pure function of the current facts. The hub calls it on every
/// relevant change (device online, update event, timer), persists the decisions, then acts on them; running
/// it twice on the same facts yields the same decisions, so a restarted hub simply carries on.</summary>
public static class RolloutPlanner
{
    public static IReadOnlyList<RolloutDecision> Plan(
        GroupTarget group,
        RolloutPolicy policy,
        IReadOnlyCollection<DeviceSnapshot> devices,
        IReadOnlyCollection<Attempt> attempts,
        DateTimeOffset now)
    {
        var decisions = new List<RolloutDecision>();
        var current = attempts.Where(a => a.FirmwareUuid == group.FirmwareUuid).ToList();

        // Expire attempts that stopped moving; from here on they count as failures.
        for (var i = 0; i < current.Count; i++)
        {
            var a = current[i];
            if (a.State == AttemptState.InFlight && now - a.LastProgressAt > policy.InFlightTimeout)
            {
                var reason = $"no progress for {policy.InFlightTimeout.TotalMinutes:0.#} min";
                decisions.Add(new RolloutDecision.ExpireAttempt(a.Serial, reason));
                current[i] = a with { State = AttemptState.TimedOut, Reason = reason };
            }
        }

        var pause = ThresholdReached(group, policy, current);
        if (pause is not null && !group.Paused)
        {
            decisions.Add(new RolloutDecision.PauseGroup(pause));
        }

        // A quarantined release starts nowhere, paused or not; what is in flight carries on and times out as usual.
        if (group.Paused || pause is not null || group.Quarantined)
        {
            return decisions;
        }

        // A soaking device holds its slot until its soak ends: with a soak, at most MaxConcurrent devices are unproven.
        var inFlight = current.Where(a => a.State is AttemptState.InFlight or AttemptState.Soaking).Select(a => a.Serial).ToHashSet(StringComparer.Ordinal);
        // Outside its maintenance window a group starts nothing new; what is in flight carries on (and times out
        // as usual, above).
        var free = group.Window is { } window && !window.IsOpen(now) ? 0 : policy.MaxConcurrent - inFlight.Count;
        // Devices that have not failed this firmware go first, so one flaky tank cannot hold the rollout up.
        foreach (var device in devices
                     .OrderBy(d => RecentFailures(d, policy, current))
                     .ThenBy(d => d.Serial, StringComparer.Ordinal))
        {
            if (device.Revoked || device.FirmwareUuid == group.FirmwareUuid || inFlight.Contains(device.Serial)
                || (device.PenaltyUntil is { } until && until > now) || !DeviceMatcher.Matches(group, device))
            {
                continue;
            }

            var failures = RecentFailures(device, policy, current);
            if (failures >= policy.PenaltyBoxAfterFailures)
            {
                decisions.Add(new RolloutDecision.PenaltyBox(device.Serial, now + policy.PenaltyBoxDuration,
                    $"{failures} failed attempts at {group.FirmwareVersion}"));
                continue;
            }

            if (free > 0 && device.Online)
            {
                decisions.Add(new RolloutDecision.StartUpdate(device.Serial));
                free--;
            }
        }

        return decisions;
    }

    /// <summary>The reason to pause, when the share of failures among recently finished attempts reaches the threshold.</summary>
    public static string? ThresholdReached(GroupTarget group, RolloutPolicy policy, IReadOnlyCollection<Attempt> attempts)
    {
        var finished = attempts
            .Where(a => a.FirmwareUuid == group.FirmwareUuid && (a.State == AttemptState.Committed || a.IsFailure))
            .OrderByDescending(a => a.LastProgressAt)
            .Take(policy.FailureWindow)
            .ToList();
        if (finished.Count < policy.MinimumFinished || finished.Count == 0)
        {
            return null;
        }

        var failed = finished.Count(a => a.IsFailure);
        return failed * 100 >= policy.FailureThresholdPercent * finished.Count && failed > 0
            ? $"{failed} of the last {finished.Count} updates to {group.FirmwareVersion} failed (threshold {policy.FailureThresholdPercent}%)"
            : null;
    }

    /// <summary>Failures of this firmware on this device since it last left the penalty box.</summary>
    private static int RecentFailures(DeviceSnapshot device, RolloutPolicy policy, IEnumerable<Attempt> attempts)
    {
        var since = device.PenaltyUntil ?? DateTimeOffset.MinValue;
        return attempts.Count(a => a.Serial == device.Serial && a.IsFailure && a.StartedAt >= since);
    }
}
