using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Testing;
using MQTTnet.Protocol;

namespace Fleet.Device.Tests.Link;

/// <summary>The real agent process against a real MQTTnet broker over mutual TLS on 127.0.0.1.</summary>
public sealed class DeviceLinkTests : IDisposable
{
    private readonly TempDir _root = new("fleet-agent");
    private readonly TestPki _pki = new();
    private readonly string _serial = "tank-" + Guid.NewGuid().ToString("N")[..8];

    public DeviceLinkTests() => AgentProcess.Prepare(_root.Path);

    [Fact]
    public async Task Agent_keeps_a_retained_status_sends_telemetry_at_qos1_and_its_last_will_says_offline_after_kill_9()
    {
        await using var broker = new TestBroker(_pki);
        await broker.StartAsync();
        _pki.Provision(_root.Path, _serial, broker.TlsPort);

        await using var agent = AgentProcess.Start(_root.Path);
        await Eventually.Until(async () => (await broker.RetainedStatusAsync(_serial))?.TankState == "growing", "retained status: growing");
        await Eventually.Until(() => broker.Telemetry(_serial).Count >= 3, "three telemetry batches");

        Assert.Contains(_serial, broker.ConnectedDevices);
        var status = broker.Published.First(p => p.Topic == Topics.Status(_serial));
        Assert.True(status.Retain);
        var telemetry = broker.Published.Where(p => p.Topic == Topics.Telemetry(_serial)).ToList();
        Assert.All(telemetry, t => Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, t.Qos));
        var batches = broker.Telemetry(_serial);
        Assert.Equal(1, batches[0].Sequence);
        Assert.True(batches.Zip(batches.Skip(1)).All(p => p.Second.Sequence > p.First.Sequence), "sequences increase");
        var sensors = batches.SelectMany(b => b.Readings).Select(r => r.Sensor).ToHashSet();
        Assert.Superset(new HashSet<string>(SensorNames.All), sensors);
        Assert.Contains(broker.Events(_serial), e => e.Kind == EventKinds.Tank && e.Name == "growing");

