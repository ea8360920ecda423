namespace Fleet.Hub.Devices;

/// <summary>Handles one kind of device message (<c>status</c>, <c>telemetry</c>, <c>fw/req</c>, ...). New features
/// (the OTA orchestrator's chunk server) plug in by registering another handler.</summary>
internal interface IInboundHandler
{
    bool Handles(string kind);

    /// <summary>Completes once the message is taken, so the next one may be handled; what it returns says when the
    /// message is durable (<see cref="Handled.Stored"/>), which is when the broker may be told it arrived.</summary>
    Task<Handled> HandleAsync(InboundMessage message, CancellationToken ct);
}

/// <summary>What became of a device message handed to an <see cref="IInboundHandler"/>. <see cref="Stored"/> completes
/// when the message needs the device no more: stored (telemetry is written later, in bulk, by
/// <see cref="Telemetry.TelemetryIngest"/>), or handled at once, or dropped for good (malformed, a duplicate; counted).
/// It is canceled when the hub stops before it could store the message: then it must not be acknowledged, and the
/// broker hands it out again.</summary>
internal readonly record struct Handled(Task Stored)
{
    public static Handled Done { get; } = new(Task.CompletedTask);
}
