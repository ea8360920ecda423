using System.Net;

namespace Fleet.Hub.Hosting;

/// <summary>Everything the hub is told at start: command line (<see cref="HubCommandLine"/>), configuration section
/// <c>Hub</c>, or environment (<c>FLEET_Hub__DataDir</c>, ...).</summary>
internal sealed class HubOptions
{
    public const string Section = "Hub";

    public string DataDir { get; set; } = "./data";
    public string Bind { get; set; } = "127.0.0.1";
    public int HttpPort { get; set; } = 5443;
    public int MqttPort { get; set; } = 8883;

    /// <summary>EF Core connection string; default: a SQLite file in the data dir.</summary>
    public string? Database { get; set; }

    /// <summary>embedded (the in-process MQTTnet broker). external comes with the scale-out work.</summary>
    public string Broker { get; set; } = "embedded";

    /// <summary>Device CA certificate and key (PEM). When absent, the hub generates its own under the data dir.</summary>
    public string? CaCert { get; set; }
    public string? CaKey { get; set; }

    /// <summary>The offline root that signed <see cref="CaCert"/> and the server certificate; handed to devices
    /// and CLI users as <c>ca.crt</c>. Absent: the device CA is the root.</summary>
    public string? RootCert { get; set; }

    /// <summary>Server certificate and key (PEM) for HTTPS and MQTT. Absent: generated, signed by the device CA.</summary>
    public string? ServerCert { get; set; }
    public string? ServerKey { get; set; }

    /// <summary>Host name devices use to reach the MQTT port (written to hub.json). Default: the bind address,
    /// or localhost when binding every interface.</summary>
    public string? PublicHost { get; set; }

    /// <summary>Extra DNS names for a generated server certificate, comma separated.</summary>
    public string? ServerNames { get; set; }

    /// <summary>How often the rollout orchestrator re-plans without a signal (env FLEET_HUB__ROLLOUTTICKSECONDS).</summary>
    public int RolloutTickSeconds { get; set; } = 5;

    /// <summary>An update that reports no progress for this long counts as failed (env FLEET_HUB__ROLLOUTINFLIGHTTIMEOUTSECONDS).</summary>
    public int RolloutInFlightTimeoutSeconds { get; set; } = 1800;

    public string FullDataDir => Path.GetFullPath(DataDir);

    public IPAddress BindAddress => IPAddress.Parse(Bind);

    public string MqttHost => PublicHost
        ?? (BindAddress.Equals(IPAddress.Any) || BindAddress.Equals(IPAddress.IPv6Any) ? "localhost" : Bind);

    public string ConnectionString => Database ?? $"Data Source={Path.Combine(FullDataDir, "fleet.db")}";

    public IEnumerable<string> Validate()
    {
        if (!IPAddress.TryParse(Bind, out _))
        {
            yield return $"--bind '{Bind}' is not an IP address; use e.g. 127.0.0.1 or 0.0.0.0";
        }

        if (HttpPort is < 1 or > 65535)
        {
            yield return $"--http-port {HttpPort} is out of range 1-65535";
        }

        if (MqttPort is < 1 or > 65535)
        {
            yield return $"--mqtt-port {MqttPort} is out of range 1-65535";
        }

        if (HttpPort == MqttPort)
        {
            yield return $"--http-port and --mqtt-port are both {HttpPort}; give them different ports";
        }

        if (Broker != "embedded")
        {
            yield return $"--broker '{Broker}' is not supported by this hub; use --broker embedded";
        }

        if ((CaCert is null) != (CaKey is null))
        {
            yield return "--ca-cert and --ca-key go together; give both or neither";
        }

        if ((ServerCert is null) != (ServerKey is null))
        {
            yield return "--server-cert and --server-key go together; give both or neither";
        }

        foreach (var (flag, path) in new[] { ("--ca-cert", CaCert), ("--ca-key", CaKey), ("--root-cert", RootCert), ("--server-cert", ServerCert), ("--server-key", ServerKey) })
        {
            if (path is not null && !File.Exists(path))
            {
                yield return $"{flag} {path}: no such file";
            }
        }
    }
}
