using System.CommandLine;
using System.Text.Json.Nodes;

namespace Fleet.Cli.Hub;

/// <summary><c>fleet user ...</c> (admin): the hub's one account directory, the same users the web UI's Users page
/// manages. A user has a role, optionally a password for the web UI, and named API tokens that expire. A new token or a
/// generated password is printed once; the hub keeps only hashes.</summary>
internal static class UserCommands
{
    private const string ExpiresHelp = "When the token expires: 30d, 12h, a date (2027-06-30) or 'never' (default 90d)";

    public static Command Build()
    {
        var user = new Command("user", "Hub users (web sign-in and API tokens) (admin)");
        user.Subcommands.Add(Create());
        user.Subcommands.Add(List());
        user.Subcommands.Add(Tokens());
        user.Subcommands.Add(Token());
        user.Subcommands.Add(RevokeToken());
        user.Subcommands.Add(Role());
        user.Subcommands.Add(SetDisabled("disable", true, "Disable a user: no sign-in, none of its tokens works"));
        user.Subcommands.Add(SetDisabled("enable", false, "Enable a disabled user again"));
        user.Subcommands.Add(Delete());
        user.Subcommands.Add(Password());
        return user;
    }

    private static Command Create()
    {
        var name = new Argument<string>("NAME");
        var role = RoleOption();
        var passwordFile = PasswordFileOption("A file whose first line is the user's web UI password (none: API only until 'fleet user password')");
        var tokenName = new Option<string>("--token-name") { Description = "Name of the first API token", DefaultValueFactory = _ => "initial" };
        var noToken = new Option<bool>("--no-token") { Description = "Create no API token (a user who only signs in to the web UI)" };
        var expires = new Option<string?>("--expires") { Description = ExpiresHelp };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("create", "Create a user; prints its first API token once") { name, role, passwordFile, tokenName, noToken, expires, json };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var body = new JsonObject { ["name"] = pr.GetValue(name), ["role"] = pr.GetValue(role), ["noToken"] = pr.GetValue(noToken) };
            if (!pr.GetValue(noToken))
            {
                body["token"] = pr.GetValue(tokenName);
                body["expires"] = pr.GetValue(expires);
            }

            if (pr.GetValue(passwordFile) is { } file)
            {
                body["password"] = ReadPassword(file);
            }

            using var hub = new HubClient(HubLogin.Resolve());
            var created = await hub.PostAsync("/api/v1/users", body, $"create user '{pr.GetValue(name)}'", ct);
            if (pr.GetValue(json))
            {
                Console.WriteLine(HubClient.Pretty(created));
            }
            else if (created?["token"] is null)
            {
                Console.WriteLine($"user {HubOutput.S(created, "name")} (role {HubOutput.S(created, "role")}), " +
                    (created?["canSignIn"]?.GetValue<bool>() == true ? "can sign in to the web UI" : "no password and no token yet"));
            }
            else
            {
                Console.WriteLine($"user {HubOutput.S(created, "name")} (role {HubOutput.S(created, "role")}), token {HubOutput.S(created, "tokenName")}, expires {Expiry(created)}; shown once:");
                Console.WriteLine(HubOutput.S(created, "token"));
            }

            return 0;
        });
        return cmd;
    }

    private static Command List()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("list", "List users: role, state, sign-in, token names") { json };
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
                var state = u["disabled"]?.GetValue<bool>() == true ? "disabled" : "enabled";
                var signIn = u["canSignIn"]?.GetValue<bool>() == true ? "password" : "no-password";
                var tokens = string.Join(", ", HubOutput.Items(u["tokens"]).Select(t => HubOutput.S(t, "name")));
                Console.WriteLine($"{HubOutput.S(u, "name"),-24} {HubOutput.S(u, "role"),-8} {state,-8} {signIn,-11} tokens: {tokens}");
            }

            return 0;
        });
        return cmd;
    }

    private static Command Tokens()
    {
        var name = new Argument<string>("USER");
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("tokens", "List a user's API tokens: name, fingerprint, created, expires, last used (never the token)") { name, json };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            using var hub = new HubClient(HubLogin.Resolve());
            var tokens = await hub.GetAsync($"/api/v1/users/{Uri.EscapeDataString(pr.GetValue(name)!)}/tokens", $"list the tokens of '{pr.GetValue(name)}'", ct);
            if (pr.GetValue(json))
            {
                Console.WriteLine(HubClient.Pretty(tokens));
                return 0;
            }

            Console.WriteLine($"{"NAME",-16} {"FINGERPRINT",-20} {"CREATED",-20} {"EXPIRES",-20} LAST USED");
            foreach (var t in HubOutput.Items(tokens))
            {
                var expired = t["expired"]?.GetValue<bool>() == true ? " (expired)" : "";
                Console.WriteLine($"{HubOutput.S(t, "name"),-16} {HubOutput.S(t, "fingerprint"),-20} {Time(t, "createdAt"),-20} {Expiry(t) + expired,-20} {Time(t, "lastUsedAt")}");
            }

            return 0;
        });
        return cmd;
    }

    private static Command Token()
    {
        var name = new Argument<string>("USER");
        var token = new Option<string>("--name") { Description = "Token name, e.g. ci", Required = true };
        var expires = new Option<string?>("--expires") { Description = ExpiresHelp };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("token", "Create another API token for a user; prints it once") { name, token, expires, json };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            using var hub = new HubClient(HubLogin.Resolve());
            var issued = await hub.PostAsync($"/api/v1/users/{Uri.EscapeDataString(pr.GetValue(name)!)}/tokens",
                new JsonObject { ["name"] = pr.GetValue(token), ["expires"] = pr.GetValue(expires) }, $"create a token for '{pr.GetValue(name)}'", ct);
            if (pr.GetValue(json))
            {
                Console.WriteLine(HubClient.Pretty(issued));
                return 0;
            }

            Console.WriteLine($"user {HubOutput.S(issued, "account")} (role {HubOutput.S(issued, "role")}), token {HubOutput.S(issued, "tokenName")}, expires {Expiry(issued)}; shown once:");
            Console.WriteLine(HubOutput.S(issued, "token"));
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

    private static Command Role()
    {
        var name = new Argument<string>("USER");
        var role = new Argument<string>("ROLE") { Description = "view, manage or admin" };
        role.AcceptOnlyFromAmong("view", "manage", "admin");
        var cmd = new Command("role", "Change a user's role (its tokens and web sessions follow at once)") { name, role };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            using var hub = new HubClient(HubLogin.Resolve());
            await hub.PatchAsync($"/api/v1/users/{Uri.EscapeDataString(pr.GetValue(name)!)}", new JsonObject { ["role"] = pr.GetValue(role) }, $"change the role of '{pr.GetValue(name)}'", ct);
            Console.WriteLine($"{pr.GetValue(name)} now has role {pr.GetValue(role)}");
            return 0;
        });
        return cmd;
    }

    private static Command SetDisabled(string verb, bool disabled, string description)
    {
        var name = new Argument<string>("USER");
        var cmd = new Command(verb, description) { name };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            using var hub = new HubClient(HubLogin.Resolve());
            await hub.PatchAsync($"/api/v1/users/{Uri.EscapeDataString(pr.GetValue(name)!)}", new JsonObject { ["disabled"] = disabled }, $"{verb} '{pr.GetValue(name)}'", ct);
            Console.WriteLine(disabled ? $"{pr.GetValue(name)} is disabled: no sign-in, no token works" : $"{pr.GetValue(name)} is enabled");
            return 0;
        });
        return cmd;
    }

    private static Command Delete()
    {
        var name = new Argument<string>("USER");
        var cmd = new Command("delete", "Delete a user and all its API tokens") { name };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            using var hub = new HubClient(HubLogin.Resolve());
            await hub.DeleteAsync($"/api/v1/users/{Uri.EscapeDataString(pr.GetValue(name)!)}", $"delete user '{pr.GetValue(name)}'", ct);
            Console.WriteLine($"deleted user {pr.GetValue(name)} and its tokens");
            return 0;
        });
        return cmd;
    }

    private static Command Password()
    {
        var name = new Argument<string>("USER");
        var passwordFile = PasswordFileOption("A file whose first line is the new password (none: the hub generates one, printed once)");
        var cmd = new Command("password", "Set or reset a user's web UI password; ends its web sessions") { name, passwordFile };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var body = new JsonObject();
            if (pr.GetValue(passwordFile) is { } file)
            {
                body["password"] = ReadPassword(file);
            }

            using var hub = new HubClient(HubLogin.Resolve());
            var set = await hub.PostAsync($"/api/v1/users/{Uri.EscapeDataString(pr.GetValue(name)!)}/password", body, $"set the password of '{pr.GetValue(name)}'", ct);
            if (set?["password"]?.ToString() is { Length: > 0 } generated)
            {
                Console.WriteLine($"new web UI password of {pr.GetValue(name)}; shown once:");
                Console.WriteLine(generated);
            }
            else
            {
                Console.WriteLine($"{pr.GetValue(name)} has a new password");
            }

            return 0;
        });
        return cmd;
    }

    private static Option<string> RoleOption()
    {
        var role = new Option<string>("--role") { Description = "view (read), manage (firmware, deployments, devices) or admin (also users, keys, trust)", Required = true };
        role.AcceptOnlyFromAmong("view", "manage", "admin");
        return role;
    }

    /// <summary>A password comes from a file, never from the command line (argv ends up in the shell history).</summary>
    private static Option<string?> PasswordFileOption(string description) => new("--password-file") { Description = description };

    private static string ReadPassword(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliFailure($"--password-file {file}: cannot read it ({ex.Message}); give a file whose first line is the password", 2);
        }

        var password = text.Split('\n')[0].TrimEnd('\r');
        return password.Length > 0 ? password : throw new CliFailure($"--password-file {file}: the first line is empty; write the password on it", 2);
    }

    private static string Expiry(JsonNode? token) => token?["expiresAt"] is { } at ? Time(token, "expiresAt") : "never";

    private static string Time(JsonNode? node, string field) =>
        node?[field] is { } value && DateTimeOffset.TryParse(value.ToString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t)
            ? t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture)
            : "never";
}
