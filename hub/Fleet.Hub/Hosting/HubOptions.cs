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

    /// <summary>embedded (the in-process MQTTnet broker) or external (the hub joins Mosquitto as a client; devices
    /// connect to Mosquitto on --mqtt-port). See docs/scale-out.md.</summary>
    public string Broker { get; set; } = "embedded";

    /// <summary>External mode: where this node reaches the broker (its port is --mqtt-port, the port devices use).</summary>
    public string BrokerHost { get; set; } = "127.0.0.1";

    /// <summary>External mode: this node's client certificate and key (PEM); absent: minted under the data dir.</summary>
    public string? BrokerClientCert { get; set; }
    public string? BrokerClientKey { get; set; }

    /// <summary>External mode: where the hub writes mosquitto.conf, acl, crl.pem and the TLS files. Default DATA/mosquitto.</summary>
    public string? BrokerConfigDir { get; set; }

    /// <summary>Mosquitto's <c>memory_limit</c> in the generated configuration (external mode): past it, the broker
    /// refuses new messages instead of growing.</summary>
    public long BrokerMemoryLimitBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>How long the CRL written for an external broker stays valid (its nextUpdate); it is rewritten when half
    /// of it has passed (env FLEET_HUB__CRLLIFETIMESECONDS). Default 7 days.</summary>
    public int CrlLifetimeSeconds { get; set; } = 7 * 24 * 3600;

    /// <summary>External mode: the broker's pid file; the hub sends it SIGHUP after rewriting crl.pem.</summary>
    public string? BrokerPidFile { get; set; }

    /// <summary>This node's name among several hub nodes (client id <c>@fleet-hub/NAME</c>, lease holder). It must
    /// stay the same across restarts and differ between nodes: the broker keeps this node's session, and the messages
    /// queued in it, under that name (docs/scale-out.md). Default: the host name.</summary>
    public string NodeName { get; set; } = Environment.MachineName;

    /// <summary>External mode: how long the broker keeps this node's session (its subscriptions, and the messages
    /// handed to it but not acknowledged, or queued for it) after the node is gone. A node back under the same
    /// <see cref="NodeName"/> within this time gets them. Default 1 h.</summary>
    public int BrokerSessionExpirySeconds { get; set; } = 3600;

    /// <summary>External mode: how many QoS 1 messages the broker may hand this node before it acknowledges one (the
    /// MQTT 5 receive maximum). A telemetry batch is acknowledged only once stored, so this is what lets a drain of
    /// the ingest queue write many batches in one transaction. Default 1000.</summary>
    public int BrokerReceiveMaximum { get; set; } = 1000;

    /// <summary>Mosquitto's <c>max_queued_messages</c> in the generated configuration: per client, the messages waiting
    /// beyond its in-flight window. For a hub node that is down, its share of every device message waits here until it
    /// returns (Mosquitto keeps dealing a dead member its share); past this many, Mosquitto drops them. Default 100000.</summary>
    public int BrokerMaxQueuedMessages { get; set; } = 100_000;

    /// <summary>External mode: what this node does with its broker session when it stops (SIGTERM).
    /// <see cref="StayOnStop"/> (the default, for a restart): it finishes storing what the broker had handed it,
    /// acknowledges that, and disconnects keeping its session, which the broker fills until the node returns under the
    /// same <see cref="NodeName"/>. <see cref="LeaveOnStop"/> (for a node taken out of the cluster): it first
    /// unsubscribes, so the broker deals its share to the other nodes from then on, finishes and acknowledges what it
    /// had been handed, and ends its session.</summary>
    public string BrokerOnStop { get; set; } = StayOnStop;

    public const string StayOnStop = "stay";
    public const string LeaveOnStop = "leave";

    /// <summary>External mode: a device whose last status (sent every minute by the agent) is older than this is
    /// marked offline, whatever that status said. The broker holds the connections, so a status is what the hub
    /// knows; this bounds how long a status redelivered late (after a node's restart) can show a device online that
    /// is gone. 0 turns it off. Default 300.</summary>
    public int BrokerPresenceTimeoutSeconds { get; set; } = 300;

    /// <summary>Firmware payloads; several nodes share one directory (e.g. NFS). Default DATA/blobs.</summary>
    public string? BlobDir { get; set; }

    /// <summary>Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto the hub believes, comma separated:
    /// addresses (192.0.2.10) or networks (10.0.0.0/24). Empty (the default): the headers are ignored from everyone,
    /// and the client address is the TCP peer's. See docs/hub.md, "Behind a reverse proxy".</summary>
    public string? TrustedProxies { get; set; }

    public IReadOnlyList<string> TrustedProxyList =>
        (TrustedProxies ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public bool ExternalBroker => Broker == "external";

    public string FullBrokerConfigDir => Path.GetFullPath(BrokerConfigDir ?? Path.Combine(FullDataDir, "mosquitto"));

    public string FullBlobDir => Path.GetFullPath(BlobDir ?? Path.Combine(FullDataDir, "blobs"));

    /// <summary>Device CA certificate and key (PEM). When absent, the hub generates its own under the data dir.</summary>
    public string? CaCert { get; set; }
    public string? CaKey { get; set; }

    /// <summary>The offline root that signed <see cref="CaCert"/> (and the server CA). Absent: the device CA is the root.</summary>
    public string? RootCert { get; set; }

    /// <summary>The CA that issued <see cref="ServerCert"/> (certs/make-pki.sh's server-ca.crt): what devices and CLI
    /// users pin for the hub. It must not be the device CA nor have issued it.</summary>
    public string? ServerCaCert { get; set; }

    /// <summary><c>auto</c>: a hub upgraded from a release whose device CA signed its server certificate presents
    /// that legacy certificate until no tank pins the old anchor, then (at the next start) its separate one.
    /// <c>separate</c>: the separate one at once; tanks still on the old anchor stop connecting. <c>legacy</c>: keep
    /// the legacy certificate (CLI users or tanks not moved yet) while tanks receive the new anchor.</summary>
    public string TlsIdentity { get; set; } = "auto";

    /// <summary>Server certificate and key (PEM) for HTTPS and MQTT. Absent: generated, signed by the hub CA.</summary>
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

        if (Broker is not ("embedded" or "external"))
        {
            yield return $"--broker '{Broker}' is not known; use --broker embedded or --broker external";
        }

        if ((BrokerClientCert is null) != (BrokerClientKey is null))
        {
            yield return "--broker-client-cert and --broker-client-key go together; give both or neither";
        }

        if ((CaCert is null) != (CaKey is null))
        {
            yield return "--ca-cert and --ca-key go together; give both or neither";
        }

        if ((ServerCert is null) != (ServerKey is null))
        {
            yield return "--server-cert and --server-key go together; give both or neither";
        }

        if (ServerCaCert is not null && ServerCert is null)
        {
            yield return "--server-ca-cert names the CA of --server-cert; give --server-cert and --server-key too";
        }

        if (BrokerSessionExpirySeconds < 0)
        {
            yield return $"--broker-session-expiry-seconds {BrokerSessionExpirySeconds} is negative; give the seconds the broker keeps a node's session (default 3600)";
        }

        if (BrokerReceiveMaximum is < 1 or > 65535)
        {
            yield return $"--broker-receive-maximum {BrokerReceiveMaximum} is out of range 1-65535";
        }

        if (BrokerOnStop is not (StayOnStop or LeaveOnStop))
        {
            yield return $"--broker-on-stop '{BrokerOnStop}' is not known; give {StayOnStop} (a restart: keep the broker session) or {LeaveOnStop} (the node leaves the cluster)";
        }

        if (BrokerPresenceTimeoutSeconds is < 0 or (> 0 and < 10))
        {
            yield return $"--broker-presence-timeout-seconds {BrokerPresenceTimeoutSeconds} is out of range; give 0 (off) or at least 10, above the tanks' status interval (60 s by default)";
        }

        if (BrokerMaxQueuedMessages < 0)
        {
            yield return $"--broker-max-queued-messages {BrokerMaxQueuedMessages} is negative; give 0 (no limit) or more";
        }

        if (CrlLifetimeSeconds < 10)
        {
            yield return $"CrlLifetimeSeconds {CrlLifetimeSeconds} is too short; give at least 10 seconds";
        }

        if (TlsIdentity is not ("auto" or "separate" or "legacy"))
        {
            yield return $"--tls-identity '{TlsIdentity}' is not known; use auto, separate or legacy";
        }

        foreach (var proxy in TrustedProxyList)
        {
            if (!IPAddress.TryParse(proxy, out _) && !IPNetwork.TryParse(proxy, out _))
            {
                yield return $"--trusted-proxies: '{proxy}' is neither an IP address nor a network; list addresses or networks, e.g. 192.0.2.10,10.0.0.0/24";
            }
        }

        foreach (var (flag, path) in new[] { ("--broker-client-cert", BrokerClientCert), ("--broker-client-key", BrokerClientKey), ("--ca-cert", CaCert), ("--ca-key", CaKey), ("--root-cert", RootCert), ("--server-ca-cert", ServerCaCert), ("--server-cert", ServerCert), ("--server-key", ServerKey) })
        {
            if (path is not null && !File.Exists(path))
            {
                yield return $"{flag} {path}: no such file";
            }
        }
    }
}
