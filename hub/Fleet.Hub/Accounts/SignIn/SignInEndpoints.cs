using System.Globalization;
using System.Threading.RateLimiting;
using Fleet.Hub.Audit;
using Microsoft.AspNetCore.Antiforgery;
using Fleet.Hub.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Accounts.SignIn;

/// <summary>The two form posts that set and clear the sign-in cookie (a Blazor circuit cannot set cookies).
/// Both are antiforgery-checked form posts. Sign-in is rate limited per client address (<see cref="RateLimitPolicy"/>)
/// and failures back off per (client address, user) (<see cref="SignInBackoff"/>); Identity's own lock on the user
/// is not used for failures, so nobody can lock admin out by guessing.</summary>
internal static class SignInEndpoints
{
    public const string RateLimitPolicy = "signin";

    /// <summary>Attempts a client address may make at once, then one more every <see cref="RateLimitRefill"/>.</summary>
    public const int RateLimitBurst = 10;
    public static readonly TimeSpan RateLimitRefill = TimeSpan.FromSeconds(6);

    /// <summary>Identity keeps user names in a 256-character column: a longer name cannot be anybody's.</summary>
    private const int MaxUserNameLength = 256;

    public static IServiceCollection AddSignInProtection(this IServiceCollection services)
    {
        services.AddSingleton<SignInBackoff>();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, ct) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = ((int)RateLimitRefill.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                await context.HttpContext.Response.WriteAsync(
                    $"Too many sign-in attempts from this address: at most {RateLimitBurst} at once, then one every {RateLimitRefill.TotalSeconds:0} seconds. Wait, then sign in again.", ct);
            };
            o.AddPolicy(RateLimitPolicy, http => RateLimitPartition.GetTokenBucketLimiter(SignInBackoff.Client(http.Connection.RemoteIpAddress), _ =>
                new TokenBucketRateLimiterOptions
                {
                    TokenLimit = RateLimitBurst,
                    TokensPerPeriod = 1,
                    ReplenishmentPeriod = RateLimitRefill,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
        });
        return services;
    }

    public static void MapSignIn(this WebApplication app)
    {
        app.MapPost("/account/signin", async ([FromForm] string user, [FromForm] string password, [FromForm] string? returnUrl, HttpContext http,
            SignInManager<HubUser> signIn, SignInBackoff backoff, AuditLog audit, IDbContextFactory<HubDb> dbs) =>
        {
            // The name as the client typed it is never trusted: bounded and sanitised before it is logged or counted.
            var shown = AuditText.Bound(user);
            var client = http.Connection.RemoteIpAddress;
            // Counted under the name Identity will look up (normalised as it normalises), so spellings that sign in as
            // one user share one backoff.
            var counted = AuditText.Bound(signIn.UserManager.NormalizeName(user.Length > MaxUserNameLength ? user[..MaxUserNameLength] : user) ?? user);
            var wait = backoff.Wait(client, counted);
            string? refused;
            string? actor = null;
            if (wait > TimeSpan.Zero)
            {
                refused = "wait";
                await RecordFailureAsync(audit, dbs, shown, client, $"not checked: too many failures from this client, {Math.Ceiling(wait.TotalSeconds):0} s left");
            }
            else
            {
                var result = user.Length > MaxUserNameLength
                    ? Microsoft.AspNetCore.Identity.SignInResult.Failed
                    : await signIn.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: false);
                if (result.Succeeded)
                {
                    refused = null;
                    backoff.Succeeded(client, counted);
                    actor = (await signIn.UserManager.FindByNameAsync(user))?.UserName ?? shown;
                }
                else
                {
                    // A user locked or disabled by an admin is refused like a wrong password, and costs the client the same.
                    refused = result.IsLockedOut ? "locked" : "failed";
                    backoff.Failed(client, counted);
                    await RecordFailureAsync(audit, dbs, shown, client, result.IsLockedOut ? "the user is locked" : "wrong user name or password");
                }
            }

            if (refused is not null)
            {
                return Results.Redirect($"/signin?error={refused}");
            }

            await using (var db = await dbs.CreateDbContextAsync())
            {
                audit.Record(db, new Actor(actor!), "user.signin", $"user:{actor}", $"from {SignInBackoff.Client(client)}");
                await db.SaveChangesAsync();
            }

            // Only local paths: an open redirect would let a link send a fresh session elsewhere.
            return Results.LocalRedirect(returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) ? returnUrl : "/");
        }).AllowAnonymous().RequireRateLimiting(RateLimitPolicy);

        // No form field to bind, so the antiforgery token is checked here: another page cannot sign a user out.
        app.MapPost("/account/signout", async (HttpContext http, IAntiforgery antiforgery, SignInManager<HubUser> signIn) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.Problem(title: "antiforgery_token_missing", detail: "sign out with the button on a hub page (the form carries an antiforgery token)", statusCode: StatusCodes.Status400BadRequest);
            }

            await signIn.SignOutAsync();
            return Results.LocalRedirect("/signin");
        });
    }

    /// <summary>A failed sign-in is nobody's action: its actor is <see cref="Actor.Anonymous"/>, and the name tried
    /// (bounded) is in the subject and the details.</summary>
    private static async Task RecordFailureAsync(AuditLog audit, IDbContextFactory<HubDb> dbs, string shown, System.Net.IPAddress? client, string why)
    {
        await using var db = await dbs.CreateDbContextAsync();
        audit.Record(db, Actor.Anonymous, "user.signin_failed", $"user:{shown}", $"attempted user '{shown}' from {SignInBackoff.Client(client)}: {why}");
        await db.SaveChangesAsync();
    }
}