        agent.Kill();
        await Eventually.Until(async () => (await broker.RetainedStatusAsync(_serial))?.Online == false, "last will: offline");
    }

    [Fact]
    public async Task Hub_commands_are_answered_on_the_response_topic_with_the_correlation_data()
    {
        await using var broker = new TestBroker(_pki);
        await broker.StartAsync();
        _pki.Provision(_root.Path, _serial, broker.TlsPort);
        await using var agent = AgentProcess.Start(_root.Path);
        await Eventually.Until(async () => (await broker.RetainedStatusAsync(_serial))?.Online == true, "agent online");

        var config = await broker.CommandAsync(_serial, Command(CommandNames.Config, """{"harvestTurbidity":700,"lightOnHours":14}"""));
        Assert.True(config.Ok, config.Detail);
        Assert.Contains("\"harvestTurbidity\":700", config.Detail);
        Assert.Contains("\"lightOnHours\":14", File.ReadAllText(_root.Combine("tank-config.json")).Replace(" ", ""));

        var badConfig = await broker.CommandAsync(_serial, Command(CommandNames.Config, """{"phMin":12}"""));
        Assert.False(badConfig.Ok);
        Assert.Equal("invalid_config", badConfig.Error);

        var on = await broker.CommandAsync(_serial, Command(CommandNames.Maintenance, """{"on":true}"""));
        Assert.True(on.Ok);
        Assert.Equal("maintenance", on.Detail);
        await Eventually.Until(async () => (await broker.RetainedStatusAsync(_serial))?.TankState == "maintenance", "status shows maintenance");
        var off = await broker.CommandAsync(_serial, Command(CommandNames.Maintenance, """{"on":false}"""));
        Assert.True(off.Ok);

        var identify = await broker.CommandAsync(_serial, Command(CommandNames.Identify));
        Assert.True(identify.Ok);

        var unknown = await broker.CommandAsync(_serial, Command("dance"));
        Assert.False(unknown.Ok);
        Assert.Equal("unknown_command", unknown.Error);
        Assert.Contains("maintenance", unknown.Detail);

        var reboot = await broker.CommandAsync(_serial, Command(CommandNames.Reboot));
        Assert.True(reboot.Ok);
        await agent.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, agent.ExitCode);
        Assert.Equal(false, (await broker.RetainedStatusAsync(_serial))?.Online);
    }

    [Fact]
    public async Task Readings_taken_while_the_broker_is_down_are_all_delivered_when_it_returns()
    {
        var broker = new TestBroker(_pki);
        await broker.StartAsync();
        _pki.Provision(_root.Path, _serial, broker.TlsPort);
        await using var agent = AgentProcess.Start(_root.Path);
        await Eventually.Until(() => broker.Telemetry(_serial).Count >= 2, "telemetry flowing");

        await broker.StopAsync();
        await Eventually.Until(() => AgentProcess.SpooledSequences(_root.Path).Count >= 4, "four batches spooled while the broker is down");
        var spooled = AgentProcess.SpooledSequences(_root.Path);

        await using var back = new TestBroker(_pki, broker.TlsPort);
        await back.StartAsync();
        await Eventually.Until(() => spooled.All(s => back.Telemetry(_serial).Any(b => b.Sequence == s)), "every spooled batch delivered");

        var all = broker.Telemetry(_serial).Concat(back.Telemetry(_serial)).Select(b => b.Sequence).Distinct().Order().ToList();
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all);
        Assert.All(back.Telemetry(_serial), b => Assert.Equal(0, b.Dropped));
        await Eventually.Until(() => AgentProcess.SpooledSequences(_root.Path).Count <= 1, "spool drained");
    }

    [Fact]
    public async Task Spool_survives_kill_9_while_offline_and_is_delivered_after_restart()
    {
        var port = FreePort.Next();
        _pki.Provision(_root.Path, _serial, port);
        var first = AgentProcess.Start(_root.Path);
        await Eventually.Until(() => AgentProcess.SpooledSequences(_root.Path).Count >= 3, "three batches spooled offline");
        first.Kill();
        await first.DisposeAsync();
        var beforeRestart = AgentProcess.SpooledSequences(_root.Path);
        Assert.NotEmpty(beforeRestart);

        await using var second = AgentProcess.Start(_root.Path);
        await Eventually.Until(() => AgentProcess.SpooledSequences(_root.Path).Max() > beforeRestart.Max(), "the restarted agent spools more");
        await using var broker = new TestBroker(_pki, port);
        await broker.StartAsync();

        await Eventually.Until(() => beforeRestart.All(s => broker.Telemetry(_serial).Any(b => b.Sequence == s)), "batches from before the kill delivered");
        var sequences = broker.Telemetry(_serial).Select(b => b.Sequence).ToList();
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
        Assert.True(sequences.Zip(sequences.Skip(1)).All(p => p.Second > p.First), "delivered oldest first, numbers never reused");
    }

    [Fact]
    public async Task Hub_whose_certificate_comes_from_another_ca_is_refused()
    {
        var impostor = new TestPki("Impostor CA");
        await using var broker = new TestBroker(impostor);
        await broker.StartAsync();
        _pki.Provision(_root.Path, _serial, broker.TlsPort);

        await using var agent = AgentProcess.Start(_root.Path);
        await agent.WaitForLineAsync(l => l.Contains("retry 2", StringComparison.Ordinal), "two refused attempts");

        Assert.Empty(broker.ConnectedDevices);
        Assert.DoesNotContain(broker.Published, p => p.Topic.Contains(_serial, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Private_key_readable_by_others_stops_the_link_with_what_to_do()
    {
        await using var broker = new TestBroker(_pki);
        await broker.StartAsync();
        _pki.Provision(_root.Path, _serial, broker.TlsPort);
        File.SetUnixFileMode(_root.Combine("provisioning", "device.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        await using var agent = AgentProcess.Start(_root.Path);
        await agent.WaitForLineAsync(l => l.Contains("chmod 600", StringComparison.Ordinal), "the refusal");
        await Eventually.Until(() => AgentProcess.SpooledSequences(_root.Path).Count >= 1, "tank keeps running and spooling");

        Assert.Empty(broker.ConnectedDevices);
    }

    public void Dispose() => _root.Dispose();

    private static DeviceCommand Command(string name, string? args = null) =>
        new(name, args is null ? null : System.Text.Json.JsonDocument.Parse(args).RootElement.Clone());
}
