using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Messages.Validation;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace Fleet.Hub.Tests.Broker;

/// <summary>The hostile-device suite (issue: hostile devices): one tank sends 10,000 generated messages that break
/// the protocol, of every kind, while another streams telemetry. The good tank's readings are stored exactly (count and
/// values), the hub never falls over, every refusal is counted in <c>fleet_mqtt_messages_dropped_total</c>, and the
/// hub's RSS grows less than <see cref="RssGrowthBoundBytes"/> (docs/protocol.md, "Hostile devices"). The hostile
/// tank keeps under its rates (docs/protocol.md, limits), so each message is judged on its content, not throttled.</summary>
public sealed class HostileDeviceSuiteTests(SqliteHub fixture, ITestOutputHelper output) : IClassFixture<SqliteHub>
{
    /// <summary>The documented bound on the hub's RSS growth over the suite.</summary>
    public const long RssGrowthBoundBytes = 128L * 1024 * 1024;

    private const int GoodBatches = 200;
    private const int ReadingsPerBatch = 5;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task Ten_thousand_generated_bad_messages_are_each_refused_and_counted_and_never_cost_a_good_tank_a_reading()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var good = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("good"), product);
        var hostile = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("hostile"), product);
        using var goodClient = await MqttDevice.ConnectAsync(Hub, good);
        using var hostileClient = await MqttDevice.ConnectAsync(Hub, hostile);

        // Kind by kind, as many as the hostile tank can send in about 40 s at 70 % of its rate (DeviceTopicLimits).
        var plan = new (string Kind, Gen<HostileCase> Cases, int Count)[]
        {
            (Topics.FirmwareRequestKind, HostileCases.ChunkRequests, 6000),
            (Topics.TelemetryKind, HostileCases.Telemetry, 700),
            (Topics.EventsKind, HostileCases.Events, 350),
            (Topics.ResponseKind, HostileCases.Responses, 300),
            (Topics.StatusKind, HostileCases.Statuses, 70),
            (Topics.HealthKind, HostileCases.Health, 45),
            ("", HostileCases.OutOfBounds(good.Serial), 2535),
        };
        var cases = plan.Select(p => (p.Kind, Cases: p.Cases.Array[p.Count].Single())).ToList();
        var total = cases.Sum(c => c.Cases.Length);
        Assert.Equal(10_000, total);

        var droppedBefore = await DroppedAsync();
        var reasonsBefore = await DroppedByReasonAsync();
        var rssBefore = Rss(Hub.Process.Pid);
        var now = DateTimeOffset.UtcNow;

        var goodStream = Task.Run(async () =>
        {
            for (var seq = 1; seq <= GoodBatches; seq++)
            {
                var readings = Enumerable.Range(0, ReadingsPerBatch)
                    .Select(i => new Reading(SensorNames.Ph, GoodValue(seq, i), "pH", now.AddMilliseconds((seq * ReadingsPerBatch) + i))).ToList();
                await PublishAsync(goodClient, Topics.Telemetry(good.Serial), FleetJson.Serialize(new TelemetryBatch(seq, readings)), retain: false, correlation: null);
                await Task.Delay(100);
            }
        });
        var flood = Task.WhenAll(cases.Select(c => Task.Run(() => FloodAsync(hostileClient, hostile.Serial, c.Kind, c.Cases))));
        await Task.WhenAll(goodStream, flood);

        try
        {
            await Eventually.Until(async () => await DroppedAsync() - droppedBefore >= total, $"all {total} refusals to be counted", TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            var reasons = await DroppedByReasonAsync();
            var counted = string.Join(", ", reasons.Select(r => $"{r.Key} {r.Value - reasonsBefore.GetValueOrDefault(r.Key)}"));
            var sent = string.Join(", ", cases.SelectMany(c => c.Cases).GroupBy(c => c.Why).Select(g => $"{g.Key} {g.Count()}"));
            Assert.Fail($"only {await DroppedAsync() - droppedBefore} of {total} bad messages were counted as refused.\ncounted: {counted}\nsent: {sent}");
        }

        Assert.Equal(total, await DroppedAsync() - droppedBefore);
        Assert.False(Hub.Process.HasExited, "the hub fell over");
        await Eventually.Until(async () => (await GoodReadingsAsync(good.Serial)).Count == GoodBatches * ReadingsPerBatch, "every good reading stored");
        var stored = await GoodReadingsAsync(good.Serial);
        var expected = Enumerable.Range(1, GoodBatches).SelectMany(seq => Enumerable.Range(0, ReadingsPerBatch).Select(i => GoodValue(seq, i))).Order().ToList();
        Assert.Equal(expected, stored.Order().ToList());
        Assert.Empty((await HubApi.GetAsync(Hub, $"/api/v1/devices/{hostile.Serial}/telemetry")).EnumerateArray());

        var growth = Rss(Hub.Process.Pid) - rssBefore;
        output.WriteLine($"{total} bad messages refused; hub RSS {rssBefore / 1048576.0:0.0} MiB before, grew {growth / 1048576.0:0.0} MiB");
        Assert.True(growth < RssGrowthBoundBytes, $"the hub's RSS grew {growth / 1048576.0:0.0} MiB over the suite; the documented bound is {RssGrowthBoundBytes / 1048576} MiB");
    }

    private static double GoodValue(int seq, int i) => 6 + (seq * 0.001) + (i * 0.0001);

    /// <summary>Sends the cases of one kind at 70 % of the kind's rate, after its burst.</summary>
    private static async Task FloodAsync(IMqttClient client, string serial, string kind, HostileCase[] cases)
    {
        var limits = DeviceTopicLimits.For(kind);
        var burst = limits?.Burst ?? int.MaxValue;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var n = 0; n < cases.Length; n++)
        {
            if (limits is not null && n >= burst / 2)
            {
                var due = TimeSpan.FromSeconds((n - (burst / 2)) / (limits.PerSecond * 0.7));
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed);
                }
            }

            var c = cases[n];
            await PublishAsync(client, c.Topic(serial), c.Payload, c.Retain, c.WithCorrelation ? new byte[InboundLimits.CorrelationDataLength] : null);
        }
    }

    private static async Task PublishAsync(IMqttClient client, string topic, byte[] payload, bool retain, byte[]? correlation)
    {
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (correlation is not null)
        {
            message.WithCorrelationData(correlation).WithResponseTopic(topic + "/reply");
        }

        // The answer's reason code does not matter: refused or not, the hub must count it and carry on.
        await client.PublishAsync(message.Build());
    }

    private async Task<List<double>> GoodReadingsAsync(string serial) =>
        [.. (await HubApi.GetAsync(Hub, $"/api/v1/devices/{serial}/telemetry?limit=5000")).EnumerateArray().Select(r => r.GetProperty("value").GetDouble())];

    private async Task<double> DroppedAsync()
    {
        using var admin = Hub.Admin();
        var metrics = await admin.GetStringAsync("/metrics");
        return metrics.Split('\n')
            .Where(l => l.StartsWith("fleet_mqtt_messages_dropped_total{", StringComparison.Ordinal) && !l.Contains("duplicate", StringComparison.Ordinal))
            .Sum(l => double.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture));
    }

    private async Task<Dictionary<string, double>> DroppedByReasonAsync()
    {
        using var admin = Hub.Admin();
        var metrics = await admin.GetStringAsync("/metrics");
        return metrics.Split('\n').Where(l => l.StartsWith("fleet_mqtt_messages_dropped_total{", StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf(' ')], l => double.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture));
    }

    private static long Rss(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}

