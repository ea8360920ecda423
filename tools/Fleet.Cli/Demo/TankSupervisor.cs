namespace Fleet.Cli.Demo;

/// <summary>Runs <c>fleet-boot --root ROOT -- --simulate</c> again whenever it exits, as systemd's Restart=always does
/// on a Pi: an agent exits to switch slots after an update, and fleet-boot starts the new slot (or rolls back).</summary>
internal sealed class TankSupervisor(string fleetBoot, string root)
{
    private readonly CancellationTokenSource _stop = new();
    private volatile DemoChild? _current;
    private Task _loop = Task.CompletedTask;

    public string Root => root;

    public void Start() => _loop = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var run = DemoChild.Start(fleetBoot, ["--root", root, "--", "--simulate"], root);
            _current = run;
            try
            {
                await run.WaitForExitAsync(_stop.Token);
                _current = null;
                run.Dispose();
                // systemd's RestartSec: a crashing agent does not spin.
                await Task.Delay(500, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                // StopAsync stops and disposes the run that is still current.
                return;
            }
        }
    }

    /// <summary>Stops restarting, then SIGTERM to the agent (fleet-boot execs into it, so the PID is the agent's).</summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        await _loop;
        if (_current is { } run)
        {
            await run.StopAsync(PosixSignals.SigTerm, TimeSpan.FromSeconds(10));
            run.Dispose();
        }
    }
}
