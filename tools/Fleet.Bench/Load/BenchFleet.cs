using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Fleet.Bench.Load;

/// <summary>What the hub scenarios do with their simulated devices: provision each with its own certificate through
/// the API, connect it with mutual TLS, and run the steady telemetry phase measured on the hub's own metrics.</summary>
internal static class BenchFleet
{
    public const string LagMetric = "fleet_telemetry_ingest_lag_seconds";
    public const string StoredMetric = "fleet_telemetry_readings_stored_total";

    /// <summary>One ECDSA P-256 key per serial, its CSR signed by the hub's API (as <c>fleet device provision</c> does),
    /// 16 at a time; returns the certificates with their keys, in the order of <paramref name="serials"/>.</summary>
    public static async Task<X509Certificate2[]> ProvisionAsync(BenchHub hub, HttpClient http, string product, IReadOnlyList<string> serials, CancellationToken ct)
    {
        var identities = new X509Certificate2[serials.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, serials.Count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (i, token) =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var csr = new CertificateRequest($"CN={serials[i]}", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
            var pem = await hub.ProvisionAsync(http, serials[i], product, csr, token);
            using var cert = X509Certificate2.CreateFromPem(pem);
            using var withKey = cert.CopyWithPrivateKey(key);
            identities[i] = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        });
        return identities;
    }

    public static MqttClientOptions ClientOptions(BenchHub hub, string serial, X509Certificate2 identity) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", hub.MqttPort)
            .WithClientId(serial)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
            .WithTimeout(TimeSpan.FromSeconds(60))
            .WithTlsOptions(tls => tls.UseTls().WithTargetHost("localhost").WithTrustChain([hub.Anchor])
                .WithRevocationMode(X509RevocationMode.NoCheck).WithClientCertificates([identity]))
            .Build();

    /// <summary>Each sender publishes one batch of <paramref name="readingsPerBatch"/> readings per second for
    /// <paramref name="seconds"/> seconds (QoS 1), spread over the second, each reading stamped with its send time;
    /// then waits (at most 120 s) until the hub has stored all that was sent. Readings/s and the drain come from
    /// <c>fleet_telemetry_readings_stored_total</c>, the end-to-end lag from <c>fleet_telemetry_ingest_lag_seconds</c>
    /// read before and after. A later phase on the same devices starts at a higher <paramref name="firstSequence"/>:
    /// the hub stores each (device, sequence) once and drops a repeat as a duplicate.</summary>
    public static async Task<TelemetryFigures> SteadyTelemetryAsync(BenchHub hub, HttpClient http, IReadOnlyList<IMqttClient> senders, int seconds, int readingsPerBatch, CancellationToken ct, int firstSequence = 1)
    {
        var storedBefore = await hub.MetricAsync(http, StoredMetric);
        var lagBefore = await BenchHub.HistogramAsync(http, LagMetric);
        long sent = 0;
        var send = Stopwatch.StartNew();
        await Task.WhenAll(senders.Select((client, index) => Task.Run(async () =>
        {
            var serial = client.Options.ClientId;
            // Spread the devices over the second, as real devices' clocks are.
            await Task.Delay(index * 1000 / Math.Max(1, senders.Count), ct);
            for (var seq = 1; seq <= seconds; seq++)
            {
                var now = DateTimeOffset.UtcNow;
                var batch = new TelemetryBatch(firstSequence + seq - 1, [.. Enumerable.Range(0, readingsPerBatch).Select(r => new Reading(SensorNames.WaterTemperature, 20 + r * 0.1, "C", now))]);
                await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Telemetry(serial))
                    .WithPayload(FleetJson.Serialize(batch)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
                Interlocked.Add(ref sent, readingsPerBatch);
                var next = TimeSpan.FromSeconds(seq) - send.Elapsed;
                if (next > TimeSpan.Zero)
                {
                    await Task.Delay(next, ct);
                }
            }
        }, ct)));
        var sendDone = send.Elapsed;
        double stored;
        var drainLimit = Stopwatch.StartNew();
        while ((stored = await hub.MetricAsync(http, StoredMetric) - storedBefore) < sent && drainLimit.Elapsed < TimeSpan.FromSeconds(120))
        {
            await Task.Delay(50, ct);
        }

        var drained = send.Elapsed;
        var lagAfter = await BenchHub.HistogramAsync(http, LagMetric);
        return new TelemetryFigures(sent, stored, stored / drained.TotalSeconds, (drained - sendDone).TotalMilliseconds,
            BenchHub.Quantile(lagBefore, lagAfter, 0.50) * 1000, BenchHub.Quantile(lagBefore, lagAfter, 0.99) * 1000);
    }
}

/// <summary>One steady telemetry phase: readings sent and stored, stored per second (first send until all stored),
/// the drain after the last send and the end-to-end lag per reading.</summary>
internal sealed record TelemetryFigures(long Sent, double Stored, double ReadingsPerSecond, double DrainLagMs, double LagP50Ms, double LagP99Ms);

/// <summary>The largest VmRSS of a process, sampled every 100 ms until disposed.</summary>
internal sealed class RssSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peak;

    public RssSampler(int pid)
    {
        _peak = BenchHub.RssBytes(pid);
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                _peak = Math.Max(_peak, BenchHub.RssBytes(pid));
                try
                {
                    await Task.Delay(100, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
    }

    public long PeakBytes => _peak;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
