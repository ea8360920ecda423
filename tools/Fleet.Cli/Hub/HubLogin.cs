using System.Text.Json.Nodes;

namespace Fleet.Cli.Hub;

/// <summary>Where the hub is and how to prove who we are: from <c>fleet login</c> (hub.json in the config dir,
/// mode 0600 because it holds the token), overridden by <c>FLEET_HUB</c>, <c>FLEET_TOKEN</c>, <c>FLEET_CA_CERT</c>.</summary>
internal sealed record HubLogin(string Hub, string Token, string? CaCertificatePem)
{
    public static HubLogin Resolve()
    {
        var stored = Load();
        var hub = Environment.GetEnvironmentVariable("FLEET_HUB") is { Length: > 0 } h ? h : stored?.Hub;
        var token = Environment.GetEnvironmentVariable("FLEET_TOKEN") is { Length: > 0 } t ? t : stored?.Token;
        var ca = stored?.CaCertificatePem;
        if (Environment.GetEnvironmentVariable("FLEET_CA_CERT") is { Length: > 0 } caPath)
        {
            ca = ReadCa(caPath, "FLEET_CA_CERT");
        }

        if (hub is null || token is null)
        {
            throw new CliFailure("not logged in to a hub: run 'fleet login --hub URL [--token-file FILE] [--ca-cert FILE]' or set FLEET_HUB and FLEET_TOKEN");
        }

        return new HubLogin(hub, token, ca);
    }

    public static string ReadCa(string path, string what)
    {
        try
        {
            var pem = File.ReadAllText(path);
            if (!pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                throw new CliFailure($"{what} {path} is not a PEM certificate; pass the hub's ca.crt (DATA/hub-ca.crt of a dev hub)");
            }

            return pem;
        }
        catch (IOException ex)
        {
            throw new CliFailure($"cannot read {what} {path}: {ex.Message}");
        }
    }

    public void Save()
    {
        var json = new JsonObject { ["hub"] = Hub, ["token"] = Token, ["caCertificatePem"] = CaCertificatePem };
        Directory.CreateDirectory(CliPaths.ConfigDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var temp = CliPaths.HubLogin + $".{Guid.NewGuid():N}.tmp";
        using (var f = File.Open(temp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        using (var w = new StreamWriter(f))
        {
            w.Write(json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        }

        File.Move(temp, CliPaths.HubLogin, overwrite: true);
    }

    private static HubLogin? Load()
    {
        if (!File.Exists(CliPaths.HubLogin))
        {
            return null;
        }

        try
        {
            var node = JsonNode.Parse(File.ReadAllText(CliPaths.HubLogin));
            var hub = node?["hub"]?.GetValue<string>();
            var token = node?["token"]?.GetValue<string>();
            return hub is null || token is null ? null : new HubLogin(hub, token, node?["caCertificatePem"]?.GetValue<string>());
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new CliFailure($"{CliPaths.HubLogin} is not valid JSON ({ex.Message}); run 'fleet login' again");
        }
    }
}
