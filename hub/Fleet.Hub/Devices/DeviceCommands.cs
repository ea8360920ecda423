using System.Collections.Concurrent;
using Fleet.Hub.Audit;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Devices;

/// <summary>Sends a command on <c>cmd</c> with an MQTT 5 response topic and correlation data, and waits for the
/// device's <see cref="CommandResponse"/> on <c>resp</c>.</summary>
internal sealed class DeviceCommands(IDbContextFactory<HubDb> dbs, IDeviceLink link, AuditLog audit)
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<CommandResponse>> _waiting = new();

    public async Task<Outcome<CommandResponse>> SendAsync(Actor actor, string serial, DeviceCommand command, TimeSpan timeout, CancellationToken ct)
    {
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            var device = await db.Devices.AsNoTracking().FirstOrDefaultAsync(d => d.Serial == serial, ct);
            if (device is null)
            {
                return DeviceRegistry.Unknown(serial);
            }

            if (device.Revoked)
            {
                return new Failure(FailureKind.Conflict, "device_revoked", $"device '{serial}' is revoked; it cannot take commands");
            }

            audit.Record(db, actor, $"device.command.{command.Name}", $"device:{serial}");
            await db.SaveChangesAsync(ct);
        }

        if (!await link.IsConnectedAsync(serial, ct))
        {
            return new Failure(FailureKind.Unavailable, "device_offline", $"device '{serial}' is not connected; try again when it is online");
        }

        var correlation = Guid.NewGuid();
        var answer = new TaskCompletionSource<CommandResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[correlation] = answer;
        try
        {
            await link.PublishAsync(serial, Topics.Command(serial), FleetJson.Serialize(command), false, Topics.Response(serial), correlation.ToByteArray(), ct);
            return await answer.Task.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
            return new Failure(FailureKind.Unavailable, "no_response", $"device '{serial}' did not answer '{command.Name}' within {timeout.TotalSeconds:0}s");
        }
        finally
        {
            _waiting.TryRemove(correlation, out _);
        }
    }

    /// <summary>Called by the inbox for a message on <c>resp</c>. Unknown or late correlations are dropped.</summary>
    public bool Complete(byte[]? correlation, CommandResponse response)
    {
        if (correlation is not { Length: 16 } || !_waiting.TryRemove(new Guid(correlation), out var waiting))
        {
            return false;
        }

        return waiting.TrySetResult(response);
    }
}
