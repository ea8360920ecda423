namespace Fleet.Protocol;

/// <summary>
/// The MQTT topic tree. A device owns exactly <c>fleet/v1/{serial}/</c> and nothing else;
/// the broker's ACL and the hub's handlers both rely on <see cref="TryParse"/>.
/// </summary>
public static class Topics
{
    public const string Root = "fleet/v1/";

    public const string StatusKind = "status";
    public const string TelemetryKind = "telemetry";
    public const string EventsKind = "events";
    public const string HealthKind = "health";
    public const string CommandKind = "cmd";
    public const string FirmwareRequestKind = "fw/req";
    public const string FirmwareChunkKind = "fw/chunk";
    public const string ResponseKind = "resp";

    public static string DevicePrefix(string serial) => $"{Root}{serial}/";
    public static string Status(string serial) => $"{Root}{serial}/{StatusKind}";
    public static string Telemetry(string serial) => $"{Root}{serial}/{TelemetryKind}";
    public static string Events(string serial) => $"{Root}{serial}/{EventsKind}";
    public static string Health(string serial) => $"{Root}{serial}/{HealthKind}";
    public static string Command(string serial) => $"{Root}{serial}/{CommandKind}";
    public static string FirmwareRequest(string serial) => $"{Root}{serial}/{FirmwareRequestKind}";
    public static string FirmwareChunk(string serial, string uuid) => $"{Root}{serial}/{FirmwareChunkKind}/{uuid}";

    /// <summary>Where the hub answers a device's requests (MQTT 5 response topic).</summary>
    public static string Response(string serial) => $"{Root}{serial}/{ResponseKind}";

    /// <summary>Splits <c>fleet/v1/{serial}/{kind...}</c>. Returns false for anything outside the tree,
    /// an empty serial, or a serial containing MQTT wildcards.</summary>
    public static bool TryParse(string topic, out string serial, out string kind)
    {
        serial = string.Empty;
        kind = string.Empty;
        if (!topic.StartsWith(Root, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = topic.AsSpan(Root.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0 || slash == rest.Length - 1)
        {
            return false;
        }

        var s = rest[..slash];
        if (s.IndexOfAny('+', '#') >= 0)
        {
            return false;
        }

        serial = s.ToString();
        kind = rest[(slash + 1)..].ToString();
        return true;
    }

    /// <summary>True when <paramref name="topicOrFilter"/> lies wholly inside the device's own subtree
    /// (a filter may use wildcards only below <c>fleet/v1/{serial}/</c>).</summary>
    public static bool BelongsTo(string topicOrFilter, string serial)
    {
        var prefix = DevicePrefix(serial);
        return topicOrFilter.StartsWith(prefix, StringComparison.Ordinal)
            && topicOrFilter.Length > prefix.Length
            && !serial.AsSpan().ContainsAny('+', '#', '/');
    }
}
