using System.CommandLine;
using System.Text.Json.Nodes;

namespace Fleet.Cli.Hub;

/// <summary><c>fleet deployment create|list|show|update</c>.</summary>
internal static class DeploymentCommands
{
    public static Command Build()
    {
        var deployment = new Command("deployment", "Deployment groups: which devices get which firmware");
        deployment.Subcommands.Add(Create());
        deployment.Subcommands.Add(List());
        deployment.Subcommands.Add(Show());
        deployment.Subcommands.Add(Update());
        deployment.Subcommands.Add(ClearPenalty());
        return deployment;
    }

    private sealed record GroupOptions(
        Option<string[]> Tags, Option<string?> TagMatch, Option<string?> Requirement, Option<int?> MaxConcurrent, Option<int?> FailureThreshold, Option<string?> Soak, Option<int?> QuarantineAfter, Option<string?> Window, Option<bool> Json)
    {
        public static GroupOptions Create() => new(
            new Option<string[]>("--tag") { Description = "Target devices with this tag (repeat)" },
            new Option<string?>("--tag-match") { Description = "all (default): a device needs every tag; any: one is enough" },
            new Option<string?>("--version-requirement") { Description = "SemVer range the device's current version must meet, e.g. '>=1.2.0 <2.0.0'" },
            new Option<int?>("--max-concurrent") { Description = "Devices updating at once (default 10)" },
            new Option<int?>("--failure-threshold") { Description = "Pause the group when this percentage of updates fail (default 20)" },
            new Option<string?>("--soak") { Description = "After committing, a device must stay connected and healthy this long before its update counts as a success, e.g. 30m; 'off' (default) turns it off" },
            new Option<int?>("--quarantine-after") { Description = "Quarantine the release once this many devices rolled it back or failed its soak (default 2; 0: never)" },
            new Option<string?>("--window") { Description = "Start new updates only in this daily window, e.g. '02:00-05:00 Europe/Berlin' (IANA zone); 'off' removes it" },
            new Option<bool>("--json") { Description = "Print JSON" });

        public void AddTo(Command c)
        {
            c.Options.Add(Tags);
            c.Options.Add(TagMatch);
            c.Options.Add(Requirement);
            c.Options.Add(MaxConcurrent);
            c.Options.Add(FailureThreshold);
            c.Options.Add(Soak);
            c.Options.Add(QuarantineAfter);
            c.Options.Add(Window);
            c.Options.Add(Json);
        }

        public void Fill(JsonObject body, ParseResult pr)
        {
            if (pr.GetValue(Tags) is { Length: > 0 } tags)
            {
                body["tags"] = HubOutput.Strings(tags);
            }

            body["tagMatch"] = pr.GetValue(TagMatch);
            body["versionRequirement"] = pr.GetValue(Requirement);
            body["maxConcurrent"] = pr.GetValue(MaxConcurrent);
            body["failureThresholdPercent"] = pr.GetValue(FailureThreshold);
            body["quarantineAfter"] = pr.GetValue(QuarantineAfter);
            if (pr.GetValue(Window) is { } window)
            {
                // The hub validates the window (one message for a bad time or an unknown zone); "off" removes it.
                body["window"] = window.Trim() is "off" or "" ? "" : window;
            }

            if (pr.GetValue(Soak) is { } soak)
            {
                body["soakSeconds"] = SoakDuration.Seconds(soak);
            }
        }
    }

