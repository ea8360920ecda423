using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Fleet.Protocol.Messages;
using Fleet.Testing;
using Json.Schema;
using YamlDotNet.RepresentationModel;

namespace Fleet.Protocol.Tests.Contract;

/// <summary>The published protocol as files: protocol/asyncapi.yaml (read into JSON) and the JSON Schemas in
/// protocol/schemas, built with JsonSchema.Net so references between them resolve by their <c>$id</c>.</summary>
internal sealed partial class ProtocolDocument
{
    public static readonly string ProtocolDir = Path.Combine(RepoPaths.Root, "protocol");
    public static readonly string SchemaDir = Path.Combine(ProtocolDir, "schemas");

    private static readonly Lazy<ProtocolDocument> Loaded = new(() => new ProtocolDocument());

    private readonly Dictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonNode> _schemaJson = new(StringComparer.Ordinal);

    private ProtocolDocument()
    {
        AsyncApi = ToJson(LoadYaml(Path.Combine(ProtocolDir, "asyncapi.yaml")))!.AsObject();
        var build = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        // Schemas others refer to first, so every $ref finds its target in the registry.
        foreach (var path in Directory.GetFiles(SchemaDir, "*.schema.json").OrderBy(p => ExternalRef().IsMatch(File.ReadAllText(p))).ThenBy(p => p, StringComparer.Ordinal))
        {
            var file = Path.GetFileName(path);
            _schemaJson[file] = JsonNode.Parse(File.ReadAllText(path))!;
            _schemas[file] = JsonSchema.FromFile(path, build);
        }
    }

    public static ProtocolDocument Instance => Loaded.Value;

    public JsonObject AsyncApi { get; }

    public IReadOnlyCollection<string> SchemaFiles => _schemas.Keys;

    /// <summary>The schema file of a message record: its name in kebab case (StatusMessage → status-message.schema.json).</summary>
    public static string SchemaFileOf(Type record) =>
        string.Concat(record.Name.Select((c, i) => char.IsUpper(c) && i > 0 ? $"-{char.ToLowerInvariant(c)}" : char.ToLowerInvariant(c).ToString())) + ".schema.json";

    /// <summary>Every record FleetJson serializes: the protocol's messages.</summary>
    public static IReadOnlyList<Type> MessageRecords() =>
        [.. typeof(FleetJson).GetCustomAttributesData().Where(a => a.AttributeType == typeof(JsonSerializableAttribute))
            .Select(a => (Type)a.ConstructorArguments[0].Value!)];

    public JsonNode Schema(string file) => _schemaJson.TryGetValue(file, out var s) ? s : throw new KeyNotFoundException($"no {file} in protocol/schemas");

    public EvaluationResults Evaluate(string file, byte[] utf8)
    {
        using var doc = JsonDocument.Parse(utf8);
        return _schemas[file].Evaluate(doc.RootElement.Clone(), new EvaluationOptions { RequireFormatValidation = true, OutputFormat = OutputFormat.List });
    }

    public static string Describe(EvaluationResults results) =>
        string.Join("; ", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}")));

    [System.Text.RegularExpressions.GeneratedRegex("\"\\$ref\":\\s*\"[^#]")]
    private static partial System.Text.RegularExpressions.Regex ExternalRef();

    private static YamlNode LoadYaml(string path)
    {
        using var reader = new StreamReader(path);
        var yaml = new YamlStream();
        yaml.Load(reader);
        return yaml.Documents[0].RootNode;
    }

    /// <summary>Plain scalars become numbers or booleans when they read as one, as a YAML 1.2 core schema would.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s when long.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s when double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: "true" or "false" } s => JsonValue.Create(s.Value == "true"),
        YamlScalarNode s => JsonValue.Create(s.Value),
        _ => throw new InvalidOperationException($"unexpected YAML node {node.NodeType}"),
    };
}
