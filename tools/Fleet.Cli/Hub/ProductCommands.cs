using System.CommandLine;
using System.Text.Json.Nodes;

namespace Fleet.Cli.Hub;

/// <summary><c>fleet product create NAME [--description D] | list [--json]</c>.</summary>
internal static class ProductCommands
{
    public static Command Build()
    {
        var product = new Command("product", "Products on the hub (every device, key and firmware belongs to one)");

        var name = new Argument<string>("NAME") { Description = "Product name, e.g. algae-tank" };
        var description = new Option<string?>("--description") { Description = "What the product is" };
        var create = new Command("create", "Create a product") { name, description };
        create.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            using var hub = new HubClient(HubLogin.Resolve());
            var created = await hub.PostAsync("/api/v1/products", new JsonObject { ["name"] = pr.GetValue(name), ["description"] = pr.GetValue(description) }, $"create product '{pr.GetValue(name)}'", ct);
            Console.WriteLine($"created product {HubOutput.S(created, "name")}");
            return 0;
        });
        product.Subcommands.Add(create);

        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var list = new Command("list", "List products") { json };
        list.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            using var hub = new HubClient(HubLogin.Resolve());
            var products = await hub.GetAsync("/api/v1/products", "list products", ct);
            if (pr.GetValue(json))
            {
                Console.WriteLine(HubClient.Pretty(products));
                return 0;
            }

            foreach (var p in HubOutput.Items(products))
            {
                Console.WriteLine($"{HubOutput.S(p, "name"),-24} {HubOutput.S(p, "description")}");
            }

            return 0;
        });
        product.Subcommands.Add(list);
        return product;
    }
}
