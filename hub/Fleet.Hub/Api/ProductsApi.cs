using Fleet.Hub.Accounts;
using Fleet.Hub.Products;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleet.Hub.Api;

internal static class ProductsApi
{
    public static RouteGroupBuilder MapProductsApi(this RouteGroupBuilder api)
    {
        var products = api.MapGroup("/products").WithTags("Products");
        products.MapGet("/", async (ProductCatalog catalog, CancellationToken ct) =>
            TypedResults.Ok((await catalog.ListAsync(ct)).Select(ProductView.Of))).Requires(HubAction.ViewFleet);

        products.MapPost("/", async Task<Results<Created<ProductView>, ProblemHttpResult>> (CreateProductRequest body, HttpContext http, ProductCatalog catalog, CancellationToken ct) =>
        {
            var created = await catalog.CreateAsync(http.Actor(), body.Name, body.Description, ct);
            return created.Ok ? TypedResults.Created($"/api/v1/products/{created.Value.Name}", ProductView.Of(created.Value)) : ApiAccess.Problem(created.Failure);
        }).Requires(HubAction.CreateProduct);
        return api;
    }
}
