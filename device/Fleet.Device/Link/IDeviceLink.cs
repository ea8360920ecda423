namespace Fleet.Device.Link;

/// <summary>The device's MQTT connection as the rest of the agent (and the OTA work) uses it.</summary>
public interface IDeviceLink
{
    /// <summary>The certificate CN, or null while the device is not provisioned.</summary>
    string? Serial { get; }

    bool IsConnected { get; }

    /// <summary>Raised after every (re)connection, once subscriptions are in place.</summary>
    event Action? Connected;

    /// <summary>Publishes on <c>fleet/v1/{serial}/{kind}</c>. True once the broker acknowledged it (QoS 1) or it
    /// was sent (QoS 0); false when offline or refused: the caller decides whether to retry.</summary>
    Task<bool> PublishAsync(string kind, byte[] payload, bool atLeastOnce = true, bool retain = false,
        IReadOnlyDictionary<string, string>? userProperties = null, CancellationToken ct = default);

    /// <summary>Subscribes (QoS 1) to <c>fleet/v1/{serial}/{kindFilter}</c> on every connection and hands matching
    /// messages to <paramref name="handler"/>. Register before the host starts or at any time after.</summary>
    void Subscribe(string kindFilter, Func<InboundMessage, CancellationToken, Task> handler);
}
