using System.Security.Claims;
using System.Security.Cryptography;
using Fleet.Hub.Audit;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Accounts;

/// <summary>The Accounts facade, the hub's one account directory: users (ASP.NET Core Identity) with one role each,
/// optionally a password for the web UI, and any number of named, expiring API tokens stored hashed. The CLI (through
/// the API) and the web UI (through <see cref="Web.UiActions"/>) manage the same users here. Every change is audited
/// with the acting user and, for API calls, its token.</summary>
internal sealed class AccountDirectory(OpenUserSession sessions, IDbContextFactory<AccountsDb> accounts, IDbContextFactory<HubDb> hubDbs, AuditLog audit, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<IdentityOptions> identity)
{
    public const string FirstAdmin = "admin";

    /// <summary>How often a token's "last used" time is written: often enough to read, rarely enough to cost nothing.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public async Task<TokenCheck> AuthenticateAsync(string token, CancellationToken ct)
    {
        var hash = TokenHash.Of(token);
        await using var db = await accounts.CreateDbContextAsync(ct);
        var found = await db.ApiTokens.AsNoTracking()
            .Where(t => t.Hash == hash && t.RevokedAt == null)
            .Select(t => new { t.Id, t.Name, t.ExpiresAt, t.LastUsedAt, User = t.User!.UserName, t.User.Role, t.User.Disabled })
            .FirstOrDefaultAsync(ct);
        if (found is null)
        {
            return TokenCheck.Refused("unknown or revoked API token");
        }

        var now = clock.GetUtcNow();
        if (found.ExpiresAt is { } expires && expires <= now)
        {
            return TokenCheck.Refused($"API token '{found.Name}' of user '{found.User}' expired at {expires:u}; ask an admin for a new one (fleet user token {found.User} --name NAME)");
        }

        if (found.Disabled)
        {
            return TokenCheck.Refused($"user '{found.User}' is disabled; an admin can enable it again (fleet user enable {found.User})");
        }

        if (found.LastUsedAt is not { } used || now - used >= LastUsedResolution)
        {
            await db.ApiTokens.Where(t => t.Id == found.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), ct);
        }

