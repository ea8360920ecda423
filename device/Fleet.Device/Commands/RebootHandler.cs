using System.Diagnostics;
using Fleet.Device.Configuration;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fleet.Device.Commands;

/// <summary><c>reboot</c>: answers first, then (after a short grace for the answer to leave) either runs the
/// profile's reboot command or stops the agent cleanly so its supervisor (systemd, fleet-boot) starts it again.</summary>
internal sealed class RebootHandler(IHostApplicationLifetime lifetime, AgentProfile profile, ILogger<RebootHandler> logger) : ICommandHandler
{
    public string Name => CommandNames.Reboot;

    public Task<CommandResponse> HandleAsync(DeviceCommand command, CancellationToken ct)
    {
        _ = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            if (profile.RebootCommand.Count > 0)
            {
                logger.LogWarning("Rebooting: {Command}", string.Join(' ', profile.RebootCommand));
                var psi = new ProcessStartInfo(profile.RebootCommand[0]);
                foreach (var a in profile.RebootCommand.Skip(1))
                {
                    psi.ArgumentList.Add(a);
                }

                using var p = Process.Start(psi);
            }

            logger.LogWarning("Stopping for reboot");
            lifetime.StopApplication();
        }, CancellationToken.None);
        return Task.FromResult(new CommandResponse(true, Detail: profile.RebootCommand.Count > 0 ? "rebooting" : "restarting the agent"));
    }
}
