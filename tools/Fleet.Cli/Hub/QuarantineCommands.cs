using System.CommandLine;

namespace Fleet.Cli.Hub;

/// <summary><c>fleet firmware quarantine list [--product P] [--json] | clear VERSION|UUID [--product P]</c>.</summary>
internal static class QuarantineCommands
{
    public static Command Build()
    {
        var quarantine = new Command("quarantine", "Releases the hub offers to no device because they failed on too many (docs/ota.md)");
        quarantine.Subcommands.Add(List());
        quarantine.Subcommands.Add(Clear());
        return quarantine;
    }

    private static Command List()
    {
        var product = new Option<string?>("--product") { Description = "Only this product" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("list", "List quarantined releases and why") { product, json };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            using var hub = new HubClient(HubLogin.Resolve());
            var p = pr.GetValue(product);
            var list = await hub.GetAsync(p is null ? "/api/v1/firmware/quarantine" : $"/api/v1/firmware/quarantine?product={Uri.EscapeDataString(p)}",
                "list quarantined releases", ct);
            if (pr.GetValue(json))
            {
                Console.WriteLine(HubClient.Pretty(list));
                return 0;
            }

            var any = false;
            foreach (var f in HubOutput.Items(list))
            {
                any = true;
                Console.WriteLine($"{HubOutput.S(f, "uuid")}  {HubOutput.S(f, "product"),-16} {HubOutput.S(f, "version"),-14} since {HubOutput.S(f, "quarantinedAt")}  {HubOutput.S(f, "reason")}");
            }

            if (!any)
            {
                Console.WriteLine("no release is quarantined");
            }

            return 0;
        });
        return cmd;
    }

    private static Command Clear()
    {
        var reference = new Argument<string>("VERSION|UUID") { Description = "The quarantined release" };
        var product = new Option<string?>("--product") { Description = "The product, when several have that version" };
        var cmd = new Command("clear", "Let a quarantined release be offered again (after fixing what made it fail)") { reference, product };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            using var hub = new HubClient(HubLogin.Resolve());
            var p = pr.GetValue(product);
            var path = $"/api/v1/firmware/{Uri.EscapeDataString(pr.GetValue(reference)!)}/quarantine" + (p is null ? "" : $"?product={Uri.EscapeDataString(p)}");
            var cleared = await hub.DeleteAsync(path, $"clear the quarantine of {pr.GetValue(reference)}", ct);
            Console.WriteLine($"cleared the quarantine of {HubOutput.S(cleared, "product")} {HubOutput.S(cleared, "version")} ({HubOutput.S(cleared, "uuid")}); the hub may offer it again");
            return 0;
        });
        return cmd;
    }
}
