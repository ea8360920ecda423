using Fleet.Hub.Products;

namespace Fleet.Hub.Api;

internal sealed record ProductView(string Name, string? Description, DateTimeOffset CreatedAt)
{
    public static ProductView Of(Product p) => new(p.Name, p.Description, p.CreatedAt);
}
