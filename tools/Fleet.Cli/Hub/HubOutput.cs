using System.Text.Json.Nodes;

namespace Fleet.Cli.Hub;

/// <summary>Reads fields of the hub's JSON for human-readable lines.</summary>
internal static class HubOutput
{
    public static string S(JsonNode? node, string field) => node?[field]?.ToString() ?? "";

    public static string List(JsonNode? node, string field) =>
        node?[field] is JsonArray a ? string.Join(',', a.Select(x => x?.ToString())) : "";

    public static IEnumerable<JsonNode> Items(JsonNode? node) => node is JsonArray a ? a.OfType<JsonNode>() : [];

    public static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
}
