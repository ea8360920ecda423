using System.CommandLine;
using System.Text.Json.Nodes;

namespace Fleet.Cli.Hub;

/// <summary><c>fleet user create NAME --role R | list | token NAME --name T | revoke-token NAME TOKEN</c> (admin).
/// A new token is printed once; the hub keeps only its hash.</summary>
internal static class UserCommands
{
    public static Command Build()
    {
        var user = new Command("user", "Hub users and their API tokens (admin)");
        user.Subcommands.Add(Create());
        user.Subcommands.Add(List());
        user.Subcommands.Add(Token());
        user.Subcommands.Add(RevokeToken());
        return user;
    }

    private static Command Create()
    {
        var name = new Argument<string>("NAME");
        var role = new Option<string>("--role") { Description = "view (read), manage (firmware, deployments, devices) or admin (also users and keys)", Required = true };
        role.AcceptOnlyFromAmong("view", "manage", "admin");
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("create", "Create a user; prints its first API token once") { name, role, json };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            using var hub = new HubClient(HubLogin.Resolve());
            var issued = await hub.PostAsync("/api/v1/users", new JsonObject { ["name"] = pr.GetValue(name), ["role"] = pr.GetValue(role) }, $"create user '{pr.GetValue(name)}'", ct);
            PrintToken(issued, pr.GetValue(json));
            return 0;
        });
        return cmd;
    }

    private static Command List()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("list", "List users, roles and token names") { json };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            using var hub = new HubClient(HubLogin.Resolve());
            var users = await hub.GetAsync("/api/v1/users", "list users", ct);
            if (pr.GetValue(json))
            {
                Console.WriteLine(HubClient.Pretty(users));
                return 0;
            }

            foreach (var u in HubOutput.Items(users))
            {
                Console.WriteLine($"{HubOutput.S(u, "name"),-24} {HubOutput.S(u, "role"),-8} tokens: {HubOutput.List(u, "tokens")}");
            }

            return 0;
        });
        return cmd;
    }

    private static Command Token()
    {
        var name = new Argument<string>("USER");
        var token = new Option<string>("--name") { Description = "Token name, e.g. ci", Required = true };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("token", "Create another API token for a user; prints it once") { name, token, json };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            using var hub = new HubClient(HubLogin.Resolve());
            var issued = await hub.PostAsync($"/api/v1/users/{Uri.EscapeDataString(pr.GetValue(name)!)}/tokens", new JsonObject { ["name"] = pr.GetValue(token) }, $"create a token for '{pr.GetValue(name)}'", ct);
            PrintToken(issued, pr.GetValue(json));
            return 0;
        });
        return cmd;
    }

    private static Command RevokeToken()
    {
        var name = new Argument<string>("USER");
        var token = new Argument<string>("TOKEN_NAME");
        var cmd = new Command("revoke-token", "Revoke one of a user's API tokens") { name, token };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            using var hub = new HubClient(HubLogin.Resolve());
            await hub.DeleteAsync($"/api/v1/users/{Uri.EscapeDataString(pr.GetValue(name)!)}/tokens/{Uri.EscapeDataString(pr.GetValue(token)!)}", $"revoke token '{pr.GetValue(token)}' of '{pr.GetValue(name)}'", ct);
            Console.WriteLine($"revoked token {pr.GetValue(token)} of {pr.GetValue(name)}");
            return 0;
        });
        return cmd;
    }

    private static void PrintToken(JsonNode? issued, bool json)
    {
        if (json)
        {
            Console.WriteLine(HubClient.Pretty(issued));
            return;
        }

        Console.WriteLine($"user {HubOutput.S(issued, "account")} (role {HubOutput.S(issued, "role")}), token {HubOutput.S(issued, "tokenName")}; shown once:");
        Console.WriteLine(HubOutput.S(issued, "token"));
    }
}
