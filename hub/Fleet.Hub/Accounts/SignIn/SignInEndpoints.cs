using Fleet.Hub.Audit;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Fleet.Hub.Accounts.SignIn;

/// <summary>The two form posts that set and clear the sign-in cookie (a Blazor circuit cannot set cookies).
/// Both are antiforgery-checked form posts.</summary>
internal static class SignInEndpoints
{
    public static void MapSignIn(this WebApplication app)
    {
        app.MapPost("/account/signin", async ([FromForm] string user, [FromForm] string password, [FromForm] string? returnUrl,
            SignInManager<HubUser> signIn, AuditLog audit, Microsoft.EntityFrameworkCore.IDbContextFactory<Storage.HubDb> dbs) =>
        {
            var result = await signIn.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: true);
            await using (var db = await dbs.CreateDbContextAsync())
            {
                audit.Record(db, new Actor(user), result.Succeeded ? "user.signin" : "user.signin_failed", $"user:{user}", result.IsLockedOut ? "locked out" : null);
                await db.SaveChangesAsync();
            }

            if (!result.Succeeded)
            {
                var why = result.IsLockedOut ? "locked" : "failed";
                return Results.Redirect($"/signin?error={why}");
            }

            // Only local paths: an open redirect would let a link send a fresh session elsewhere.
            return Results.LocalRedirect(returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) ? returnUrl : "/");
        });

        app.MapPost("/account/signout", async (SignInManager<HubUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return Results.LocalRedirect("/signin");
        });
    }
}
