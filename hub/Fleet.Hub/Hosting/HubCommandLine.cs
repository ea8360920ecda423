namespace Fleet.Hub.Hosting;

/// <summary>The hub's command line (DESIGN.md) mapped onto the <c>Hub</c> configuration section, so flags,
/// appsettings.json and environment variables all set the same options.</summary>
internal static class HubCommandLine
{
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>
    {
        ["--data-dir"] = "Hub:DataDir",
        ["--bind"] = "Hub:Bind",
        ["--http-port"] = "Hub:HttpPort",
        ["--mqtt-port"] = "Hub:MqttPort",
        ["--database"] = "Hub:Database",
        ["--broker"] = "Hub:Broker",
        ["--broker-host"] = "Hub:BrokerHost",
        ["--broker-client-cert"] = "Hub:BrokerClientCert",
        ["--broker-client-key"] = "Hub:BrokerClientKey",
        ["--broker-config-dir"] = "Hub:BrokerConfigDir",
        ["--broker-pid-file"] = "Hub:BrokerPidFile",
        ["--broker-memory-limit-bytes"] = "Hub:BrokerMemoryLimitBytes",
        ["--broker-session-expiry-seconds"] = "Hub:BrokerSessionExpirySeconds",
        ["--broker-receive-maximum"] = "Hub:BrokerReceiveMaximum",
        ["--broker-max-queued-messages"] = "Hub:BrokerMaxQueuedMessages",
        ["--broker-on-stop"] = "Hub:BrokerOnStop",
        ["--broker-presence-timeout-seconds"] = "Hub:BrokerPresenceTimeoutSeconds",
        ["--node-name"] = "Hub:NodeName",
        ["--blob-dir"] = "Hub:BlobDir",
        ["--ca-cert"] = "Hub:CaCert",
        ["--ca-key"] = "Hub:CaKey",
        ["--root-cert"] = "Hub:RootCert",
        ["--server-ca-cert"] = "Hub:ServerCaCert",
        ["--tls-identity"] = "Hub:TlsIdentity",
        ["--server-cert"] = "Hub:ServerCert",
        ["--server-key"] = "Hub:ServerKey",
        ["--public-host"] = "Hub:PublicHost",
        ["--server-names"] = "Hub:ServerNames",
        ["--trusted-proxies"] = "Hub:TrustedProxies",
    };

    public const string Usage = """
        Usage: Fleet.Hub [--data-dir DIR (./data)] [--bind 127.0.0.1] [--http-port 5443] [--mqtt-port 8883]
                         [--database CONNECTION] [--broker embedded|external] [--ca-cert F --ca-key F] [--root-cert F]
                         [--server-cert F --server-key F --server-ca-cert F] [--tls-identity auto|separate|legacy] [--public-host NAME] [--server-names a,b]
                         [--broker external [--broker-host H] [--broker-client-cert F --broker-client-key F]
                          [--broker-config-dir DIR] [--broker-pid-file F] [--broker-memory-limit-bytes N]
                          [--broker-session-expiry-seconds 3600] [--broker-receive-maximum 1000] [--broker-max-queued-messages 100000]
                          [--broker-on-stop stay|leave] [--broker-presence-timeout-seconds 300]]
                         [--node-name N] [--blob-dir DIR] [--trusted-proxies ADDR|NET,...]
        Environment: FLEET_Hub__DataDir, FLEET_Hub__HttpPort, ... (same names as the Hub configuration section).
        """;

    /// <summary>Flags the hub does not know are refused rather than silently ignored.</summary>
    public static string? FindUnknown(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                return a;
            }

            var name = a.Split('=', 2)[0];
            if (!Switches.ContainsKey(name))
            {
                return name;
            }

            if (!a.Contains('=', StringComparison.Ordinal))
            {
                i++;
                if (i >= args.Length)
                {
                    return $"{name} (needs a value)";
                }
            }
        }

        return null;
    }
}
