using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Messages.Validation;

namespace Fleet.Protocol.Tests.Contract;

/// <summary>Keeps the published contract (protocol/asyncapi.yaml, protocol/schemas, docs/protocol.md) honest against
/// the code: every message and topic is described, every limit is the one the hub enforces, what the real serializers
/// write passes the schemas, and what the hub refuses the schemas refuse too.</summary>
public sealed class ProtocolContractTests
{
    private static ProtocolDocument Doc => ProtocolDocument.Instance;

    private static readonly DateTimeOffset Now = new(2026, 12, 3, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Every_message_record_has_a_schema_and_a_message_in_the_AsyncAPI_document_and_no_schema_is_orphaned()
    {
        var records = ProtocolDocument.MessageRecords();
        Assert.True(records.Count >= 10, $"found only {records.Count} message records on FleetJson");
        var referenced = Doc.AsyncApi["components"]!["messages"]!.AsObject()
            .Select(m => m.Value!["payload"]?["schema"]?["$ref"]?.GetValue<string>()).Where(r => r is not null).ToHashSet();

        foreach (var record in records)
        {
            var file = ProtocolDocument.SchemaFileOf(record);
            Assert.True(Doc.SchemaFiles.Contains(file), $"{record.Name} has no protocol/schemas/{file}");
            Assert.True(referenced.Contains($"./schemas/{file}"), $"{record.Name}: no message in asyncapi.yaml has the payload ./schemas/{file}");
            Assert.Equal(record.Name, Doc.Schema(file)["title"]!.GetValue<string>());
        }

        Assert.Equal(records.Select(ProtocolDocument.SchemaFileOf).Order(StringComparer.Ordinal), Doc.SchemaFiles.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_topic_kind_has_a_channel_with_operations_of_the_right_direction_QoS_and_retain()
    {
        var kinds = typeof(Topics).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name.EndsWith("Kind", StringComparison.Ordinal)).Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.Contains(Topics.FirmwareChunkKind, kinds);
        var channels = Doc.AsyncApi["channels"]!.AsObject();
        var operations = Doc.AsyncApi["operations"]!.AsObject();
        var deviceSends = DeviceTopicLimits.All.Select(l => l.Kind).ToHashSet();

        foreach (var kind in kinds)
        {
            var address = kind == Topics.FirmwareChunkKind ? $"fleet/v1/{{serial}}/{kind}/{{uuid}}" : $"fleet/v1/{{serial}}/{kind}";
            var channel = channels.FirstOrDefault(c => c.Value!["address"]!.GetValue<string>() == address);
            Assert.True(channel.Value is not null, $"no channel with the address {address}");
            var ops = operations.Where(o => o.Value!["channel"]!["$ref"]!.GetValue<string>() == $"#/channels/{channel.Key}").Select(o => o.Value!).ToList();
            Assert.True(ops.Count > 0, $"no operation on the channel {channel.Key}");
            foreach (var op in ops)
            {
                var action = op["action"]!.GetValue<string>();
                Assert.Equal(deviceSends.Contains(kind) ? "send" : "receive", action);
                var mqtt = op["bindings"]!["mqtt"]!;
                Assert.Equal(kind == Topics.FirmwareChunkKind ? 0 : 1, mqtt["qos"]!.GetValue<long>());
                Assert.Equal(kind == Topics.StatusKind, mqtt["retain"]!.GetValue<bool>());
            }
        }

        // The command names its reply: the response channel, with the correlation data the MQTT binding fixes.
        var command = operations["receiveCommand"]!;
        Assert.Equal("#/channels/resp", command["reply"]!["channel"]!["$ref"]!.GetValue<string>());
        var deviceCommand = Doc.AsyncApi["components"]!["messages"]!["deviceCommand"]!["bindings"]!["mqtt"]!;
        Assert.Equal("fleet/v1/{serial}/resp", deviceCommand["responseTopic"]!.GetValue<string>());
        Assert.Equal(InboundLimits.CorrelationDataLength, deviceCommand["correlationData"]!["maxLength"]!.GetValue<long>());
        var chunk = Doc.AsyncApi["components"]!["messages"]!["firmwareChunk"]!;
        Assert.Equal("index", chunk["headers"]!["required"]![0]!.GetValue<string>());
    }

    [Fact]
    public void The_per_kind_limits_in_the_AsyncAPI_document_are_the_ones_the_broker_enforces()
    {
        var channels = Doc.AsyncApi["channels"]!.AsObject();
        foreach (var limits in DeviceTopicLimits.All)
        {
            var channel = channels.Single(c => c.Value!["address"]!.GetValue<string>() == $"fleet/v1/{{serial}}/{limits.Kind}").Value!;
            var x = channel["x-fleet-limits"]!;
            Assert.Equal(limits.MaxBytes, x["maxBytes"]!.GetValue<long>());
            Assert.Equal(limits.MayRetain, x["retain"]!.GetValue<bool>());
            Assert.Equal(limits.PerSecond, Number(x["perSecond"]!));
            Assert.Equal(limits.Burst, x["burst"]!.GetValue<long>());
        }

        Assert.Equal(DeviceTopicLimits.MaxPacketBytes, Doc.AsyncApi["servers"]!["hub"]!["bindings"]!["mqtt"]!["maximumPacketSize"]!.GetValue<long>());
    }

    [Fact]
    public void The_limits_in_the_schemas_are_the_inbound_limits_of_the_code()
    {
        var text = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$";
        var expected = new (string File, string Pointer, object Value)[]
        {
            ("telemetry-batch.schema.json", "/properties/readings/maxItems", InboundLimits.MaxReadingsPerBatch),
            ("telemetry-batch.schema.json", "/$defs/reading/properties/sensor/pattern", InboundValidator.SensorNamePattern),
            ("telemetry-batch.schema.json", "/$defs/reading/properties/unit/maxLength", InboundLimits.MaxUnitLength),
            ("device-event.schema.json", "/properties/kind/enum", InboundLimits.DeviceEventKinds),
            ("device-event.schema.json", "/properties/name/maxLength", InboundLimits.MaxEventNameLength),
            ("device-event.schema.json", "/properties/name/pattern", text),
            ("device-event.schema.json", "/properties/detail/maxLength", InboundLimits.MaxEventTextLength),
            ("device-event.schema.json", "/properties/reason/maxLength", InboundLimits.MaxEventTextLength),
            ("device-event.schema.json", "/properties/firmwareUuid/pattern", InboundValidator.FirmwareUuidPattern),
            ("device-event.schema.json", "/properties/firmwareVersion/maxLength", InboundLimits.MaxFirmwareVersionLength),
            ("device-event.schema.json", "/then/properties/name/enum", UpdateStages.All),
            ("status-message.schema.json", "/properties/activeSlot/enum", InboundLimits.Slots),
            ("status-message.schema.json", "/properties/tankState/pattern", InboundValidator.StateNamePattern),
            ("status-message.schema.json", "/$defs/firmwareIdentity/properties/uuid/pattern", InboundValidator.FirmwareUuidPattern),
            ("status-message.schema.json", "/$defs/firmwareIdentity/properties/version/maxLength", InboundLimits.MaxFirmwareVersionLength),
            ("status-message.schema.json", "/$defs/firmwareIdentity/properties/product/maxLength", InboundLimits.MaxFirmwareNameLength),
            ("status-message.schema.json", "/$defs/firmwareIdentity/properties/platform/maxLength", InboundLimits.MaxFirmwareNameLength),
            ("status-message.schema.json", "/$defs/firmwareIdentity/properties/architecture/maxLength", InboundLimits.MaxFirmwareNameLength),
            ("command-response.schema.json", "/properties/error/maxLength", InboundLimits.MaxResponseErrorLength),
            ("command-response.schema.json", "/properties/detail/maxLength", InboundLimits.MaxResponseDetailLength),
            ("chunk-request.schema.json", "/properties/uuid/pattern", InboundValidator.FirmwareUuidPattern),
            ("chunk-request.schema.json", "/properties/indexes/maxItems", InboundLimits.MaxChunkIndexesPerRequest),
            ("health-summary.schema.json", "/properties/firmware/pattern", InboundValidator.FirmwareUuidPattern),
            ("health-summary.schema.json", "/properties/tankState/pattern", InboundValidator.StateNamePattern),
            ("health-summary.schema.json", "/properties/sensors/maxItems", InboundLimits.MaxHealthSensors),
            ("health-summary.schema.json", "/properties/windowSeconds/maximum", InboundLimits.MaxHealthWindowSeconds),
            ("health-summary.schema.json", "/properties/alarmSeconds/maximum", InboundLimits.MaxHealthWindowSeconds),
            ("health-summary.schema.json", "/properties/faultSeconds/maximum", InboundLimits.MaxHealthWindowSeconds),
            ("health-summary.schema.json", "/properties/memoryBytes/maximum", InboundLimits.MaxHealthMemoryBytes),
            ("health-summary.schema.json", "/$defs/sensorHealth/properties/sensor/pattern", InboundValidator.SensorNamePattern),
            ("health-summary.schema.json", "/$defs/sensorHealth/properties/state/enum", HealthStates.All),
            ("health-summary.schema.json", "/$defs/sensorHealth/properties/detail/maxLength", InboundLimits.MaxHealthDetailLength),
            ("health-summary.schema.json", "/$defs/controlQuality/properties/waterTemperatureError/maximum", InboundLimits.MaxHealthWaterTemperatureError),
            ("health-summary.schema.json", "/$defs/controlQuality/properties/oxygenSwing/maximum", InboundLimits.MaxHealthOxygenSwing),
            ("health-summary.schema.json", "/$defs/controlQuality/properties/turbiditySlope/maximum", InboundLimits.MaxHealthTurbiditySlope),
            ("health-summary.schema.json", "/$defs/controlQuality/properties/turbiditySlope/minimum", -InboundLimits.MaxHealthTurbiditySlope),
            ("device-command.schema.json", "/properties/name/enum", typeof(CommandNames).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToList()),
        };

        foreach (var (file, pointer, value) in expected)
        {
            var node = At(Doc.Schema(file), pointer);
            Assert.True(node is not null, $"{file} has nothing at {pointer}");
            var actual = node.ToJsonString();
            var want = JsonSerializer.Serialize(value);
            Assert.True(actual == want, $"{file}{pointer} is {actual}; the code says {want}");
        }

        // Timestamps: the schemas admit the years the validator admits.
        Assert.Equal(2000, InboundLimits.EarliestTimestamp.Year);
        Assert.Equal(2200, InboundLimits.LatestTimestamp.Year);
        Assert.Equal("^2[01][0-9]{2}-", At(Doc.Schema("device-event.schema.json"), "/properties/ts/pattern")!.GetValue<string>());
    }

    public static TheoryData<string, string> GoodSamples()
    {
        var firmware = new FirmwareIdentity(Guid.NewGuid().ToString("D"), "1.4.2-rc.1+build.7", "algae-tank", "rpi4", "arm64");
        var offer = new UpdateOffer(Convert.ToBase64String("{\"format\":1}"u8.ToArray()), "[]", 12, "greenhouse", Convert.ToBase64String([1, 2, 3]));
        var samples = new (string, object)[]
        {
            ("status-message", new StatusMessage(true, firmware, "b", "harvest_ready", 86_400, Now, new TrustVersions(3, 9))),
            ("status-message", StatusMessage.Offline(Now)),
            ("telemetry-batch", new TelemetryBatch(42, [.. Enumerable.Range(0, InboundLimits.MaxReadingsPerBatch).Select(i => new Reading(SensorNames.All[i % SensorNames.All.Count], 7.5 + i, "pH", Now.AddSeconds(i)))], 3)),
            ("telemetry-batch", new TelemetryBatch(0, [])),
            ("device-event", new DeviceEvent(EventKinds.Tank, "growing", Now, "initializing -> growing (ready)")),
            ("device-event", new DeviceEvent(EventKinds.Sensor, SensorNames.Ph, Now, Detail: "recovered")),
            ("device-event", new DeviceEvent(EventKinds.Update, UpdateStages.Downloading, Now, new string('d', InboundLimits.MaxEventTextLength), firmware.Uuid, firmware.Version, null, 0.25)),
            ("device-event", new DeviceEvent(EventKinds.Update, UpdateStages.Failed, Now, FirmwareUuid: firmware.Uuid, Reason: "BadSignature: no trusted key")),
            ("device-event", new DeviceEvent(EventKinds.Command, CommandNames.CancelUpdate, Now)),
            ("chunk-request", new ChunkRequest(firmware.Uuid, [.. Enumerable.Range(100, InboundLimits.MaxChunkIndexesPerRequest)])),
            ("command-response", new CommandResponse(true, Detail: "accepted 1.4.2")),
            ("command-response", new CommandResponse(false, "DowngradeRefused", new string('x', InboundLimits.MaxResponseDetailLength))),
            ("device-command", new DeviceCommand(CommandNames.Update, JsonSerializer.SerializeToElement(offer, FleetJson.Default.UpdateOffer))),
            ("device-command", new DeviceCommand(CommandNames.Config, JsonSerializer.SerializeToElement(new TankConfig(LightOnHours: 16, PhMax: 9.5), FleetJson.Default.TankConfig))),
            ("device-command", new DeviceCommand(CommandNames.Maintenance, JsonSerializer.SerializeToElement(new MaintenanceArgs(true), FleetJson.Default.MaintenanceArgs))),
            ("device-command", new DeviceCommand(CommandNames.Trust, JsonSerializer.SerializeToElement(new TrustUpdate(["e30="], "e30=", ["lab"], ["greenhouse"]), FleetJson.Default.TrustUpdate))),
            ("device-command", new DeviceCommand(CommandNames.Reboot)),
            ("device-command", new DeviceCommand(CommandNames.Identify)),
            ("update-offer", offer),
            ("tank-config", new TankConfig(WaterTemperatureMin: 24, WaterTemperatureMax: 30)),
            ("maintenance-args", new MaintenanceArgs(false)),
            ("trust-update", new TrustUpdate(["e30=", "e30="], "e30=", [], [])),
            ("health-summary", new HealthSummary(Now, firmware.Uuid, 86_400,
                [.. Enumerable.Range(0, InboundLimits.MaxHealthSensors).Select(i => new SensorHealth($"sensor_{i}", HealthStates.All[i % HealthStates.All.Count], i % 2 == 0 ? null : new string('d', InboundLimits.MaxHealthDetailLength)))],
                "alarm", 3600, 86_400, new ControlQuality(1.25, 0.5, 3.5, -12.5), 7, 2, 48_000_000)),
            ("health-summary", new HealthSummary(Now, null, 0, [], "initializing", 0, 0, new ControlQuality(null, null, null, null), 0, 0, 0)),
        };
        var data = new TheoryData<string, string>();
        foreach (var (schema, message) in samples)
        {
            data.Add(schema, Encoding.UTF8.GetString(SerializeAs(message)));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GoodSamples))]
    public void What_the_real_serializers_write_passes_the_schema_and_the_hubs_validator(string schema, string json)
    {
        var results = Doc.Evaluate($"{schema}.schema.json", Encoding.UTF8.GetBytes(json));
        Assert.True(results.IsValid, $"{schema}: {ProtocolDocument.Describe(results)}\n{Clip(json)}");
        var check = Validate(schema, Encoding.UTF8.GetBytes(json));
        Assert.True(check?.IsValid ?? true, $"{schema}: the hub refuses it: {check?.Message}");
    }

    public static TheoryData<string, string, string> BadSamples()
    {
        var uuid = Guid.NewGuid().ToString("D");
        var ts = Now.ToString("O", CultureInfo.InvariantCulture);
        return new TheoryData<string, string, string>
        {
            { "status-message", $"{{\"online\":true,\"activeSlot\":\"c\",\"uptimeSeconds\":1,\"timestamp\":\"{ts}\"}}", InboundValidator.BadSlot },
            { "status-message", "{\"online\":true,\"uptimeSeconds\":1}", InboundValidator.BadTimestamp },
            { "status-message", $"{{\"online\":true,\"uptimeSeconds\":-1,\"timestamp\":\"{ts}\"}}", InboundValidator.BadValue },
            { "status-message", $"{{\"online\":true,\"tankState\":\"Growing!\",\"uptimeSeconds\":1,\"timestamp\":\"{ts}\"}}", InboundValidator.BadName },
            { "status-message", $"{{\"online\":true,\"firmware\":{{\"uuid\":\"../../x\",\"version\":\"1.0.0\"}},\"uptimeSeconds\":1,\"timestamp\":\"{ts}\"}}", InboundValidator.BadFirmware },
            { "status-message", $"{{\"online\":true,\"firmware\":{{\"uuid\":\"{uuid}\"}},\"uptimeSeconds\":1,\"timestamp\":\"{ts}\"}}", InboundValidator.MissingField },
            { "status-message", $"{{\"online\":true,\"uptimeSeconds\":1,\"timestamp\":\"1999-12-31T23:59:59Z\"}}", InboundValidator.BadTimestamp },
            { "telemetry-batch", "{\"sequence\":7}", InboundValidator.MissingField },
            { "telemetry-batch", $"{{\"sequence\":-1,\"readings\":[]}}", InboundValidator.BadSequence },
            { "telemetry-batch", $"{{\"sequence\":1,\"readings\":[{{\"sensor\":\"PH; DROP\",\"value\":1,\"unit\":\"pH\",\"ts\":\"{ts}\"}}]}}", InboundValidator.BadSensor },
            { "telemetry-batch", $"{{\"sequence\":1,\"readings\":[{{\"sensor\":\"ph\",\"value\":1,\"unit\":\"{new string('u', InboundLimits.MaxUnitLength + 1)}\",\"ts\":\"{ts}\"}}]}}", InboundValidator.BadUnit },
            { "telemetry-batch", "{\"sequence\":1,\"readings\":[" + string.Join(",", Enumerable.Repeat($"{{\"sensor\":\"ph\",\"value\":1,\"unit\":\"pH\",\"ts\":\"{ts}\"}}", InboundLimits.MaxReadingsPerBatch + 1)) + "]}", InboundValidator.TooManyReadings },
            { "device-event", $"{{\"kind\":\"protocol\",\"name\":\"not_offered\",\"ts\":\"{ts}\"}}", InboundValidator.BadKind },
            { "device-event", $"{{\"kind\":\"update\",\"name\":\"exploded\",\"ts\":\"{ts}\"}}", InboundValidator.BadKind },
            { "device-event", $"{{\"kind\":\"tank\",\"name\":\"growing\",\"ts\":\"{ts}\",\"detail\":\"{new string('x', InboundLimits.MaxEventTextLength + 1)}\"}}", InboundValidator.TooLong },
            { "device-event", $"{{\"kind\":\"tank\",\"name\":\"{new string('n', InboundLimits.MaxEventNameLength + 1)}\",\"ts\":\"{ts}\"}}", InboundValidator.TooLong },
            { "device-event", $"{{\"kind\":\"tank\",\"name\":\"grow\\u0007ing\",\"ts\":\"{ts}\"}}", InboundValidator.BadName },
            { "device-event", $"{{\"kind\":\"update\",\"name\":\"staged\",\"ts\":\"{ts}\",\"progress\":1.5}}", InboundValidator.BadValue },
            { "device-event", $"{{\"kind\":\"update\",\"name\":\"staged\",\"ts\":\"{ts}\",\"firmwareUuid\":\"a/b/#\"}}", InboundValidator.BadFirmware },
            { "device-event", "{\"kind\":\"tank\",\"name\":\"growing\"}", InboundValidator.BadTimestamp },
            { "chunk-request", $"{{\"uuid\":\"{uuid}\",\"indexes\":[]}}", InboundValidator.BadIndexes },
            { "chunk-request", $"{{\"uuid\":\"{uuid}\",\"indexes\":[1,1]}}", InboundValidator.BadIndexes },
            { "chunk-request", $"{{\"uuid\":\"{uuid}\",\"indexes\":[-1]}}", InboundValidator.BadIndexes },
            { "chunk-request", $"{{\"uuid\":\"{uuid}\",\"indexes\":[{string.Join(",", Enumerable.Range(0, InboundLimits.MaxChunkIndexesPerRequest + 1))}]}}", InboundValidator.BadIndexes },
            { "chunk-request", "{\"uuid\":\"+\",\"indexes\":[0]}", InboundValidator.BadFirmware },
            { "chunk-request", "{\"indexes\":[0]}", InboundValidator.MissingField },
            { "command-response", $"{{\"ok\":false,\"error\":\"{new string('e', InboundLimits.MaxResponseErrorLength + 1)}\"}}", InboundValidator.TooLong },
            { "command-response", $"{{\"ok\":true,\"detail\":\"{new string('d', InboundLimits.MaxResponseDetailLength + 1)}\"}}", InboundValidator.TooLong },
            { "command-response", "[true]", InboundValidator.Malformed },
            { "health-summary", Health(ts, "\"windowSeconds\":-1"), InboundValidator.BadValue },
            { "health-summary", Health(ts, "\"windowSeconds\":3e6"), InboundValidator.BadValue },
            { "health-summary", Health(ts, "\"control\":{\"phInRange\":1.5}"), InboundValidator.BadValue },
            { "health-summary", Health(ts, "\"control\":{\"waterTemperatureError\":-0.1}"), InboundValidator.BadValue },
            { "health-summary", Health(ts, "\"restarts\":-1"), InboundValidator.BadValue },
            { "health-summary", Health(ts, "\"memoryBytes\":2000000000000"), InboundValidator.BadValue },
            { "health-summary", Health(ts, "\"sensors\":[{\"sensor\":\"ph\",\"state\":\"haunted\"}]"), InboundValidator.BadKind },
            { "health-summary", Health(ts, "\"sensors\":[{\"sensor\":\"PH!\",\"state\":\"ok\"}]"), InboundValidator.BadSensor },
            { "health-summary", Health(ts, $"\"sensors\":[{{\"sensor\":\"ph\",\"state\":\"stuck\",\"detail\":\"{new string('x', InboundLimits.MaxHealthDetailLength + 1)}\"}}]"), InboundValidator.TooLong },
            { "health-summary", Health(ts, "\"sensors\":[" + string.Join(",", Enumerable.Range(0, InboundLimits.MaxHealthSensors + 1).Select(i => $"{{\"sensor\":\"s{i}\",\"state\":\"ok\"}}")) + "]"), InboundValidator.TooManyReadings },
            { "health-summary", Health(ts, "\"tankState\":\"Growing!\""), InboundValidator.BadName },
            { "health-summary", Health(ts, "\"firmware\":\"a/b\""), InboundValidator.BadFirmware },
            { "health-summary", Health("1999-12-31T23:59:59Z", "\"restarts\":0"), InboundValidator.BadTimestamp },
            { "health-summary", "{\"at\":\"" + ts + "\",\"windowSeconds\":1}", InboundValidator.MissingField },
            { "device-command", "{\"name\":\"update\"}", "" },
            { "device-command", "{\"name\":\"self-destruct\"}", "" },
            { "device-command", "{\"name\":\"maintenance\",\"args\":{\"on\":\"yes\"}}", "" },
            { "update-offer", "{\"manifestBase64\":\"e30=\",\"signatures\":\"[]\",\"chunkCount\":0}", "" },
        };
    }

    /// <summary>A valid health summary with <paramref name="field"/> (a JSON member) put in place of its default.</summary>
    private static string Health(string ts, string field)
    {
        var fields = new Dictionary<string, string>
        {
            ["at"] = $"\"{ts}\"",
            ["windowSeconds"] = "3600",
            ["sensors"] = "[{\"sensor\":\"water_temperature\",\"state\":\"ok\"}]",
            ["tankState"] = "\"growing\"",
            ["alarmSeconds"] = "0",
            ["faultSeconds"] = "0",
            ["control"] = "{\"waterTemperatureError\":0}",
            ["restarts"] = "1",
            ["reconnects"] = "0",
            ["memoryBytes"] = "1000",
        };
        var colon = field.IndexOf(':', StringComparison.Ordinal);
        fields[field[1..(colon - 1)]] = field[(colon + 1)..];
        return "{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Value}")) + "}";
    }

    /// <summary><paramref name="reason"/> is what the hub's validator answers for a device→hub message (empty for
    /// hub→device messages, which only the schema judges here).</summary>
    [Theory]
    [MemberData(nameof(BadSamples))]
    public void What_the_hub_refuses_the_schema_refuses_too(string schema, string json, string reason)
    {
        var results = Doc.Evaluate($"{schema}.schema.json", Encoding.UTF8.GetBytes(json));
        Assert.False(results.IsValid, $"{schema} accepts {Clip(json)}");
        if (reason.Length > 0)
        {
            var check = Validate(schema, Encoding.UTF8.GetBytes(json));
            Assert.NotNull(check);
            Assert.Equal(reason, check.Reason);
        }
    }

    /// <summary>The hub's own check of a device→hub message, as its inbound handlers make it (null for hub→device kinds).</summary>
    private static InboundCheck? Validate(string schema, byte[] utf8)
    {
        static InboundCheck Parsed<T>(byte[] utf8, Func<T, InboundCheck> check)
            where T : class => FleetJson.TryDeserialize<T>(utf8) is { } m ? check(m) : InboundCheck.Refuse(InboundValidator.Malformed, "not JSON of its shape");

        return schema switch
        {
            "status-message" => Parsed<StatusMessage>(utf8, InboundValidator.Check),
            "telemetry-batch" => Parsed<TelemetryBatch>(utf8, InboundValidator.Check),
            "device-event" => Parsed<DeviceEvent>(utf8, InboundValidator.Check),
            "chunk-request" => Parsed<ChunkRequest>(utf8, InboundValidator.Check),
            "command-response" => Parsed<CommandResponse>(utf8, r => InboundValidator.Check(r, InboundLimits.CorrelationDataLength)),
            "health-summary" => Parsed<HealthSummary>(utf8, InboundValidator.Check),
            _ => null,
        };
    }

    private static byte[] SerializeAs(object message) => message switch
    {
        StatusMessage m => FleetJson.Serialize(m),
        TelemetryBatch m => FleetJson.Serialize(m),
        DeviceEvent m => FleetJson.Serialize(m),
        ChunkRequest m => FleetJson.Serialize(m),
        CommandResponse m => FleetJson.Serialize(m),
        DeviceCommand m => FleetJson.Serialize(m),
        UpdateOffer m => FleetJson.Serialize(m),
        TankConfig m => FleetJson.Serialize(m),
        MaintenanceArgs m => FleetJson.Serialize(m),
        TrustUpdate m => FleetJson.Serialize(m),
        HealthSummary m => FleetJson.Serialize(m),
        _ => throw new ArgumentException($"no sample serializer for {message.GetType().Name}"),
    };

    private static JsonNode? At(JsonNode root, string pointer)
    {
        var node = root;
        foreach (var part in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node is JsonArray a ? a[int.Parse(part, CultureInfo.InvariantCulture)] : node?[part];
        }

        return node;
    }

    private static double Number(JsonNode node) => node.AsValue().TryGetValue<long>(out var l) ? l : node.GetValue<double>();

    private static string Clip(string s) => s.Length <= 300 ? s : s[..300] + "…";
}
