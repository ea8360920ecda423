using Fleet.Hub.Accounts;
using Fleet.Hub.Api;
using Fleet.Hub.Hosting;
using Fleet.Testing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Routing;

namespace Fleet.Hub.Tests.Accounts;

/// <summary>The API's endpoints, read from the app's own endpoint data sources, all decide through the one permission
/// table: each names a <see cref="HubAction"/> whose policy is <see cref="Permissions.Allows"/>.</summary>
public sealed class PermissionTableTests
{
    [Fact]
    public async Task Every_API_endpoint_names_an_action_of_the_permission_table()
    {
        using var dir = new TempDir();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = "Fleet.Hub", ContentRootPath = AppContext.BaseDirectory });
        var options = builder.AddHub(["--data-dir", dir.Path, "--http-port", FreePort.Next().ToString(), "--mqtt-port", FreePort.Next().ToString()]);
        await using var app = builder.Build();
        app.MapHub(options);

        var api = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true).ToList();

        Assert.True(api.Count > 30, $"only {api.Count} API endpoints found");
        Assert.All(api, e =>
        {
            var required = e.Metadata.GetMetadata<RequiredRole>();
            Assert.True(required is not null, $"{e.RoutePattern.RawText} names no action of the permission table");
            Assert.Equal(Permissions.RoleFor(required.Action), required.Role);
            Assert.Contains(e.Metadata.GetOrderedMetadata<IAuthorizeData>(), a => a.Policy == Permissions.PolicyFor(required.Action));
        });
        Assert.Contains(api, e => e.Metadata.GetMetadata<RequiredRole>()!.Action == HubAction.ManageUsers);
        Assert.Contains(api, e => e.Metadata.GetMetadata<RequiredRole>()!.Action == HubAction.UploadFirmware);
    }

    [Fact]
    public async Task The_policy_of_each_action_decides_as_the_table_does()
    {
        var services = new ServiceCollection().AddLogging().AddAuthorization(o => o.AddActionPolicies()).BuildServiceProvider();
        var authorization = services.GetRequiredService<IAuthorizationService>();
        foreach (var role in Roles.All)
        {
            var user = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
                Roles.Implied(role).Select(r => new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Role, r)), "test"));
            foreach (var action in Enum.GetValues<HubAction>())
            {
                var decided = await authorization.AuthorizeAsync(user, Permissions.PolicyFor(action));
                Assert.True(decided.Succeeded == Permissions.Allows(user, action), $"{role} {action}");
            }
        }
    }
}
