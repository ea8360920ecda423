namespace Fleet.Device.Update;

/// <summary>Runs <see cref="UpdateFlow"/> from the phase the journal holds: counts the start of the step, runs it, and
/// reports the stage of the phase it reached, until a phase without a step or one that hands over to fleet-boot.
/// A step that throws is a failure: the phase the table names for it is written with the reason before the hub is
/// told. A cancelled step (cancel-update, shutdown) leaves the journal as the step left it.</summary>
public sealed class UpdateFlowRunner(UpdateEngine engine, IUpdateHost host)
{
    public async Task RunAsync(CancellationToken ct)
    {
        while (true)
        {
            var record = engine.Journal.Read();
            var phase = UpdateFlow.Of(record.Phase);
            if (phase.Step == UpdateStep.None)
            {
                return;
            }

            UpdateRecord reached;
            if (phase.CountsAttempts && record.Attempts >= UpdateFlow.MaxAttempts)
            {
                reached = engine.Fail($"CrashLoop: the {Name(phase.Step)} step of {record.Version} was started {record.Attempts} times without finishing (the agent stopped each time); the update is given up");
            }
            else
            {
                if (phase.CountsAttempts)
                {
                    record = engine.Journal.Advance(record with { Attempts = record.Attempts + 1 });
                }

                try
                {
                    reached = await RunStepAsync(phase.Step, record, ct);
                }
                catch (Exception) when (ct.IsCancellationRequested)
                {
                    // Cancelled (the journal is the cancel's to write) or stopping (the next start resumes).
                    return;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    reached = engine.Fail($"Error: {ex.Message}");
                }
            }

            if (reached.Phase != phase.OnSuccess && reached.Phase != phase.OnFailure)
            {
                throw new InvalidOperationException($"update flow: the {Name(phase.Step)} step of {record.Phase} ended in {reached.Phase}");
            }

            var next = UpdateFlow.Of(reached.Phase);
            Announce(reached);
            if (next.Restarts)
            {
                await host.RestartAsync();
                return;
            }
        }
    }

    private async Task<UpdateRecord> RunStepAsync(UpdateStep step, UpdateRecord record, CancellationToken ct)
    {
        switch (step)
        {
            case UpdateStep.Download:
                DownloadProgress done;
                try
                {
                    done = await engine.DownloadAsync(host.OpenChunks(record), host.Progress(record), ct);
                }
                finally
                {
                    host.CloseChunks();
                }

                host.Report(UpdateFlow.Of(UpdatePhase.Downloading).Reports!, record, progress: 1, detail: done.Describe());
                return await engine.StageAsync(ct);
            case UpdateStep.Activate:
                return engine.Activate();
            case UpdateStep.HealthCheck:
                var problem = await host.CheckTrialAsync(ct);
                ct.ThrowIfCancellationRequested();
                return problem is null ? engine.Commit() : engine.RollBack(problem);
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step, "no such update step");
        }
    }

    /// <summary>Reports the stage of the phase <paramref name="record"/> is in: a final failure with its reason, any
    /// other stage with progress 1.</summary>
    public void Announce(UpdateRecord record)
    {
        var phase = UpdateFlow.Of(record.Phase);
        if (phase.Reports is not { } stage)
        {
            return;
        }

        if (phase.Phase is UpdatePhase.Failed or UpdatePhase.RolledBack)
        {
            host.Report(stage, record, reason: record.Reason);
        }
        else
        {
            host.Report(stage, record, progress: 1, detail: phase.Phase == UpdatePhase.Trial ? $"starting slot {record.TargetSlot}" : null);
        }
    }

    private static string Name(UpdateStep step) => step switch
    {
        UpdateStep.Download => "download and stage",
        UpdateStep.Activate => "activation",
        UpdateStep.HealthCheck => "health check",
        _ => step.ToString(),
    };
}
