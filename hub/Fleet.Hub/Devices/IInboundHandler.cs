namespace Fleet.Hub.Devices;

/// <summary>Handles one kind of device message (<c>status</c>, <c>telemetry</c>, <c>fw/req</c>, ...). New features
/// (the OTA orchestrator's chunk server) plug in by registering another handler.</summary>
internal interface IInboundHandler
{
    bool Handles(string kind);

    Task HandleAsync(InboundMessage message, CancellationToken ct);
}
