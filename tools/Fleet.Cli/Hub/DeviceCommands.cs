using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Fleet.Cli.Hub;

/// <summary><c>fleet device provision|list|show|revoke|reboot|identify</c>.</summary>
internal static class DeviceCommands
{
    public static Command Build()
    {
        var device = new Command("device", "Devices: provision, inspect, revoke, command, burn SD cards");
        device.Subcommands.Add(Provision());
        device.Subcommands.Add(List());
        device.Subcommands.Add(Show());
        device.Subcommands.Add(Simple("revoke", "Revoke a device's certificate and disconnect it at once", "revoke"));
        device.Subcommands.Add(Simple("reboot", "Ask a connected device to reboot", "reboot"));
        device.Subcommands.Add(Simple("identify", "Ask a connected device to identify itself (blink)", "identify"));
        return device;
    }

    private static Command Provision()
    {
        var serial = new Argument<string>("SERIAL") { Description = "Device serial; becomes the certificate CN and MQTT client id" };
        var product = new Option<string>("--product") { Description = "Product of the device", Required = true };
        var tags = new Option<string[]>("--tag") { Description = "Device tag (repeat)" };
        var output = new Option<string>("--output") { Description = "Directory for device.crt, device.key, ca.crt, hub.json, trusted-keys/, trust/", Required = true };
        var pin = Trust.TrustAnchor.Option("SHA-256 of the product's root.json as 'fleet trust show' prints it on the machine that holds the trust copy (needed here when this machine has none)");
        var cmd = new Command("provision", "Create the device key here, have the hub sign its certificate, and write the provisioning folder") { serial, product, tags, output, pin };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var dir = Path.GetFullPath(pr.GetValue(output)!);
            var s = pr.GetValue(serial)!;
            using var hub = new HubClient(HubLogin.Resolve());
            var provisioned = await DeviceProvisioning.ProvisionAsync(hub, s, pr.GetValue(product)!, pr.GetValue(tags) ?? [], dir, pr.GetValue(pin), ct);

            Console.WriteLine($"provisioned {s} for product {pr.GetValue(product)} into {dir}");
            Console.WriteLine($"  device.crt, device.key (0600), ca.crt, hub.json ({provisioned.MqttHost}:{provisioned.MqttPort}), trusted-keys/ ({provisioned.TrustedKeys} key(s))"
                + (provisioned.HasTrustMetadata ? ", trust/ (root.json, targets.json, membership.json)" : ""));
            if (provisioned.TrustedKeys == 0 && !provisioned.HasTrustMetadata)
            {
                Console.WriteLine($"  note: product {pr.GetValue(product)} has no registered signing keys yet, so this device trusts no firmware; register one and provision again");
            }

            return 0;
        });
        return cmd;
    }

    private static Command List()
    {
        var product = new Option<string?>("--product") { Description = "Only this product" };
        var group = new Option<string?>("--group") { Description = "Only devices this deployment group targets" };
        var serial = new Option<string?>("--serial") { Description = "Only serials starting with this" };
        var tag = new Option<string?>("--tag") { Description = "Only devices with this tag" };
        var version = new Option<string?>("--version") { Description = "Only devices running this firmware version" };
        var online = new Option<bool>("--online") { Description = "Only devices online now" };
        var offline = new Option<bool>("--offline") { Description = "Only devices offline now" };
        var state = new Option<string?>("--state") { Description = "Only devices in this tank state (growing, alarm, fault, ...)" };
        var limit = new Option<int?>("--limit") { Description = "Devices per page (default 100, at most 1000)" };
        var all = new Option<bool>("--all") { Description = "Every page, not just the first" };
        var cursor = new Option<string?>("--cursor") { Description = "Start at this page (the cursor a previous list printed)" };
        var json = new Option<bool>("--json") { Description = "Print JSON (one array; with --all, of every page)" };
        var cmd = new Command("list", "List devices, a page at a time, in serial order") { product, group, serial, tag, version, online, offline, state, limit, all, cursor, json };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            if (pr.GetValue(online) && pr.GetValue(offline))
            {
                throw new CliFailure("--online and --offline exclude each other; give one of them, or neither for both");
            }

            var query = new List<string>();
            void Add(string name, string? value)
            {
                if (value is not null)
                {
                    query.Add($"{name}={Uri.EscapeDataString(value)}");
                }
            }

            Add("product", pr.GetValue(product));
            Add("group", pr.GetValue(group));
            Add("serial", pr.GetValue(serial));
            Add("tag", pr.GetValue(tag));
            Add("version", pr.GetValue(version));
            Add("online", pr.GetValue(online) ? "true" : pr.GetValue(offline) ? "false" : null);
            Add("state", pr.GetValue(state));
            Add("limit", pr.GetValue(limit)?.ToString(System.Globalization.CultureInfo.InvariantCulture));

            using var hub = new HubClient(HubLogin.Resolve());
            var collected = new JsonArray();
            var next = pr.GetValue(cursor);
            do
            {
                var page = query.Concat(next is null ? [] : [$"cursor={Uri.EscapeDataString(next)}"]).ToList();
                (var devices, next) = await hub.GetPageAsync("/api/v1/devices" + (page.Count > 0 ? "?" + string.Join('&', page) : ""), "list devices", ct);
                foreach (var d in HubOutput.Items(devices))
                {
                    if (pr.GetValue(json))
                    {
                        collected.Add(d?.DeepClone());
                        continue;
                    }

                    var shown = HubOutput.S(d, "revoked") == "true" ? "revoked" : HubOutput.S(d, "online") == "true" ? "online" : "offline";
                    Console.WriteLine($"{HubOutput.S(d, "serial"),-20} {HubOutput.S(d, "product"),-16} {shown,-8} {HubOutput.S(d, "firmwareVersion"),-12} [{HubOutput.List(d, "tags")}]");
                }
            }
            while (next is not null && pr.GetValue(all));

            if (pr.GetValue(json))
            {
                Console.WriteLine(HubClient.Pretty(collected));
            }
            else if (next is not null)
            {
                Console.WriteLine($"more: fleet device list … --cursor {next} (or --all)");
            }

            return 0;
        });
        return cmd;
    }

    private static Command Show()
    {
        var serial = new Argument<string>("SERIAL");
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("show", "Show one device") { serial, json };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            using var hub = new HubClient(HubLogin.Resolve());
            var d = await hub.GetAsync($"/api/v1/devices/{Uri.EscapeDataString(pr.GetValue(serial)!)}", $"show device '{pr.GetValue(serial)}'", ct);
            if (pr.GetValue(json))
            {
                Console.WriteLine(HubClient.Pretty(d));
                return 0;
            }

            foreach (var field in new[] { "serial", "product", "online", "revoked", "lastSeen", "firmwareVersion", "firmwareUuid", "activeSlot", "tankState", "uptimeSeconds", "certificateFingerprint", "certificateNotAfter" })
            {
                Console.WriteLine($"{field + ":",-24}{HubOutput.S(d, field)}");
            }

            Console.WriteLine($"{"tags:",-24}{HubOutput.List(d, "tags")}");
            return 0;
        });
        return cmd;
    }

    private static Command Simple(string name, string description, string action)
    {
        var serial = new Argument<string>("SERIAL");
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command(name, description) { serial, json };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var s = pr.GetValue(serial)!;
            using var hub = new HubClient(HubLogin.Resolve());
            var answer = await hub.PostAsync($"/api/v1/devices/{Uri.EscapeDataString(s)}/{action}", null, $"{action} device '{s}'", ct);
            if (pr.GetValue(json))
            {
                Console.WriteLine(HubClient.Pretty(answer));
            }
            else if (action == "revoke")
            {
                Console.WriteLine($"revoked {s}; it is disconnected and can no longer connect");
            }
            else
            {
                Console.WriteLine($"{s} answered {action}: {(HubOutput.S(answer, "ok") == "true" ? "ok" : "failed")} {HubOutput.S(answer, "detail")}{HubOutput.S(answer, "error")}".TrimEnd());
            }

            return 0;
        });
        return cmd;
    }
}
