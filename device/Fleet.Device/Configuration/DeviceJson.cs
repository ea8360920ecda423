using System.Text.Json.Serialization;
using Fleet.Device.Link;
using Fleet.Device.Storage;
using Fleet.Device.Tank;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Configuration;

/// <summary>Source-generated JSON for the agent's own files (agent.json, tank.json, spool state).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    WriteIndented = true)]
[JsonSerializable(typeof(AgentProfile))]
[JsonSerializable(typeof(PersistedTank))]
[JsonSerializable(typeof(TankConfig))]
[JsonSerializable(typeof(SpoolState))]
[JsonSerializable(typeof(Fleet.Device.Health.PersistedHealth))]
[JsonSerializable(typeof(HubEndpoint))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class DeviceJson : JsonSerializerContext;
