namespace Fleet.Hub.Devices;

/// <summary>The seam between the hub's contexts and whatever carries MQTT (the embedded broker today, an
/// external broker later). It moves bytes and drops connections; it decides nothing.</summary>
internal interface IDeviceLink
{
    int ConnectedCount { get; }

    Task<bool> IsConnectedAsync(string serial, CancellationToken ct);

    Task DisconnectAsync(string serial, CancellationToken ct);

    Task PublishAsync(string serial, string topic, ReadOnlyMemory<byte> payload, bool retain, string? responseTopic, byte[]? correlation, CancellationToken ct,
        IReadOnlyDictionary<string, string>? userProperties = null);
}
