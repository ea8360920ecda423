using Fleet.Hub.Accounts.SignIn;
using Fleet.Hub.Api;
using Fleet.Hub.Components;
using Fleet.Hub.Devices;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Fleet.Hub.Telemetry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Web;

/// <summary>The web UI: Identity sign-in (cookie) next to the API's Bearer tokens, and the Blazor pages.</summary>
internal static class HubWeb
{
    /// <summary>Picks the scheme per request: a request with an Authorization header is an API client; anything
    /// else is a browser and uses the sign-in cookie. Both end in the same role claims.</summary>
    public const string Scheme = "fleet";

    public static void AddHubWeb(this IServiceCollection services, HubOptions options)
    {
        services.AddUiIdentityDb(options.ConnectionString);
        services.AddIdentityCore<IdentityUser>(o =>
            {
                o.Password.RequiredLength = 12;
                o.Lockout.MaxFailedAccessAttempts = 10;
                o.User.RequireUniqueEmail = false;
            })
            .AddEntityFrameworkStores<UiIdentityDb>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<SignInClaims>();
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = Scheme;
                o.DefaultChallengeScheme = Scheme;
                o.DefaultForbidScheme = Scheme;
            })
            .AddPolicyScheme(Scheme, "Bearer token or sign-in cookie", p => p.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.Count > 0
                || (http.Request.Path.StartsWithSegments("/api") && !http.Request.Cookies.ContainsKey(CookieName))
                    ? BearerTokenHandler.SchemeName
                    : IdentityConstants.ApplicationScheme)
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(c =>
        {
            c.Cookie.Name = CookieName;
            c.Cookie.HttpOnly = true;
            c.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            // Strict: a request from another site never carries the session, so the API cannot be driven by CSRF.
            c.Cookie.SameSite = SameSiteMode.Strict;
            c.LoginPath = "/signin";
            c.AccessDeniedPath = "/denied";
            c.ExpireTimeSpan = TimeSpan.FromHours(12);
            c.SlidingExpiration = true;
            c.Events.OnRedirectToLogin = e => StatusOrRedirect(e, StatusCodes.Status401Unauthorized);
            c.Events.OnRedirectToAccessDenied = e => StatusOrRedirect(e, StatusCodes.Status403Forbidden);
        });

        // Sign-in cookies and antiforgery tokens stay valid across restarts and are not shared with other hubs on the host.
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(options.FullDataDir, "web-keys")));
        services.AddSingleton<FleetChanges>();
        services.AddSingleton<SignInDirectory>();
        services.AddSingleton<TelemetrySeries>();
        services.AddSingleton<UpdateProgressQuery>();
        services.AddSingleton<UiActions>();
        services.AddSingleton<FleetOverview>();
        services.AddCascadingAuthenticationState();
        services.AddRazorComponents().AddInteractiveServerComponents();
    }

    public const string CookieName = "fleet.session";

    /// <summary>Creates the sign-in tables and, on first start, user <c>admin</c> with a generated password that is
    /// written 0600 to DATA/admin-password and never printed.</summary>
    public static async Task PrepareWebAsync(this WebApplication app, HubOptions options)
    {
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<UiIdentityDb>().Database.MigrateAsync();
        }

        var password = await app.Services.GetRequiredService<SignInDirectory>().BootstrapAdminAsync(CancellationToken.None);
        if (password is not null)
        {
            FirstStartSecret.Write(Path.Combine(options.FullDataDir, "admin-password"), password, $"Web UI sign-in password of user '{SignInDirectory.FirstAdmin}'");
        }
    }

    public static void MapHubWeb(this WebApplication app)
    {
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapSignIn();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }

    private static Task StatusOrRedirect(RedirectContext<CookieAuthenticationOptions> e, int status)
    {
        if (e.Request.Path.StartsWithSegments("/api"))
        {
            e.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        e.Response.Redirect(e.RedirectUri);
        return Task.CompletedTask;
    }
}