/// <summary>One generated message that breaks the protocol: the kind it is published under (or a whole topic of
/// its own), its bytes, and why it must be refused.</summary>
public sealed record HostileCase(string Kind, byte[] Payload, bool Retain, bool WithCorrelation, string Why, string? WholeTopic = null)
{
    public string Topic(string serial) => WholeTopic ?? $"{Topics.Root}{serial}/{Kind}";

    public override string ToString() => $"{Kind} ({Why}): {Encoding.UTF8.GetString(Payload.AsSpan(0, Math.Min(Payload.Length, 200)))}";
}

/// <summary>Generators of messages each invalid by construction, kind by kind (protocol/schemas, docs/protocol.md).</summary>
public static class HostileCases
{
    private static readonly string Now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    private static readonly Gen<string> Junk = Gen.String[Gen.Char.AlphaNumeric, 1, 12];

    /// <summary>Bytes that are no JSON object: random bytes, truncated JSON, a JSON value of the wrong type.</summary>
    private static readonly Gen<byte[]> NotAnObject = Gen.OneOf(
        Gen.Byte.Array[1, 300].Where(b => b[0] != (byte)'{'),
        Gen.Int[1, 40].Select(n => Encoding.UTF8.GetBytes("{\"sequence\":1,\"readings\":[{\"sensor\":\"ph\"".PadRight(40)[..n])),
        Gen.OneOf(Gen.Const("[]"), Gen.Const("null"), Gen.Const("42"), Gen.Const("\"status\""), Gen.Const("true")).Select(Encoding.UTF8.GetBytes));

    private static Gen<HostileCase> Case(string kind, Gen<string> json, string why) =>
        json.Select(j => new HostileCase(kind, Encoding.UTF8.GetBytes(j), false, false, why));

    private static Gen<HostileCase> Bytes(string kind) => NotAnObject.Select(b => new HostileCase(kind, b, false, false, "not a JSON object"));

