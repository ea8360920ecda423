using System.CommandLine;
using System.Text.Json.Nodes;

namespace Fleet.Cli.Hub;

/// <summary><c>fleet login --hub URL --token T [--ca-cert FILE]</c>: checks the token against the hub, then stores it.</summary>
internal static class LoginCommand
{
    public static Command Build()
    {
        var hub = new Option<string>("--hub") { Description = "Hub address, e.g. https://127.0.0.1:5443", Required = true };
        var token = new Option<string>("--token") { Description = "API token (the admin token is in the hub's DATA/admin-token)", Required = true };
        var ca = new Option<string?>("--ca-cert") { Description = "Pin the CA that signed the hub's server certificate (DATA/hub-ca.crt of a dev hub)" };
        var cmd = new Command("login", "Store the hub address and API token for the other commands") { hub, token, ca };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var caPath = pr.GetValue(ca);
            var login = new HubLogin(pr.GetValue(hub)!.TrimEnd('/'), pr.GetValue(token)!.Trim(), caPath is null ? null : HubLogin.ReadCa(caPath, "--ca-cert"));
            using var client = new HubClient(login);
            var me = await client.GetAsync("/api/v1/whoami", "check the token", ct);
            login.Save();
            var roles = me?["roles"] is JsonArray r ? string.Join(',', r.Select(x => x?.ToString())) : "";
            Console.WriteLine($"logged in to {login.Hub} as {HubOutput.S(me, "name")} (roles: {roles}); saved in {CliPaths.HubLogin}");
            return 0;
        });
        return cmd;
    }
}
