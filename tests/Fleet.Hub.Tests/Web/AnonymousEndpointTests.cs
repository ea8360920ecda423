using System.Net;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Web;

/// <summary>Default deny: every endpoint the hub maps refuses an anonymous request unless it carries AllowAnonymous,
/// and every one that does is named in docs/hub.md.</summary>
public abstract class AnonymousEndpointTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : AnonymousEndpointTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : AnonymousEndpointTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public void The_hub_maps_the_endpoints_the_sweep_relies_on()
    {
        // If composition in this process lost a data source, the sweep below would pass on too little.
        var patterns = HubEndpoints.All.Select(e => e.RoutePattern.RawText).ToHashSet();
        Assert.Contains("/api/v1/devices/{serial}/revoke", patterns);
        Assert.Contains("/metrics", patterns);
        Assert.Contains("/account/signin", patterns);
        Assert.Contains("/devices/{Serial}", patterns);
        Assert.Contains("/users", patterns);
        Assert.Contains(HubEndpoints.All, HubEndpoints.IsStaticAsset);
    }

    [Fact]
    public async Task Every_endpoint_without_an_anonymous_marker_refuses_an_anonymous_request()
    {
        using var browser = Hub.BrowserFrom(IPAddress.Loopback);
        var checkedCount = 0;
        var failures = new List<string>();
        foreach (var endpoint in HubEndpoints.All.Where(e => !HubEndpoints.IsAnonymous(e)))
        {
            var path = HubEndpoints.Path(endpoint);
            foreach (var method in HubEndpoints.Methods(endpoint))
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                }

                using var response = await browser.SendAsync(request);
                checkedCount++;
                if (!Refused(response))
                {
                    failures.Add($"{method} {path} ({endpoint.RoutePattern.RawText}, {endpoint.DisplayName}): {(int)response.StatusCode} {response.Headers.Location}");
                }
            }
        }

        Assert.True(failures.Count == 0, "served without authentication:\n" + string.Join('\n', failures));
        Assert.True(checkedCount > 40, $"only {checkedCount} requests checked");
    }

    [Fact]
    public void Every_anonymous_endpoint_is_listed_with_its_reason_in_docs_hub_md()
    {
        var doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "hub.md"));
        var anonymous = HubEndpoints.All.Where(HubEndpoints.IsAnonymous).ToList();
        var missing = anonymous.Where(e => !HubEndpoints.IsStaticAsset(e))
            .Select(e => e.RoutePattern.RawText!)
            .Where(p => !doc.Contains($"`{p}`", StringComparison.Ordinal))
            .Distinct()
            .ToList();
        Assert.True(missing.Count == 0, "anonymous but not in docs/hub.md: " + string.Join(", ", missing));
        Assert.Contains("MapStaticAssets", doc, StringComparison.Ordinal);

        // Static assets are only files of the UI build, never an API or a page.
        Assert.All(anonymous.Where(HubEndpoints.IsStaticAsset), e => Assert.DoesNotContain("/api", e.RoutePattern.RawText, StringComparison.Ordinal));
    }

    /// <summary>401 (the API's Bearer challenge) or a redirect to the sign-in page; never the resource.</summary>
    private bool Refused(HttpResponseMessage response)
    {
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return true;
        }

        return response.StatusCode is HttpStatusCode.Found or HttpStatusCode.Redirect or HttpStatusCode.SeeOther
            && response.Headers.Location is { } location
            && new Uri(new Uri(Hub.Url), location).AbsolutePath == "/signin";
    }
}