    private static string Quote(string s) => JsonSerializer.Serialize(s);

    private static readonly Gen<string> BadTimestamp = Gen.OneOf(Gen.Int[1, 1999], Gen.Int[2200, 9999]).Select(y => $"{y:0000}-06-01T00:00:00Z");

    public static readonly Gen<HostileCase> Statuses = Gen.OneOf(
        Bytes(Topics.StatusKind),
        Case(Topics.StatusKind, Junk.Where(s => s is not ("a" or "b")).Select(s => $"{{\"online\":true,\"activeSlot\":{Quote(s)},\"uptimeSeconds\":1,\"timestamp\":\"{Now}\"}}"), "unknown slot"),
        Case(Topics.StatusKind, Gen.Long[long.MinValue, -1].Select(u => $"{{\"online\":true,\"uptimeSeconds\":{u},\"timestamp\":\"{Now}\"}}"), "negative uptime"),
        Case(Topics.StatusKind, BadTimestamp.Select(t => $"{{\"online\":true,\"uptimeSeconds\":1,\"timestamp\":\"{t}\"}}"), "timestamp out of range"),
        Case(Topics.StatusKind, Gen.Bool.Select(o => $"{{\"online\":{(o ? "true" : "false")},\"uptimeSeconds\":1}}"), "no timestamp"),
        Case(Topics.StatusKind, Junk.Select(s => $"{{\"online\":true,\"tankState\":{Quote("X " + s)},\"uptimeSeconds\":1,\"timestamp\":\"{Now}\"}}"), "bad tank state"),
        Case(Topics.StatusKind, Junk.Select(s => $"{{\"online\":true,\"firmware\":{{\"uuid\":{Quote("../" + s)},\"version\":\"1.0.0\"}},\"uptimeSeconds\":1,\"timestamp\":\"{Now}\"}}"), "bad firmware uuid"),
        Case(Topics.StatusKind, Gen.Int[4097, 6000].Select(n => $"{{\"online\":true,\"uptimeSeconds\":1,\"timestamp\":\"{Now}\",\"pad\":\"{new string('x', n)}\"}}"), "over 4 KiB"));

    private static string Reading(string sensor, string value, string unit, string ts) => $"{{\"sensor\":{sensor},\"value\":{value},\"unit\":{unit},\"ts\":{ts}}}";

    private static readonly string GoodReading = Reading("\"ph\"", "7", "\"pH\"", $"\"{Now}\"");

