namespace Fleet.Hub.Rollouts;

/// <summary>Wakes the orchestrator when something it plans on changed (device status, update event, group edit).
/// Many signals before it wakes collapse into one pass; the timer covers anything missed.</summary>
internal sealed class RolloutSignal
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Kick()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one pass sees every change.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _wake.WaitAsync(timeout, ct);
}
