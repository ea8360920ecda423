using Fleet.Device.Commands;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Ota;

/// <summary><c>update</c> <c>{"manifestBase64":…,"signatures":…,"chunkCount":N}</c>: accepted, or refused with the
/// named reason (InvalidSignature, UnknownKey, ProductMismatch, PlatformMismatch, DowngradeRefused, Busy, …).</summary>
internal sealed class UpdateCommandHandler(Lazy<UpdateAgent> agent) : ICommandHandler
{
    public string Name => CommandNames.Update;

    public Task<CommandResponse> HandleAsync(DeviceCommand command, CancellationToken ct)
    {
        var offer = CommandArgs.Read(command, FleetJson.Default.UpdateOffer, "{\"manifestBase64\":\"…\",\"signatures\":\"[…]\",\"chunkCount\":3}", out var refusal);
        return Task.FromResult(offer is null ? refusal! : agent.Value.Offer(offer));
    }
}