    public static readonly Gen<HostileCase> Telemetry = Gen.OneOf(
        Bytes(Topics.TelemetryKind),
        Case(Topics.TelemetryKind, Gen.Long[1, long.MaxValue].Select(s => $"{{\"sequence\":{s}}}"), "no readings"),
        Case(Topics.TelemetryKind, Gen.Long[1, long.MaxValue].Select(s => $"{{\"sequence\":{s},\"readings\":[{GoodReading},{Reading("null", "1", "\"C\"", $"\"{Now}\"")}]}}"), "a reading without a sensor"),
        Case(Topics.TelemetryKind, BadTimestamp.Select(t => $"{{\"sequence\":1,\"readings\":[{Reading("\"ph\"", "7", "\"pH\"", $"\"{t}\"")}]}}"), "a reading's time out of range"),
        Case(Topics.TelemetryKind, Junk.Select(s => $"{{\"sequence\":1,\"readings\":[{Reading(Quote("PH; " + s), "7", "\"pH\"", $"\"{Now}\"")}]}}"), "a bad sensor name"),
        Case(Topics.TelemetryKind, Gen.Int[InboundLimits.MaxUnitLength + 1, 60].Select(n => $"{{\"sequence\":1,\"readings\":[{Reading("\"ph\"", "7", Quote(new string('u', n)), $"\"{Now}\"")}]}}"), "a unit too long"),
        Case(Topics.TelemetryKind, Junk.Select(s => $"{{\"sequence\":1,\"readings\":[{Reading("\"ph\"", Quote(s), "\"pH\"", $"\"{Now}\"")}]}}"), "a value that is not a number"),
        Gen.Long[1, long.MaxValue].Select(s => new HostileCase(Topics.TelemetryKind, Encoding.UTF8.GetBytes($"{{\"sequence\":{s},\"readings\":[{GoodReading}]}}"), true, false, "retained")),
        Gen.Int[0, 9].Select(_ => new HostileCase(Topics.TelemetryKind,
            Encoding.UTF8.GetBytes("{\"sequence\":1,\"readings\":[" + string.Join(",", Enumerable.Repeat(GoodReading, InboundLimits.MaxReadingsPerBatch + 1)) + "]}"), false, false, "too many readings")));

    private static string Event(string kind, string name, string ts, string extra = "") => $"{{\"kind\":{kind},\"name\":{name},\"ts\":{ts}{extra}}}";

    public static readonly Gen<HostileCase> Events = Gen.OneOf(
        Bytes(Topics.EventsKind),
        Case(Topics.EventsKind, Gen.Char[(char)0, (char)31].Select(Junk, (c, s) => Event("\"tank\"", Quote(s + c), $"\"{Now}\"")), "an event name with a control character"),
        Case(Topics.EventsKind, Gen.Int[InboundLimits.MaxEventTextLength + 1, 3000].Select(n => Event("\"tank\"", "\"growing\"", $"\"{Now}\"", $",\"detail\":{Quote(new string('d', n))}")), "a detail too long"),
        Case(Topics.EventsKind, Gen.Double[1.001, 1e6].Select(p => Event("\"update\"", "\"downloading\"", $"\"{Now}\"", $",\"progress\":{p.ToString("R", CultureInfo.InvariantCulture)}")), "progress over 1"),
        Case(Topics.EventsKind, Junk.Select(s => Event("\"update\"", Quote("exploded" + s.ToLowerInvariant()), $"\"{Now}\"")), "an unknown update stage"),
        Case(Topics.EventsKind, Junk.Select(s => Event("\"protocol\"", "\"not_offered\"", $"\"{Now}\"", $",\"detail\":{Quote(s)}")), "a spoofed protocol event"),
        Case(Topics.EventsKind, Gen.Const(Event("\"tank\"", "\"growing\"", "null")), "no time"),
        Case(Topics.EventsKind, BadTimestamp.Select(t => Event("\"tank\"", "\"growing\"", $"\"{t}\"")), "a time out of range"));

    public static readonly Gen<HostileCase> Health = Gen.OneOf(
        Bytes(Topics.HealthKind),
        Case(Topics.HealthKind, Gen.Const($"{{\"at\":\"{Now}\",\"windowSeconds\":60}}"), "no sensors, tank state or control"),
        Case(Topics.HealthKind, BadTimestamp.Select(t => $"{{\"at\":\"{t}\",\"windowSeconds\":60,\"sensors\":[],\"tankState\":\"growing\",\"control\":{{}}}}"), "a time out of range"));

    public static readonly Gen<HostileCase> ChunkRequests = Gen.OneOf(
        Bytes(Topics.FirmwareRequestKind),
        Case(Topics.FirmwareRequestKind, Junk.Select(u => $"{{\"uuid\":{Quote("fw-" + u)},\"indexes\":[0,1]}}"), "firmware never offered to it"),
        Case(Topics.FirmwareRequestKind, Gen.Int[InboundLimits.MaxChunkIndexesPerRequest + 1, 200].Select(n => $"{{\"uuid\":\"fw-x\",\"indexes\":[{string.Join(",", Enumerable.Range(0, n))}]}}"), "too many indexes"),
        Case(Topics.FirmwareRequestKind, Gen.Int[int.MinValue, -1].Select(i => $"{{\"uuid\":\"fw-x\",\"indexes\":[{i}]}}"), "a negative index"),
        Case(Topics.FirmwareRequestKind, Junk.Select(u => $"{{\"uuid\":{Quote("../" + u)},\"indexes\":[0]}}"), "a bad uuid"));

    public static readonly Gen<HostileCase> Responses = Gen.OneOf(
        Bytes(Topics.ResponseKind).Select(c => c with { WithCorrelation = true }),
        Junk.Select(d => new HostileCase(Topics.ResponseKind, Encoding.UTF8.GetBytes($"{{\"ok\":true,\"detail\":{Quote(d)}}}"), false, false, "no correlation data")));

    /// <summary>Topics a device may not publish to at all: unknown kinds in its own subtree, another device's, the
    /// hub's command topic, and a retained junk message.</summary>
    public static Gen<HostileCase> OutOfBounds(string victim) => Gen.OneOf(
        Junk.Select(k => new HostileCase("junk/" + k, Encoding.UTF8.GetBytes("x"), false, false, "an unknown kind")),
        Gen.Int[1, 1000].Select(n => new HostileCase("junk", new byte[n], true, false, "retained junk")),
        Gen.Long[1, long.MaxValue].Select(s => new HostileCase(Topics.TelemetryKind,
            Encoding.UTF8.GetBytes($"{{\"sequence\":{s},\"readings\":[{GoodReading}]}}"), false, false, "another tank's telemetry", Topics.Telemetry(victim))),
        Gen.Const(new HostileCase(Topics.StatusKind, Encoding.UTF8.GetBytes($"{{\"online\":false,\"uptimeSeconds\":0,\"timestamp\":\"{Now}\"}}"), false, false, "another tank's status", Topics.Status(victim))));
}