        return new TokenCheck(new Identity(found.User!, found.Role, found.Name), null);
    }

    /// <summary>First start: user <c>admin</c> with a generated password and one token, which the caller writes 0600.
    /// Null when a user exists already (also after an upgrade, whose migration keeps the old admin).</summary>
    public async Task<FirstAdmin?> BootstrapAdminAsync(CancellationToken ct)
    {
        await using (var db = await accounts.CreateDbContextAsync(ct))
        {
            if (await db.Users.AnyAsync(ct))
            {
                return null;
            }
        }

        var password = NewPassword();
        var created = await CreateAsync(Actor.Hub, FirstAdmin, Roles.Admin, password, "initial", null, ct);
        return created.Ok ? new FirstAdmin(password, created.Value.Token!) : throw new InvalidOperationException(created.Failure.Message);
    }

    /// <summary>A new user. <paramref name="password"/> null: it cannot sign in to the UI until one is set.
    /// <paramref name="tokenName"/> null: no token yet.</summary>
    public async Task<Outcome<CreatedUser>> CreateAsync(Actor actor, string name, string role, string? password, string? tokenName, string? tokenExpires, CancellationToken ct)
    {
        if (!Names.IsValid(name))
        {
            return Names.Invalid("user name", name);
        }

        if (string.Equals(name, Actor.Hub.Name, StringComparison.OrdinalIgnoreCase) && actor != Actor.Hub)
        {
            // The audit log names the hub's own actions so; a user of that name could pass for it.
            return new Failure(FailureKind.Invalid, "reserved_name", $"user name '{name}' is reserved for the hub's own actions in the audit log; pick another");
        }

        if (UnknownRole(role) is { } bad)
        {
            return bad;
        }

        if (tokenName is not null && !Names.IsValid(tokenName))
        {
            return Names.Invalid("token name", tokenName);
        }

        var now = clock.GetUtcNow();
        var expires = TokenLifetime.Parse(tokenExpires, now);
        if (!expires.Ok)
        {
            return expires.Failure;
        }

        await using var session = sessions();
        if (await session.Users.FindByNameAsync(name) is not null)
        {
            return new Failure(FailureKind.Conflict, "user_exists", $"user '{name}' exists already; pick another name, or change it (fleet user role/password/token {name})");
        }

        var user = new HubUser { UserName = name, Role = role, CreatedAt = now };
        var result = string.IsNullOrEmpty(password) ? await session.Users.CreateAsync(user) : await session.Users.CreateAsync(user, password);
        if (!result.Succeeded)
        {
            return Refusal(name, result);
        }

        IssuedToken? issued = null;
        if (tokenName is not null)
        {
            issued = await AddTokenAsync(user, tokenName, expires.Value, ct);
        }

        await RecordAsync(actor, "user.create", name, $"role={role}" + (string.IsNullOrEmpty(password) ? "" : " password") + (issued is null ? "" : $" token={tokenName}"), ct);
        return new CreatedUser(name, role, !string.IsNullOrEmpty(password), issued);
    }

    /// <summary>The API's PATCH: a new role and/or disabled or enabled, then the user as it is now.</summary>
    public async Task<Outcome<UserSummary>> UpdateAsync(Actor actor, string name, string? role, bool? disabled, CancellationToken ct)
    {
        if (role is null && disabled is null)
        {
            return new Failure(FailureKind.Invalid, "nothing_to_change", "give 'role' and/or 'disabled' to change a user");
        }

        if (role is not null && await SetRoleAsync(actor, name, role, ct) is { Ok: false } roleFailed)
        {
            return roleFailed.Failure;
        }

        if (disabled is { } d && await SetDisabledAsync(actor, name, d, ct) is { Ok: false } disableFailed)
        {
            return disableFailed.Failure;
        }

        return await GetAsync(name, ct);
    }

    public async Task<Outcome<bool>> SetRoleAsync(Actor actor, string name, string role, CancellationToken ct)
    {
        if (UnknownRole(role) is { } bad)
        {
            return bad;
        }

        await using var session = sessions();
        if (await FindAsync(session, name) is not { } user)
        {
            return Unknown(name);
        }

        if (user.Role == Roles.Admin && role != Roles.Admin && await IsLastAdminAsync(user, ct))
        {
            return LastAdmin(name, "lose role admin");
        }

        user.Role = role;
        // A new stamp ends the user's web sessions, which sign in again with the new role.
        await session.Users.UpdateSecurityStampAsync(user);
        await RecordAsync(actor, "user.role", name, $"role={role}", ct);
        return true;
    }

    /// <summary>A disabled user can neither sign in nor use any of its tokens; its web sessions end.</summary>
    public async Task<Outcome<bool>> SetDisabledAsync(Actor actor, string name, bool disabled, CancellationToken ct)
    {
        await using var session = sessions();
        if (await FindAsync(session, name) is not { } user)
        {
            return Unknown(name);
        }

        if (disabled && user.Role == Roles.Admin && await IsLastAdminAsync(user, ct))
        {
            return LastAdmin(name, "be disabled");
        }

        user.Disabled = disabled;
        await session.Users.UpdateSecurityStampAsync(user);
        await RecordAsync(actor, disabled ? "user.disable" : "user.enable", name, null, ct);
        return true;
    }

    /// <summary>Deletes the user and with it all its tokens.</summary>
    public async Task<Outcome<bool>> DeleteAsync(Actor actor, string name, CancellationToken ct)
    {
        await using var session = sessions();
        if (await FindAsync(session, name) is not { } user)
        {
            return Unknown(name);
        }

        if (user.Role == Roles.Admin && await IsLastAdminAsync(user, ct))
        {
            return LastAdmin(name, "be deleted");
        }

        await using (var db = await accounts.CreateDbContextAsync(ct))
        {
            await db.ApiTokens.Where(t => t.UserId == user.Id).ExecuteDeleteAsync(ct);
        }

        var result = await session.Users.DeleteAsync(user);
        if (!result.Succeeded)
        {
            return Refusal(name, result);
        }

        await RecordAsync(actor, "user.delete", name, null, ct);
        return true;
    }

    /// <summary>Sets a new password (ending the user's web sessions); with none given, generates one and returns it,
    /// the only time the hub knows it.</summary>
    public async Task<Outcome<string?>> SetPasswordAsync(Actor actor, string name, string? password, CancellationToken ct)
    {
        await using var session = sessions();
        if (await FindAsync(session, name) is not { } user)
        {
            return Unknown(name);
        }

        var generated = string.IsNullOrEmpty(password) ? NewPassword() : null;
        var chosen = generated ?? password!;
        foreach (var validator in session.Users.PasswordValidators)
        {
            var valid = await validator.ValidateAsync(session.Users, user, chosen);
            if (!valid.Succeeded)
            {
                return Refusal(name, valid);
            }
        }

        if (await session.Users.HasPasswordAsync(user))
        {
            await session.Users.RemovePasswordAsync(user);
        }

        var result = await session.Users.AddPasswordAsync(user, chosen);
        if (!result.Succeeded)
        {
            return Refusal(name, result);
        }

        // A reset also clears a sign-in lockout: the admin has just vouched for the user.
        await session.Users.SetLockoutEndDateAsync(user, null);
        await session.Users.ResetAccessFailedCountAsync(user);
        await RecordAsync(actor, "user.password", name, generated is null ? "set" : "generated", ct);
        return generated;
    }

    public async Task<Outcome<IssuedToken>> CreateTokenAsync(Actor actor, string name, string tokenName, string? expires, CancellationToken ct)
    {
        if (!Names.IsValid(tokenName))
        {
            return Names.Invalid("token name", tokenName);
        }

        var expiresAt = TokenLifetime.Parse(expires, clock.GetUtcNow());
        if (!expiresAt.Ok)
        {
            return expiresAt.Failure;
        }

        await using var session = sessions();
        if (await FindAsync(session, name) is not { } user)
        {
            return Unknown(name);
        }

        await using (var db = await accounts.CreateDbContextAsync(ct))
        {
            if (await db.ApiTokens.AnyAsync(t => t.UserId == user.Id && t.Name == tokenName && t.RevokedAt == null, ct))
            {
                return new Failure(FailureKind.Conflict, "token_exists", $"user '{name}' has a token named '{tokenName}' already; revoke it first or pick another name");
            }
        }

        var issued = await AddTokenAsync(user, tokenName, expiresAt.Value, ct);
        await RecordAsync(actor, "token.create", name, $"token={tokenName} expires={(issued.ExpiresAt is { } at ? at.ToString("u") : TokenLifetime.Never)}", ct);
        return issued;
    }

    public async Task<Outcome<bool>> RevokeTokenAsync(Actor actor, string name, string tokenName, CancellationToken ct)
    {
        await using var db = await accounts.CreateDbContextAsync(ct);
        var normalized = name.ToUpperInvariant();
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.User!.NormalizedUserName == normalized && t.Name == tokenName && t.RevokedAt == null, ct);
        if (token is null)
        {
            return new Failure(FailureKind.NotFound, "unknown_token", $"user '{name}' has no active token '{tokenName}'; list them with 'fleet user tokens {name}'");
        }

        token.RevokedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await RecordAsync(actor, "token.revoke", name, $"token={tokenName}", ct);
        return true;
    }

    public async Task<IReadOnlyList<UserSummary>> ListAsync(CancellationToken ct)
    {
        await using var db = await accounts.CreateDbContextAsync(ct);
        var users = await db.Users.AsNoTracking().Include(u => u.Tokens.Where(t => t.RevokedAt == null)).ToListAsync(ct);
        var now = clock.GetUtcNow();
        return [.. users.OrderBy(u => u.UserName, StringComparer.Ordinal).Select(u => Summary(u, now))];
    }

    public async Task<Outcome<UserSummary>> GetAsync(string name, CancellationToken ct)
    {
        await using var db = await accounts.CreateDbContextAsync(ct);
        var normalized = name.ToUpperInvariant();
        var user = await db.Users.AsNoTracking().Include(u => u.Tokens.Where(t => t.RevokedAt == null)).FirstOrDefaultAsync(u => u.NormalizedUserName == normalized, ct);
        return user is null ? Unknown(name) : Summary(user, clock.GetUtcNow());
    }

    /// <summary>May the web UI's signed-in <paramref name="principal"/> do <paramref name="action"/> now? Decided with
    /// the user as the directory holds it at this moment, not as the sign-in claims had it: the user is found by its
    /// id (a user deleted and re-created under the same name is someone else) and its security stamp must still match
    /// (a role change, disable or password reset since sign-in ends the session). A Blazor circuit keeps its principal
    /// for as long as the page is open, so a page left open by a user since demoted can do nothing more. A refusal is
    /// audited when <paramref name="auditRefusal"/> is set: a forged request from a hidden control is worth knowing
    /// about.</summary>
    public async Task<Outcome<Actor>> AuthorizeSignedInAsync(ClaimsPrincipal principal, HubAction action, string subject, bool auditRefusal, CancellationToken ct)
    {
        var claims = identity.Value.ClaimsIdentity;
        var id = principal.Identity?.IsAuthenticated == true ? principal.FindFirstValue(claims.UserIdClaimType) : null;
        var stamp = principal.FindFirstValue(claims.SecurityStampClaimType);
        HubUser? user = null;
        if (id is not null)
        {
            await using var db = await accounts.CreateDbContextAsync(ct);
            user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        }

        var current = user is { Disabled: false } && stamp is not null && string.Equals(user.SecurityStamp, stamp, StringComparison.Ordinal) ? user : null;
        // An ended session is named by the user id it carried, never by the name in its claims: that name may since
        // belong to someone else (or, from before the upgrade, be 'hub').
        var actor = new Actor(current?.UserName ?? (id is null ? "anonymous" : $"ended-session:{id}"), IsAdmin: current?.Role == Roles.Admin);
        var needed = Permissions.RoleFor(action);
        if (current is not null && Roles.Implied(current.Role).Contains(needed))
        {
            return actor;
        }

        if (auditRefusal)
        {
            var why = current is null ? "the session no longer matches an enabled user" : $"needs role {needed}";
            await using var db = await hubDbs.CreateDbContextAsync(ct);
            audit.Record(db, actor, "ui.refused", subject, $"action={action} {why}");
            await db.SaveChangesAsync(ct);
        }

        return current is null
            ? new Failure(FailureKind.Forbidden, "session_ended", "Your account was disabled, deleted or changed since you signed in; sign in again or ask an admin.")
            : new Failure(FailureKind.Forbidden, "role_required", $"'{action}' needs role '{needed}'; ask an admin for that role.");
    }

    private static UserSummary Summary(HubUser u, DateTimeOffset now) =>
        new(u.UserName!, u.Role, u.Disabled, u.PasswordHash is not null, u.CreatedAt,
            [.. u.Tokens.OrderBy(t => t.Name, StringComparer.Ordinal)
                .Select(t => new TokenSummary(t.Name, t.Fingerprint, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.ExpiresAt is { } at && at <= now))]);

    private async Task<IssuedToken> AddTokenAsync(HubUser user, string tokenName, DateTimeOffset? expiresAt, CancellationToken ct)
    {
        var token = TokenHash.NewToken();
        await using var db = await accounts.CreateDbContextAsync(ct);
        db.ApiTokens.Add(new ApiToken { UserId = user.Id, Name = tokenName, Hash = TokenHash.Of(token), CreatedAt = clock.GetUtcNow(), ExpiresAt = expiresAt });
        await db.SaveChangesAsync(ct);
        return new IssuedToken(user.UserName!, user.Role, tokenName, token, expiresAt);
    }

    private static async Task<HubUser?> FindAsync(UserSession session, string name) => await session.Users.FindByNameAsync(name);

    /// <summary>True when no other enabled admin remains: the hub must always keep one, or nobody can manage users.</summary>
    private async Task<bool> IsLastAdminAsync(HubUser user, CancellationToken ct)
    {
        await using var db = await accounts.CreateDbContextAsync(ct);
        return !await db.Users.AnyAsync(u => u.Id != user.Id && u.Role == Roles.Admin && !u.Disabled, ct);
    }

    private async Task RecordAsync(Actor actor, string action, string user, string? details, CancellationToken ct)
    {
        await using var db = await hubDbs.CreateDbContextAsync(ct);
        audit.Record(db, actor, action, $"user:{user}", details);
        await db.SaveChangesAsync(ct);
    }

    private static Failure? UnknownRole(string role) =>
        Roles.IsKnown(role) ? null : new Failure(FailureKind.Invalid, "unknown_role", $"role '{role}' is not one of {string.Join(", ", Roles.All)}");

    private static Failure Unknown(string name) =>
        new(FailureKind.NotFound, "unknown_user", $"no user '{name}'; list users with 'fleet user list'");

    private static Failure LastAdmin(string name, string what) =>
        new(FailureKind.Conflict, "last_admin", $"'{name}' is the last enabled admin and cannot {what}; make another user admin first");

    private static Failure Refusal(string name, IdentityResult result) =>
        new(FailureKind.Invalid, "weak_password", $"user '{name}': {string.Join(" ", result.Errors.Select(e => e.Description))}");

    /// <summary>20 characters from an alphabet without look-alikes; covers Identity's default rules (digit,
    /// upper, lower, symbol) by construction.</summary>
    private static string NewPassword()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return "Fl-" + RandomNumberGenerator.GetString(alphabet, 16) + "a7Q";
    }
}
