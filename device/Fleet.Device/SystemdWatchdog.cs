using System.Globalization;
using Fleet.Device.Tank;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Fleet.Device;

/// <summary>systemd integration beyond <c>AddSystemd()</c>: pings <c>WATCHDOG=1</c> at half the unit's
/// <c>WatchdogSec</c>, but only while the tank controller is still stepping, so a wedged agent is restarted by
/// systemd rather than kept alive by a timer. Also sends <c>READY=1</c> when a notify socket is given but the
/// parent is not systemd itself (fleet-boot starting the agent under a Type=notify unit).</summary>
internal sealed class SystemdWatchdog(ISystemdNotifier notifier, TankController tank, IHostApplicationLifetime lifetime, ILogger<SystemdWatchdog> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!notifier.IsEnabled)
        {
            return;
        }

        if (!SystemdHelpers.IsSystemdService())
        {
            lifetime.ApplicationStarted.Register(() => notifier.Notify(ServiceState.Ready));
        }

        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        if (!long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var micro) || micro <= 0)
        {
            return;
        }

        var period = TimeSpan.FromMicroseconds(micro / 2.0);
        var limit = TimeSpan.FromMicroseconds(micro);
        using var timer = new PeriodicTimer(period);
        do
        {
            var sinceStep = tank.LastStep == 0 ? TimeSpan.Zero : TimeProvider.System.GetElapsedTime(tank.LastStep);
            if (sinceStep < limit)
            {
                notifier.Notify(new ServiceState("WATCHDOG=1"));
            }
            else
            {
                logger.LogError("Tank controller has not stepped for {Elapsed}; withholding the watchdog ping", sinceStep);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
