using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fleet.Protocol.Messages;

/// <summary>Source-generated JSON for every wire message (camelCase, nulls omitted).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StatusMessage))]
[JsonSerializable(typeof(TelemetryBatch))]
[JsonSerializable(typeof(DeviceEvent))]
[JsonSerializable(typeof(DeviceCommand))]
[JsonSerializable(typeof(CommandResponse))]
[JsonSerializable(typeof(UpdateOffer))]
[JsonSerializable(typeof(MaintenanceArgs))]
[JsonSerializable(typeof(TankConfig))]
[JsonSerializable(typeof(ChunkRequest))]
[JsonSerializable(typeof(TrustUpdate))]
[JsonSerializable(typeof(HubAnchorUpdate))]
[JsonSerializable(typeof(HealthSummary))]
public sealed partial class FleetJson : JsonSerializerContext
{
    public static byte[] Serialize<T>(T value) =>
        JsonSerializer.SerializeToUtf8Bytes(value, typeof(T), Default);

    /// <summary>Null on malformed input: a transport handler drops it and counts it, never throws.</summary>
    public static T? TryDeserialize<T>(ReadOnlySpan<byte> utf8)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(utf8, typeof(T), Default) as T;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