    private static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "Group name, e.g. production" };
        var product = new Option<string>("--product") { Description = "Product of the devices and firmware", Required = true };
        var firmware = new Option<string>("--firmware") { Description = "Firmware uuid or version", Required = true };
        var paused = new Option<bool>("--paused") { Description = "Create the group paused" };
        var options = GroupOptions.Create();
        var cmd = new Command("create", "Create a deployment group") { name, product, firmware, paused };
        options.AddTo(cmd);
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var body = new JsonObject { ["name"] = pr.GetValue(name), ["product"] = pr.GetValue(product), ["firmware"] = pr.GetValue(firmware), ["paused"] = pr.GetValue(paused) };
            options.Fill(body, pr);
            using var hub = new HubClient(HubLogin.Resolve());
            var group = await hub.PostAsync("/api/v1/deployments", body, $"create deployment group '{pr.GetValue(name)}'", ct);
            Print(group, pr.GetValue(options.Json), "created");
            return 0;
        });
        return cmd;
    }

    private static Command List()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("list", "List deployment groups") { json };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            using var hub = new HubClient(HubLogin.Resolve());
            var groups = await hub.GetAsync("/api/v1/deployments", "list deployment groups", ct);
            if (pr.GetValue(json))
            {
                Console.WriteLine(HubClient.Pretty(groups));
                return 0;
            }

            foreach (var g in HubOutput.Items(groups))
            {
                Console.WriteLine($"{HubOutput.S(g, "name"),-20} {HubOutput.S(g, "product"),-16} {HubOutput.S(g, "firmwareVersion"),-14} {(HubOutput.S(g, "paused") == "true" ? "paused" : "active")}");
            }

            return 0;
        });
        return cmd;
    }

    private static Command Show()
    {
        var name = new Argument<string>("NAME");
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("show", "Show a deployment group, its release history and rollout progress") { name, json };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            using var hub = new HubClient(HubLogin.Resolve());
            var path = $"/api/v1/deployments/{Uri.EscapeDataString(pr.GetValue(name)!)}";
            var group = await hub.GetAsync(path, $"show deployment group '{pr.GetValue(name)}'", ct);
            var progress = await hub.GetAsync(path + "/progress", $"show the rollout of '{pr.GetValue(name)}'", ct);
            if (pr.GetValue(json))
            {
                if (group is JsonObject o)
                {
                    o["progress"] = progress?.DeepClone();
                }

                Console.WriteLine(HubClient.Pretty(group));
                return 0;
            }

            Print(group, false, null);
            PrintProgress(progress);
            return 0;
        });
        return cmd;
    }

    private static Command Update()
    {
        var name = new Argument<string>("NAME");
        var firmware = new Option<string?>("--firmware") { Description = "New firmware uuid or version (adds a release)" };
        var pause = new Option<bool>("--pause") { Description = "Stop starting new updates" };
        var resume = new Option<bool>("--resume") { Description = "Start updates again" };
        var options = GroupOptions.Create();
        var cmd = new Command("update", "Change a deployment group") { name, firmware, pause, resume };
        options.AddTo(cmd);
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            if (pr.GetValue(pause) && pr.GetValue(resume))
            {
                throw new CliFailure("--pause and --resume contradict each other; give one");
            }

            var body = new JsonObject { ["firmware"] = pr.GetValue(firmware) };
            options.Fill(body, pr);
            if (pr.GetValue(pause) || pr.GetValue(resume))
            {
                body["paused"] = pr.GetValue(pause);
            }

            using var hub = new HubClient(HubLogin.Resolve());
            var group = await hub.PatchAsync($"/api/v1/deployments/{Uri.EscapeDataString(pr.GetValue(name)!)}", body, $"update deployment group '{pr.GetValue(name)}'", ct);
            Print(group, pr.GetValue(options.Json), "updated");
            return 0;
        });
        return cmd;
    }

    private static Command ClearPenalty()
    {
        var serial = new Argument<string>("SERIAL") { Description = "Device to let out of the penalty box" };
        var cmd = new Command("clear-penalty", "Let a device that failed repeatedly take updates again now") { serial };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            using var hub = new HubClient(HubLogin.Resolve());
            await hub.DeleteAsync($"/api/v1/devices/{Uri.EscapeDataString(pr.GetValue(serial)!)}/penalty-box", $"clear the penalty box of '{pr.GetValue(serial)}'", ct);
            Console.WriteLine($"device {pr.GetValue(serial)} may take updates again");
            return 0;
        });
        return cmd;
    }

    private static void PrintProgress(JsonNode? p)
    {
        var c = p?["counts"];
        Console.WriteLine($"rollout:             {HubOutput.S(p, "firmwareVersion")}: {HubOutput.S(c, "committed")}/{HubOutput.S(c, "targeted")} committed, " +
            $"{HubOutput.S(c, "inFlight")} in flight, {HubOutput.S(c, "pending")} pending, {HubOutput.S(c, "failed")} failed, " +
            $"{HubOutput.S(c, "soaking")} soaking, {HubOutput.S(c, "rolledBack")} rolled back, {HubOutput.S(c, "penaltyBox")} in the penalty box");
        if (HubOutput.S(p, "window") is { Length: > 0 } window)
        {
            Console.WriteLine(HubOutput.S(p, "windowOpen") == "true"
                ? $"window now:          {window}: open, new updates may start"
                : $"window now:          {window}: closed, no new update starts before {HubOutput.S(p, "windowOpensAt")}; updates under way go on");
        }

        if (HubOutput.S(p, "quarantine") is { Length: > 0 } held)
        {
            Console.WriteLine($"release {held}");
            Console.WriteLine("                     offered to no device; see 'fleet firmware quarantine list', clear with 'fleet firmware quarantine clear VERSION'");
        }

        if (HubOutput.S(p, "pauseReason") is { Length: > 0 } why)
        {
            Console.WriteLine($"paused because:      {why}");
        }

        foreach (var d in HubOutput.Items(p?["devices"]))
        {
            var stage = HubOutput.S(d, "status") == "in_flight"
                ? $" {HubOutput.S(d, "stage")}{(d["progress"] is { } pct ? $" {pct.GetValue<double>() * 100:0}%" : "")}"
                : "";
            if (HubOutput.S(d, "status") == "soaking")
            {
                stage = HubOutput.S(d, "soakNote") is { Length: > 0 } note
                    ? $" ({note})"
                    : $" {SoakDuration.Left(d["soakRemainingSeconds"]?.GetValue<double>() ?? 0)} left";
            }

            var failure = HubOutput.S(d, "failure") is { Length: > 0 } kind && HubOutput.S(d, "status") != "soaking" ? $" [{kind}]" : "";
            var reason = HubOutput.S(d, "reason") is { Length: > 0 } r ? $"{failure} ({r})" : failure;
            Console.WriteLine($"  {HubOutput.S(d, "serial"),-20} {HubOutput.S(d, "status"),-12}{stage} running {HubOutput.S(d, "currentVersion")}{reason}");
        }
    }

    private static void Print(JsonNode? g, bool json, string? verb)
    {
        if (json)
        {
            Console.WriteLine(HubClient.Pretty(g));
            return;
        }

        if (verb is not null)
        {
            Console.WriteLine($"{verb} deployment group {HubOutput.S(g, "name")}");
        }

        Console.WriteLine($"name:                {HubOutput.S(g, "name")}");
        Console.WriteLine($"product:             {HubOutput.S(g, "product")}");
        Console.WriteLine($"firmware:            {HubOutput.S(g, "firmwareVersion")} ({HubOutput.S(g, "firmwareUuid")})");
        Console.WriteLine($"tags:                {HubOutput.S(g, "tagMatch")} of [{HubOutput.List(g, "tags")}]");
        Console.WriteLine($"version requirement: {(HubOutput.S(g, "versionRequirement") is { Length: > 0 } req ? req : "any")}");
        Console.WriteLine($"max concurrent:      {HubOutput.S(g, "maxConcurrent")}");
        Console.WriteLine($"failure threshold:   {HubOutput.S(g, "failureThresholdPercent")}%");
        Console.WriteLine($"soak:                {SoakDuration.Format(g?["soakSeconds"]?.GetValue<int>() ?? 0)}");
        Console.WriteLine($"window:              {(HubOutput.S(g, "window") is { Length: > 0 } w ? w : "any time")}");
        Console.WriteLine($"quarantine after:    {(HubOutput.S(g, "quarantineAfter") is "0" ? "never" : $"{HubOutput.S(g, "quarantineAfter")} devices")}");
        Console.WriteLine($"paused:              {HubOutput.S(g, "paused")}");
        foreach (var r in HubOutput.Items(g?["releases"]))
        {
            Console.WriteLine($"release:             {HubOutput.S(r, "createdAt")} {HubOutput.S(r, "firmwareVersion")} by {HubOutput.S(r, "actor")}");
        }
    }
}
