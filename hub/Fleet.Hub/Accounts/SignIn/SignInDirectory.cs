using System.Security.Claims;
using System.Security.Cryptography;
using Fleet.Hub.Audit;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Accounts.SignIn;

/// <summary>The people who sign in to the web UI: Identity users (hashed passwords) with one hub role each.</summary>
internal sealed class SignInDirectory(IServiceScopeFactory scopes, IDbContextFactory<HubDb> dbs, AuditLog audit)
{
    public const string FirstAdmin = "admin";

    /// <summary>First start: user <c>admin</c> with a generated password, which the caller prints once and writes
    /// 0600. Null when a user exists already.</summary>
    public async Task<string?> BootstrapAdminAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        if (await users.Users.AnyAsync(ct))
        {
            return null;
        }

        var password = NewPassword();
        var created = await CreateAsync(Actor.Hub, FirstAdmin, Roles.Admin, password, ct);
        return created.Ok ? password : throw new InvalidOperationException(created.Failure.Message);
    }

    public async Task<Outcome<string>> CreateAsync(Actor actor, string name, string role, string password, CancellationToken ct)
    {
        if (!Names.IsValid(name))
        {
            return Names.Invalid("user name", name);
        }

        if (!Roles.IsKnown(role))
        {
            return new Failure(FailureKind.Invalid, "unknown_role", $"role '{role}' is not one of {string.Join(", ", Roles.All)}");
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        if (await users.FindByNameAsync(name) is not null)
        {
            return new Failure(FailureKind.Conflict, "user_exists", $"user '{name}' can sign in already; pick another name");
        }

        var user = new IdentityUser(name);
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded)
        {
            return new Failure(FailureKind.Invalid, "weak_password", $"user '{name}' not created: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }

        await users.AddClaimAsync(user, new Claim(SignInClaims.RoleClaim, role));
        await using var db = await dbs.CreateDbContextAsync(ct);
        audit.Record(db, actor, "user.create", $"user:{name}", $"role={role} (web sign-in)");
        await db.SaveChangesAsync(ct);
        return name;
    }

    public async Task<IReadOnlyList<(string Name, string Role)>> ListAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<UiIdentityDb>();
        return (await db.Users.AsNoTracking().OrderBy(u => u.UserName)
                .Select(u => new { u.UserName, Role = db.UserClaims.Where(c => c.UserId == u.Id && c.ClaimType == SignInClaims.RoleClaim).Select(c => c.ClaimValue).FirstOrDefault() })
                .ToListAsync(ct))
            .Select(u => (u.UserName ?? "", u.Role ?? "")).ToList();
    }

    /// <summary>20 characters from an alphabet without look-alikes; covers Identity's default rules (digit,
    /// upper, lower, symbol) by construction.</summary>
    private static string NewPassword()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return "Fl-" + RandomNumberGenerator.GetString(alphabet, 16) + "a7Q";
    }
}
