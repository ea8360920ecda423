using System.Collections.Concurrent;
using Fleet.Hub.Audit;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Devices;

/// <summary>Sends a command on <c>cmd</c> with an MQTT 5 response topic and correlation data, and waits for the
/// device's <see cref="CommandResponse"/> on <c>resp</c>. A reply counts only from the device the command went to
/// (correlation id AND serial), and only while that device is not revoked.</summary>
internal sealed class DeviceCommands(IDbContextFactory<HubDb> dbs, IDeviceLink link, AuditLog audit)
{
    private readonly ConcurrentDictionary<Guid, (string Serial, TaskCompletionSource<CommandResponse> Answer)> _waiting = new();

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
        _waiting[correlation] = (serial, answer);
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

    /// <summary>Called by the inbox for a message on <c>resp</c>. Unknown or late correlations, replies from another
    /// device than the one asked, and replies from a device revoked meanwhile are dropped (the command then times out).</summary>
    public async Task<bool> CompleteAsync(string serial, byte[]? correlation, CommandResponse response, CancellationToken ct)
    {
        if (correlation is not { Length: 16 } || !_waiting.TryGetValue(new Guid(correlation), out var waiting)
            || !string.Equals(waiting.Serial, serial, StringComparison.Ordinal))
        {
            return false;
        }

        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            if (await db.Devices.AsNoTracking().AnyAsync(d => d.Serial == serial && d.Revoked, ct))
            {
                return false;
            }
        }

        return _waiting.TryRemove(new Guid(correlation), out _) && waiting.Answer.TrySetResult(response);
    }
}
