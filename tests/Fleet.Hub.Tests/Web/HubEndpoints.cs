using Fleet.Hub.Hosting;
using Fleet.Testing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Fleet.Hub.Tests.Web;

/// <summary>Every endpoint the hub maps, read from the endpoint data sources of an app composed in this process by
/// the hub's own composition (<see cref="HubServices.AddHub"/>, <see cref="HubServices.MapHub"/>), exactly as
/// Program.cs composes it; the app is never started.</summary>
internal static class HubEndpoints
{
    public static IReadOnlyList<RouteEndpoint> All { get; } = Compose();

    public static bool IsAnonymous(Endpoint endpoint) => endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;

    /// <summary>The endpoints MapStaticAssets made from the build's static web assets manifest (one per file and encoding).</summary>
    public static bool IsStaticAsset(Endpoint endpoint) =>
        endpoint.Metadata.Any(m => m.GetType().FullName == "Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor");

    public static IReadOnlyList<string> Methods(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } methods ? [.. methods] : ["GET"];

    /// <summary>The route template with a placeholder for each parameter ("1" where the route wants a number).</summary>
    public static string Path(RouteEndpoint endpoint)
    {
        var parts = new List<string>();
        foreach (var segment in endpoint.RoutePattern.PathSegments)
        {
            var text = string.Concat(segment.Parts.Select(part => part switch
            {
                RoutePatternLiteralPart literal => literal.Content,
                RoutePatternSeparatorPart separator => separator.Content,
                RoutePatternParameterPart parameter when parameter.ParameterPolicies.Any(p => p.Content is "int" or "long") => "1",
                RoutePatternParameterPart parameter when parameter.ParameterPolicies.Any(p => p.Content == "guid") => Guid.Empty.ToString(),
                RoutePatternParameterPart parameter when parameter.IsCatchAll => "x/y",
                RoutePatternParameterPart => "x",
                _ => throw new InvalidOperationException($"unknown route part {part} in {endpoint.RoutePattern.RawText}"),
            }));
            parts.Add(text);
        }

        return "/" + string.Join('/', parts);
    }

    private static List<RouteEndpoint> Compose()
    {
        using var data = new TempDir("fleet-endpoints");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = "Fleet.Hub",
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        var options = builder.AddHub(["--data-dir", data.Path, "--http-port", "1", "--mqtt-port", "2"]);
        var app = builder.Build();
        app.MapHub(options);
        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().ToList();
        ((IDisposable)app).Dispose();
        return endpoints;
    }
}
