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
    /// <summary>Picks the scheme per request: the API and /metrics take Bearer tokens only (the sign-in cookie is
    /// ignored there, so a page on another or the same site cannot drive them with a signed-in browser: no CSRF);
    /// a request with an Authorization header is an API client; anything else is a browser and uses the sign-in
    /// cookie. Both end in the same role claims.</summary>
    public const string Scheme = "fleet";

    public static void AddHubWeb(this IServiceCollection services, HubOptions options)
    {
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = Scheme;
                o.DefaultChallengeScheme = Scheme;
                o.DefaultForbidScheme = Scheme;
            })
            .AddPolicyScheme(Scheme, "Bearer token or sign-in cookie", p => p.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.Count > 0 || BearerOnly(http.Request.Path)
                    ? BearerTokenHandler.SchemeName
                    : IdentityConstants.ApplicationScheme)
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(c =>
        {
            c.Cookie.Name = CookieName;
            c.Cookie.HttpOnly = true;
            c.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            // Strict: a request from another site never carries the session. The API ignores the cookie anyway (BearerOnly).
            c.Cookie.SameSite = SameSiteMode.Strict;
            c.LoginPath = "/signin";
            c.AccessDeniedPath = "/denied";
            c.ExpireTimeSpan = TimeSpan.FromHours(12);
            c.SlidingExpiration = true;
            c.Events.OnRedirectToLogin = e => StatusOrRedirect(e, StatusCodes.Status401Unauthorized);
            c.Events.OnRedirectToAccessDenied = e => StatusOrRedirect(e, StatusCodes.Status403Forbidden);
        });

        services.AddSignInProtection();

        // Sign-in cookies and antiforgery tokens stay valid across restarts and are not shared with other hubs on the host.
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(options.FullDataDir, "web-keys")));
        services.AddSingleton<FleetChanges>();
        services.AddSingleton<TelemetrySeries>();
        services.AddSingleton<UpdateProgressQuery>();
        services.AddSingleton<UiActions>();
        services.AddSingleton<FleetOverview>();
        services.AddCascadingAuthenticationState();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, Accounts.SignIn.SessionRevalidation>();
        services.AddRazorComponents().AddInteractiveServerComponents();
    }

    public const string CookieName = "fleet.session";

    /// <summary>Paths where only a Bearer token authenticates: the API (every UI page reaches the facades
    /// server-side, none calls /api from the browser) and the Prometheus endpoint.</summary>
    public static bool BearerOnly(PathString path) => path.StartsWithSegments("/api") || path.StartsWithSegments("/metrics");

    public static void MapHubWeb(this WebApplication app)
    {
        app.UseAntiforgery();
        // The UI's stylesheet and blazor.web.js: the sign-in page needs them before anyone has signed in.
        app.MapStaticAssets().AllowAnonymous();
        app.MapSignIn();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }

    private static Task StatusOrRedirect(RedirectContext<CookieAuthenticationOptions> e, int status)
    {
        if (BearerOnly(e.Request.Path))
        {
            e.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        e.Response.Redirect(e.RedirectUri);
        return Task.CompletedTask;
    }
}
