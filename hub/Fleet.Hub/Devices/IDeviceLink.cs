namespace Fleet.Hub.Devices;

/// <summary>The seam between the hub's contexts and whatever carries MQTT (the embedded broker today, an
/// external broker later). It moves bytes and drops connections; it decides nothing.</summary>
internal interface IDeviceLink
{
    int ConnectedCount { get; }

    Task<bool> IsConnectedAsync(string serial, CancellationToken ct);

    Task DisconnectAsync(string serial, CancellationToken ct);

    /// <param name="atMostOnce">QoS 0 instead of QoS 1: for firmware chunks, whose delivery the device's own request
    /// loop guarantees (it asks again for whatever has not arrived), so a broker acknowledgement per 64 KiB is waste.</param>
    Task PublishAsync(string serial, string topic, ReadOnlyMemory<byte> payload, bool retain, string? responseTopic, byte[]? correlation, CancellationToken ct,
        IReadOnlyDictionary<string, string>? userProperties = null, bool atMostOnce = false);
}
