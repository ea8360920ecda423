using System.Security.Claims;
using Fleet.Hub.Accounts;
using Fleet.Hub.Audit;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Fleet.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Hub.Tests.Accounts;

/// <summary>The web UI's actions decide with the user as the directory holds it now: each refusal of
/// <see cref="AccountDirectory.AuthorizeSignedInAsync"/>, on the hub's own services and database.</summary>
public sealed class SignedInAuthorizationTests : IAsyncLifetime
{
    private readonly TempDir _dir = new("fleet-signed-in");
    private WebApplication _app = null!;
    private AccountDirectory _accounts = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = "Fleet.Hub", ContentRootPath = AppContext.BaseDirectory });
        var options = builder.AddHub(["--data-dir", _dir.Path, "--http-port", FreePort.Next().ToString(), "--mqtt-port", FreePort.Next().ToString()]);
        _app = builder.Build();
        _app.MapHub(options);
        await _app.PrepareAsync(options);
        _accounts = _app.Services.GetRequiredService<AccountDirectory>();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await _app.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_signed_in_manager_may_do_what_its_role_allows_and_nothing_more()
    {
        var kim = await SignInAsync("kim", Roles.Manage);

        var paused = await _accounts.AuthorizeSignedInAsync(kim, HubAction.PauseGroup, "deployment:production", auditRefusal: true, CancellationToken.None);
        Assert.True(paused.Ok);
        Assert.Equal(new Actor("kim"), paused.Value);

        var users = await _accounts.AuthorizeSignedInAsync(kim, HubAction.ManageUsers, "user:kim", auditRefusal: true, CancellationToken.None);
        Assert.Equal("role_required", users.Failure!.Code);
        Assert.Contains("needs role 'admin'", users.Failure.Message);
        Assert.Equal(["action=ManageUsers needs role admin"], await RefusalsAsync("kim"));
    }

    [Fact]
    public async Task A_session_from_before_a_role_change_can_do_nothing_more()
    {
        var kim = await SignInAsync("kim", Roles.Manage);
        Assert.True((await _accounts.SetRoleAsync(Actor.Hub, "kim", Roles.View, CancellationToken.None)).Ok);

        var refused = await _accounts.AuthorizeSignedInAsync(kim, HubAction.PauseGroup, "deployment:production", auditRefusal: true, CancellationToken.None);

        Assert.Equal("session_ended", refused.Failure!.Code);
        // Named by the user id the session carried, not by the name in its claims (that name may be someone else's now).
        Assert.Equal(["action=PauseGroup the session no longer matches an enabled user"], await RefusalsAsync($"ended-session:{kim.FindFirstValue(ClaimTypes.NameIdentifier)}"));
        Assert.Empty(await RefusalsAsync("kim"));
        var again = await PrincipalOfAsync("kim");
        Assert.Equal("role_required", (await _accounts.AuthorizeSignedInAsync(again, HubAction.PauseGroup, "deployment:production", auditRefusal: false, CancellationToken.None)).Failure!.Code);
        Assert.True((await _accounts.AuthorizeSignedInAsync(again, HubAction.ViewFleet, "fleet", auditRefusal: false, CancellationToken.None)).Ok);
    }

    [Fact]
    public async Task A_disabled_user_can_do_nothing_even_after_signing_in_again()
    {
        var kim = await SignInAsync("kim", Roles.Manage);
        Assert.True((await _accounts.SetDisabledAsync(Actor.Hub, "kim", true, CancellationToken.None)).Ok);

        Assert.Equal("session_ended", (await _accounts.AuthorizeSignedInAsync(kim, HubAction.ViewFleet, "fleet", auditRefusal: false, CancellationToken.None)).Failure!.Code);
        var again = await PrincipalOfAsync("kim");
        Assert.Equal("session_ended", (await _accounts.AuthorizeSignedInAsync(again, HubAction.ViewFleet, "fleet", auditRefusal: false, CancellationToken.None)).Failure!.Code);
    }

    [Fact]
    public async Task A_user_deleted_and_made_again_under_the_same_name_is_someone_else()
    {
        var kim = await SignInAsync("kim", Roles.Admin);
        Assert.True((await _accounts.DeleteAsync(Actor.Hub, "kim", CancellationToken.None)).Ok);
        Assert.True((await _accounts.CreateAsync(Actor.Hub, "kim", Roles.Admin, null, null, null, CancellationToken.None)).Ok);

        var refused = await _accounts.AuthorizeSignedInAsync(kim, HubAction.ManageUsers, "user:kim", auditRefusal: false, CancellationToken.None);

        Assert.Equal("session_ended", refused.Failure!.Code);
    }

    [Fact]
    public async Task A_principal_without_the_users_id_and_stamp_is_nobody()
    {
        var kim = await SignInAsync("kim", Roles.Admin);
        var byNameOnly = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "kim"), .. Roles.Implied(Roles.Admin).Select(r => new Claim(ClaimTypes.Role, r))], "Identity.Application"));
        var withoutStamp = new ClaimsPrincipal(new ClaimsIdentity(kim.Claims.Where(c => c.Type != "AspNet.Identity.SecurityStamp"), "Identity.Application"));
        var anonymous = new ClaimsPrincipal(new ClaimsIdentity());

        foreach (var principal in new[] { byNameOnly, withoutStamp, anonymous })
        {
            Assert.Equal("session_ended", (await _accounts.AuthorizeSignedInAsync(principal, HubAction.ViewFleet, "fleet", auditRefusal: false, CancellationToken.None)).Failure!.Code);
        }

        Assert.True((await _accounts.AuthorizeSignedInAsync(kim, HubAction.ManageUsers, "user:kim", auditRefusal: false, CancellationToken.None)).Ok);
    }

    private async Task<ClaimsPrincipal> SignInAsync(string name, string role)
    {
        Assert.True((await _accounts.CreateAsync(Actor.Hub, name, role, $"{name}-Password-123", null, null, CancellationToken.None)).Ok);
        return await PrincipalOfAsync(name);
    }

    /// <summary>The principal a sign-in makes now, as the cookie carries it.</summary>
    private async Task<ClaimsPrincipal> PrincipalOfAsync(string name)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<HubUser>>();
        return await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<HubUser>>().CreateAsync((await users.FindByNameAsync(name))!);
    }

    private async Task<string[]> RefusalsAsync(string actor)
    {
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<HubDb>>().CreateDbContextAsync();
        return [.. (await db.Audit.Where(a => a.Action == "ui.refused" && a.Actor == actor).ToListAsync()).Select(a => a.Details ?? "")];
    }
}
