using System.CommandLine;
using System.Net.Http.Headers;
using Fleet.Protocol.Bundles;

namespace Fleet.Cli.Hub;

/// <summary><c>fleet firmware publish F.fwb [--product P] | list [--product P] [--json] | delete UUID | quarantine list|clear</c>.</summary>
internal static class FirmwareHubCommands
{
    public static IEnumerable<Command> Build()
    {
        yield return Publish();
        yield return List();
        yield return Delete();
        yield return PermitDowngradeCommand.Build();
        yield return QuarantineCommands.Build();
    }

    private static Command Publish()
    {
        var file = new Argument<string>("F.fwb") { Description = "A signed bundle" };
        var product = new Option<string?>("--product") { Description = "Product to publish to (default: the manifest's product)" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("publish", "Upload a signed bundle to the hub, which verifies it against the product's keys") { file, product, json };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var path = pr.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new CliFailure($"no bundle at {path}; create one with 'fleet firmware create' and sign it");
            }

            var productName = pr.GetValue(product);
            if (productName is null)
            {
                // Only to learn the product name; the hub verifies everything itself.
                var inspected = BundleVerifier.Inspect(path);
                productName = inspected.Manifest?.Product
                    ?? throw new CliFailure($"cannot read {path} as a bundle ({inspected.Failure}): {inspected.Message}");
            }

            using var hub = new HubClient(HubLogin.Resolve());
            var size = new FileInfo(path).Length;
            var stored = await ConsoleProgress.RunAsync($"upload {Path.GetFileName(path)}", size, async progress =>
            {
                await using var input = File.OpenRead(path);
                var content = new StreamContent(new ProgressStream(input, progress), 1 << 16);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                content.Headers.ContentLength = size;
                var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/firmware?product={Uri.EscapeDataString(productName)}") { Content = content };
                return await hub.SendAsync(request, $"publish {path}", ct);
            });
            if (pr.GetValue(json))
            {
                Console.WriteLine(HubClient.Pretty(stored));
            }
            else
            {
                Console.WriteLine($"published {HubOutput.S(stored, "product")} {HubOutput.S(stored, "version")} as {HubOutput.S(stored, "uuid")} (signed by {HubOutput.List(stored, "signedBy")})");
            }

            return 0;
        });
        return cmd;
    }

    private static Command List()
    {
        var product = new Option<string?>("--product") { Description = "Only this product" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("list", "List firmware stored on the hub") { product, json };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            using var hub = new HubClient(HubLogin.Resolve());
            var p = pr.GetValue(product);
            var list = await hub.GetAsync(p is null ? "/api/v1/firmware" : $"/api/v1/firmware?product={Uri.EscapeDataString(p)}", "list firmware", ct);
            if (pr.GetValue(json))
            {
                Console.WriteLine(HubClient.Pretty(list));
                return 0;
            }

            foreach (var f in HubOutput.Items(list))
            {
                Console.WriteLine($"{HubOutput.S(f, "uuid")}  {HubOutput.S(f, "product"),-16} {HubOutput.S(f, "version"),-14} {HubOutput.S(f, "platform")}/{HubOutput.S(f, "architecture")}  {HubOutput.S(f, "payloadSize")} bytes");
            }

            return 0;
        });
        return cmd;
    }

    private static Command Delete()
    {
        var uuid = new Argument<string>("UUID") { Description = "Firmware uuid from 'fleet firmware list'" };
        var cmd = new Command("delete", "Delete firmware from the hub (refused while a deployment group uses it)") { uuid };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            using var hub = new HubClient(HubLogin.Resolve());
            var deleted = await hub.DeleteAsync($"/api/v1/firmware/{Uri.EscapeDataString(pr.GetValue(uuid)!)}", $"delete firmware {pr.GetValue(uuid)}", ct);
            Console.WriteLine($"deleted {HubOutput.S(deleted, "product")} {HubOutput.S(deleted, "version")} ({HubOutput.S(deleted, "uuid")})");
            return 0;
        });
        return cmd;
    }
}
