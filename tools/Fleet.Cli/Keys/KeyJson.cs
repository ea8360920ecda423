using System.Text.Json.Serialization;

namespace Fleet.Cli.Keys;

/// <summary>Source-generated JSON for <c>fleet keys</c> output (camelCase, indented).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<KeyRow>))]
internal sealed partial class KeyJson : JsonSerializerContext;
