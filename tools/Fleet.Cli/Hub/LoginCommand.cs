using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using Fleet.Cli.Keys;

namespace Fleet.Cli.Hub;

/// <summary><c>fleet login --hub URL [--token-file FILE] [--ca-cert FILE]</c>: checks the token against the hub, then
/// stores it. The token never comes from the command line (argv is visible to every user in <c>ps</c> and ends up in
/// the shell history): it is read from <c>--token-file</c> (mode 0600), else from <c>FLEET_TOKEN</c>, else asked for
/// without echo when stdin is a terminal. The old <c>--token T</c> is refused with that advice.</summary>
internal static class LoginCommand
{
    public const string TokenVariable = "FLEET_TOKEN";

    public static Command Build()
    {
        var hub = new Option<string>("--hub") { Description = "Hub address, e.g. https://127.0.0.1:5443", Required = true };
        var tokenFile = new Option<string?>("--token-file")
        {
            Description = "File holding the API token, readable only by you (chmod 600); e.g. the hub's DATA/admin-token. " +
                "Without it the token comes from FLEET_TOKEN, or is asked for (not echoed) in a terminal",
        };
        var removed = new Option<string?>("--token") { Description = "Removed: a token in argv leaks to ps and the shell history", Hidden = true };
        var ca = new Option<string?>("--ca-cert") { Description = "Pin the CA that signed the hub's server certificate (DATA/hub-ca.crt of a dev hub)" };
        var cmd = new Command("login", "Store the hub address and API token for the other commands (token from --token-file, FLEET_TOKEN or a prompt; never from argv)")
        {
            hub, tokenFile, removed, ca,
        };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            if (pr.GetResult(removed) is not null)
            {
                throw new CliFailure("--token was removed: a token on the command line is visible in ps and the shell history; " +
                    $"pass --token-file FILE (chmod 600), set {TokenVariable}, or run 'fleet login --hub URL' in a terminal to be asked for it");
            }

            var token = ReadToken(pr.GetValue(tokenFile));
            var caPath = pr.GetValue(ca);
            var login = new HubLogin(pr.GetValue(hub)!.TrimEnd('/'), token, caPath is null ? null : HubLogin.ReadCa(caPath, "--ca-cert"));
            using var client = new HubClient(login);
            var me = await client.GetAsync("/api/v1/whoami", "check the token", ct);
            login.Save();
            var roles = me?["roles"] is JsonArray r ? string.Join(',', r.Select(x => x?.ToString())) : "";
            Console.WriteLine($"logged in to {login.Hub} as {HubOutput.S(me, "name")} (roles: {roles}); saved in {CliPaths.HubLogin}");
            return 0;
        });
        return cmd;
    }

    private static string ReadToken(string? file)
    {
        string token;
        string from;
        if (file is not null)
        {
            token = PrivateKeyMode.ReadPrivate(file, "token file", "(if others could have read it, revoke the token on the hub and make a new one)").Trim();
            from = $"--token-file {file}";
        }
        else if (Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } variable)
        {
            token = variable.Trim();
            from = TokenVariable;
        }
        else if (!Console.IsInputRedirected)
        {
            token = Prompt("API token: ");
            from = "the prompt";
        }
        else
        {
            throw new CliFailure($"no API token: pass --token-file FILE (chmod 600), set {TokenVariable}, or run 'fleet login' in a terminal to be asked for it");
        }

        if (token.Length == 0 || token.Any(char.IsWhiteSpace))
        {
            throw new CliFailure($"the token from {from} is {(token.Length == 0 ? "empty" : "not one word")}; an API token looks like fleet_...");
        }

        return token;
    }

    /// <summary>Reads a line from the terminal without echoing it.</summary>
    private static string Prompt(string prompt)
    {
        Console.Error.Write(prompt);
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }

                continue;
            }

            if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return text.ToString().Trim();
    }
}
